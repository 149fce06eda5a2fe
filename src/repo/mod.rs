//! Local history through git2, the one module that uses it: open a
//! repository, resolve branches and ranges, walk first-parent changes. What
//! each change touched is in `diff`, blobs in `blob`, writing history (the
//! demo, tests) in `write`, the user's git identity in `identity`.

mod authors;
mod blob;
mod blobscan;
mod diff;
pub mod identity;
mod linediff;
mod loose;
mod pack;
mod patch_id;
pub mod people;
pub mod scope;
mod shallow;
pub mod signature;
pub mod signing;
mod tags;
pub mod textdiff;
pub mod tree;
pub mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{BranchType, Repository, Sort};

use crate::model::message;
use crate::model::{Commit, FileChange, Person};
pub use blob::{BlobData, BlobStream};
pub use diff::{LazyDiff, LazyFile};
/// A git object id: plain data (20 bytes) that callers hold and compare.
pub use git2::Oid;
/// A change's file list and, when its diff found no renames, its patch-id
/// ([`Repo::files_and_patch_id`]).
pub type ListedFiles = (Vec<FileChange>, Option<String>);
pub use tags::Release;

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
    /// A failure its caller words whole (`what` could not be done), as the
    /// release and TUI screens always have.
    #[error("{what}: {source}")]
    Failed { what: String, source: git2::Error },
    /// Writing history ([`write::Writer`]) failed: libgit2's own message,
    /// which the caller prefixes with what it was writing.
    #[error("{0}")]
    Write(git2::Error),
    /// A name that resolves, to the wrong kind of object.
    #[error("`{name}` in {repo} is {kind}, not {wanted}: {hint}")]
    WrongKind { name: String, repo: String, kind: String, wanted: &'static str, hint: &'static str },
    /// A repository with no commits: HEAD names a branch not made yet.
    #[error("{repo} has no commits yet (its branch `{branch}` is unborn): commit or fetch first, or pass --repo PATH to a clone with history")]
    Empty { repo: String, branch: String },
    /// HEAD names a branch with no commits (`git checkout --orphan`) in a
    /// repository whose other branches have history.
    #[error("HEAD in {repo} is `{branch}`, a branch with no commits yet, so the main line is unknown: set [branches] default = \"NAME\" in the config (branches with history: {others}), or check out one of them")]
    OrphanHead { repo: String, branch: String, others: String },
    /// A range reaches into history a shallow clone lacks.
    #[error("{line}")]
    Shallow { line: String },
}

pub type Result<T> = std::result::Result<T, RepoError>;

