//! A change's diff against its first parent: the files it touched, its
//! hunks read lazily from the blobs, and its patch-id.

use git2::{Diff, DiffFindOptions, DiffOptions, Oid};

use super::patch_id::PatchIdSum;
use super::{linediff, Repo, Result};
use crate::inspect::{self, BinaryRule};
use crate::model::{DiffLine, FileChange, FileDiff, FileStatus, Hunk, LineKind};

impl Repo {
    /// The diff a change introduced: against its first parent (merges too).
    fn change_diff(&self, sha: &str, options: &mut DiffOptions) -> Result<Diff<'_>> {
        let oid = Oid::from_str(sha).map_err(|e| self.err(&format!("parse sha {sha}"), e))?;
        let commit = self.git.find_commit(oid).map_err(|e| self.err(&format!("read commit {sha}"), e))?;
        let tree = commit.tree().map_err(|e| self.err(&format!("read the tree of {sha}"), e))?;
        let parent_tree = match commit.parent(0) {
            Ok(p) => Some(p.tree().map_err(|e| self.err(&format!("read the parent tree of {sha}"), e))?),
            Err(_) => None,
        };
        self.git
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(options))
            .map_err(|e| self.err(&format!("diff {sha}"), e))
    }

    /// The files a change touched, with line counts and binary status:
    /// counted from the same hunks the diff shows.
    pub fn files(&self, sha: &str) -> Result<Vec<FileChange>> {
        Ok(self.files_and_patch_id(sha)?.0)
    }

    /// [`Repo::files`] and, from the same diff, the change's patch-id
    /// ([`Repo::patch_id`]) unless the diff found renames (a patch-id
    /// diffs without them).
    pub fn files_and_patch_id(&self, sha: &str) -> Result<super::ListedFiles> {
        let diff = self.diff_lazy(sha, &[])?;
        let (files, id) = diff.files_and_patch_id()?;
        Ok((files, (!diff.renamed).then_some(id)))
    }

    /// A change's file list ([`Repo::files`]), its full diff
    /// ([`Repo::diff`]) and its patch-id as [`Repo::files_and_patch_id`]
    /// gives it, from one diff: for a reader who needs them all.
    pub fn files_and_diff(&self, sha: &str) -> Result<(Vec<FileChange>, Vec<FileDiff>, Option<String>)> {
        let lazy = self.diff_lazy(sha, &[])?;
        let mut sum = PatchIdSum::default();
        let (mut changes, mut files) = (Vec::with_capacity(lazy.len()), Vec::with_capacity(lazy.len()));
        for index in 0..lazy.len() {
            if let Some(file) = lazy.file(index)? {
                sum.add(&file);
                changes.push(file.change());
                files.push(file.into_model());
            }
        }
        Ok((changes, files, (!lazy.renamed).then(|| sum.hex())))
    }

    /// The full diff of a change against its first parent, optionally only
    /// for some paths: files with status, renames with similarity, mode
    /// changes, and hunks of numbered lines.
    pub fn diff(&self, sha: &str, paths: &[String]) -> Result<Vec<FileDiff>> {
        let lazy = self.diff_lazy(sha, paths)?;
        let mut files = Vec::with_capacity(lazy.len());
        for index in 0..lazy.len() {
            if let Some(file) = lazy.file(index)? {
                files.push(file.into_model());
            }
        }
        Ok(files)
    }

    /// The diff of a change like [`Repo::diff`], whose files are read one
    /// at a time and whose lines are read as they are shown (borrowed from
    /// the blobs, never copied): the first file prints before the last is
    /// diffed, and a large file's first lines before its model would have
    /// been built.
    pub fn diff_lazy(&self, sha: &str, paths: &[String]) -> Result<LazyDiff<'_>> {
        self.lazy_diff(sha, paths, true)
    }

    fn lazy_diff(&self, sha: &str, paths: &[String], find_renames: bool) -> Result<LazyDiff<'_>> {
        let (diff, similarity) = self.prepared_diff(sha, paths, find_renames)?;
        // Similarities are read only when renames or copies were found.
        let renamed = !similarity.is_empty();
        Ok(LazyDiff { repo: self, diff, similarity, sha: sha.to_string(), renamed })
    }

    /// A change's diff against its first parent, with renames found when
    /// asked, and each delta's rename similarity.
    fn prepared_diff(&self, sha: &str, paths: &[String], find_renames: bool) -> Result<(Diff<'_>, Vec<Option<u16>>)> {
        let mut options = DiffOptions::new();
        options.context_lines(3);
        for p in paths {
            options.pathspec(p);
        }
        if !paths.is_empty() {
            options.disable_pathspec_match(true);
        }
        let mut diff = self.change_diff(sha, &mut options)?;
        // Rename detection is costly; only a change that both adds and
        // deletes files can hold a rename.
        let has = |status| diff.deltas().any(|d| d.status() == status);
        if find_renames && has(git2::Delta::Added) && has(git2::Delta::Deleted) {
            let mut find = DiffFindOptions::new();
            find.renames(true);
            diff.find_similar(Some(&mut find)).map_err(|e| self.err(&format!("find renames in {sha}"), e))?;
        }
        // Printing the raw form computes every patch a second time: only
        // a diff with renames or copies needs it.
        let renamed = diff.deltas().any(|d| matches!(d.status(), git2::Delta::Renamed | git2::Delta::Copied));
        let similarity = if renamed { similarities(&diff) } else { Vec::new() };
        Ok((diff, similarity))
    }

    /// Both sides of a file of a diff; read at once on two cores when the
    /// old side is large (a big file's first lines wait on both).
    fn sides(&self, delta: &git2::DiffDelta<'_>, sha: &str) -> Result<(Bytes<'_>, Bytes<'_>)> {
        let (old, new) = (delta.old_file(), delta.new_file());
        let large = |id: Oid| {
            self.git.odb().ok().and_then(|odb| odb.read_header(id).ok()).is_some_and(|(size, _)| size >= 1 << 20)
        };
        if !old.id().is_zero() && !new.id().is_zero() && old.mode() != git2::FileMode::Commit && large(old.id()) {
            let (old_id, new_id) = (old.id(), new.id());
            let other = self.reopen();
            return std::thread::scope(|scope| {
                let reading = scope.spawn(move || -> Result<Vec<u8>> { Ok(other?.read_side(old_id, sha)?.to_vec()) });
                let new = self.read_side(new_id, sha)?;
                let old = reading
                    .join()
                    .map_err(|_| self.err("read a blob", git2::Error::from_str("reader thread panicked")))??;
                Ok((Bytes::Owned(old), new))
            });
        }
        Ok((self.side(&old, sha)?, self.side(&new, sha)?))
    }

    /// One side's bytes: none for an absent side, git's line for a
    /// submodule.
    fn side(&self, file: &git2::DiffFile<'_>, sha: &str) -> Result<Bytes<'_>> {
        match file.mode() {
            _ if file.id().is_zero() => Ok(Bytes::Owned(Vec::new())),
            git2::FileMode::Commit => Ok(Bytes::Owned(format!("Subproject commit {}\n", file.id()).into_bytes())),
            _ => self.read_side(file.id(), sha),
        }
    }

    fn read_side(&self, id: Oid, sha: &str) -> Result<Bytes<'_>> {
        let blob = self.git.find_blob(id).map_err(|e| self.err(&format!("read blob {id} of {sha}"), e))?;
        Ok(Bytes::Blob(blob))
    }

    /// The paths of a change's file list ([`Repo::files`]), sorted, from
    /// its trees alone (no blob read), and `true`; when the change both
    /// adds and deletes files, where only finding renames (which reads
    /// blobs) can tell the list, every path its trees differ in, old and
    /// new, and `false`.
    pub fn touched_paths(&self, sha: &str) -> Result<(Vec<String>, bool)> {
        let mut options = DiffOptions::new();
        let diff = self.change_diff(sha, &mut options)?;
        let has = |status| diff.deltas().any(|d| d.status() == status);
        // The condition under which `prepared_diff` looks for renames.
        let exact = !(has(git2::Delta::Added) && has(git2::Delta::Deleted));
        let mut paths = Vec::with_capacity(diff.deltas().len());
        let name = |file: git2::DiffFile<'_>| file.path_bytes().map(|p| String::from_utf8_lossy(p).into_owned());
        for delta in diff.deltas() {
            if exact {
                // As a file list names it: the new path, else the old.
                paths.push(name(delta.new_file()).or_else(|| name(delta.old_file())).unwrap_or_default());
            } else {
                paths.extend(name(delta.old_file()));
                paths.extend(name(delta.new_file()));
            }
        }
        paths.sort_unstable();
        if !exact {
            paths.dedup();
        }
        Ok((paths, exact))
    }

    /// `git patch-id --stable` of a change's diff without renames (see
    /// [`patch_id`](super::patch_id)): equal for the same diff, whatever
    /// its line offsets or the order of its files.
    pub fn patch_id(&self, sha: &str) -> Result<String> {
        Ok(self.lazy_diff(sha, &[], false)?.files_and_patch_id()?.1)
    }
}

