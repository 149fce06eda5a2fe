//! `people`: everyone who authored, committed, merged, approved or tagged
//! on the watched branches, one record per person, with when they reached
//! each step of trust and what they did; and (`blast`) everything one of
//! them touched. From git alone, and better after a sync.

pub mod blast;
mod identities;

use std::collections::{HashMap, HashSet};

use crate::config::Config;
use crate::model::people::{PersonRecord, PrivilegeSource, Role, TagFact};
use crate::model::{Delivery, LedgerKind, Queue, ReviewState, RiskKind, Verdict};
use crate::repo::{scope, Oid, Repo};
use crate::store::Store;
use crate::triage::escalation::{escalations, Milestones};

use super::{load, Error, Selection};
use identities::{is_github_web_flow, Identities};

const DAY: i64 = 86_400;

/// The fields that stay empty or zero until `rearview sync` has read the
/// pull requests and reviews (and `privileged` is inferred until it has
/// read the collaborators).
pub const NEED_SYNC: &[&str] =
    &["logins", "first_merged", "merged", "self_merged_unreviewed", "approvals_given", "privileged (GitHub's own)"];

/// Everyone, and what the views of one person need.
#[derive(Debug, Clone)]
pub struct Census {
    /// By concern: dormant privileged accounts, fast escalations, the rest
    /// (privileged first, then the most recently active); those active in
    /// the window first.
    pub people: Vec<PersonRecord>,
    /// How many of `people` (the first ones) were active in the window;
    /// the others are kept because changes name them.
    pub listed: usize,
    /// The newest activity in the history: dormancy counts back from it,
    /// so an old clone is read as of its own last day.
    pub reference_time: Option<i64>,
    /// Whether the store held any pull request (the fields in [`NEED_SYNC`]).
    pub synced: bool,
    /// Every change on the watched branches, whole history, with files.
    pub queue: Queue,
    /// For each change of `queue`, who did what (indexes into `people`).
    pub roles: Vec<Vec<(usize, Role)>>,
    /// The tags on the watched branches' history, oldest first.
    pub tags: Vec<TagFact>,
    /// Who made each tag of `tags` (an index into `people`).
    pub taggers: Vec<Option<usize>>,
}

impl Census {
    /// The people a query names (login, email or name), by concern.
    pub fn find(&self, query: &str) -> Vec<usize> {
        (0..self.people.len()).filter(|&i| self.people[i].answers_to(query)).collect()
    }
}

/// The release tags of `releases` whose tagger rose to tagging faster
/// than the project's pace, as release findings. Reads the census (the
/// whole history) only when some release tag has a tagger.
pub fn escalated_taggers(
    repo: &Repo,
    store: &mut Store,
    config: &Config,
    releases: &[crate::model::ReleaseTag],
) -> Result<Vec<crate::model::ReleaseFinding>, Error> {
    if releases.iter().all(|r| r.tagger.is_none()) {
        return Ok(Vec::new());
    }
    let census = census(repo, store, config, None)?;
    Ok(escalated_taggers_of(&census, releases))
}

/// The same, from a census already gathered.
pub fn escalated_taggers_of(
    census: &Census,
    releases: &[crate::model::ReleaseTag],
) -> Vec<crate::model::ReleaseFinding> {
    let flagged: Vec<&PersonRecord> = census.people.iter().filter(|p| p.escalation.flagged).collect();
    releases
        .iter()
        .filter_map(|r| {
            let tagger = r.tagger.as_ref()?;
            let who = flagged.iter().find(|p| p.answers_to(&tagger.email))?;
            Some(crate::model::ReleaseFinding::FastEscalation {
                tag: r.tag.clone(),
                tagger: who.handle().to_string(),
                explanation: who.escalation.explanation.clone(),
            })
        })
        .collect()
}

/// What one person did, gathered over the history.
#[derive(Debug, Default)]
struct Tally {
    first_authored: Option<i64>,
    first_committed: Option<i64>,
    first_merged: Option<i64>,
    first_approval: Option<i64>,
    first_tagged: Option<i64>,
    first_release_tag: Option<i64>,
    last: Option<i64>,
    authored: u32,
    committed: u32,
    merged: u32,
    self_merged_unreviewed: u32,
    approvals: u32,
    tags: u32,
    build: u32,
    /// Distinct paths: one file added on two branches is one.
    binaries: HashSet<String>,
}

