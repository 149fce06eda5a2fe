//! The incident-response view: once a backdoor is found, everything its
//! author touched (or everything one change reaches): their changes with
//! their verdicts, the releases that carry any of them, the binaries they
//! added, the copies on other branches.

use std::collections::HashSet;

use crate::model::people::{AffectedRelease, BlastRadius, CarriedChange, Role, TouchedBinary, TouchedChange};
use crate::model::Change;
use crate::repo::{scope, Oid, Repo};

use super::Census;

/// Whose radius, or which change's.
#[derive(Debug, Clone)]
pub enum Target {
    /// A login, an email or a name.
    Person(String),
    /// A change (any revision naming one).
    Revision(String),
}

#[derive(Debug, thiserror::Error)]
pub enum BlastError {
    #[error(
        "no one on the watched branches is `{query}`{hint}: `rearview people` lists everyone (by login, email or name)"
    )]
    NoSuchPerson { query: String, hint: String },
    #[error("`{query}` names {count} people ({names}): give a login or an email")]
    Ambiguous { query: String, count: usize, names: String },
    #[error("`{rev}` is not a change on a watched branch: `rearview list --status all` shows them")]
    NotAChange { rev: String },
    #[error(transparent)]
    Repo(#[from] crate::repo::RepoError),
}

/// Which person a query names: exactly one, or a clear error (with the
/// closest names when none matches).
pub fn person(census: &Census, query: &str) -> Result<usize, BlastError> {
    let found = census.find(query);
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            let mut near: Vec<(f64, &str)> = census
                .people
                .iter()
                .flat_map(|p| p.logins.iter().chain(std::iter::once(&p.name)))
                .map(|n| (strsim::jaro_winkler(&n.to_lowercase(), &query.to_lowercase()), n.as_str()))
                .filter(|(score, _)| *score > 0.8)
                .collect();
            near.sort_by(|a, b| b.0.total_cmp(&a.0));
            near.dedup_by(|a, b| a.1 == b.1);
            let names: Vec<&str> = near.iter().take(3).map(|(_, n)| *n).collect();
            let hint = if names.is_empty() { String::new() } else { format!(" (did you mean {}?)", names.join(", ")) };
            Err(BlastError::NoSuchPerson { query: query.to_string(), hint })
        }
        many => Err(BlastError::Ambiguous {
            query: query.to_string(),
            count: many.len(),
            names: many.iter().map(|&i| census.people[i].handle().to_string()).collect::<Vec<_>>().join(", "),
        }),
    }
}