/// A change's diff whose files are read on demand ([`Repo::diff_lazy`]).
pub struct LazyDiff<'r> {
    repo: &'r Repo,
    diff: Diff<'r>,
    similarity: Vec<Option<u16>>,
    sha: String,
    /// Renames or copies were found: the file set is not the one a
    /// patch-id is taken over.
    renamed: bool,
}

impl<'r> LazyDiff<'r> {
    /// Every file as a file list shows it, and the patch-id summed over
    /// the same files.
    fn files_and_patch_id(&self) -> Result<(Vec<FileChange>, String)> {
        let mut sum = PatchIdSum::default();
        let mut files = Vec::with_capacity(self.len());
        for index in 0..self.len() {
            if let Some(file) = self.file(index)? {
                sum.add(&file);
                files.push(file.change());
            }
        }
        Ok((files, sum.hex()))
    }

    /// Files in the diff (some may turn out to have no patch).
    pub fn len(&self) -> usize {
        self.diff.deltas().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// File `index`'s path (the new one, else the old), known before its
    /// patch is computed.
    pub fn path(&self, index: usize) -> Option<String> {
        let delta = self.diff.get_delta(index)?;
        let path = delta.new_file().path_bytes().or_else(|| delta.old_file().path_bytes())?;
        Some(String::from_utf8_lossy(path).into_owned())
    }

    /// File `index`: its paths, status, modes, similarity and binary flag
    /// (no hunks), and its hunks to read lines from, e.g. with
    /// [`DiffRenderer::with_source`](crate::render::diff::DiffRenderer::with_source).
    /// Binary (a NUL in the first 8,000 bytes, as git, or a line of the
    /// diff that is not UTF-8) leaves no hunks.
    pub fn file(&self, index: usize) -> Result<Option<LazyFile<'r>>> {
        let Some(delta) = self.diff.get_delta(index) else { return Ok(None) };
        let path_of = |f: git2::DiffFile<'_>| f.path_bytes().map(|p| String::from_utf8_lossy(p).into_owned());
        let blob_of = |f: git2::DiffFile<'_>| Some(f.id()).filter(|id| !id.is_zero()).map(|id| id.to_string());
        let status = status_of(delta.status());
        let mut file = FileDiff {
            old_path: path_of(delta.old_file()),
            new_path: path_of(delta.new_file()),
            status,
            similarity: None,
            old_mode: u32::from(delta.old_file().mode()),
            new_mode: u32::from(delta.new_file().mode()),
            binary: delta.flags().is_binary(),
            old_blob: blob_of(delta.old_file()),
            new_blob: blob_of(delta.new_file()),
            hunks: Vec::new(),
        };
        if matches!(status, FileStatus::Renamed | FileStatus::Copied) {
            file.similarity = self.similarity.get(index).copied().flatten();
        }
        if delta.old_file().id() == delta.new_file().id() {
            // A mode change or a pure rename: no lines changed.
            return Ok(Some(LazyFile::without_lines(file)));
        }
        let (old, new) = self.repo.sides(&delta, &self.sha)?;
        file.binary |= inspect::is_binary(&old, BinaryRule::NulOnly)
            || inspect::is_binary(&new, BinaryRule::NulOnly)
            || old.len() > linediff::MAX_TEXT
            || new.len() > linediff::MAX_TEXT;
        if file.binary {
            return Ok(Some(LazyFile::without_lines(file)));
        }
        let bounds = (linediff::bounds(&old), linediff::bounds(&new));
        let hunks = {
            let (o, n) = (linediff::Lines::new(&old, &bounds.0), linediff::Lines::new(&new, &bounds.1));
            let hunks = linediff::hunks(&o, &n);
            // Whole blobs check fastest; only a blob that fails is checked
            // line by line (a line the diff does not show may be anything).
            let whole = std::str::from_utf8(&old).is_ok() && std::str::from_utf8(&new).is_ok();
            let utf8 = whole
                || hunks.iter().flat_map(|h| h.lines()).all(|l| std::str::from_utf8(side_line(&o, &n, &l)).is_ok());
            if utf8 {
                hunks
            } else {
                file.binary = true;
                Vec::new()
            }
        };
        Ok(Some(LazyFile { file, old, new, bounds, hunks }))
    }
}

