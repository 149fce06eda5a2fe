//! The tree at the tag: every path (as bytes: git allows any) with its blob
//! id and mode, read once; blobs are read only for files that differ.

use std::collections::HashMap;

use git2::{ObjectType, Oid, Repository, Tree};

use super::Error;

/// Git's file modes.
pub const MODE_SYMLINK: i32 = 0o120000;
pub const MODE_SUBMODULE: i32 = 0o160000;
pub const MODE_EXECUTABLE: i32 = 0o100755;

#[derive(Debug, Clone)]
pub struct TagFile {
    pub oid: Oid,
    pub mode: i32,
    /// The archive had this path.
    pub seen: bool,
}

/// Paths of the tag's tree.
pub struct TagTree {
    pub files: HashMap<Vec<u8>, TagFile>,
    /// Names at the tree's root (files and directories).
    pub top_names: Vec<Vec<u8>>,
    /// Patterns of the root `.gitattributes` marked `export-ignore`, as
    /// globs: `git archive` leaves these paths out.
    pub export_ignore: Vec<String>,
}

impl TagTree {
    pub fn read(git: &Repository, tree: &Tree<'_>) -> Result<TagTree, Error> {
        let mut files = HashMap::new();
        let mut prefix = Vec::new();
        walk(git, tree, &mut prefix, &mut files)?;
        let top_names = tree.iter().map(|e| e.name_bytes().to_vec()).collect();
        let export_ignore = match files.get(b".gitattributes".as_slice()) {
            Some(f) if f.mode != MODE_SYMLINK => git
                .find_blob(f.oid)
                .map(|b| export_ignore_globs(&String::from_utf8_lossy(b.content())))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(TagTree { files, top_names, export_ignore })
    }
}

fn walk(
    git: &Repository,
    tree: &Tree<'_>,
    prefix: &mut Vec<u8>,
    files: &mut HashMap<Vec<u8>, TagFile>,
) -> Result<(), Error> {
    for entry in tree.iter() {
        let len = prefix.len();
        if !prefix.is_empty() {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(entry.name_bytes());
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let sub = git
                    .find_tree(entry.id())
                    .map_err(|source| Error::Git { doing: "read a tree of the tag".into(), source })?;
                walk(git, &sub, prefix, files)?;
            }
            _ => {
                files.insert(prefix.clone(), TagFile { oid: entry.id(), mode: entry.filemode(), seen: false });
            }
        }
        prefix.truncate(len);
    }
    Ok(())
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
