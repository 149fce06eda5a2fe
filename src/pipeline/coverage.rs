//! `coverage`: per area of the tree, who authored or reviewed what landed
//! there in a window, who approved it independently, and how much landed
//! unreviewed; areas with one maintainer or none, or mostly unreviewed,
//! first. People are the census's (`pipeline::people`): one person, one
//! entry, however many identities they used.

use std::collections::{BTreeSet, HashMap};

use crate::config::{Config, Since};
use crate::model::coverage::{AreaConcern, AreaCoverage, AreaPerson, Coverage, CoverageWindow};
use crate::model::people::Role;
use crate::model::{message, Change, Evidence, LedgerKind, ReviewState, Verdict};
use crate::repo::Repo;
use crate::store::Store;
use crate::triage::areas::AreaMap;
use crate::triage::codeowners::{self, LOCATIONS};

use super::people::{census, Census};
use super::window::window_for;
use super::Error;

/// The default window: this many days back from the newest change.
pub const DEFAULT_DAYS: u32 = 365;

/// A CODEOWNERS file larger than this is not read (GitHub's own limit is
/// 3 MB).
const MAX_CODEOWNERS: u64 = 3 << 20;

/// The areas of the main line's tip: the config's, else its CODEOWNERS
/// entries (the first of GitHub's locations that holds a file), else its
/// top-level directories.
pub fn area_map(repo: &Repo, config: &Config, default_branch: &str) -> Result<AreaMap, Error> {
    let tip = repo.branch_tip(default_branch)?;
    let top = repo.root_names(tip)?;
    let mut found = None;
    for location in LOCATIONS {
        if let Some(text) = repo.small_text_at(tip, location, MAX_CODEOWNERS)? {
            found = Some(codeowners::parse(location, &text)?);
            break;
        }
    }
    Ok(AreaMap::new(&config.coverage.areas, found, &top))
}

/// Parses `--since` as `queue.since` is parsed: a date, a span (`90
/// days`), a revision, or `all`.
pub fn parse_since(text: &str) -> Result<Since, Error> {
    Since::try_from(text.to_string()).map_err(|message| Error::Since { since: text.to_string(), message })
}

/// The window `since` names (default: [`DEFAULT_DAYS`] back from `newest`,
/// the newest change; a span counts back from it too, so an old clone
/// reads as of its own last day); `oldest` starts the whole history.
pub fn window(
    repo: &Repo,
    default_branch: &str,
    since: Option<&Since>,
    oldest: i64,
    newest: i64,
) -> Result<CoverageWindow, Error> {
    let default = Since::Days(DEFAULT_DAYS);
    let since = since.unwrap_or(&default);
    let found = window_for(repo, since, default_branch, newest).map_err(|e| match e {
        Error::Window { since, source } => Error::Since { since, message: source.to_string() },
        e => e,
    })?;
    Ok(match found {
        Some(w) => {
            let label = match since {
                Since::Days(_) => format!("{} of the history", w.label),
                _ => w.label,
            };
            CoverageWindow { since: w.since, until: newest, label }
        }
        None => CoverageWindow { since: oldest, until: newest, label: "the whole history".into() },
    })
}

/// The coverage of every area over the window `since` (see [`window`]).
pub fn coverage(repo: &Repo, store: &mut Store, config: &Config, since: Option<&Since>) -> Result<Coverage, Error> {
    let census = census(repo, store, config, None)?;
    coverage_of(repo, config, &census, since)
}

/// Who someone is in an area's lists: a person of the census, or a name
/// only a review or trailer gave.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Who {
    Person(usize),
    Named(String),
    Login(String),
}

/// Finds census people by login, email or name (lower case).
struct Directory<'a> {
    census: &'a Census,
    by_key: HashMap<String, usize>,
}

