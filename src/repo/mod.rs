//! Local history through git2: open a repository, resolve branches and
//! ranges, walk first-parent changes, and read what each change touched.

mod blobscan;
mod linediff;
mod loose;
mod pack;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{BranchType, Diff, DiffFindOptions, DiffOptions, Oid, Repository, Sort};

use crate::inspect::{self, BinaryRule};
use crate::model::message;
use crate::model::{Commit, DiffLine, FileChange, FileDiff, FileStatus, Hunk, LineKind, Person};

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("{path} does not exist: pass --repo PATH to a git clone")]
    Missing { path: PathBuf },
    #[error("{path} is not a git repository (or inside one): pass --repo PATH to a git clone")]
    NotARepo { path: PathBuf },
    #[error("unknown {what} `{name}` in {repo}: check the name with `git branch -a` / `git tag`")]
    Unknown { what: &'static str, name: String, repo: String },
    #[error("malformed range `{range}`: {why} (expected BASE..TIP, e.g. v3.12.4..3.12)")]
    MalformedRange { range: String, why: &'static str },
    #[error("git could not {doing} in {repo}: {source}")]
    Git { doing: String, repo: String, source: git2::Error },
}

pub type Result<T> = std::result::Result<T, RepoError>;

/// The contents of a blob, borrowed from libgit2.
pub struct BlobData<'r>(git2::Blob<'r>);

impl std::ops::Deref for BlobData<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.0.content()
    }
}

/// A blob read front to back ([`Repo::read_blob`]).
pub struct BlobStream<'r> {
    len: u64,
    source: Source<'r>,
}

enum Source<'r> {
    /// A loose object, or one stored whole in a pack, inflated from its
    /// file as it is read.
    Loose(Box<loose::ObjectReader>),
    /// A loose object libgit2 found (in an alternate, say), inflated as it is read.
    Stream(git2::OdbReader<'r>),
    /// A packed object, read whole, and how far it has been handed out.
    Whole(git2::Blob<'r>, usize),
}

impl BlobStream<'_> {
    /// The blob's size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl std::io::Read for BlobStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match &mut self.source {
            Source::Loose(reader) => reader.read(buf),
            Source::Stream(reader) => reader.read(buf),
            Source::Whole(blob, at) => {
                let rest = blob.content().get(*at..).unwrap_or_default();
                let n = rest.len().min(buf.len());
                if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
                    to.copy_from_slice(from);
                }
                *at += n;
                Ok(n)
            }
        }
    }
}

/// A resolved range of first-parent history: everything on `tip`'s
/// first-parent chain not reachable from `base`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub base: Option<Oid>,
    pub tip: Oid,
    /// The branch the changes landed on, as the user would name it.
    pub branch: String,
}

/// An open repository. Not `Sync` (git2 handles are not), so background
/// workers open their own handle with [`Repo::reopen`].
pub struct Repo {
    git: Repository,
    remote: Option<String>,
}

impl Repo {
    /// Opens the repository at (or containing) `path`; bare repositories too.
    pub fn open(path: &Path) -> Result<Repo> {
        if !path.exists() {
            return Err(RepoError::Missing { path: path.to_path_buf() });
        }
        // Re-hashing every object on read (libgit2's default; git itself
        // does not) costs a fifth of a large history load. Objects were
        // verified when they were fetched; rearview never writes them.
        git2::opts::strict_hash_verification(false);
        let git = Repository::discover(path).map_err(|_| RepoError::NotARepo { path: path.to_path_buf() })?;
        Ok(Repo::from_git(git))
    }

    fn from_git(git: Repository) -> Repo {
        // The remote whose branches are "what landed": a fork's clone calls
        // the project `upstream`; a plain clone calls it `origin`.
        let remote = ["upstream", "origin"].iter().find(|r| git.find_remote(r).is_ok()).map(|r| r.to_string());
        Repo { git, remote }
    }

    /// Another handle on the same repository, for a worker thread.
    pub fn reopen(&self) -> Result<Repo> {
        let git = Repository::open(self.git.path()).map_err(|e| self.err("reopen the repository", e))?;
        Ok(Repo::from_git(git))
    }

    /// The git directory, canonical: the repository's identity for the store.
    pub fn git_dir(&self) -> PathBuf {
        let p = self.git.path();
        p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
    }

    /// A human name for the repository: its work tree (or bare) directory name.
    pub fn name(&self) -> String {
        let dir = self.git.workdir().unwrap_or_else(|| self.git.path());
        let name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let name = name.strip_suffix(".git").unwrap_or(&name).to_string();
        if name.is_empty() {
            "repository".to_string()
        } else {
            name
        }
    }

