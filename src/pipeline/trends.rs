//! `trends`: review debt over time, per branch and per area, from one
//! build of the queue (with its file lists), bucketed by `triage::trends`.

use std::collections::HashMap;

use crate::config::{Config, Since};
use crate::model::coverage::{Coverage, Period, Series, Trends};
use crate::model::{Change, Evidence, LedgerKind, Queue, ReviewState, Verdict};
use crate::repo::Repo;
use crate::store::Store;
use crate::triage::areas::AreaMap;
use crate::triage::trends::{buckets, starts, total, Fact};

use super::coverage::{area_map, coverage_of, window};
use super::people::{census, Census};
use super::{load, Error, Selection};

/// What a trend covers.
#[derive(Debug, Clone, Default)]
pub struct TrendOptions {
    /// Only this branch (default: every watched branch).
    pub branch: Option<String>,
    pub period: Period,
    /// Only changes since then (default: the whole history).
    pub since: Option<Since>,
}

/// Review debt over time on the watched branches (or one).
pub fn trends(repo: &Repo, store: &mut Store, config: &Config, options: &TrendOptions) -> Result<Trends, Error> {
    let selection = Selection {
        branches: options.branch.iter().cloned().collect(),
        files: true,
        skip_drift: true,
        ..Default::default()
    };
    let loaded = load(repo, store, config, &selection)?;
    trends_of(repo, store, config, &loaded.queue, options)
}

/// The TUI's trends screen: the trends of every watched branch by month
/// and the coverage of the default window, from one census.
pub fn overview(repo: &Repo, store: &mut Store, config: &Config) -> Result<(Trends, Coverage), Error> {
    let census = census(repo, store, config, None)?;
    overview_of(repo, store, config, &census, None)
}

/// The trends of every watched branch by month and the coverage, from a
/// census already gathered, both since `since` (the coverage's default
/// window, the trends' whole history, without it).
pub fn overview_of(
    repo: &Repo,
    store: &Store,
    config: &Config,
    census: &Census,
    since: Option<&Since>,
) -> Result<(Trends, Coverage), Error> {
    let options = TrendOptions { since: since.cloned(), ..TrendOptions::default() };
    let trends = trends_of(repo, store, config, &census.queue, &options)?;
    let coverage = coverage_of(repo, config, census, since)?;
    Ok((trends, coverage))
}

/// When each change approved after merge was first approved after it
/// landed: the ledger's time, else the review's (from the store).
fn approval_times(store: &Store, changes: &[&Change]) -> Result<HashMap<String, i64>, Error> {
    let prs: Vec<u64> = changes.iter().filter_map(|c| c.pr).collect();
    let forge = if prs.is_empty() { Default::default() } else { store.forge_data(&prs, &[])? };
    let mut out = HashMap::new();
    for change in changes {
        let landed = change.landed_at().unwrap_or(0);
        let mut first: Option<i64> = None;
        for e in &change.evidence {
            let at = match e {
                Evidence::Ledger { kind: LedgerKind::Approval, at, .. } => Some(*at),
                Evidence::Review { pr, user, state: ReviewState::Approved, after_merge: true, .. } => forge
                    .reviews
                    .get(pr)
                    .into_iter()
                    .flatten()
                    .filter(|r| r.user == *user && r.state == ReviewState::Approved)
                    .filter_map(|r| r.submitted_at)
                    .filter(|&t| t >= landed)
                    .min(),
                _ => None,
            };
            if let Some(at) = at {
                first = Some(first.map_or(at, |f: i64| f.min(at)));
            }
        }
        if let Some(at) = first {
            out.insert(change.sha.clone(), at);
        }
    }
    Ok(out)
}

/// The trends of a queue already built.
pub fn trends_of(
    repo: &Repo,
    store: &Store,
    config: &Config,
    queue: &Queue,
    options: &TrendOptions,
) -> Result<Trends, Error> {
    let default_branch = repo.default_branch(config.branches.default.as_deref())?;
    let mut map = area_map(repo, config, &default_branch)?;
    let times: Vec<Option<i64>> = queue.changes.iter().map(Change::landed_at).collect();
    let newest = times.iter().flatten().max().copied().unwrap_or(0);
    let oldest = times.iter().flatten().min().copied().unwrap_or(0);
    let since = match &options.since {
        Some(since) => window(repo, &default_branch, Some(since), oldest, newest)?.since,
        None => oldest,
    };
    let listed: Vec<(usize, &Change)> = queue
        .changes
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            times[*i].is_some_and(|t| t >= since) && options.branch.as_ref().is_none_or(|b| &c.branch == b)
        })
        .collect();
    let after: Vec<&Change> =
        listed.iter().map(|(_, c)| *c).filter(|c| c.verdict == Verdict::ApprovedAfterMerge).collect();
    let approved = approval_times(store, &after)?;
    let facts: Vec<(usize, &Change, Fact)> = listed
        .iter()
        .map(|&(i, c)| {
            let at = times[i].unwrap_or(0);
            (i, c, Fact::of(c, at, approved.get(&c.sha).copied()))
        })
        .collect();
    let from = facts.iter().map(|(_, _, f)| f.at).min().unwrap_or(newest);
    let to = facts.iter().map(|(_, _, f)| f.at).max().unwrap_or(newest);
    let periods = starts(from, to, options.period);

    // Branches in listing order (the main line first).
    let mut names: Vec<&str> = Vec::new();
    for (_, c, _) in &facts {
        if !names.contains(&c.branch.as_str()) {
            names.push(&c.branch);
        }
    }
    let series = |name: String, label: Option<String>, of: Vec<&Fact>| {
        let periods = buckets(of, &periods, options.period);
        Series { name, label, total: total(&periods), periods }
    };
    let branches = names
        .iter()
        .map(|b| {
            series(b.to_string(), None, facts.iter().filter(|(_, c, _)| c.branch == *b).map(|(_, _, f)| f).collect())
        })
        .collect();
    let by_area = facts_by_area(&mut map, &facts);
    let mut areas: Vec<Series> = map
        .areas
        .iter()
        .zip(by_area)
        .filter(|(_, of)| !of.is_empty())
        .map(|(def, of)| series(def.path.clone(), def.name.clone(), of))
        .collect();
    areas.sort_by(|a, b| {
        b.total.unreviewed.cmp(&a.total.unreviewed).then(b.total.landed.cmp(&a.total.landed)).then(a.name.cmp(&b.name))
    });
    Ok(Trends { period: options.period, source: map.source, from, to, branches, areas })
}

/// Each area's facts: a change counts once in every area it touched.
fn facts_by_area<'a>(map: &mut AreaMap, facts: &'a [(usize, &Change, Fact)]) -> Vec<Vec<&'a Fact>> {
    let mut by_area: Vec<Vec<&Fact>> = Vec::new();
    for (_, change, fact) in facts {
        let mut touched: Vec<usize> = change.files.iter().map(|f| map.area_of(&f.path)).collect();
        touched.sort_unstable();
        touched.dedup();
        by_area.resize_with(map.areas.len(), Vec::new);
        for area in touched {
            by_area[area].push(fact);
        }
    }
    by_area.resize_with(map.areas.len(), Vec::new);
    by_area
}
