//! Writes history with git2 directly (no working tree, no `git` binary):
//! the demo and the test fixtures build real repositories with it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository, Signature, Time};

use super::RepoError;
use crate::model::Person;

type Result<T> = std::result::Result<T, RepoError>;

/// File contents by path: the tree of one commit.
pub type Files = BTreeMap<String, Vec<u8>>;

/// A repository being written commit by commit.
pub struct Writer {
    repo: Repository,
    /// Blob ids by content, so equal files are written once.
    blobs: std::collections::HashMap<Vec<u8>, Oid>,
}

impl Writer {
    /// Creates a new repository at `path` (a work-tree repository whose
    /// work tree stays empty: only history matters).
    pub fn init(path: &Path) -> Result<Writer> {
        let repo = Repository::init(path).map_err(RepoError::Write)?;
        Ok(Writer { repo, blobs: Default::default() })
    }

    /// The repository's git directory (`.git/`).
    pub fn git_dir(&self) -> PathBuf {
        self.repo.path().to_path_buf()
    }

    /// Writes a full tree for `files`.
    pub fn tree(&mut self, files: &Files) -> Result<Oid> {
        // Nested directories: group paths by their first component.
        let mut dirs: BTreeMap<String, Files> = BTreeMap::new();
        let mut entries: Vec<(String, Oid, i32)> = Vec::new();
        for (path, content) in files {
            match path.split_once('/') {
                Some((dir, rest)) => {
                    dirs.entry(dir.to_string()).or_default().insert(rest.to_string(), content.clone());
                }
                None => {
                    let mode = if content.starts_with(b"#!") { 0o100755 } else { 0o100644 };
                    entries.push((path.clone(), self.blob(content)?, mode));
                }
            }
        }
        for (dir, inner) in dirs {
            entries.push((dir, self.tree(&inner)?, 0o040000));
        }
        let mut builder = self.repo.treebuilder(None).map_err(RepoError::Write)?;
        for (name, oid, mode) in entries {
            builder.insert(&name, oid, mode).map_err(RepoError::Write)?;
        }
        builder.write().map_err(RepoError::Write)
    }

    fn blob(&mut self, content: &[u8]) -> Result<Oid> {
        if let Some(oid) = self.blobs.get(content) {
            return Ok(*oid);
        }
        let oid = self.repo.blob(content).map_err(RepoError::Write)?;
        self.blobs.insert(content.to_vec(), oid);
        Ok(oid)
    }

    /// Writes a commit of `tree` with the given parents; moves `refname`
    /// (when given) to it.
    #[allow(clippy::too_many_arguments)]
    pub fn commit(
        &self,
        refname: Option<&str>,
        parents: &[Oid],
        tree: Oid,
        author: &Person,
        committer: &Person,
        time: i64,
        message: &str,
    ) -> Result<Oid> {
        let write = || -> std::result::Result<Oid, git2::Error> {
            let when = Time::new(time, 0);
            let author = Signature::new(&author.name, &author.email, &when)?;
            let committer = Signature::new(&committer.name, &committer.email, &when)?;
            let tree = self.repo.find_tree(tree)?;
            let parents: Vec<git2::Commit<'_>> =
                parents.iter().map(|p| self.repo.find_commit(*p)).collect::<std::result::Result<_, _>>()?;
            let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            let oid = self.repo.commit(None, &author, &committer, message, &tree, &parent_refs)?;
            if let Some(name) = refname {
                self.repo.reference(name, oid, true, "rearview fixture")?;
            }
            Ok(oid)
        };
        write().map_err(RepoError::Write)
    }

    /// Points the reference `name` (`refs/heads/…`, `refs/pull/…`) at
    /// `target`, writing `log` to its reflog.
    pub fn set_reference(&self, name: &str, target: Oid, log: &str) -> Result<()> {
        self.repo.reference(name, target, true, log).map(|_| ()).map_err(RepoError::Write)
    }

    /// A lightweight tag.
    pub fn tag(&self, name: &str, target: Oid) -> Result<()> {
        self.set_reference(&format!("refs/tags/{name}"), target, "rearview fixture")
    }

    /// An annotated tag of the commit `target` by `tagger` at `time`,
    /// signed by `signer` when given (its signature appended to the
    /// message, as `git tag -s` does). Returns the tag object's id.
    pub fn annotated_tag(
        &self,
        name: &str,
        target: Oid,
        tagger: &Person,
        time: i64,
        message: &str,
        signer: Option<&super::signing::Signer>,
    ) -> Result<Oid> {
        let mut raw = tag_payload(target, name, tagger, time, message).into_bytes();
        if let Some(signer) = signer {
            let signature =
                signer.sign(&raw, time).map_err(|e| RepoError::Write(git2::Error::from_str(&e.to_string())))?;
            raw.extend_from_slice(signature.as_bytes());
        }
        self.raw_tag(name, &raw)
    }

    /// A tag object of exactly these bytes (tests write tampered and
    /// malformed tags with it), and `refs/tags/NAME` pointing at it.
    pub fn raw_tag(&self, name: &str, raw: &[u8]) -> Result<Oid> {
        let odb = self.repo.odb().map_err(RepoError::Write)?;
        let oid = odb.write(git2::ObjectType::Tag, raw).map_err(RepoError::Write)?;
        self.set_reference(&format!("refs/tags/{name}"), oid, "rearview fixture")?;
        Ok(oid)
    }

    /// Points HEAD at a branch.
    pub fn set_head(&self, branch: &str) -> Result<()> {
        self.repo.set_head(&format!("refs/heads/{branch}")).map_err(RepoError::Write)
    }
}

/// What a tag object says before its signature: the header git writes and
/// the message (ending in a newline).
pub fn tag_payload(target: Oid, name: &str, tagger: &Person, time: i64, message: &str) -> String {
    let message = message.trim_end();
    format!(
        "object {target}\ntype commit\ntag {name}\ntagger {} <{}> {time} +0000\n\n{message}\n",
        tagger.name, tagger.email
    )
}
