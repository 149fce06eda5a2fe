//! Trees as plain data: a tag's every path (as bytes: git allows any) with
//! its blob id and mode, the names at its root and the paths its
//! `.gitattributes` marks `export-ignore`; and the blobs of a commit's tree.

use std::collections::{HashMap, HashSet};

use git2::{ObjectType, Oid, Tree};

use super::{Repo, RepoError, Result};

/// Git's file modes.
pub const MODE_SYMLINK: i32 = 0o120000;
pub const MODE_SUBMODULE: i32 = 0o160000;
pub const MODE_EXECUTABLE: i32 = 0o100755;

/// A file (or link, or submodule) of a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeFile {
    pub oid: Oid,
    pub mode: i32,
}

/// Paths of a tag's tree.
pub struct TagTree {
    pub files: HashMap<Vec<u8>, TreeFile>,
    /// Names at the tree's root (files and directories).
    pub top_names: Vec<Vec<u8>>,
    /// Patterns of the root `.gitattributes` marked `export-ignore`, as
    /// globs: `git archive` leaves these paths out.
    pub export_ignore: Vec<String>,
}

/// What a revision names: its commit (when it names one) and its tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peeled {
    pub commit: Option<String>,
    pub tree: Oid,
}

impl Repo {
    /// The commit and the tree that the object `oid` (which the user called
    /// `name`) names; `None` when it names no tree.
    pub fn peel(&self, oid: Oid, name: &str) -> Result<Option<Peeled>> {
        let object = self
            .git
            .find_object(oid, None)
            .map_err(|source| RepoError::Failed { what: format!("git could not read `{name}`"), source })?;
        let commit = object.peel_to_commit().ok().map(|c| c.id().to_string());
        Ok(object.peel_to_tree().ok().map(|tree| Peeled { commit, tree: tree.id() }))
    }

    /// Every path of the tree `id` (a tag's, see [`Repo::peel`]), read once;
    /// blobs are read only for its `.gitattributes`.
    pub fn tag_tree(&self, id: Oid) -> Result<TagTree> {
        let tree = self.git.find_tree(id).map_err(tree_error)?;
        let mut files = HashMap::new();
        let mut prefix = Vec::new();
        self.walk_tree(&tree, &mut prefix, &mut files)?;
        let top_names = tree.iter().map(|e| e.name_bytes().to_vec()).collect();
        let export_ignore = match files.get(b".gitattributes".as_slice()) {
            Some(f) if f.mode != MODE_SYMLINK => self
                .git
                .find_blob(f.oid)
                .map(|b| export_ignore_globs(&String::from_utf8_lossy(b.content())))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(TagTree { files, top_names, export_ignore })
    }

    fn walk_tree(&self, tree: &Tree<'_>, prefix: &mut Vec<u8>, files: &mut HashMap<Vec<u8>, TreeFile>) -> Result<()> {
        for entry in tree.iter() {
            let len = prefix.len();
            if !prefix.is_empty() {
                prefix.push(b'/');
            }
            prefix.extend_from_slice(entry.name_bytes());
            match entry.kind() {
                Some(ObjectType::Tree) => {
                    let sub = self.git.find_tree(entry.id()).map_err(tree_error)?;
                    self.walk_tree(&sub, prefix, files)?;
                }
                _ => {
                    files.insert(prefix.clone(), TreeFile { oid: entry.id(), mode: entry.filemode() });
                }
            }
            prefix.truncate(len);
        }
        Ok(())
    }

    /// The regular files of the tree of commit `sha` (no links, no
    /// submodules), as `(path, blob id)`, in tree order. A path that is not
    /// UTF-8 is read lossily.
    pub fn tree_paths(&self, sha: &str) -> Result<Vec<(String, Oid)>> {
        let oid = Oid::from_str(sha).map_err(|e| self.err(&format!("parse {sha}"), e))?;
        let tree = self
            .git
            .find_commit(oid)
            .and_then(|c| c.tree())
            .map_err(|e| self.err(&format!("read the tree of {sha}"), e))?;
        let mut files = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) && entry.filemode() != MODE_SYMLINK {
                let name = String::from_utf8_lossy(entry.name_bytes());
                files.push((format!("{dir}{name}"), entry.id()));
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(|e| self.err(&format!("walk the tree of {sha}"), e))?;
        Ok(files)
    }

    /// The ids of the blobs in the tree of commit `sha`, in tree order,
    /// leaving out the paths in `skip`.
    pub fn tree_blobs(&self, sha: &str, skip: &HashSet<&str>) -> Result<Vec<Oid>> {
        // Named by the git directory, as the risk scan always did.
        let where_ = self.git_dir().display().to_string();
        let failed = |doing: String| {
            let repo = where_.clone();
            move |source| RepoError::Git { doing, repo, source }
        };
        let oid = Oid::from_str(sha).map_err(failed(format!("parse {sha}")))?;
        let tree =
            self.git.find_commit(oid).and_then(|c| c.tree()).map_err(failed(format!("read the tree of {sha}")))?;
        let mut blobs = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                let path = format!("{dir}{}", entry.name().unwrap_or(""));
                if !skip.contains(path.as_str()) {
                    blobs.push(entry.id());
                }
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(failed(format!("walk the tree of {sha}")))?;
        Ok(blobs)
    }
}

impl Repo {
    /// The names at the root of commit `tip`'s tree, each with whether it
    /// is a directory (names that are not UTF-8 shown with U+FFFD).
    pub fn root_names(&self, tip: Oid) -> Result<Vec<(String, bool)>> {
        let tree = self
            .git
            .find_commit(tip)
            .and_then(|c| c.tree())
            .map_err(|source| RepoError::Failed { what: format!("git could not read the tree of {tip}"), source })?;
        Ok(tree
            .iter()
            .map(|e| (String::from_utf8_lossy(e.name_bytes()).into_owned(), e.kind() == Some(ObjectType::Tree)))
            .collect())
    }