/// A resolved range of first-parent history: everything on `tip`'s
/// first-parent chain not reachable from `base`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub base: Option<Oid>,
    pub tip: Oid,
    /// The branch the changes landed on, as the user would name it.
    pub branch: String,
    /// Where the range starts, as a person names it (`v3.10.0`); `None`
    /// for a whole history.
    pub since: Option<String>,
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

    fn wrong_kind(&self, name: &str, kind: String, wanted: &'static str, hint: &'static str) -> RepoError {
        RepoError::WrongKind { name: name.to_string(), repo: self.display(), kind, wanted, hint }
    }

    fn unknown(&self, what: &'static str, name: &str) -> RepoError {
        // In an empty repository every name is unknown: say why once.
        self.unborn()
            .or_else(|| if name == "HEAD" { self.orphan_head() } else { None })
            .unwrap_or_else(|| RepoError::Unknown { what, name: name.to_string(), repo: self.display() })
    }

    /// The error for a repository whose HEAD is unborn and that holds no
    /// references at all (a fresh `git init`), if this is one.
    fn unborn(&self) -> Option<RepoError> {
        let unborn = matches!(self.git.head(), Err(e) if e.code() == git2::ErrorCode::UnbornBranch);
        let no_refs = self.git.references().map(|mut refs| refs.next().is_none()).unwrap_or(false);
        if !(unborn && no_refs) {
            return None;
        }
        let head = self.git.find_reference("HEAD").ok();
        let target = head.as_ref().and_then(|h| h.symbolic_target().ok().flatten().map(str::to_string));
        let branch = target.as_deref().map(branch_label).unwrap_or_else(|| "HEAD".into());
        Some(RepoError::Empty { repo: self.display(), branch })
    }

    /// The error for an unborn HEAD beside branches with history, if this
    /// is one: it names the branches to choose from.
    fn orphan_head(&self) -> Option<RepoError> {
        let Err(e) = self.git.head() else { return None };
        if e.code() != git2::ErrorCode::UnbornBranch {
            return None;
        }
        let head = self.git.find_reference("HEAD").ok()?;
        let branch = head.symbolic_target().ok().flatten().map(branch_label)?;
        let mut others = self.branch_names().ok()?;
        others.truncate(8);
        let others = if others.is_empty() { "none".to_string() } else { others.join(", ") };
        Some(RepoError::OrphanHead { repo: self.display(), branch, others })
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
        let head = self
            .git
            .head()
            .map_err(|e| self.unborn().or_else(|| self.orphan_head()).unwrap_or_else(|| self.err("read HEAD", e)))?;
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
        let commit = object.peel_to_commit().map_err(|_| {
            let kind = object.peel(git2::ObjectType::Any).map(|o| o.kind()).unwrap_or(object.kind());
            self.wrong_kind(rev, kind_name(kind, &object.id()), "a commit", "name a commit (branch, tag or sha)")
        })?;
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
            return Ok(Range { base: None, tip, branch: branch_label(text), since: None });
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
        Ok(Range { base: Some(base_oid), tip: tip_oid, branch, since: Some(base_name.to_string()) })
    }

    /// Where two histories meet; `None` only when they never do (a git
    /// error is an error: taken for "no base", a branch would list its
    /// whole history).
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Option<Oid>> {
        match self.git.merge_base(a, b) {
            Ok(base) => Ok(Some(base)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(self.err(&format!("find where {a} and {b} meet"), e)),
        }
    }

    /// Whether `ancestor` is reachable from `of` (a commit is not its own ancestor).
    pub fn is_ancestor(&self, ancestor: Oid, of: Oid) -> Result<bool> {
        self.git.graph_descendant_of(of, ancestor).map_err(|e| self.err("compare two histories", e))
    }

    /// First-parent commits of a range, newest first, at most `limit`.
    pub fn walk(&self, range: &Range, limit: usize) -> Result<Vec<Commit>> {
        self.walk_since(range, None, limit)
    }

    /// First-parent commits of a range that landed after `since` (seconds;
    /// `None`: all), newest first, at most `limit`: the walk stops at the
    /// first older commit, so a window over a long history costs the window.
    pub fn walk_since(&self, range: &Range, since: Option<i64>, limit: usize) -> Result<Vec<Commit>> {
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
            let commit = self.commit_at(oid)?;
            if since.is_some_and(|t| commit.time <= t) {
                break;
            }
            commits.push(commit);
        }
        Ok(commits)
    }

    /// First-parent commits from `tip`, newest first, back to those that
    /// landed before `oldest` (a day's clock skew allowed; `None`: the whole
    /// line), at most `limit`.
    pub fn walk_back_to(&self, tip: Oid, oldest: Option<i64>, limit: usize) -> Result<Vec<Commit>> {
        let mut walk = self.git.revwalk().map_err(|e| self.err("start a history walk", e))?;
        walk.simplify_first_parent().map_err(|e| self.err("walk first parents", e))?;
        walk.set_sorting(Sort::NONE).map_err(|e| self.err("sort history", e))?;
        walk.push(tip).map_err(|e| self.err("walk history", e))?;
        let mut commits = Vec::new();
        for oid in walk.take(limit) {
            let commit = self.commit_at(oid.map_err(|e| self.err("walk history", e))?)?;
            if oldest.is_some_and(|t| commit.time < t - 86_400) {
                break;
            }
            commits.push(commit);
        }
        Ok(commits)
    }

    /// One commit, or `None` when the repository does not have it.
    pub fn commit(&self, sha: &str) -> Result<Option<Commit>> {
        // Messages name commits by full ids or by prefixes (7+ hex digits);
        // an unknown or ambiguous one is no commit.
        let hex = sha.len() >= 7 && sha.chars().all(|c| c.is_ascii_hexdigit());
        if !hex {
            return Ok(None);
        }
        match self.git.find_commit_by_prefix(sha) {
            Ok(found) => self.commit_at(found.id()).map(Some),
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

    /// Whether `commit` is one of `range`'s changes: on its tip's
    /// first-parent line and not reachable from its base. Only the line
    /// above `commit` is walked: its parents' history is hidden.
    pub fn first_parent_holds(&self, range: &Range, commit: Oid) -> Result<bool> {
        if range.base == Some(commit) || !(range.tip == commit || self.is_ancestor(commit, range.tip)?) {
            return Ok(false);
        }
        let found = self.git.find_commit(commit).map_err(|e| self.err(&format!("read commit {commit}"), e))?;
        let mut walk = self.git.revwalk().map_err(|e| self.err("start a history walk", e))?;
        walk.simplify_first_parent().map_err(|e| self.err("walk first parents", e))?;
        walk.push(range.tip).map_err(|e| self.err("walk history", e))?;
        for hidden in range.base.into_iter().chain(found.parent_ids()) {
            walk.hide(hidden).map_err(|e| self.err("walk history", e))?;
        }
        for oid in walk {
            if oid.map_err(|e| self.err("walk history", e))? == commit {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// [`Repo::files_and_patch_id`] for many commits, spread over the
    /// machine's cores.
    pub fn files_of_many(&self, shas: &[String]) -> Result<HashMap<String, ListedFiles>> {
        self.per_commit_parallel(shas, |repo, sha| repo.files_and_patch_id(sha))
    }

    /// [`Repo::touched_paths`] for many commits, spread over the machine's cores.
    pub fn touched_paths_of_many(&self, shas: &[String]) -> Result<HashMap<String, (Vec<String>, bool)>> {
        self.per_commit_parallel(shas, |repo, sha| repo.touched_paths(sha))
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
        let found = self.parallel(shas, 64, |repo, sha| Ok::<_, RepoError>((sha.clone(), work(repo, sha)?)))?;
        Ok(found.into_iter().collect())
    }

    /// `work` on each item, spread over the machine's cores (each thread
    /// with its own handle on the repository) when there are at least
    /// `min_items`; the results in the items' order.
    pub fn parallel<I: Sync, T: Send, E: From<RepoError> + Send>(
        &self,
        items: &[I],
        min_items: usize,
        work: impl Fn(&Repo, &I) -> std::result::Result<T, E> + Sync,
    ) -> std::result::Result<Vec<T>, E> {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
        if items.len() < min_items.max(2) || threads < 2 {
            return items.iter().map(|item| work(self, item)).collect();
        }
        let chunk = items.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = items
                .chunks(chunk)
                .map(|part| {
                    let work = &work;
                    let repo = self.reopen();
                    scope.spawn(move || -> std::result::Result<Vec<T>, E> {
                        let repo = repo?;
                        part.iter().map(|item| work(&repo, item)).collect()
                    })
                })
                .collect();
            let mut all = Vec::with_capacity(items.len());
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

fn person(sig: &git2::Signature<'_>) -> Person {
    Person {
        name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
    }
}

/// What an object is, as a person names it (a commit in a tree is a
/// submodule's).
fn kind_name(kind: Option<git2::ObjectType>, id: &Oid) -> String {
    match kind {
        Some(git2::ObjectType::Tree) => "a tree (a directory)".into(),
        Some(git2::ObjectType::Blob) => "a blob (a file)".into(),
        Some(git2::ObjectType::Tag) => "a tag".into(),
        Some(git2::ObjectType::Commit) => format!("a commit ({})", crate::model::short_sha(&id.to_string())),
        _ => "an object of unknown kind".into(),
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