/// A blob's bytes for a diff: libgit2's, or read by another thread, or made
/// up (an absent side, a submodule's line).
enum Bytes<'r> {
    Blob(git2::Blob<'r>),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Blob(blob) => blob.content(),
            Bytes::Owned(bytes) => bytes,
        }
    }
}

/// The text of a hunk's line: from the old side if removed, else the new.
fn side_line<'b>(old: &linediff::Lines<'b>, new: &linediff::Lines<'b>, line: &linediff::TextLine) -> &'b [u8] {
    let at = |n: Option<u32>| n.map_or(usize::MAX, |n| n as usize - 1);
    match line.kind() {
        LineKind::Removed => old.text(at(line.old_no())),
        _ => new.text(at(line.new_no())),
    }
}

/// One file of a [`LazyDiff`]: the model without hunks, and the blobs and
/// hunks its lines are read from (it is a
/// [`HunkSource`](crate::model::HunkSource)).
pub struct LazyFile<'r> {
    pub file: FileDiff,
    old: Bytes<'r>,
    new: Bytes<'r>,
    /// Line starts of the old and new side.
    bounds: (Vec<u32>, Vec<u32>),
    hunks: Vec<linediff::TextHunk>,
}

impl LazyFile<'_> {
    /// A file whose lines are not read: no change to them (a mode change,
    /// a pure rename), or a binary (the hex view reads the blobs itself).
    fn without_lines(file: FileDiff) -> Self {
        let empty = || Bytes::Owned(Vec::new());
        LazyFile { file, old: empty(), new: empty(), bounds: Default::default(), hunks: Vec::new() }
    }

    /// The file as a change's file list shows it: paths, status, binary
    /// flag, lines added and removed.
    pub fn change(&self) -> FileChange {
        let (additions, deletions) = self.line_counts();
        let file = &self.file;
        let old_path = match file.status {
            FileStatus::Renamed | FileStatus::Copied => file.old_path.clone(),
            _ => None,
        };
        FileChange {
            path: file.path().to_string(),
            old_path,
            status: file.status,
            binary: file.binary,
            additions,
            deletions,
        }
    }

    /// Lines added and removed.
    pub fn line_counts(&self) -> (u32, u32) {
        let count = |kind| self.hunks.iter().flat_map(|h| h.lines()).filter(|l| l.kind() == kind).count();
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (clamp(count(LineKind::Added)), clamp(count(LineKind::Removed)))
    }

    fn text(&self, line: &linediff::TextLine) -> &str {
        let old = linediff::Lines::new(&self.old, &self.bounds.0);
        let new = linediff::Lines::new(&self.new, &self.bounds.1);
        // Checked when the hunks were made: a line that is not UTF-8
        // makes the file binary, and a binary file has no hunks.
        std::str::from_utf8(side_line(&old, &new, line)).unwrap_or_default()
    }

    /// The file's model with its hunks, each line's text copied.
    pub fn into_model(self) -> FileDiff {
        let hunks = self
            .hunks
            .iter()
            .map(|h| Hunk {
                old_start: h.old_start,
                old_lines: h.old_lines,
                new_start: h.new_start,
                new_lines: h.new_lines,
                context: h.context.clone(),
                lines: h
                    .lines()
                    .map(|l| DiffLine {
                        kind: l.kind(),
                        old_no: l.old_no(),
                        new_no: l.new_no(),
                        text: self.text(&l).to_string(),
                        no_newline: l.no_newline(),
                    })
                    .collect(),
            })
            .collect();
        FileDiff { hunks, ..self.file }
    }
}