    fn display(&self) -> String {
        self.git.workdir().unwrap_or_else(|| self.git.path()).display().to_string()
    }

    fn err(&self, doing: &str, source: git2::Error) -> RepoError {
        RepoError::Git { doing: doing.to_string(), repo: self.display(), source }
    }

    fn unknown(&self, what: &'static str, name: &str) -> RepoError {
        RepoError::Unknown { what, name: name.to_string(), repo: self.display() }
    }

    /// The remote whose branches are "what landed" (`upstream`, else
    /// `origin`) and its URL.
    /// git's `user.email` (repository, then global config), if set.
    pub fn user_email(&self) -> Option<String> {
        let email = self.git.config().and_then(|c| c.get_string("user.email")).ok()?;
        Some(email.trim().to_string()).filter(|e| !e.is_empty())
    }

    pub fn tracked_remote(&self) -> Option<(String, String)> {
        let name = self.remote.clone()?;
        let url = self.git.find_remote(&name).ok()?.url().ok().map(str::to_string)?;
        Some((name, url))
    }

    /// Every branch name, local and of the tracked remote (without the
    /// remote prefix), sorted and without duplicates.
    pub fn branch_names(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let branches = self.git.branches(None).map_err(|e| self.err("list branches", e))?;
        for branch in branches {
            let (branch, kind) = branch.map_err(|e| self.err("list branches", e))?;
            let Ok(Some(name)) = branch.name() else { continue };
            match kind {
                BranchType::Local => names.push(name.to_string()),
                BranchType::Remote => {
                    let Some(remote) = &self.remote else { continue };
                    if let Some(short) = name.strip_prefix(remote.as_str()).and_then(|n| n.strip_prefix('/')) {
                        if short != "HEAD" {
                            names.push(short.to_string());
                        }
                    }
                }
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The project's main line: configured, else the remote's HEAD, else
    /// `main`/`master`, else the checked-out branch.
    pub fn default_branch(&self, configured: Option<&str>) -> Result<String> {
        if let Some(name) = configured {
            self.branch_tip(name)?;
            return Ok(name.to_string());
        }
        if let Some(remote) = &self.remote {
            let head = format!("refs/remotes/{remote}/HEAD");
            if let Ok(r) = self.git.find_reference(&head) {
                if let Ok(Some(target)) = r.symbolic_target() {
                    if let Some(name) = target.strip_prefix(&format!("refs/remotes/{remote}/")) {
                        return Ok(name.to_string());
                    }
                }
            }
        }
        for name in ["main", "master"] {
            if self.branch_tip(name).is_ok() {
                return Ok(name.to_string());
            }
        }
        let head = self.git.head().map_err(|e| self.err("read HEAD", e))?;
        head.shorthand().map(str::to_string).map_err(|_| self.unknown("branch", "HEAD"))
    }

    /// The tip of a branch: the tracked remote's copy when there is one
    /// (what landed), else the local branch.
    pub fn branch_tip(&self, name: &str) -> Result<Oid> {
        let mut candidates = Vec::new();
        if let Some(remote) = &self.remote {
            candidates.push(format!("refs/remotes/{remote}/{name}"));
        }
        candidates.push(format!("refs/heads/{name}"));
        if name.starts_with("refs/") || name.contains('/') {
            candidates.push(name.to_string());
            candidates.push(format!("refs/remotes/{name}"));
        }
        for refname in candidates {
            if let Ok(r) = self.git.find_reference(&refname) {
                if let Ok(commit) = r.peel_to_commit() {
                    return Ok(commit.id());
                }
            }
        }
        Err(self.unknown("branch", name))
    }

    /// Any revision git understands (branch, tag, sha, `HEAD~3`) as a commit.
    pub fn resolve(&self, rev: &str) -> Result<Oid> {
        if let Ok(oid) = self.branch_tip(rev) {
            return Ok(oid);
        }
        let object = self.git.revparse_single(rev).map_err(|_| self.unknown("revision", rev))?;
        let commit = object.peel_to_commit().map_err(|_| self.unknown("commit", rev))?;
        Ok(commit.id())
    }

    /// `BASE..TIP` (either side may be empty, meaning HEAD) or a lone branch.
    pub fn parse_range(&self, text: &str) -> Result<Range> {
        let malformed = |why| RepoError::MalformedRange { range: text.to_string(), why };
        if text.contains("...") {
            return Err(malformed("symmetric differences (`...`) are not a history range; use `..`"));
        }
        let Some((base, tip)) = text.split_once("..") else {
            if text.trim().is_empty() {
                return Err(malformed("it is empty"));
            }
            let tip = self.resolve(text)?;
            return Ok(Range { base: None, tip, branch: branch_label(text) });
        };
        if tip.contains("..") {
            return Err(malformed("it has more than one `..`"));
        }
        if base.is_empty() && tip.is_empty() {
            return Err(malformed("both sides are empty"));
        }
        let tip_name = if tip.is_empty() { "HEAD" } else { tip };
        let base_name = if base.is_empty() { "HEAD" } else { base };
        let tip_oid = self.resolve(tip_name)?;
        let base_oid = self.resolve(base_name)?;
        let branch = if tip.is_empty() {
            self.git.head().ok().and_then(|h| h.shorthand().ok().map(str::to_string)).unwrap_or_else(|| "HEAD".into())
        } else {
            branch_label(tip)
        };
        Ok(Range { base: Some(base_oid), tip: tip_oid, branch })
    }

    /// Where two histories meet, if they do.
    pub fn merge_base(&self, a: Oid, b: Oid) -> Option<Oid> {
        self.git.merge_base(a, b).ok()
    }

    /// Whether `ancestor` is reachable from `of` (a commit is not its own ancestor).
    pub fn is_ancestor(&self, ancestor: Oid, of: Oid) -> bool {
        self.git.graph_descendant_of(of, ancestor).unwrap_or(false)
    }

    /// The range that holds a branch's own changes: a maintenance branch
    /// starts where it left the main line; the main line is its whole history.
    pub fn branch_range(&self, branch: &str, default_branch: &str) -> Result<Range> {
        let tip = self.branch_tip(branch)?;
        let base = if branch == default_branch {
            None
        } else {
            let main = self.branch_tip(default_branch)?;
            self.merge_base(main, tip).filter(|b| *b != tip)
        };
        Ok(Range { base, tip, branch: branch.to_string() })
    }

    /// First-parent commits of a range, newest first, at most `limit`.
    pub fn walk(&self, range: &Range, limit: usize) -> Result<Vec<Commit>> {
        let mut walk = self.git.revwalk().map_err(|e| self.err("start a history walk", e))?;
        walk.simplify_first_parent().map_err(|e| self.err("walk first parents", e))?;
        walk.set_sorting(Sort::NONE).map_err(|e| self.err("sort history", e))?;
        walk.push(range.tip).map_err(|e| self.err("walk history", e))?;
        if let Some(base) = range.base {
            walk.hide(base).map_err(|e| self.err("walk history", e))?;
        }
        let mut commits = Vec::new();
        for oid in walk.take(limit) {
            let oid = oid.map_err(|e| self.err("walk history", e))?;
            commits.push(self.commit_at(oid)?);
        }
        Ok(commits)
    }

    /// One commit, or `None` when the repository does not have it.
    pub fn commit(&self, sha: &str) -> Result<Option<Commit>> {
        let Ok(oid) = Oid::from_str(sha) else { return Ok(None) };
        match self.git.find_commit(oid) {
            Ok(_) => self.commit_at(oid).map(Some),
            Err(_) => Ok(None),
        }
    }

    fn commit_at(&self, oid: Oid) -> Result<Commit> {
        let c = self.git.find_commit(oid).map_err(|e| self.err(&format!("read commit {oid}"), e))?;
        let message = String::from_utf8_lossy(c.message_bytes()).into_owned();
        let (author, committer) = (c.author(), c.committer());
        Ok(Commit {
            sha: oid.to_string(),
            parent_count: c.parent_count(),
            author: person(&author),
            committer: person(&committer),
            time: committer.when().seconds(),
            subject: message::subject(&message).to_string(),
            trailers: message::trailers(&message),
            message,
        })
    }

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
        let diff = self.diff_lazy(sha, &[])?;
        let mut files = Vec::with_capacity(diff.len());
        for index in 0..diff.len() {
            let Some(lazy) = diff.file(index)? else { continue };
            let (additions, deletions) = lazy.line_counts();
            let file = lazy.file;
            let old_path = match file.status {
                FileStatus::Renamed | FileStatus::Copied => file.old_path.clone(),
                _ => None,
            };
            files.push(FileChange {
                path: file.path().to_string(),
                old_path,
                status: file.status,
                binary: file.binary,
                additions,
                deletions,
            });
        }
        Ok(files)
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
        let (diff, similarity) = self.prepared_diff(sha, paths)?;
        Ok(LazyDiff { repo: self, diff, similarity, sha: sha.to_string() })
    }

    /// A change's diff against its first parent with renames found, and
    /// each delta's rename similarity.
    fn prepared_diff(&self, sha: &str, paths: &[String]) -> Result<(Diff<'_>, Vec<Option<u16>>)> {
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
        if has(git2::Delta::Added) && has(git2::Delta::Deleted) {
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

    /// A blob's bytes, held once in memory (libgit2's copy, not another).
    pub fn blob(&self, id: &str) -> Result<BlobData<'_>> {
        let oid = Oid::from_str(id).map_err(|e| self.err(&format!("parse blob id {id}"), e))?;
        let blob = self.git.find_blob(oid).map_err(|_| self.unknown("blob", id))?;
        Ok(BlobData(blob))
    }

    /// A blob's size, from its header: a loose blob is not inflated.
    pub fn blob_size(&self, id: &str) -> Result<u64> {
        let oid = Oid::from_str(id).map_err(|e| self.err(&format!("parse blob id {id}"), e))?;
        let odb = self.git.odb().map_err(|e| self.err("open the object database", e))?;
        let (size, _) = odb.read_header(oid).map_err(|_| self.unknown("blob", id))?;
        Ok(size as u64)
    }

    /// Hands `read` the blob as a stream, front to back: a loose blob, or
    /// one stored whole in a pack, is inflated piece by piece from its file
    /// (libgit2's stream serves a loose one in an alternate); a delta in a
    /// pack (libgit2 has no stream for packs) is read whole first and then
    /// handed out from memory.
    pub fn read_blob<T>(&self, id: &str, read: impl FnOnce(BlobStream<'_>) -> T) -> Result<T> {
        let oid = Oid::from_str(id).map_err(|e| self.err(&format!("parse blob id {id}"), e))?;
        let objects = self.git.commondir().join("objects");
        let found = loose::open(&objects, &oid.to_string())
            .or_else(|| <&[u8; 20]>::try_from(oid.as_bytes()).ok().and_then(|raw| pack::open(&objects, raw)));
        if let Some((reader, len)) = found {
            return Ok(read(BlobStream { len, source: Source::Loose(Box::new(reader)) }));
        }
        let odb = self.git.odb().map_err(|e| self.err("open the object database", e))?;
        let stream = match odb.reader(oid) {
            Ok((reader, len, git2::ObjectType::Blob)) => BlobStream { len: len as u64, source: Source::Stream(reader) },
            Ok(_) => return Err(self.unknown("blob", id)),
            Err(_) => {
                let blob = self.git.find_blob(oid).map_err(|_| self.unknown("blob", id))?;
                BlobStream { len: blob.size() as u64, source: Source::Whole(blob, 0) }
            }
        };
        Ok(read(stream))
    }

    /// `REV:PATH` → the blob's id.
    pub fn blob_at(&self, spec: &str) -> Result<String> {
        // Through the tree entry: looking the blob up would inflate it.
        if let Some((rev, path)) = spec.split_once(':').filter(|(rev, path)| !rev.is_empty() && !path.is_empty()) {
            let tree = self.git.revparse_single(rev).and_then(|o| o.peel_to_tree());
            let entry = tree.map_err(|_| self.unknown("revision", rev))?.get_path(Path::new(path));
            let entry = entry.map_err(|_| self.unknown("blob", spec))?;
            if entry.kind() != Some(git2::ObjectType::Blob) {
                return Err(self.unknown("file (blob)", spec));
            }
            return Ok(entry.id().to_string());
        }
        let object = self.git.revparse_single(spec).map_err(|_| self.unknown("blob", spec))?;
        let blob = object.peel_to_blob().map_err(|_| self.unknown("file (blob)", spec))?;
        Ok(blob.id().to_string())
    }

    /// `git patch-id --stable` of a change: equal for the same diff, whatever
    /// its line offsets or the order of its files.
    pub fn patch_id(&self, sha: &str) -> Result<String> {
        let mut options = DiffOptions::new();
        let diff = self.change_diff(sha, &mut options)?;
        let id = diff.patchid(None).map_err(|e| self.err(&format!("compute the patch-id of {sha}"), e))?;
        Ok(id.to_string())
    }

    /// [`Repo::files`] for many commits, spread over the machine's cores.
    pub fn files_of_many(&self, shas: &[String]) -> Result<HashMap<String, Vec<FileChange>>> {
        self.per_commit_parallel(shas, |repo, sha| repo.files(sha))
    }

    /// [`Repo::patch_id`] for many commits, spread over the machine's cores.
    pub fn patch_ids_of_many(&self, shas: &[String]) -> Result<HashMap<String, String>> {
        self.per_commit_parallel(shas, |repo, sha| repo.patch_id(sha))
    }

    fn per_commit_parallel<T: Send>(
        &self,
        shas: &[String],
        work: impl Fn(&Repo, &str) -> Result<T> + Sync,
    ) -> Result<HashMap<String, T>> {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
        if shas.len() < 64 || threads < 2 {
            return shas.iter().map(|s| Ok((s.clone(), work(self, s)?))).collect();
        }
        let chunk = shas.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = shas
                .chunks(chunk)
                .map(|part| {
                    let work = &work;
                    let repo = self.reopen();
                    scope.spawn(move || -> Result<Vec<(String, T)>> {
                        let repo = repo?;
                        part.iter().map(|s| Ok((s.clone(), work(&repo, s)?))).collect()
                    })
                })
                .collect();
            let mut all = HashMap::with_capacity(shas.len());
            for handle in handles {
                let part = handle.join().map_err(|_| {
                    self.err("finish a history worker", git2::Error::from_str("worker thread panicked"))
                })??;
                all.extend(part);
            }
            Ok(all)
        })
    }
}

/// A change's diff whose files are read on demand ([`Repo::diff_lazy`]).
pub struct LazyDiff<'r> {
    repo: &'r Repo,
    diff: Diff<'r>,
    similarity: Vec<Option<u16>>,
    sha: String,
}

impl<'r> LazyDiff<'r> {
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
        file.binary |= inspect::is_binary(&old, BinaryRule::NulOnly) || inspect::is_binary(&new, BinaryRule::NulOnly);
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
            let utf8 =
                whole || hunks.iter().flat_map(|h| &h.lines).all(|l| std::str::from_utf8(side_line(&o, &n, l)).is_ok());
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
    match line.kind {
        LineKind::Removed => old.text(at(line.old_no)),
        _ => new.text(at(line.new_no)),
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
    bounds: (Vec<usize>, Vec<usize>),
    hunks: Vec<linediff::TextHunk>,
}

impl LazyFile<'_> {
    /// A file whose lines are not read: no change to them (a mode change,
    /// a pure rename), or a binary (the hex view reads the blobs itself).
    fn without_lines(file: FileDiff) -> Self {
        let empty = || Bytes::Owned(Vec::new());
        LazyFile { file, old: empty(), new: empty(), bounds: Default::default(), hunks: Vec::new() }
    }

