//! Writes history with git2 directly (no working tree, no `git` binary):
//! the demo and the test fixtures build real repositories with it.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Oid, Repository, Signature, Time};

use crate::model::Person;

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
    pub fn init(path: &Path) -> Result<Writer, git2::Error> {
        let repo = Repository::init(path)?;
        Ok(Writer { repo, blobs: Default::default() })
    }

    pub fn repo(&self) -> &Repository {
        &self.repo
    }

    /// Writes a full tree for `files`.
    pub fn tree(&mut self, files: &Files) -> Result<Oid, git2::Error> {
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
        let mut builder = self.repo.treebuilder(None)?;
        for (name, oid, mode) in entries {
            builder.insert(&name, oid, mode)?;
        }
        builder.write()
    }

    fn blob(&mut self, content: &[u8]) -> Result<Oid, git2::Error> {
        if let Some(oid) = self.blobs.get(content) {
            return Ok(*oid);
        }
        let oid = self.repo.blob(content)?;
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
    ) -> Result<Oid, git2::Error> {
        let when = Time::new(time, 0);
        let author = Signature::new(&author.name, &author.email, &when)?;
        let committer = Signature::new(&committer.name, &committer.email, &when)?;
        let tree = self.repo.find_tree(tree)?;
        let parents: Vec<git2::Commit<'_>> =
            parents.iter().map(|p| self.repo.find_commit(*p)).collect::<Result<_, _>>()?;
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let oid = self.repo.commit(None, &author, &committer, message, &tree, &parent_refs)?;
        if let Some(name) = refname {
            self.repo.reference(name, oid, true, "rearview fixture")?;
        }
        Ok(oid)
    }

    /// A lightweight tag.
    pub fn tag(&self, name: &str, target: Oid) -> Result<(), git2::Error> {
        self.repo.reference(&format!("refs/tags/{name}"), target, true, "rearview fixture").map(|_| ())
    }

    /// Points HEAD at a branch.
    pub fn set_head(&self, branch: &str) -> Result<(), git2::Error> {
        self.repo.set_head(&format!("refs/heads/{branch}"))
    }
}