impl crate::model::HunkSource for LazyFile<'_> {
    fn hunk_count(&self) -> usize {
        self.hunks.len()
    }

    fn head(&self, hunk: usize) -> Option<crate::model::HunkHead<'_>> {
        self.hunks.get(hunk).map(|h| crate::model::HunkHead {
            old_start: h.old_start,
            old_lines: h.old_lines,
            new_start: h.new_start,
            new_lines: h.new_lines,
            context: &h.context,
        })
    }

    fn line_count(&self, hunk: usize) -> usize {
        self.hunks.get(hunk).map_or(0, |h| h.len())
    }

    fn kind(&self, hunk: usize, line: usize) -> Option<LineKind> {
        Some(self.hunks.get(hunk)?.line(line)?.kind())
    }

    fn line(&self, hunk: usize, line: usize) -> Option<crate::model::LineRef<'_>> {
        let l = self.hunks.get(hunk)?.line(line)?;
        Some(crate::model::LineRef {
            kind: l.kind(),
            old_no: l.old_no(),
            new_no: l.new_no(),
            no_newline: l.no_newline(),
            text: self.text(&l),
        })
    }
}

fn status_of(delta: git2::Delta) -> FileStatus {
    match delta {
        git2::Delta::Added => FileStatus::Added,
        git2::Delta::Deleted => FileStatus::Deleted,
        git2::Delta::Renamed => FileStatus::Renamed,
        git2::Delta::Copied => FileStatus::Copied,
        git2::Delta::Typechange => FileStatus::TypeChange,
        _ => FileStatus::Modified,
    }
}

/// Rename/copy similarity per delta: git2 does not expose it, but git's raw
/// format carries it (`R087`).
fn similarities(diff: &Diff<'_>) -> Vec<Option<u16>> {
    let mut out = Vec::new();
    let _ = diff.print(git2::DiffFormat::Raw, |_, _, line| {
        let text = String::from_utf8_lossy(line.content());
        let field = text.split_whitespace().nth(4).unwrap_or("");
        let score = field.strip_prefix(['R', 'C']).and_then(|n| n.parse::<u16>().ok());
        out.push(score);
        true
    });
    out
}