    /// Lines added and removed.
    pub fn line_counts(&self) -> (u32, u32) {
        let count = |kind| self.hunks.iter().flat_map(|h| &h.lines).filter(|l| l.kind == kind).count();
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
                    .lines
                    .iter()
                    .map(|l| DiffLine {
                        kind: l.kind,
                        old_no: l.old_no,
                        new_no: l.new_no,
                        text: self.text(l).to_string(),
                        no_newline: l.no_newline,
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
        self.hunks.get(hunk).map_or(0, |h| h.lines.len())
    }

    fn kind(&self, hunk: usize, line: usize) -> Option<LineKind> {
        Some(self.hunks.get(hunk)?.lines.get(line)?.kind)
    }

    fn line(&self, hunk: usize, line: usize) -> Option<crate::model::LineRef<'_>> {
        let l = self.hunks.get(hunk)?.lines.get(line)?;
        Some(crate::model::LineRef {
            kind: l.kind,
            old_no: l.old_no,
            new_no: l.new_no,
            no_newline: l.no_newline,
            text: self.text(l),
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

fn person(sig: &git2::Signature<'_>) -> Person {
    Person {
        name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
    }
}

/// `origin/3.12` and `refs/heads/3.12` are both the branch `3.12`.
fn branch_label(rev: &str) -> String {
    let rev = rev.trim();
    for prefix in ["refs/heads/", "refs/remotes/origin/", "refs/remotes/upstream/", "origin/", "upstream/"] {
        if let Some(rest) = rev.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    rev.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_labels_drop_ref_prefixes() {
        assert_eq!(branch_label("origin/3.12"), "3.12");
        assert_eq!(branch_label("refs/heads/main"), "main");
        assert_eq!(branch_label("v3.12.4"), "v3.12.4");
    }
}