impl<'a> Directory<'a> {
    fn new(census: &'a Census) -> Directory<'a> {
        let mut by_key = HashMap::new();
        for (i, p) in census.people.iter().enumerate() {
            for key in p.logins.iter().chain(&p.emails) {
                by_key.entry(key.to_lowercase()).or_insert(i);
            }
        }
        // Names last: a login or an email is the better key.
        for (i, p) in census.people.iter().enumerate() {
            by_key.entry(p.name.to_lowercase()).or_insert(i);
        }
        Directory { census, by_key }
    }

    fn find(&self, key: &str) -> Option<usize> {
        let key = key.trim().trim_start_matches('@').to_lowercase();
        (!key.is_empty()).then(|| self.by_key.get(&key).copied()).flatten()
    }

    fn who(&self, keys: &[&str], shown: &str) -> Who {
        match keys.iter().find_map(|k| self.find(k)) {
            Some(p) => Who::Person(p),
            None => Who::Named(shown.to_string()),
        }
    }

    /// A GitHub login (or the ledger's reviewer): the census's person, or
    /// the login itself.
    fn login(&self, login: &str) -> Who {
        match self.find(login) {
            Some(p) => Who::Person(p),
            None => Who::Login(login.to_string()),
        }
    }

    /// Those whose independent approval the change's evidence records.
    fn reviewers(&self, change: &Change) -> Vec<Who> {
        let mut out = Vec::new();
        for e in &change.evidence {
            match e {
                Evidence::Review { user, state: ReviewState::Approved, .. } => out.push(self.login(user)),
                Evidence::MergedBy { user, .. } => out.push(self.login(user)),
                Evidence::Ledger { kind: LedgerKind::Approval, reviewer, .. } => out.push(self.login(reviewer)),
                Evidence::Trailer { key, value } if message::is_review_trailer(key) => {
                    let person = message::parse_person(value);
                    out.push(self.who(&[&person.email, &person.name], &person.name));
                }
                _ => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn person(&self, who: &Who, changes: u32) -> AreaPerson {
        match who {
            Who::Person(p) => {
                let p = &self.census.people[*p];
                AreaPerson { name: p.name.clone(), login: p.logins.first().cloned(), bot: p.bot, changes }
            }
            Who::Named(name) => AreaPerson { name: name.clone(), login: None, bot: false, changes },
            Who::Login(login) => AreaPerson { name: login.clone(), login: Some(login.clone()), bot: false, changes },
        }
    }
}

/// What one area gathered.
#[derive(Default)]
struct Tally {
    changes: u32,
    unreviewed: u32,
    pending: u32,
    maintainers: HashMap<Who, u32>,
    reviewers: HashMap<Who, u32>,
    owners: BTreeSet<String>,
}

/// The coverage of every area from a census already read.
pub fn coverage_of(repo: &Repo, config: &Config, census: &Census, since: Option<&Since>) -> Result<Coverage, Error> {
    let default_branch = repo.default_branch(config.branches.default.as_deref())?;
    let mut map = area_map(repo, config, &default_branch)?;
    let times: Vec<Option<i64>> = census.queue.changes.iter().map(Change::landed_at).collect();
    let newest = times.iter().flatten().max().copied().unwrap_or(0);
    let oldest = times.iter().flatten().min().copied().unwrap_or(0);
    let window = window(repo, &default_branch, since, oldest, newest)?;
    let directory = Directory::new(census);
    let owners_from_files = map.source != crate::model::coverage::AreaSource::Codeowners;

    let mut tallies: Vec<Tally> = Vec::new();
    let mut counted = 0;
    for (i, change) in census.queue.changes.iter().enumerate() {
        if times[i].is_none_or(|t| t < window.since || t > window.until) {
            continue;
        }
        counted += 1;
        let roles = census.roles.get(i).map_or(&[][..], Vec::as_slice);
        let reviewers = directory.reviewers(change);
        let mut maintainers: Vec<Who> = roles
            .iter()
            .filter(|(_, r)| matches!(r, Role::Authored | Role::Approved))
            .map(|(p, _)| Who::Person(*p))
            .chain(reviewers.iter().cloned())
            .collect();
        maintainers.sort();
        maintainers.dedup();
        // Each area once, however many of its files the change touched.
        let mut touched: Vec<(usize, &str)> =
            change.files.iter().map(|f| (map.area_of(&f.path), f.path.as_str())).collect();
        touched.sort_unstable();
        let mut last = None;
        for (area, path) in touched {
            if tallies.len() <= area {
                tallies.resize_with(map.areas.len().max(area + 1), Tally::default);
            }
            let t = &mut tallies[area];
            if owners_from_files {
                t.owners.extend(map.owners_of(path).iter().cloned());
            }
            if last == Some(area) {
                continue;
            }
            last = Some(area);
            t.changes += 1;
            t.unreviewed += u32::from(change.verdict == Verdict::Unreviewed);
            t.pending += u32::from(change.pending);
            for who in &maintainers {
                *t.maintainers.entry(who.clone()).or_default() += 1;
            }
            for who in &reviewers {
                *t.reviewers.entry(who.clone()).or_default() += 1;
            }
        }
    }
    tallies.resize_with(map.areas.len(), Tally::default);

    let people = |counts: &HashMap<Who, u32>, keep: &dyn Fn(&AreaPerson) -> bool| {
        let mut list: Vec<AreaPerson> =
            counts.iter().map(|(who, n)| directory.person(who, *n)).filter(|p| keep(p)).collect();
        list.sort_by(|a, b| b.changes.cmp(&a.changes).then(a.bot.cmp(&b.bot)).then(a.name.cmp(&b.name)));
        list
    };
    let mut areas: Vec<AreaCoverage> = map
        .areas
        .iter()
        .zip(&tallies)
        .map(|(def, t)| {
            let owners = if owners_from_files { t.owners.iter().cloned().collect() } else { def.owners.clone() };
            let mut area = AreaCoverage {
                path: def.path.clone(),
                name: def.name.clone(),
                maintainers: people(&t.maintainers, &|_| true),
                active_reviewers: people(&t.reviewers, &|p| !p.bot),
                changes: t.changes,
                unreviewed: t.unreviewed,
                pending: t.pending,
                unreviewed_share: (t.changes > 0).then(|| f64::from(t.unreviewed) / f64::from(t.changes)),
                owners,
                concerns: Vec::new(),
            };
            area.concerns = concerns(&area);
            area
        })
        .collect();
    sort_by_concern(&mut areas);
    Ok(Coverage {
        source: map.source,
        codeowners: map.codeowners.as_ref().map(|c| c.file.clone()),
        window,
        changes: counted,
        areas,
    })
}

/// Why an area deserves a look.
pub fn concerns(area: &AreaCoverage) -> Vec<AreaConcern> {
    let mut out = Vec::new();
    match area.active_maintainers() {
        0 => out.push(AreaConcern::NoMaintainer),
        1 => out.push(AreaConcern::SingleMaintainer),
        _ => {}
    }
    if area.unreviewed_share.is_some_and(|s| s > 0.5) {
        out.push(AreaConcern::MostlyUnreviewed);
    }
    out
}

/// Areas with a concern first, the most unreviewed changes first (then
/// the most changes); then the others, the largest unreviewed share first.
pub fn sort_by_concern(areas: &mut [AreaCoverage]) {
    areas.sort_by(|a, b| {
        let share = |x: &AreaCoverage| x.unreviewed_share.unwrap_or(0.0);
        a.concerns
            .is_empty()
            .cmp(&b.concerns.is_empty())
            .then_with(|| {
                if a.concerns.is_empty() {
                    share(b).total_cmp(&share(a))
                } else {
                    b.unreviewed.cmp(&a.unreviewed)
                }
            })
            .then(b.changes.cmp(&a.changes))
            .then(a.path.cmp(&b.path))
    });
}