fn earliest(slot: &mut Option<i64>, at: i64) {
    *slot = Some(slot.map_or(at, |t| t.min(at)));
}

impl Tally {
    fn seen(&mut self, at: i64) {
        self.last = Some(self.last.map_or(at, |t| t.max(at)));
    }

    fn milestones(&self) -> Milestones {
        let all =
            [self.first_authored, self.first_committed, self.first_merged, self.first_approval, self.first_tagged];
        Milestones {
            first_contribution: all.into_iter().flatten().min(),
            commit_bit: [self.first_committed, self.first_merged].into_iter().flatten().min(),
            release_tagging: self.first_release_tag,
        }
    }
}

/// Everyone on the watched branches. `since` narrows the counts (and who
/// is listed) to activity after it; first dates, privilege, dormancy and
/// escalation always read the whole history.
pub fn census(repo: &Repo, store: &mut Store, config: &Config, since: Option<i64>) -> Result<Census, Error> {
    let loaded = load(repo, store, config, &Selection { files: true, skip_drift: true, ..Selection::default() })?;
    let queue = loaded.queue;
    let tips = loaded.branches.iter().map(|b| repo.branch_tip(b)).collect::<Result<Vec<Oid>, _>>()?;
    let history = repo.authorship(&tips)?;
    let reachable: HashSet<Oid> = history.iter().map(|a| a.sha).collect();
    // Who made each tag and when: no signature needs checking here.
    let mut tags: Vec<TagFact> = repo
        .tags(&crate::repo::signature::Keyring::empty())?
        .into_iter()
        .map(|t| TagFact { name: t.name, commit: t.commit, tagger: t.tagger, time: t.time })
        .collect();
    tags.retain(|t| Oid::from_str(&t.commit).is_ok_and(|o| reachable.contains(&o)));
    tags.sort_by(|a, b| a.time.cmp(&b.time).then(a.name.cmp(&b.name)));
    let prs: Vec<u64> = queue.changes.iter().filter_map(|c| c.pr).collect();
    let shas: Vec<String> = queue.changes.iter().map(|c| c.sha.clone()).collect();
    let forge = store.forge_data(&prs, &shas)?;
    let ledger = store.ledger(&shas)?;
    let mailmap = repo.mailmap();
    // Who GitHub says may push, when a sync could read it.
    let collaborators = store.collaborators()?.map(|(all, _)| all);

    // Every identity first, so that links found late join early ones.
    let mut ids = Identities::default();
    let commit_ids: Vec<(usize, Option<usize>)> = history
        .iter()
        .map(|a| {
            let author = ids.git_mapped(&a.author, &mailmap.resolve(&a.author), &forge.logins);
            let committer = (!is_github_web_flow(&a.committer))
                .then(|| ids.git_mapped(&a.committer, &mailmap.resolve(&a.committer), &forge.logins));
            (author, committer)
        })
        .collect();
    let tagger_ids: Vec<Option<usize>> = tags
        .iter()
        .map(|t| t.tagger.as_ref().map(|who| ids.git_mapped(who, &mailmap.resolve(who), &forge.logins)))
        .collect();
    for pr in forge.pull_requests.values() {
        ids.login(&pr.author);
        if let Some(by) = &pr.merged_by {
            ids.login(by);
        }
    }
    for review in forge.reviews.values().flatten() {
        ids.login(&review.user);
    }
    for entry in ledger.values().flatten() {
        ids.link(&entry.reviewer, &entry.reviewer_email);
    }
    for c in collaborators.iter().flatten() {
        ids.login(&c.login);
    }
    let people = ids.people();
    let pushers: Option<HashSet<usize>> = collaborators
        .as_ref()
        .map(|all| all.iter().filter(|c| c.push).filter_map(|c| people.of_login(&c.login)).collect());
    let mut tally: Vec<Tally> = (0..people.len()).map(|_| Tally::default()).collect();
    let window = |at: i64| since.is_none_or(|s| at >= s);

    let at_sha: HashMap<Oid, usize> = history.iter().enumerate().map(|(i, a)| (a.sha, i)).collect();
    for (a, (author, _)) in history.iter().zip(&commit_ids) {
        if a.merge {
            continue;
        }
        let t = &mut tally[people.of_id(*author)];
        earliest(&mut t.first_authored, a.author_time);
        t.seen(a.author_time);
        t.authored += u32::from(window(a.author_time));
    }
    for (tag, tagger) in tags.iter().zip(&tagger_ids) {
        let Some(tagger) = tagger else { continue };
        let t = &mut tally[people.of_id(*tagger)];
        earliest(&mut t.first_tagged, tag.time);
        if scope::series(&tag.name).is_some() {
            earliest(&mut t.first_release_tag, tag.time);
        }
        t.seen(tag.time);
        t.tags += u32::from(window(tag.time));
    }
    for pr in forge.pull_requests.values() {
        let (Some(by), Some(at)) = (&pr.merged_by, pr.merged_at) else { continue };
        let Some(p) = people.of_login(by) else { continue };
        earliest(&mut tally[p].first_merged, at);
        tally[p].seen(at);
        tally[p].merged += u32::from(window(at));
    }
    for review in forge.reviews.values().flatten().filter(|r| r.state == ReviewState::Approved) {
        let (Some(p), Some(at)) = (people.of_login(&review.user), review.submitted_at) else { continue };
        earliest(&mut tally[p].first_approval, at);
        tally[p].seen(at);
        tally[p].approvals += u32::from(window(at));
    }
    // A posted ledger approval is a GitHub review once synced: counted there.
    let unposted = |d: Delivery| matches!(d, Delivery::Pending | Delivery::Posting);
    for entry in ledger.values().flatten().filter(|e| e.kind == LedgerKind::Approval && unposted(e.delivery)) {
        let Some(p) = people.of_login(&entry.reviewer) else { continue };
        earliest(&mut tally[p].first_approval, entry.created_at);
        tally[p].seen(entry.created_at);
        tally[p].approvals += u32::from(window(entry.created_at));
    }

    // Per change: who wrote it, who landed it, who approved it.
    let mut roles: Vec<Vec<(usize, Role)>> = Vec::with_capacity(queue.changes.len());
    for change in &queue.changes {
        let recorded =
            Oid::from_str(&change.sha).ok().and_then(|o| at_sha.get(&o)).map(|&i| (&history[i], commit_ids[i]));
        let mut who: Vec<(usize, Role)> = Vec::new();
        let author = match change.author_login.as_deref().and_then(|l| people.of_login(l)) {
            Some(p) => Some(p),
            None => recorded.map(|(_, (author, _))| people.of_id(author)),
        };
        if let Some(p) = author {
            who.push((p, Role::Authored));
        }
        let committer = recorded.and_then(|(_, (_, c))| c).map(|c| people.of_id(c));
        if let (Some(p), Some((a, _))) = (committer, recorded) {
            who.push((p, Role::Committed));
            let t = &mut tally[p];
            earliest(&mut t.first_committed, a.commit_time);
            t.seen(a.commit_time);
            t.committed += u32::from(window(a.commit_time));
        }
        let merger = change.merged_by.as_deref().and_then(|l| people.of_login(l));
        if let Some(p) = merger {
            who.push((p, Role::Merged));
        }
        let pr = change.pr.and_then(|n| forge.reviews.get(&n)).into_iter().flatten();
        for review in pr.filter(|r| r.state == ReviewState::Approved) {
            if let Some(p) = people.of_login(&review.user) {
                who.push((p, Role::Approved));
            }
        }
        for entry in ledger.get(&change.sha).into_iter().flatten() {
            if entry.kind == LedgerKind::Approval && entry.delivery != Delivery::Failed {
                if let Some(p) = people.of_login(&entry.reviewer) {
                    who.push((p, Role::Approved));
                }
            }
        }
        let landed = if change.pr.is_some() { merger } else { committer };
        let at = recorded.map_or(0, |(a, _)| a.commit_time);
        if let Some(p) = author.filter(|_| window(at)) {
            let t = &mut tally[p];
            if change.verdict == Verdict::Unreviewed && landed == Some(p) {
                t.self_merged_unreviewed += 1;
            }
            if change.risks.iter().any(|r| matches!(r.kind, RiskKind::BuildSystem | RiskKind::FeatureTest)) {
                t.build += 1;
            }
            let added = change.files.iter().filter(|f| f.binary && f.status == crate::model::FileStatus::Added);
            t.binaries.extend(added.map(|f| f.path.clone()));
        }
        who.sort();
        who.dedup();
        roles.push(who);
    }
    // A backport is also its original author's, and its lander's.
    let by_sha: HashMap<&str, usize> = queue.changes.iter().enumerate().map(|(i, c)| (c.sha.as_str(), i)).collect();
    for (i, change) in queue.changes.iter().enumerate() {
        let Some(original) = &change.original else { continue };
        let mut carried: Vec<usize> =
            roles[i].iter().filter(|(_, r)| matches!(r, Role::Committed | Role::Merged)).map(|(p, _)| *p).collect();
        if let Some(&o) = by_sha.get(original.sha.as_str()) {
            carried.extend(roles[o].iter().filter(|(_, r)| *r == Role::Authored).map(|(p, _)| *p));
        }
        for p in carried {
            roles[i].push((p, Role::Backported));
        }
        roles[i].sort();
        roles[i].dedup();
    }

    let project_start = history.iter().map(|a| a.author_time.min(a.commit_time)).min().unwrap_or(0);
    let milestones: Vec<Milestones> = tally.iter().map(Tally::milestones).collect();
    let escalation = escalations(&milestones, project_start);
    let reference_time = tally.iter().filter_map(|t| t.last).max();
    let dormant_before = reference_time.map(|t| t - i64::from(config.risk.dormancy_days) * DAY);
    let records: Vec<PersonRecord> = tally
        .iter()
        .zip(escalation)
        .enumerate()
        .map(|(p, (t, escalation))| {
            let m = &people.members[p];
            let bot = m.logins.iter().any(|l| config.is_bot(l));
            let privileged_source = if let Some(pushers) = &pushers {
                pushers.contains(&p).then_some(PrivilegeSource::Github)
            } else if t.first_committed.is_some() {
                Some(PrivilegeSource::Committed)
            } else if t.first_merged.is_some() {
                Some(PrivilegeSource::Merged)
            } else if t.first_tagged.is_some() {
                Some(PrivilegeSource::Tagged)
            } else {
                None
            };
            let privileged = privileged_source.is_some();
            // A collaborator who never did anything is as dormant as it gets.
            let quiet = match (t.last, dormant_before) {
                (None, _) => true,
                (Some(last), Some(before)) => last < before,
                (Some(_), None) => false,
            };
            let dormant = privileged && !bot && quiet;
            let mut emails = m.emails.clone();
            emails.sort();
            let mut logins = m.logins.clone();
            logins.sort();
            PersonRecord {
                name: m.name(),
                emails,
                logins,
                bot,
                first_authored: t.first_authored,
                first_committed: t.first_committed,
                first_merged: t.first_merged,
                first_tagged: t.first_tagged,
                last_activity: t.last,
                authored: t.authored,
                committed: t.committed,
                merged: t.merged,
                self_merged_unreviewed: t.self_merged_unreviewed,
                approvals_given: t.approvals,
                tags: t.tags,
                build_system_changes: t.build,
                binaries_added: t.binaries.len() as u32,
                privileged,
                privileged_source,
                dormant,
                escalation: if bot { Default::default() } else { escalation },
            }
        })
        .collect();

    // Those active in the window by concern, then the rest (roles point
    // at them too); every person index remapped to its place.
    // Dormant privileged accounts are listed whatever the window.
    let listed = |r: &PersonRecord| r.dormant || since.is_none_or(|s| r.last_activity.is_some_and(|l| l >= s));
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&records[a], &records[b]);
        listed(b)
            .cmp(&listed(a))
            .then(a.concern().cmp(&b.concern()))
            .then(b.privileged.cmp(&a.privileged))
            .then(b.last_activity.cmp(&a.last_activity))
            .then(a.name.cmp(&b.name))
    });
    let mut place = vec![0; records.len()];
    for (at, &p) in order.iter().enumerate() {
        place[p] = at;
    }
    for who in roles.iter_mut().flatten() {
        who.0 = place[who.0];
    }
    let taggers = tagger_ids.iter().map(|t| t.map(|id| place[people.of_id(id)])).collect();
    let people: Vec<PersonRecord> = order.iter().map(|&p| records[p].clone()).collect();
    let listed = people.iter().filter(|r| listed(r)).count();
    Ok(Census { people, listed, reference_time, synced: !forge.pull_requests.is_empty(), queue, roles, tags, taggers })
}
