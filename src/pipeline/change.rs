//! One change, without building the whole queue: the change a revision or
//! a pull request number names on a watched branch, triaged exactly as the
//! queue would triage it, and a backport's drift from its original.

use super::{ranges, triage_listed, walk, Error, Selection, Stopwatch};
use crate::config::Config;
use crate::model::message;
use crate::model::Change;
use crate::repo::Repo;
use crate::store::Store;
use crate::triage::drift::{self, Interdiff};

/// How far back each watched branch is searched, as `rearview list` would
/// list it.
const SEARCH_LIMIT: usize = 10_000;

/// What a user names a change by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A revision: `3.12~2`, a sha, a tag.
    Revision(String),
    /// `#N`: the pull request that merged it.
    PullRequest(u64),
}

impl Target {
    /// `#N` is a pull request; anything else a revision. A `#` followed by
    /// something other than a number is refused.
    pub fn parse(text: &str) -> Result<Target, String> {
        match text.strip_prefix('#') {
            Some(number) => number
                .parse()
                .map(Target::PullRequest)
                .map_err(|_| format!("`{text}` is not a pull request number (#123)")),
            None => Ok(Target::Revision(text.to_string())),
        }
    }
}

/// The change `target` names on a watched branch, triaged as the queue
/// triages it (verdict, original, pull request; no files or risk, which
/// need the whole history), or `None` when it names no change.
pub fn find(repo: &Repo, store: &mut Store, config: &Config, target: &Target) -> Result<Option<Change>, Error> {
    let default_branch = repo.default_branch(config.branches.default.as_deref())?;
    let selection = Selection { limit: SEARCH_LIMIT, ..Selection::default() };
    let ranges = ranges(repo, config, &selection, &default_branch)?;
    let wanted_sha = match target {
        Target::Revision(rev) => Some(repo.resolve(rev)?.to_string()),
        Target::PullRequest(_) => None,
    };
    let listed = walk(repo, &ranges, SEARCH_LIMIT)?.listed;
    // A pull request names its change by the commit's message or by the
    // forge's commit link: only those commits need triage.
    let linked = match target {
        Target::PullRequest(n) => store.commits_of_pull(*n)?.into_iter().collect(),
        Target::Revision(_) => std::collections::HashSet::new(),
    };
    let candidates: Vec<_> = listed
        .into_iter()
        .filter(|(_, c)| match target {
            Target::Revision(_) => Some(&c.sha) == wanted_sha.as_ref(),
            Target::PullRequest(n) => {
                let refs = message::parse_refs(&c.message);
                refs.pr == Some(*n) || refs.original_pr == Some(*n) || linked.contains(&c.sha)
            }
        })
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    let mut clock = Stopwatch::start();
    let queue = triage_listed(repo, store, config, candidates, &ranges, &default_branch, false, &mut clock)?;
    Ok(queue.changes.into_iter().find(|c| match target {
        Target::Revision(_) => Some(&c.sha) == wanted_sha.as_ref(),
        Target::PullRequest(n) => c.pr == Some(*n),
    }))
}

/// What the backport `sha` changes that its original did not.
pub fn drift(repo: &Repo, original: &str, sha: &str) -> Result<Interdiff, Error> {
    let theirs = repo.diff(original, &[])?;
    let ours = repo.diff(sha, &[])?;
    Ok(drift::interdiff(&theirs, &ours))
}