    /// The text of the regular file at `path` in commit `tip`'s tree, when
    /// there is one of at most `max` bytes (lossy UTF-8); `None` when the
    /// path is absent, not a file, or larger.
    pub fn small_text_at(&self, tip: Oid, path: &str, max: u64) -> Result<Option<String>> {
        let tree = self
            .git
            .find_commit(tip)
            .and_then(|c| c.tree())
            .map_err(|source| RepoError::Failed { what: format!("git could not read the tree of {tip}"), source })?;
        let Ok(entry) = tree.get_path(std::path::Path::new(path)) else { return Ok(None) };
        if entry.kind() != Some(ObjectType::Blob) || entry.filemode() == MODE_SYMLINK {
            return Ok(None);
        }
        if self.object_size(entry.id()).is_none_or(|size| size > max) {
            return Ok(None);
        }
        let blob = self
            .git
            .find_blob(entry.id())
            .map_err(|source| RepoError::Failed { what: format!("git could not read {path} at {tip}"), source })?;
        Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
    }
}

fn tree_error(source: git2::Error) -> RepoError {
    RepoError::Failed { what: "git could not read a tree of the tag".into(), source }
}

/// `export-ignore` patterns of a `.gitattributes` file as globs over whole
/// paths (a pattern without a slash matches at any depth; `dir/` and `dir`
/// match everything below).
pub fn export_ignore_globs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(pattern) = words.next() else { continue };
        if !words.any(|w| w == "export-ignore") {
            continue;
        }
        let anchored = pattern.starts_with('/') || pattern.trim_end_matches('/').contains('/');
        let pattern = pattern.trim_start_matches('/').trim_end_matches('/');
        if pattern.is_empty() {
            continue;
        }
        let bases: Vec<String> =
            if anchored { vec![pattern.to_string()] } else { vec![pattern.to_string(), format!("*/{pattern}")] };
        for base in bases {
            out.push(format!("{base}/*"));
            out.push(base);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_ignore_patterns() {
        let globs = export_ignore_globs(
            "# c\n.github/ export-ignore\n/tests export-ignore\n*.md text\n.gitignore export-ignore\n",
        );
        assert!(globs.contains(&".github/*".to_string()));
        assert!(globs.contains(&"tests/*".to_string()));
        assert!(!globs.contains(&"*/tests".to_string()));
        assert!(globs.contains(&"*/.gitignore".to_string()));
        assert!(!globs.iter().any(|g| g.contains("md")));
    }
}