/// The blast radius of `target` over the census.
pub fn blast_radius(repo: &Repo, census: &Census, target: &Target) -> Result<BlastRadius, BlastError> {
    let changes = &census.queue.changes;
    // Who, the changes picked (index into the queue, with their roles),
    // and the change asked about.
    type Picked = Vec<(usize, Vec<Role>)>;
    let (who, picked, revision): (usize, Picked, Option<String>) = match target {
        Target::Person(query) => {
            let who = person(census, query)?;
            let picked = census
                .roles
                .iter()
                .enumerate()
                .filter_map(|(i, roles)| {
                    let mine: Vec<Role> = roles.iter().filter(|(p, _)| *p == who).map(|(_, r)| *r).collect();
                    (!mine.is_empty()).then_some((i, mine))
                })
                .collect();
            (who, picked, None)
        }
        Target::Revision(rev) => {
            let not_a_change = || BlastError::NotAChange { rev: rev.clone() };
            let sha = repo.resolve(rev).map_err(|_| not_a_change())?.to_string();
            let at = changes.iter().position(|c| c.sha == sha).ok_or_else(not_a_change)?;
            let author = census.roles[at].iter().find(|(_, r)| *r == Role::Authored).map(|(p, _)| *p);
            let who = author.ok_or_else(not_a_change)?;
            // The change and every copy of it on other branches.
            let picked = changes
                .iter()
                .enumerate()
                .filter(|(i, c)| *i == at || c.original.as_ref().is_some_and(|o| o.sha == sha))
                .map(|(i, _)| (i, census.roles[i].iter().filter(|(p, _)| *p == who).map(|(_, r)| *r).collect()))
                .collect();
            (who, picked, Some(sha))
        }
    };

    let mut touched: Vec<TouchedChange> = picked.iter().map(|(i, roles)| touched(&changes[*i], roles)).collect();
    touched.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.score.cmp(&a.score))
            .then(b.pending.cmp(&a.pending))
            .then(b.merged_at.cmp(&a.merged_at))
    });

    // Binaries of the changes they wrote or landed (approving one is not
    // adding it).
    let mut binaries = Vec::new();
    for (i, roles) in &picked {
        let made = revision.is_some() || roles.iter().any(|r| matches!(r, Role::Authored | Role::Committed));
        if !made {
            continue;
        }
        for file in changes[*i].files.iter().filter(|f| f.binary) {
            binaries.push(TouchedBinary {
                path: file.path.clone(),
                sha: changes[*i].sha.clone(),
                added: file.status == crate::model::FileStatus::Added,
            });
        }
    }

    // Their changes carried elsewhere: backports whose original they wrote.
    let authored: HashSet<&str> = picked
        .iter()
        .filter(|(_, roles)| roles.contains(&Role::Authored))
        .map(|(i, _)| changes[*i].sha.as_str())
        .collect();
    let backports = changes
        .iter()
        .filter_map(|c| {
            let original = c.original.as_ref()?;
            authored.contains(original.sha.as_str()).then(|| CarriedChange {
                original: original.sha.clone(),
                backport: c.sha.clone(),
                branch: c.branch.clone(),
                verdict: c.verdict,
            })
        })
        .collect();

    let releases = releases_carrying(repo, census, picked.iter().map(|(i, _)| changes[*i].sha.as_str()))?;
    let tagged = match revision {
        Some(_) => Vec::new(),
        None => census
            .tags
            .iter()
            .zip(&census.taggers)
            .filter(|(_, by)| **by == Some(who))
            .map(|(t, _)| t.clone())
            .collect(),
    };
    Ok(BlastRadius {
        person: census.people[who].clone(),
        revision,
        changes: touched,
        tagged,
        releases,
        binaries,
        backports,
    })
}

fn touched(change: &Change, roles: &[Role]) -> TouchedChange {
    TouchedChange {
        sha: change.sha.clone(),
        branch: change.branch.clone(),
        roles: roles.to_vec(),
        verdict: change.verdict,
        pending: change.pending,
        title: change.title.clone(),
        pr: change.pr,
        score: change.score,
        severity: change.risks.iter().map(|r| r.severity).max(),
        merged_at: change.merged_at.clone(),
    }
}

/// Release tags (version-named) whose history holds any of `shas`, newest
/// first.
fn releases_carrying<'a>(
    repo: &Repo,
    census: &Census,
    shas: impl Iterator<Item = &'a str>,
) -> Result<Vec<AffectedRelease>, BlastError> {
    let targets: HashSet<Oid> = shas.filter_map(|s| Oid::from_str(s).ok()).collect();
    let releases: Vec<_> = census.tags.iter().filter(|t| scope::series(&t.name).is_some()).collect();
    if targets.is_empty() || releases.is_empty() {
        return Ok(Vec::new());
    }
    let tips: Vec<Oid> = releases.iter().filter_map(|t| Oid::from_str(&t.commit).ok()).collect();
    let carrying = repo.tips_reaching(&tips, &targets)?;
    let mut out: Vec<AffectedRelease> = releases
        .iter()
        .filter(|t| Oid::from_str(&t.commit).is_ok_and(|o| carrying.contains(&o)))
        .map(|t| AffectedRelease { tag: t.name.clone(), commit: t.commit.clone(), date: t.time })
        .collect();
    out.sort_by(|a, b| b.date.cmp(&a.date).then(b.tag.cmp(&a.tag)));
    Ok(out)
}
