//! Gathers what triage needs: walks the selected history, links backports
//! to their originals, reads files and patch-ids (through the store's cache),
//! loads forge metadata and the ledger, then builds the queue.
//!
//! Blocking work (git2, SQLite): the CLI calls it directly, the TUI from a
//! background job.

use std::collections::{HashMap, HashSet};

use crate::config::Config;
use crate::model::message::{self, MessageRefs};
use crate::model::{Commit, Original, OriginalLink, Queue};
use crate::repo::scope::Scope;
use crate::repo::{Oid, Range, Repo, RepoError};
use crate::store::{Store, StoreError};
use crate::triage::{self, Landed};

pub mod binaries;
pub mod blobfacts;
pub mod change;
pub mod checklist;
pub mod compile_check;
pub mod coverage;
pub mod decompressed;
pub mod demo;
pub mod people;
pub mod printer;
pub mod releases;
pub mod report;
pub mod review;
pub mod scan;
pub mod sync;
pub mod trends;
pub mod window;

/// What a use case could not do; each message says what failed and what
/// to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Forge(#[from] crate::forge::ForgeError),
    #[error(transparent)]
    Plan(#[from] sync::PlanError),
    #[error("{}", review::NO_REVIEWER)]
    NoReviewer,
    #[error(transparent)]
    Keys(#[from] crate::repo::signature::KeysError),
    #[error("cannot start the network runtime: {0}")]
    Runtime(String),
    #[error(transparent)]
    Codeowners(#[from] crate::triage::codeowners::CodeownersError),
    #[error("--since {since}: {message} (write a date such as 2024-01-31, a span such as \"90 days\", a revision, or \"all\")")]
    Since { since: String, message: String },
    #[error("cannot read blob {id} ({path}): {source}; `git fsck` says whether the repository is damaged")]
    Blob { id: String, path: String, source: std::io::Error },
    #[error("the config's queue.since = \"{since}\" names no commit ({source}): fix it, or write \"all\"")]
    Window { since: String, source: Box<RepoError> },
}

/// Which history to triage.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Branches to list (empty: every watched branch).
    pub branches: Vec<String>,
    /// A `BASE..TIP` range instead of branches.
    pub range: Option<String>,
    /// The branch a range's changes landed on (default: the tip's name when
    /// it is a watched branch, else the watched branch that lists the tip,
    /// else the tip as written).
    pub range_branch: Option<String>,
    /// At most this many changes per branch (0: no limit).
    pub limit: usize,
    /// Compute every change's files with line counts (a diff per commit,
    /// cached): for views that show them. Off, changes carry no files.
    pub files: bool,
    /// Only changes that landed after this (seconds since the epoch): the
    /// queue's window (`window::window`). `None`: all.
    pub since: Option<i64>,
    /// A first screen: what the walk, the messages and the store already
    /// say, without patch-ids, author history or drift (the full load
    /// follows).
    pub quick: bool,
    /// Leave each drifted backport's hunks uncounted (its patch-id still
    /// says it drifted): views that only need who did what.
    pub skip_drift: bool,
}

/// The queue and the context it was built in.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub queue: Queue,
    pub default_branch: String,
    pub branches: Vec<String>,
    /// Where each maintenance branch's own changes start (`v3.10.0`), by
    /// branch, as `repo::scope` found it or the config set it.
    pub since: std::collections::BTreeMap<String, String>,
    /// The branches (or the range) whose listing stopped at the selection's
    /// limit with more history left: what was shown is not all there is.
    pub cut: Vec<String>,
    /// A shallow clone's missing history, said once.
    pub shallow: Option<String>,
    /// How long each stage took, in order (shown by `--verbose`).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Records the time since the previous mark.
struct Stopwatch {
    last: std::time::Instant,
    marks: Vec<(&'static str, std::time::Duration)>,
}

impl Stopwatch {
    fn start() -> Self {
        Stopwatch { last: std::time::Instant::now(), marks: Vec::new() }
    }

    fn mark(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.marks.push((stage, now - self.last));
        self.last = now;
    }
}

/// How long before a maintenance branch began its originals may have landed.
const ORIGIN_LEAD: i64 = 365 * 86_400;

/// The upper bound on main-line commits searched for backport originals.
const ORIGIN_SEARCH_CAP: usize = 200_000;

pub fn load(repo: &Repo, store: &mut Store, config: &Config, selection: &Selection) -> Result<Loaded, Error> {
    let mut clock = Stopwatch::start();
    let default_branch = repo.default_branch(config.branches.default.as_deref())?;
    let ranges = ranges(repo, config, selection, &default_branch)?;
    clock.mark("ranges");
    let Walked { listed, cut } = walk_since(repo, &ranges, selection.since, selection.limit)?;
    clock.mark("walk");
    let depth = Depth { files: selection.files, quick: selection.quick, drift: !selection.skip_drift };
    let queue = triage_to(repo, store, config, listed, &ranges, &default_branch, depth, &mut clock)?;
    let since = ranges.iter().filter_map(|r| Some((r.branch.clone(), r.since.clone()?))).collect();
    let branches = ranges.into_iter().map(|r| r.branch).collect();
    Ok(Loaded { queue, default_branch, branches, since, cut, shallow: repo.shallow_note(), timings: clock.marks })
}

/// What the walk of the selected ranges found.
struct Walked {
    /// Commits with the branch they are listed under.
    listed: Vec<(String, Commit)>,
    /// The branches of ranges the limit cut short.
    cut: Vec<String>,
}

/// The first-parent commits of each range, newest first, each listed once
/// (under the first range that reaches it), at most `limit` per range (0:
/// no limit); and the ranges the limit cut short.
fn walk(repo: &Repo, ranges: &[Range], limit: usize) -> Result<Walked, Error> {
    walk_since(repo, ranges, None, limit)
}

/// [`walk`] of the commits that landed after `since` (`None`: all).
fn walk_since(repo: &Repo, ranges: &[Range], since: Option<i64>, limit: usize) -> Result<Walked, Error> {
    let limit = if limit == 0 { usize::MAX } else { limit };
    let mut seen = HashSet::new();
    let mut listed: Vec<(String, Commit)> = Vec::new();
    let mut cut = Vec::new();
    for range in ranges {
        // One commit past the limit tells whether the range holds more.
        let mut commits = repo.walk_since(range, since, limit.saturating_add(1))?;
        if commits.len() > limit {
            commits.truncate(limit);
            cut.push(range.branch.clone());
        }
        for commit in commits {
            if seen.insert(commit.sha.clone()) {
                listed.push((range.branch.clone(), commit));
            }
        }
    }
    Ok(Walked { listed, cut })
}

/// How much of a change `triage_listed` reads (see [`Selection`]).
#[derive(Debug, Clone, Copy)]
struct Depth {
    files: bool,
    quick: bool,
    drift: bool,
}

/// Links, reads and triages the `listed` commits of `ranges` into a queue.
#[allow(clippy::too_many_arguments)]
fn triage_listed(
    repo: &Repo,
    store: &mut Store,
    config: &Config,
    listed: Vec<(String, Commit)>,
    ranges: &[Range],
    default_branch: &str,
    with_files: bool,
    clock: &mut Stopwatch,
) -> Result<Queue, Error> {
    let depth = Depth { files: with_files, quick: false, drift: true };
    triage_to(repo, store, config, listed, ranges, default_branch, depth, clock)
}

/// [`triage_listed`], reading as much of each change as `depth` says.
#[allow(clippy::too_many_arguments)]
fn triage_to(
    repo: &Repo,
    store: &mut Store,
    config: &Config,
    listed: Vec<(String, Commit)>,
    ranges: &[Range],
    default_branch: &str,
    depth: Depth,
    clock: &mut Stopwatch,
) -> Result<Queue, Error> {
    let with_files = depth.files;
    let mut links = Linker::new(repo, store, default_branch);
    let maintenance: Vec<&Range> = ranges.iter().filter(|r| r.branch != default_branch).collect();
    if !maintenance.is_empty() {
        links.index_main_line(&maintenance)?;
    }

    // The project's own backport conventions, read before the built-in ones.
    let patterns = config.backport.compiled();
    let patterns: Vec<&dyn message::NamesOriginal> = patterns.iter().map(|p| p as _).collect();
    let mut changes: Vec<Landed> = listed
        .into_iter()
        .map(|(branch, commit)| {
            let refs = message::parse_refs_with(&commit.message, &patterns);
            let names_original =
                refs.original_pr.is_some() || refs.original_sha.is_some() || !refs.cherry_picked_from.is_empty();
            let mut landed = Landed {
                claimed_pr: refs.pr,
                names_original,
                commit,
                branch,
                files: Vec::new(),
                original: None,
                patch_id_matches: None,
            };
            if landed.branch != default_branch {
                links.link_by_message(&mut landed, &refs)?;
            }
            Ok(landed)
        })
        .collect::<Result<_, Error>>()?;
    clock.mark("link by message");

    // Patch-id linking compares the paths of maintenance commits that name
    // no original, so those need their files even when the view does not.
    // A first screen leaves all of that to the full load.
    let mut scans = HashMap::new();
    if !depth.quick {
        let needs_files = |c: &Landed| with_files || (c.branch != default_branch && c.original.is_none());
        let shas: Vec<String> = changes.iter().filter(|c| needs_files(c)).map(|c| c.commit.sha.clone()).collect();
        // With the files, every change's content scan too (the risk
        // signals' facts), from the same diff.
        let mut files = if with_files {
            let (files, found) = links.files_and_scans(&shas, &scan::ScanOptions::from_config(config))?;
            scans = found;
            files
        } else {
            links.files(&shas)?
        };
        for landed in &mut changes {
            landed.files = files.remove(&landed.commit.sha).unwrap_or_default();
        }
        clock.mark(if with_files { "files and content scans" } else { "files" });
        links.link_by_patch_id(&mut changes, default_branch)?;
        links.check_patch_ids(&mut changes)?;
        clock.mark("patch-ids");
    }

    let originals = links.originals(&changes);
    let mut prs: Vec<u64> = changes.iter().chain(originals.values()).filter_map(|c| c.claimed_pr).collect();
    prs.sort_unstable();
    prs.dedup();
    let mut all_shas: Vec<String> = changes.iter().chain(originals.values()).map(|c| c.commit.sha.clone()).collect();
    // An original can be listed too (on the main line): ask for it once.
    all_shas.sort_unstable();
    all_shas.dedup();
    let forge = store.forge_data(&prs, &all_shas)?;
    let ledger = store.ledger(&all_shas)?;
    clock.mark("metadata");
    // Authors against the project's whole history: every branch, whatever
    // is listed (so the answer does not depend on what was listed before).
    let novelty = if depth.quick {
        HashMap::new()
    } else {
        let mut tips: Vec<Oid> = repo.branch_names()?.iter().filter_map(|b| repo.branch_tip(b).ok()).collect();
        tips.extend(ranges.iter().map(|r| r.tip));
        tips.sort_unstable();
        tips.dedup();
        let history = author_history(repo, store, &tips)?;
        scan::novelty(&changes, &history, config.risk.dormancy_days)
    };
    clock.mark("author history");
    // (A quick load checks no patch-ids: nothing has drifted yet.)
    let drifted: Vec<(&str, &str)> = changes
        .iter()
        .filter(|c| depth.drift && c.patch_id_matches == Some(false))
        .filter_map(|c| Some((c.commit.sha.as_str(), c.original.as_ref()?.sha.as_str())))
        .collect();
    // Each backport's drift is two diffs of its own: on every core.
    let drift: HashMap<String, _> = repo
        .parallel(&drifted, 8, |repo, &(sha, original)| {
            Ok::<_, Error>((sha.to_string(), change::drift(repo, original, sha)?))
        })?
        .into_iter()
        .collect();
    clock.mark("drift");
    let input = triage::Input { changes, originals, forge, ledger, scans, novelty, drift };
    let queue = triage::triage(&input, config);
    clock.mark("triage");
    Ok(queue)
}

/// The file lists of `shas`: the store's, else computed in parallel and
/// kept with their patch-ids.
pub(crate) fn file_lists(
    repo: &Repo,
    store: &mut Store,
    shas: &[String],
) -> Result<HashMap<String, Vec<crate::model::FileChange>>, Error> {
    let mut lists = store.cached_files(shas)?;
    let missing: Vec<String> = shas.iter().filter(|s| !lists.contains_key(*s)).cloned().collect();
    if !missing.is_empty() {
        lists.extend(keep_file_lists(store, repo.files_of_many(&missing)?)?);
    }
    Ok(lists)
}

/// Keeps computed file lists in the store with the patch-ids that came
/// from the same diffs (linking by patch-id then diffs nothing again);
/// returns the lists.
fn keep_file_lists(
    store: &mut Store,
    computed: HashMap<String, crate::repo::ListedFiles>,
) -> Result<HashMap<String, Vec<crate::model::FileChange>>, Error> {
    let mut ids = HashMap::new();
    let lists: HashMap<_, _> = computed
        .into_iter()
        .map(|(sha, (files, id))| {
            if let Some(id) = id {
                ids.insert(sha.clone(), id);
            }
            (sha, files)
        })
        .collect();
    store.cache_files(&lists)?;
    store.cache_patch_ids(&ids)?;
    Ok(lists)
}

/// Each author's commit times over the project's history: the store's copy
/// (read before from other tips, other branches included), extended by the
/// commits behind `tips` it lacks; the store keeps the union.
fn author_history(repo: &Repo, store: &mut Store, tips: &[Oid]) -> Result<HashMap<String, Vec<i64>>, Error> {
    let (shas, mut times) = store.author_history()?.unwrap_or_default();
    // Tips read before that this repository still has (a force-push can
    // take one away; its commits stay counted).
    let known: Vec<Oid> = shas
        .iter()
        .filter_map(|s| Oid::from_str(s).ok())
        .filter(|o| repo.commit(&o.to_string()).ok().flatten().is_some())
        .collect();
    let fresh = repo.author_times_since(tips, &known)?;
    let moved = !fresh.is_empty() || tips.iter().any(|t| !known.contains(t));
    for (email, new) in fresh {
        let all = times.entry(email).or_default();
        all.extend(new);
        all.sort_unstable();
    }
    if moved {
        let mut all: Vec<Oid> = known;
        all.extend(tips.iter().filter(|t| !all.contains(t)).copied().collect::<Vec<_>>());
        // A tip another one reaches adds nothing: keep the others.
        let kept: Vec<String> = repo.independent(&all)?.iter().map(|o| o.to_string()).collect();
        store.cache_author_history(&kept, &times)?;
    }
    Ok(times)
}

/// The ranges a selection names: an explicit range, the given branches, or
/// every watched branch (main line first).
fn ranges(repo: &Repo, config: &Config, selection: &Selection, default_branch: &str) -> Result<Vec<Range>, Error> {
    if let Some(text) = &selection.range {
        let mut range = repo.parse_range(text)?;
        match &selection.range_branch {
            Some(branch) => range.branch = branch.clone(),
            None => {
                let watched = watched_branches(repo, config, default_branch)?;
                if !watched.contains(&range.branch) {
                    let scope = scope(config, default_branch, watched);
                    if let Some(holder) = branch_listing(repo, &scope, range.tip)? {
                        range.branch = holder;
                    }
                }
            }
        }
        return Ok(vec![range]);
    }
    let watched = watched_branches(repo, config, default_branch)?;
    let branches = if selection.branches.is_empty() { watched.clone() } else { selection.branches.clone() };
    let scope = scope(config, default_branch, watched);
    branches.iter().map(|b| repo.branch_range(b, &scope).map_err(Error::from)).collect()
}

/// The range of `branch`'s own changes, by the scope rule (`repo::scope`).
pub fn branch_range(repo: &Repo, config: &Config, branch: &str) -> Result<Range, RepoError> {
    let default_branch = repo.default_branch(config.branches.default.as_deref())?;
    let watched = watched_branches(repo, config, &default_branch)?;
    repo.branch_range(branch, &scope(config, &default_branch, watched))
}

/// What deciding where each branch starts needs (see `repo::scope`).
pub fn scope(config: &Config, default_branch: &str, watched: Vec<String>) -> Scope {
    Scope { default_branch: default_branch.to_string(), watched, starts: config.branches.start.clone() }
}

/// The watched branches: the main line first, then maintenance branches,
/// newest version first.
pub fn watched_branches(repo: &Repo, config: &Config, default_branch: &str) -> Result<Vec<String>, RepoError> {
    let mut watched: Vec<String> =
        repo.branch_names()?.into_iter().filter(|b| b != default_branch && config.watches(b, default_branch)).collect();
    watched.sort_by(|a, b| version_order(b).cmp(&version_order(a)).then(a.cmp(b)));
    watched.insert(0, default_branch.to_string());
    Ok(watched)
}

/// The first of `branches` whose own listing (what `--branch` shows: its
/// range's first-parent line) holds `commit`, so a range ending there is
/// attributed to the branch it landed on.
fn branch_listing(repo: &Repo, scope: &Scope, commit: Oid) -> Result<Option<String>, Error> {
    for branch in &scope.watched {
        let range = repo.branch_range(branch, scope)?;
        if repo.first_parent_holds(&range, commit)? {
            return Ok(Some(branch.clone()));
        }
    }
    Ok(None)
}

/// `3.13` sorts after `3.9`: numeric parts compare as numbers.
fn version_order(name: &str) -> Vec<u64> {
    name.trim_start_matches(|c: char| !c.is_ascii_digit()).split('.').map_while(|p| p.parse().ok()).collect()
}

/// Links backports to originals; owns the caches of files and patch-ids.
struct Linker<'a> {
    repo: &'a Repo,
    store: &'a mut Store,
    default_branch: String,
    /// Main-line commits since the oldest maintenance branch left it.
    main_line: Vec<Commit>,
    main_by_pr: HashMap<u64, usize>,
    main_by_sha: HashMap<String, usize>,
    originals: HashMap<String, Commit>,
}

impl<'a> Linker<'a> {
    fn new(repo: &'a Repo, store: &'a mut Store, default_branch: &str) -> Self {
        Linker {
            repo,
            store,
            default_branch: default_branch.to_string(),
            main_line: Vec::new(),
            main_by_pr: HashMap::new(),
            main_by_sha: HashMap::new(),
            originals: HashMap::new(),
        }
    }

    /// Walks the main line back to where the oldest maintenance branch left it.
    fn index_main_line(&mut self, maintenance: &[&Range]) -> Result<(), Error> {
        let main_tip = self.repo.branch_tip(&self.default_branch)?;
        // Back to a year before the oldest of them began: an original landed
        // before its backport, often before the branch's start (a fix made
        // while the release was prepared). Not to the merge base: forward
        // merges move it up to the newest merge.
        let mut oldest: Option<i64> = Some(i64::MAX);
        for range in maintenance {
            let began = match range.base {
                Some(base) => self.repo.commit(&base.to_string())?.map(|c| c.time - ORIGIN_LEAD),
                None => None,
            };
            oldest = oldest.zip(began).map(|(a, b)| a.min(b));
        }
        self.main_line = self.repo.walk_back_to(main_tip, oldest, ORIGIN_SEARCH_CAP)?;
        for (i, c) in self.main_line.iter().enumerate() {
            self.main_by_sha.insert(c.sha.clone(), i);
            if let Some(pr) = message::parse_refs(&c.message).pr {
                self.main_by_pr.entry(pr).or_insert(i);
            }
        }
        Ok(())
    }

    /// Links a maintenance-branch commit by what its message says: a
    /// cherry-pick trailer, a commit a backport convention names (full sha
    /// or prefix; preferred to its pull request number), the original pull
    /// request it names, or a pull request number that the main line merged.
    fn link_by_message(&mut self, landed: &mut Landed, refs: &MessageRefs) -> Result<(), Error> {
        let named = refs.cherry_picked_from.iter().map(|sha| (sha, OriginalLink::CherryPickTrailer));
        let by_convention = refs.original_sha.iter().map(|sha| (sha, OriginalLink::BackportConvention));
        for (sha, link) in named.chain(by_convention) {
            if let Some(commit) = self.repo.commit(sha)? {
                if commit.sha != landed.commit.sha && self.set_original(landed, commit, link) {
                    return Ok(());
                }
            }
        }
        if let Some(number) = refs.original_pr {
            if let Some(commit) = self.main_commit_for_pr(number)? {
                if self.set_original(landed, commit, OriginalLink::PullRequestNumber) {
                    return Ok(());
                }
            }
        }
        // A cherry-pick that kept its subject: the number is the original's.
        if let Some(number) = refs.pr {
            if let Some(&i) = self.main_by_pr.get(&number) {
                let commit = self.main_line[i].clone();
                if commit.sha != landed.commit.sha && self.set_original(landed, commit, OriginalLink::PullRequestNumber)
                {
                    landed.claimed_pr = None;
                }
            }
        }
        Ok(())
    }

    fn main_commit_for_pr(&self, number: u64) -> Result<Option<Commit>, Error> {
        if let Some(&i) = self.main_by_pr.get(&number) {
            return Ok(Some(self.main_line[i].clone()));
        }
        // The forge knows where a pull request merged even when the
        // subject does not say.
        match self.store.pull_request(number)?.and_then(|pr| pr.merge_commit_sha) {
            Some(sha) => Ok(self.repo.commit(&sha)?),
            None => Ok(None),
        }
    }

    /// Links `landed` to `commit` as its original, unless `commit` landed
    /// after it: an original always comes first, and a later twin (a
    /// forward-port, or the same bump made on each branch) is never one.
    fn set_original(&mut self, landed: &mut Landed, commit: Commit, link: OriginalLink) -> bool {
        if commit.time > landed.commit.time {
            return false;
        }
        let branch = if self.main_by_sha.contains_key(&commit.sha) {
            self.default_branch.clone()
        } else {
            "(not on a watched branch)".into()
        };
        landed.original =
            Some(Original { sha: commit.sha.clone(), pr: message::parse_refs(&commit.message).pr, branch, link });
        self.originals.insert(commit.sha.clone(), commit);
        true
    }

    /// Files of commits: from the store's cache, computing (in parallel) and
    /// caching whatever is missing.
    fn files(&mut self, shas: &[String]) -> Result<HashMap<String, Vec<crate::model::FileChange>>, Error> {
        file_lists(self.repo, self.store, shas)
    }

    /// Files and content scans of commits, from the store's caches; what
    /// is missing is read in parallel, both from one diff per commit
    /// where both are missing, and cached.
    #[allow(clippy::type_complexity)]
    fn files_and_scans(
        &mut self,
        shas: &[String],
        options: &scan::ScanOptions,
    ) -> Result<(HashMap<String, Vec<crate::model::FileChange>>, HashMap<String, crate::model::ContentScan>), Error>
    {
        let mut files = self.store.cached_files(shas)?;
        let mut scans = self.store.cached_scans(shas)?;
        // A check judged without a compiler is judged again with one (and back).
        scans.retain(|_, s| s.fits(options.compiles()));
        let both: Vec<String> =
            shas.iter().filter(|s| !files.contains_key(*s) && !scans.contains_key(*s)).cloned().collect();
        if !both.is_empty() {
            let mut read_scans = HashMap::with_capacity(both.len());
            let read_files: HashMap<_, _> = scan::files_and_scans_many(self.repo, &both, options)?
                .into_iter()
                .map(|(sha, (f, s, id))| {
                    read_scans.insert(sha.clone(), s);
                    (sha, (f, id))
                })
                .collect();
            self.store.cache_scans(&read_scans)?;
            files.extend(keep_file_lists(self.store, read_files)?);
            scans.extend(read_scans);
        }
        let missing: Vec<String> = shas.iter().filter(|s| !files.contains_key(*s)).cloned().collect();
        if !missing.is_empty() {
            files.extend(keep_file_lists(self.store, self.repo.files_of_many(&missing)?)?);
        }
        let missing: Vec<String> = shas.iter().filter(|s| !scans.contains_key(*s)).cloned().collect();
        if !missing.is_empty() {
            let fresh = scan::scan_many(self.repo, &missing, options)?;
            self.store.cache_scans(&fresh)?;
            scans.extend(fresh);
        }
        Ok((files, scans))
    }

    fn patch_ids(&mut self, shas: &[String]) -> Result<HashMap<String, String>, Error> {
        let mut ids = self.store.cached_patch_ids(shas)?;
        let missing: Vec<String> = shas.iter().filter(|s| !ids.contains_key(*s)).cloned().collect();
        if !missing.is_empty() {
            let computed = self.repo.patch_ids_of_many(&missing)?;
            self.store.cache_patch_ids(&computed)?;
            ids.extend(computed);
        }
        Ok(ids)
    }

    /// Commits on maintenance branches that name no original: a main-line
    /// commit with the same patch-id is their original (a cherry-pick
    /// without `-x`). Only commits touching the same paths are compared.
    fn link_by_patch_id(&mut self, changes: &mut [Landed], default_branch: &str) -> Result<(), Error> {
        let unlinked: Vec<usize> = (0..changes.len())
            .filter(|&i| {
                changes[i].branch != default_branch && changes[i].original.is_none() && !changes[i].files.is_empty()
            })
            .collect();
        if unlinked.is_empty() || self.main_line.is_empty() {
            return Ok(());
        }
        let main_shas: Vec<String> = self.main_line.iter().map(|c| c.sha.clone()).collect();
        let keys: Vec<Vec<&str>> = unlinked.iter().map(|&i| path_key(&changes[i].files)).collect();
        let main_keys = self.main_path_keys(&main_shas, &keys)?;
        let mut by_paths: HashMap<Vec<&str>, Vec<&str>> = HashMap::new();
        for (sha, paths) in &main_keys {
            by_paths.entry(paths.iter().map(String::as_str).collect()).or_default().push(sha.as_str());
        }
        let mut wanted: Vec<String> = Vec::new();
        let mut candidates: Vec<(usize, Vec<String>)> = Vec::new();
        for &i in &unlinked {
            if let Some(shas) = by_paths.get(&path_key(&changes[i].files)) {
                // An original landed before its backport: a later commit's
                // patch-id is never needed.
                let landed_at = changes[i].commit.time;
                let shas: Vec<String> = shas
                    .iter()
                    .filter(|s| self.main_by_sha.get(**s).is_some_and(|&pos| self.main_line[pos].time <= landed_at))
                    .map(|s| s.to_string())
                    .collect();
                if shas.is_empty() {
                    continue;
                }
                wanted.push(changes[i].commit.sha.clone());
                wanted.extend(shas.iter().cloned());
                candidates.push((i, shas));
            }
        }
        if candidates.is_empty() {
            return Ok(());
        }
        wanted.sort();
        wanted.dedup();
        let ids = self.patch_ids(&wanted)?;
        for (i, shas) in candidates {
            let Some(own) = ids.get(&changes[i].commit.sha) else { continue };
            // The newest main-line commit with the same patch that landed
            // before the backport is the original.
            let landed_at = changes[i].commit.time;
            let found = shas
                .iter()
                .filter(|s| ids.get(*s) == Some(own))
                .filter(|s| self.main_by_sha.get(*s).is_some_and(|&pos| self.main_line[pos].time <= landed_at))
                .min_by_key(|s| self.main_by_sha.get(*s).copied().unwrap_or(usize::MAX));
            if let Some(sha) = found {
                if let Some(&pos) = self.main_by_sha.get(sha) {
                    let commit = self.main_line[pos].clone();
                    if self.set_original(&mut changes[i], commit, OriginalLink::PatchId) {
                        changes[i].patch_id_matches = Some(true);
                    }
                }
            }
        }
        Ok(())
    }

    /// The sorted paths (as [`path_key`] gives them) of the main-line
    /// commits `shas` that could equal one of `keys`: from the store's file
    /// lists, else from the trees alone when they tell (no rename to look
    /// for); else, for a commit whose trees differ in every path of a key,
    /// from its file list. A long main line costs tree comparisons, not
    /// diffs.
    fn main_path_keys(&mut self, shas: &[String], keys: &[Vec<&str>]) -> Result<HashMap<String, Vec<String>>, Error> {
        let owned = |files: &[crate::model::FileChange]| path_key(files).into_iter().map(str::to_string).collect();
        let cached = self.store.cached_files(shas)?;
        let mut found: HashMap<String, Vec<String>> = cached.iter().map(|(sha, f)| (sha.clone(), owned(f))).collect();
        let unknown: Vec<String> = shas.iter().filter(|s| !found.contains_key(*s)).cloned().collect();
        let mut by_first: HashMap<&str, Vec<&[&str]>> = HashMap::new();
        for key in keys {
            if let Some(first) = key.first() {
                by_first.entry(*first).or_default().push(key.as_slice());
            }
        }
        let could_match = |paths: &[String]| {
            let has = |p: &str| paths.binary_search_by(|x| x.as_str().cmp(p)).is_ok();
            paths.iter().any(|p| by_first.get(p.as_str()).is_some_and(|ks| ks.iter().any(|k| k.iter().all(|q| has(q)))))
        };
        let mut needed = Vec::new();
        for (sha, (paths, exact)) in self.repo.touched_paths_of_many(&unknown)? {
            if exact {
                found.insert(sha, paths);
            } else if could_match(&paths) {
                needed.push(sha);
            }
        }
        for (sha, files) in self.files(&needed)? {
            found.insert(sha, owned(&files));
        }
        Ok(found)
    }

    /// For every linked backport: does its patch equal its original's?
    fn check_patch_ids(&mut self, changes: &mut [Landed]) -> Result<(), Error> {
        let pending: Vec<usize> = (0..changes.len())
            .filter(|&i| changes[i].original.is_some() && changes[i].patch_id_matches.is_none())
            .collect();
        let mut wanted: Vec<String> = Vec::new();
        for &i in &pending {
            wanted.push(changes[i].commit.sha.clone());
            if let Some(o) = &changes[i].original {
                wanted.push(o.sha.clone());
            }
        }
        let ids = self.patch_ids(&wanted)?;
        for i in pending {
            let own = ids.get(&changes[i].commit.sha);
            let orig = changes[i].original.as_ref().and_then(|o| ids.get(&o.sha));
            changes[i].patch_id_matches = Some(matches!((own, orig), (Some(a), Some(b)) if a == b));
        }
        Ok(())
    }

    /// The originals as triage input (their own verdicts need their PRs).
    fn originals(&self, changes: &[Landed]) -> HashMap<String, Landed> {
        let wanted: HashSet<&str> =
            changes.iter().filter_map(|c| c.original.as_ref()).map(|o| o.sha.as_str()).collect();
        self.originals
            .iter()
            .filter(|(sha, _)| wanted.contains(sha.as_str()))
            .map(|(sha, commit)| {
                let landed = Landed {
                    claimed_pr: message::parse_refs(&commit.message).pr,
                    names_original: false,
                    commit: commit.clone(),
                    branch: self.default_branch.clone(),
                    files: Vec::new(),
                    original: None,
                    patch_id_matches: None,
                };
                (sha.clone(), landed)
            })
            .collect()
    }
}

/// The sorted paths a change touched: changes with different paths cannot
/// have the same patch-id, so only equal keys are compared.
fn path_key(files: &[crate::model::FileChange]) -> Vec<&str> {
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_branches_sort_newest_version_first() {
        let mut v = vec!["3.9", "3.13", "3.12", "release/2"];
        v.sort_by(|a, b| version_order(b).cmp(&version_order(a)).then(a.cmp(b)));
        assert_eq!(v, ["3.13", "3.12", "3.9", "release/2"]);
    }
}
