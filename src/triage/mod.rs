//! Verdicts: joins history, forge metadata, the ledger and the config into
//! the queue. Pure: no I/O, so every rule is tested directly.
//!
//! The rules are those of DESIGN "Key definitions": only an `APPROVED`
//! review (or a review trailer, or a ledger approval) by someone other than
//! the author counts; merging is not approving; bots never approve.

use std::collections::HashMap;

use crate::config::Config;
use crate::model::independence::{party_of, Party, Role};
use crate::model::message;
use crate::model::rfc3339;
use crate::model::{
    short_sha, Approval, Change, ChangeKind, Commit, Delivery, Evidence, FileChange, ForgeData, LedgerKind, Original,
    Person, PullRequest, Queue, Review, ReviewState, RiskKind, Verdict,
};

pub mod areas;
pub mod budget;
pub mod codeowners;
pub mod content;
pub mod drift;
pub mod escalation;
pub mod risk;
pub mod trends;

/// A commit that landed on a watched branch, with what git said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landed {
    pub commit: Commit,
    pub branch: String,
    /// The pull request the message claims (not a backport's original).
    pub claimed_pr: Option<u64>,
    /// The message names an original (by a backport convention or a
    /// cherry-pick note): it looks like a backport, linked or not.
    pub names_original: bool,
    pub files: Vec<FileChange>,
    pub original: Option<Original>,
    pub patch_id_matches: Option<bool>,
}

/// Everything triage needs, gathered by the caller.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The changes to list, in display order.
    pub changes: Vec<Landed>,
    /// The originals of backports, by sha.
    pub originals: HashMap<String, Landed>,
    pub forge: ForgeData,
    /// Ledger entries by sha, oldest first.
    pub ledger: HashMap<String, Vec<Approval>>,
    /// What each change's content holds (when file lists were computed).
    pub scans: HashMap<String, crate::model::ContentScan>,
    /// How each change's author stands in the history examined.
    pub novelty: HashMap<String, Vec<risk::Novelty>>,
    /// Each drifted backport's interdiff.
    pub drift: HashMap<String, drift::Interdiff>,
}

/// Builds the queue.
pub fn triage(input: &Input, config: &Config) -> Queue {
    let changes = input.changes.iter().map(|landed| triage_one(landed, input, config)).collect();
    Queue { changes }
}

fn triage_one(landed: &Landed, input: &Input, config: &Config) -> Change {
    let (pr, mut notes) = pull_request_of(landed, &input.forge);
    let own = assess(landed, pr, input, config);
    let mut verdict = own.verdict;
    let mut evidence = own.evidence;
    evidence.append(&mut notes);

    let original = landed.original.as_ref();
    if let Some(orig) = original {
        let orig_landed = input.originals.get(&orig.sha);
        let orig_verdict = orig_landed.map(|o| {
            let (orig_pr, _) = pull_request_of(o, &input.forge);
            assess(o, orig_pr, input, config).verdict
        });
        let matches = landed.patch_id_matches.unwrap_or(false);
        let item = Evidence::Original {
            sha: orig.sha.clone(),
            pr: orig.pr,
            verdict: orig_verdict.unwrap_or(Verdict::Unreviewed),
            patch_id_matches: matches,
        };
        let own_is_enough = matches!(verdict, Verdict::Reviewed | Verdict::ApprovedAfterMerge | Verdict::ConcernRaised);
        if !own_is_enough {
            match orig_verdict {
                Some(v @ (Verdict::Reviewed | Verdict::ApprovedAfterMerge)) if matches => {
                    verdict = v;
                    evidence.retain(|e| !matches!(e, Evidence::Note { .. }));
                    evidence.insert(0, item);
                }
                Some(Verdict::Reviewed | Verdict::ApprovedAfterMerge) => {
                    // The reviewed original differs from what landed: the
                    // drift is what nobody approved.
                    verdict = Verdict::PartlyReviewed;
                    evidence.insert(0, item);
                }
                _ => evidence.push(item),
            }
        } else {
            evidence.push(item);
        }
    }

    // Without forge data the subject's claim stands; a claim the forge
    // contradicts (a note says so) does not.
    let claimed = landed.claimed_pr.filter(|_| {
        !evidence.iter().any(|e| matches!(e, Evidence::Note { text } if text.starts_with("subject claims")))
    });
    let pr_number = pr.map(|p| p.number).or(claimed);
    let kind = if original.is_some() {
        ChangeKind::Backport
    } else if pr_number.is_some() {
        ChangeKind::Merge
    } else {
        ChangeKind::DirectPush
    };

    let commit = &landed.commit;
    let merged_at = pr.and_then(|p| p.merged_at).unwrap_or(commit.time);
    let mut change = Change {
        sha: commit.sha.clone(),
        short_sha: short_sha(&commit.sha).to_string(),
        branch: landed.branch.clone(),
        kind,
        pr: pr_number,
        title: message::title_without_number(&commit.message, pr_number),
        author: commit.author.name.clone(),
        author_email: commit.author.email.clone(),
        author_login: author_login(landed, pr, &input.forge),
        author_association: pr.map(|p| p.author_association.clone()).filter(|a| !a.is_empty()),
        committer: commit.committer.name.clone(),
        merged_by: pr.and_then(|p| p.merged_by.clone()),
        merged_at: rfc3339(merged_at),
        verdict,
        pending: verdict.is_pending(),
        evidence,
        original: landed.original.clone(),
        unlinked_backport: landed.names_original && landed.original.is_none(),
        patch_id_matches: landed.patch_id_matches,
        files: landed.files.clone(),
        score: 0,
        drift: None,
        risks: Vec::new(),
        parties: Authors::of(landed, pr, &input.forge, |login| config.is_bot(login)).parties,
    };
    let facts = risk::Facts {
        scan: input.scans.get(&commit.sha),
        novelty: input.novelty.get(&commit.sha).cloned().unwrap_or_default(),
        drift: input.drift.get(&commit.sha),
    };
    change.drift = match (change.patch_id_matches, facts.drift) {
        (Some(true), _) => Some(0),
        (_, Some(d)) => Some(u32::try_from(d.size()).unwrap_or(u32::MAX)),
        _ => None,
    };
    change.risks = risk::signals(&change, &facts, config);
    change.score = risk::score(&change.risks);
    // Trojan Source and payloads in "test data" are made to pass review:
    // an approval given at merge time does not cover what its reviewer
    // could not see. (An approval after merge, with the risks in sight, does.)
    let hidden = change.risks.iter().find(|r| {
        matches!(r.kind, RiskKind::HiddenCharacters | RiskKind::EmbeddedPayload)
            && r.severity >= crate::model::Severity::High
    });
    if let (Verdict::Reviewed, Some(risk)) = (change.verdict, hidden) {
        change.pending = true;
        change.evidence.push(Evidence::Note {
            text: format!(
                "pending again: the approval cannot cover what a reviewer could not see ({})",
                risk.kind.as_str()
            ),
        });
    }
    change
}

/// The pull request a commit merged, when the forge agrees. A subject can
/// claim any number: a claimed PR that the forge says merged as another
/// commit lends this commit none of its reviews.
fn pull_request_of<'a>(landed: &Landed, forge: &'a ForgeData) -> (Option<&'a PullRequest>, Vec<Evidence>) {
    let sha = &landed.commit.sha;
    if let Some(pr) = forge.commit_pulls.get(sha).and_then(|n| forge.pull_requests.get(n)) {
        return (Some(pr), Vec::new());
    }
    let Some(number) = landed.claimed_pr else { return (None, Vec::new()) };
    let Some(pr) = forge.pull_requests.get(&number) else { return (None, Vec::new()) };
    let merged_here = match &pr.merge_commit_sha {
        None => true,
        Some(merged) => merged == sha || pr.commits.iter().any(|c| c == sha),
    };
    if merged_here {
        (Some(pr), Vec::new())
    } else {
        let other = pr.merge_commit_sha.as_deref().map(short_sha).unwrap_or("another commit");
        let note =
            format!("subject claims #{number}, but GitHub merged #{number} as {other}: its reviews do not apply");
        (None, vec![Evidence::Note { text: note }])
    }
}

fn author_login(landed: &Landed, pr: Option<&PullRequest>, forge: &ForgeData) -> Option<String> {
    pr.map(|p| p.author.clone()).or_else(|| login_of(&landed.commit.author, forge))
}

fn login_of(person: &Person, forge: &ForgeData) -> Option<String> {
    forge.logins.get(&person.email.to_ascii_lowercase()).cloned()
}

/// The people a review must not come from: authors (PR author, commit
/// author, co-authors), the committer, and who had a bot backport it.
struct Authors {
    parties: Vec<Party>,
}

impl Authors {
    fn of(landed: &Landed, pr: Option<&PullRequest>, forge: &ForgeData, is_bot: impl Fn(&str) -> bool) -> Authors {
        let commit = &landed.commit;
        let mut people = vec![(Role::Author, commit.author.clone())];
        people.extend(
            commit
                .trailers
                .iter()
                .filter(|t| message::is_coauthor_trailer(&t.key))
                .map(|t| (Role::CoAuthor, message::parse_person(&t.value))),
        );
        // GitHub's web-flow committer is not a person; a real committer is.
        if !commit.committer.email.eq_ignore_ascii_case("noreply@github.com") {
            people.push((Role::Committer, commit.committer.clone()));
        }
        let login = |role, login: String| Party { role, login: Some(login), person: None };
        // The PR author first: the rule a reviewer is most likely told.
        let mut parties: Vec<Party> = pr.map(|p| login(Role::PrAuthor, p.author.clone())).into_iter().collect();
        parties.extend(people.into_iter().map(|(role, person)| Party {
            role,
            login: login_of(&person, forge),
            person: Some(person),
        }));
        // A bot's backport is the work of whoever had it made: the merger
        // of the original, who asked for the backport.
        if let (Some(pr), Some(original)) = (pr, landed.original.as_ref()) {
            let trigger = original.pr.and_then(|n| forge.pull_requests.get(&n)).and_then(|o| o.merged_by.clone());
            if is_bot(&pr.author) {
                parties.extend(trigger.map(|t| login(Role::Requester, t)));
            }
        }
        Authors { parties }
    }

    fn includes_login(&self, login: &str) -> bool {
        self.parties.iter().any(|p| p.login.as_deref().is_some_and(|l| l.eq_ignore_ascii_case(login)))
    }

    fn includes_person(&self, person: &Person) -> bool {
        self.parties.iter().any(|p| p.person.as_ref().is_some_and(|q| q.same_as(person)))
    }

    /// A ledger entry's reviewer, by login, email or name.
    fn includes_reviewer(&self, entry: &Approval) -> bool {
        party_of(&self.parties, &entry.reviewer, &entry.reviewer_email).is_some()
    }
}

struct Assessment {
    verdict: Verdict,
    evidence: Vec<Evidence>,
}

/// A change's verdict from its own evidence (not its original's).
fn assess(landed: &Landed, pr: Option<&PullRequest>, input: &Input, config: &Config) -> Assessment {
    let commit = &landed.commit;
    let authors = Authors::of(landed, pr, &input.forge, |login| config.is_bot(login));
    let independent = |login: &str| !config.is_bot(login) && !authors.includes_login(login);
    // Merged by a bot (an automerge label): only a core developer's
    // approval counts, or a label would stand in for a review.
    let bot_merged = pr.and_then(|p| p.merged_by.as_deref()).is_some_and(|m| config.is_bot(m));
    let counts = |review: &Review| {
        independent(&review.user)
            && (!bot_merged || is_core(&review.author_association) || config.is_core_developer(&review.user))
    };
    let merged_at = pr.and_then(|p| p.merged_at).unwrap_or(commit.time);
    let head = pr.and_then(|p| p.head_sha.as_deref());

    let no_reviews = Vec::new();
    let reviews: &[Review] = pr.and_then(|p| input.forge.reviews.get(&p.number)).unwrap_or(&no_reviews);
    let mut before = Vec::new();
    let mut stale = Vec::new();
    let mut after = Vec::new();
    // (time, evidence) of concerns and of approvals that may clear them.
    let mut concerns: Vec<(i64, Evidence)> = Vec::new();
    let mut approval_times: Vec<i64> = Vec::new();

    for review in reviews.iter().filter(|r| counts(r)) {
        let at = review.submitted_at.unwrap_or(merged_at);
        let after_merge = at > merged_at;
        let is_stale = matches!((head, review.commit_id.as_deref()), (Some(h), Some(c)) if h != c && c != commit.sha);
        let item = |stale: bool| Evidence::Review {
            pr: review.pr,
            user: review.user.clone(),
            state: review.state,
            commit_id: review.commit_id.clone(),
            after_merge,
            stale,
        };
        match review.state {
            ReviewState::Approved if after_merge => {
                approval_times.push(at);
                after.push(item(false));
            }
            ReviewState::Approved if is_stale => stale.push((review, item(true))),
            ReviewState::Approved => before.push(item(false)),
            ReviewState::ChangesRequested if after_merge => concerns.push((at, item(false))),
            // A concern rearview posted (here or from another reviewer's machine).
            ReviewState::Commented if after_merge && review.marker == Some(LedgerKind::Concern) => {
                let text = format!("concern raised after merge by {} on #{}", review.user, review.pr);
                concerns.push((at, Evidence::Note { text }));
            }
            _ => {}
        }
    }

    let no_entries = Vec::new();
    let entries = input.ledger.get(&commit.sha).unwrap_or(&no_entries);
    // The rules for reviews hold for the ledger too; a refused action is
    // no evidence.
    let counted =
        |e: &&Approval| e.delivery != Delivery::Failed && !config.is_bot(&e.reviewer) && !authors.includes_reviewer(e);
    for entry in entries.iter().filter(counted) {
        let item =
            Evidence::Ledger { id: entry.id, kind: entry.kind, reviewer: entry.reviewer.clone(), at: entry.created_at };
        match entry.kind {
            LedgerKind::Approval => {
                approval_times.push(entry.created_at);
                after.push(item);
            }
            LedgerKind::Concern => concerns.push((entry.created_at, item)),
        }
    }

    // A concern stands until someone approves after it.
    let open_concerns: Vec<Evidence> =
        concerns.into_iter().filter(|(at, _)| !approval_times.iter().any(|t| t > at)).map(|(_, e)| e).collect();
    if !open_concerns.is_empty() {
        return Assessment { verdict: Verdict::ConcernRaised, evidence: open_concerns };
    }

    let trailers: Vec<Evidence> = commit
        .trailers
        .iter()
        .filter(|t| {
            (message::is_review_trailer(&t.key) && !authors.includes_person(&message::parse_person(&t.value)))
                || message::is_gerrit_review_link(&t.key)
        })
        .map(|t| Evidence::Trailer { key: t.key.clone(), value: t.value.clone() })
        .collect();

    // Off by default: merging is not approving.
    if config.review.merged_by_counts {
        if let Some((pr, merger)) = pr.and_then(|p| p.merged_by.as_deref().map(|m| (p, m))) {
            if independent(merger) && !bot_merged {
                before.push(Evidence::MergedBy { pr: pr.number, user: merger.to_string() });
            }
        }
    }
    if !before.is_empty() || !trailers.is_empty() {
        before.extend(trailers);
        return Assessment { verdict: Verdict::Reviewed, evidence: before };
    }
    if !after.is_empty() {
        return Assessment { verdict: Verdict::ApprovedAfterMerge, evidence: after };
    }
    if !stale.is_empty() {
        let mut evidence: Vec<Evidence> = stale.iter().map(|(_, e)| e.clone()).collect();
        if let Some(pr) = pr {
            evidence.push(unapproved_commits(pr, stale.iter().map(|(r, _)| *r)));
        }
        return Assessment { verdict: Verdict::PartlyReviewed, evidence };
    }
    Assessment { verdict: Verdict::Unreviewed, evidence: vec![why_unreviewed(landed, pr, reviews, config)] }
}

/// The commits of a pull request after the newest one any approval saw.
fn unapproved_commits<'a>(pr: &PullRequest, approvals: impl Iterator<Item = &'a Review>) -> Evidence {
    let newest_seen =
        approvals.filter_map(|r| r.commit_id.as_deref()).filter_map(|c| pr.commits.iter().position(|p| p == c)).max();
    let shas = match newest_seen {
        Some(pos) => pr.commits[pos + 1..].to_vec(),
        None if !pr.commits.is_empty() => pr.commits.clone(),
        None => pr.head_sha.iter().cloned().collect(),
    };
    Evidence::UnapprovedCommits { shas }
}

fn why_unreviewed(landed: &Landed, pr: Option<&PullRequest>, reviews: &[Review], config: &Config) -> Evidence {
    let text = match pr {
        None if landed.claimed_pr.is_some() => {
            "no GitHub data for the claimed pull request and no review trailer (run `rearview sync`)".to_string()
        }
        None => "pushed without a pull request; no review trailer".to_string(),
        Some(pr) => {
            let self_merged = pr.merged_by.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(&pr.author));
            let bot_merger = pr.merged_by.as_deref().filter(|m| config.is_bot(m));
            let approvals: Vec<&str> =
                reviews.iter().filter(|r| r.state == ReviewState::Approved).map(|r| r.user.as_str()).collect();
            if let Some(bot) = bot_merger {
                format!("#{} merged by the bot {bot} with no core-developer approval (label bypass)", pr.number)
            } else if let Some(user) = approvals.first() {
                let who = if config.is_bot(user) { "a bot" } else { "its author" };
                format!("#{} approved only by {who} ({user})", pr.number)
            } else if self_merged {
                format!("#{} self-merged by {} with no approval", pr.number, pr.author)
            } else {
                format!("#{} merged with no approval", pr.number)
            }
        }
    };
    Evidence::Note { text }
}

/// GitHub's associations of people with write access.
fn is_core(association: &str) -> bool {
    matches!(association, "OWNER" | "MEMBER" | "COLLABORATOR")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OriginalLink, Trailer};

    const MERGED: i64 = 1_000_000;

    fn person(name: &str) -> Person {
        Person { name: name.into(), email: format!("{name}@example.org") }
    }

    fn landed(sha: &str, author: &str, trailers: &[(&str, &str)]) -> Landed {
        Landed {
            commit: Commit {
                sha: sha.into(),
                parent_count: 1,
                author: person(author),
                committer: Person { name: "GitHub".into(), email: "noreply@github.com".into() },
                time: MERGED,
                subject: format!("Change {sha}"),
                message: format!("Change {sha}"),
                trailers: trailers.iter().map(|(k, v)| Trailer { key: k.to_string(), value: v.to_string() }).collect(),
            },
            branch: "main".into(),
            names_original: false,
            claimed_pr: None,
            files: Vec::new(),
            original: None,
            patch_id_matches: None,
        }
    }

    fn pr(number: u64, sha: &str, author: &str) -> PullRequest {
        PullRequest {
            number,
            title: format!("PR {number}"),
            author: author.into(),
            author_association: "MEMBER".into(),
            merged_by: Some(author.into()),
            merged_at: Some(MERGED),
            merge_commit_sha: Some(sha.into()),
            head_sha: Some(format!("head{number}")),
            base_branch: "main".into(),
            commits: vec![format!("first{number}"), format!("head{number}")],
            ..PullRequest::default()
        }
    }

    fn review(id: u64, pr: u64, user: &str, state: ReviewState, commit: &str, at: i64) -> Review {
        Review {
            id,
            pr,
            user: user.into(),
            state,
            commit_id: Some(commit.into()),
            submitted_at: Some(at),
            author_association: "MEMBER".into(),
            marker: None,
        }
    }

    struct Case {
        name: &'static str,
        reviews: Vec<Review>,
        trailers: Vec<(&'static str, &'static str)>,
        ledger: Vec<(LedgerKind, &'static str, i64)>,
        want: Verdict,
    }

    fn run(case: &Case) -> Change {
        let mut l = landed("c1", "alice", &case.trailers);
        l.claimed_pr = Some(1);
        let mut input = Input::default();
        input.forge.pull_requests.insert(1, pr(1, "c1", "alice"));
        input.forge.reviews.insert(1, case.reviews.clone());
        input.forge.logins.insert("alice@example.org".into(), "alice".into());
        let entries = case
            .ledger
            .iter()
            .enumerate()
            .map(|(i, (kind, who, at))| Approval {
                uid: String::new(),
                id: i as i64 + 1,
                sha: "c1".into(),
                kind: *kind,
                reviewer: who.to_string(),
                body: String::new(),
                created_at: *at,
                reviewer_email: String::new(),
                delivery: crate::model::Delivery::Pending,
            })
            .collect();
        input.ledger.insert("c1".into(), entries);
        input.changes.push(l);
        triage(&input, &Config::default()).changes.remove(0)
    }

    #[test]
    fn verdict_rules() {
        use LedgerKind::*;
        use ReviewState::*;
        let cases = vec![
            Case {
                name: "no reviews at all",
                reviews: vec![],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "approval on the merged head before merge",
                reviews: vec![review(1, 1, "bob", Approved, "head1", MERGED - 10)],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::Reviewed,
            },
            Case {
                name: "self-approval does not count",
                reviews: vec![review(1, 1, "alice", Approved, "head1", MERGED - 10)],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "bot approval does not count",
                reviews: vec![review(1, 1, "miss-islington", Approved, "head1", MERGED - 10)],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "comment is not approval",
                reviews: vec![review(1, 1, "bob", Commented, "head1", MERGED - 10)],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "dismissed approval is not approval",
                reviews: vec![review(1, 1, "bob", Dismissed, "head1", MERGED - 10)],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "approval of an older commit is stale",
                reviews: vec![review(1, 1, "bob", Approved, "first1", MERGED - 10)],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::PartlyReviewed,
            },
            Case {
                name: "stale plus current approval is reviewed",
                reviews: vec![
                    review(1, 1, "bob", Approved, "first1", MERGED - 20),
                    review(2, 1, "carol", Approved, "head1", MERGED - 10),
                ],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::Reviewed,
            },
            Case {
                name: "approval after merge",
                reviews: vec![review(1, 1, "bob", Approved, "head1", MERGED + 10)],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::ApprovedAfterMerge,
            },
            Case {
                name: "ledger approval after merge",
                reviews: vec![],
                trailers: vec![],
                ledger: vec![(Approval, "dave", MERGED + 5)],
                want: Verdict::ApprovedAfterMerge,
            },
            Case {
                name: "ledger approval by the author's email does not count",
                reviews: vec![],
                trailers: vec![],
                ledger: vec![(Approval, "ALICE@example.org", MERGED + 5)],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "ledger approval by a co-author does not count",
                reviews: vec![],
                trailers: vec![("Co-authored-by", "Dave <dave@example.org>")],
                ledger: vec![(Approval, "dave@example.org", MERGED + 5)],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "ledger approval by the author does not count",
                reviews: vec![],
                trailers: vec![],
                ledger: vec![(Approval, "alice", MERGED + 5)],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "concern beats an earlier approval",
                reviews: vec![review(1, 1, "bob", Approved, "head1", MERGED - 10)],
                trailers: vec![],
                ledger: vec![(Concern, "dave", MERGED + 5)],
                want: Verdict::ConcernRaised,
            },
            Case {
                name: "a later approval clears a concern",
                reviews: vec![],
                trailers: vec![],
                ledger: vec![(Concern, "dave", MERGED + 5), (Approval, "erin", MERGED + 9)],
                want: Verdict::ApprovedAfterMerge,
            },
            Case {
                name: "changes requested after merge is a concern",
                reviews: vec![review(1, 1, "bob", ChangesRequested, "head1", MERGED + 10)],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::ConcernRaised,
            },
            Case {
                name: "changes requested before merge is not a post-hoc concern",
                reviews: vec![review(1, 1, "bob", ChangesRequested, "first1", MERGED - 10)],
                trailers: vec![],
                ledger: vec![],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "reviewed-by trailer from someone else",
                reviews: vec![],
                trailers: vec![("Reviewed-by", "Bob <bob@example.org>")],
                ledger: vec![],
                want: Verdict::Reviewed,
            },
            Case {
                name: "reviewed-by trailer naming the author",
                reviews: vec![],
                trailers: vec![("Reviewed-by", "Alice A. <ALICE@example.org>")],
                ledger: vec![],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "acked-by from a co-author is not independent",
                reviews: vec![],
                trailers: vec![("Co-authored-by", "Bob <bob@example.org>"), ("Acked-by", "Bob <bob@example.org>")],
                ledger: vec![],
                want: Verdict::Unreviewed,
            },
            Case {
                name: "gerrit reviewed-on link",
                reviews: vec![],
                trailers: vec![("Reviewed-on", "https://review.example.org/c/123")],
                ledger: vec![],
                want: Verdict::Reviewed,
            },
            Case {
                name: "signed-off-by is not review",
                reviews: vec![],
                trailers: vec![("Signed-off-by", "Bob <bob@example.org>")],
                ledger: vec![],
                want: Verdict::Unreviewed,
            },
        ];
        for case in &cases {
            let change = run(case);
            assert_eq!(change.verdict, case.want, "{}: evidence {:?}", case.name, change.evidence);
            assert_eq!(change.pending, case.want.is_pending(), "{}", case.name);
            assert!(!change.evidence.is_empty(), "{}: a verdict always says why", case.name);
        }
    }

    #[test]
    fn a_ledger_entry_is_matched_by_its_git_email_and_a_failed_one_is_no_evidence() {
        let case = Case {
            name: "",
            reviews: vec![],
            trailers: vec![],
            ledger: vec![(LedgerKind::Approval, "dave", MERGED + 5)],
            want: Verdict::Unreviewed,
        };
        let with = |email: &str, delivery: Delivery, committer: Option<&str>| {
            let mut l = landed("c1", "alice", &[]);
            if let Some(c) = committer {
                l.commit.committer = person(c);
            }
            let mut input = Input::default();
            let entry = Approval {
                id: 1,
                uid: String::new(),
                sha: "c1".into(),
                kind: LedgerKind::Approval,
                reviewer: case.ledger[0].1.into(),
                body: String::new(),
                created_at: MERGED + 5,
                reviewer_email: email.into(),
                delivery,
            };
            input.ledger.insert("c1".into(), vec![entry]);
            input.changes.push(l);
            triage(&input, &Config::default()).changes.remove(0).verdict
        };
        assert_eq!(with("dave@example.org", Delivery::Posted, None), Verdict::ApprovedAfterMerge);
        assert_eq!(with("alice@example.org", Delivery::Posted, None), Verdict::Unreviewed, "the author's email");
        assert_eq!(with("dave@example.org", Delivery::Posted, Some("dave")), Verdict::Unreviewed, "the committer");
        assert_eq!(with("dave@example.org", Delivery::Failed, None), Verdict::Unreviewed, "refused");
        assert_eq!(with("dave@example.org", Delivery::Pending, None), Verdict::ApprovedAfterMerge);
    }

    #[test]
    fn stale_approval_names_the_unapproved_commits() {
        let change = run(&Case {
            name: "stale",
            reviews: vec![review(1, 1, "bob", ReviewState::Approved, "first1", MERGED - 10)],
            trailers: vec![],
            ledger: vec![],
            want: Verdict::PartlyReviewed,
        });
        assert!(
            change.evidence.contains(&Evidence::UnapprovedCommits { shas: vec!["head1".into()] }),
            "{:?}",
            change.evidence
        );
    }

    #[test]
    fn borrowed_pull_request_number_lends_no_review() {
        let mut l = landed("evil", "mallory", &[]);
        l.claimed_pr = Some(1);
        let mut input = Input::default();
        input.forge.pull_requests.insert(1, pr(1, "c1", "alice"));
        input.forge.reviews.insert(1, vec![review(1, 1, "bob", ReviewState::Approved, "head1", MERGED - 10)]);
        input.changes.push(l);
        let change = triage(&input, &Config::default()).changes.remove(0);
        assert_eq!(change.verdict, Verdict::Unreviewed);
        assert_eq!(change.kind, ChangeKind::DirectPush);
        assert!(change.evidence.iter().any(|e| e.describe().contains("subject claims #1")));
    }

    fn backport_case(original_reviewed: bool, patch_id_matches: bool, own_review: bool) -> Change {
        let mut input = Input::default();
        let mut orig = landed("o1", "alice", &[]);
        orig.claimed_pr = Some(1);
        input.forge.pull_requests.insert(1, pr(1, "o1", "alice"));
        if original_reviewed {
            input.forge.reviews.insert(1, vec![review(1, 1, "bob", ReviewState::Approved, "head1", MERGED - 10)]);
        }
        let mut bp = landed("b1", "alice", &[]);
        bp.branch = "3.12".into();
        bp.claimed_pr = Some(2);
        let mut bp_pr = pr(2, "b1", "miss-islington");
        bp_pr.base_branch = "3.12".into();
        input.forge.pull_requests.insert(2, bp_pr);
        if own_review {
            input.forge.reviews.insert(2, vec![review(2, 2, "carol", ReviewState::Approved, "head2", MERGED - 1)]);
        }
        bp.original = Some(Original {
            sha: "o1".into(),
            pr: Some(1),
            branch: "main".into(),
            link: OriginalLink::PullRequestNumber,
        });
        bp.patch_id_matches = Some(patch_id_matches);
        input.originals.insert("o1".into(), orig);
        input.changes.push(bp);
        triage(&input, &Config::default()).changes.remove(0)
    }

    #[test]
    fn backport_rules() {
        // (original reviewed, patch-id matches, own approval) → verdict
        let cases = [
            ((true, true, false), Verdict::Reviewed),
            ((true, false, false), Verdict::PartlyReviewed),
            ((false, true, false), Verdict::Unreviewed),
            ((false, false, true), Verdict::Reviewed),
            ((true, false, true), Verdict::Reviewed),
        ];
        for ((orig, matches, own), want) in cases {
            let change = backport_case(orig, matches, own);
            assert_eq!(change.kind, ChangeKind::Backport);
            assert_eq!(
                change.verdict, want,
                "original reviewed {orig}, matches {matches}, own {own}: {:?}",
                change.evidence
            );
            assert!(change.evidence.iter().any(|e| matches!(e, Evidence::Original { .. })));
        }
    }

    #[test]
    fn a_bot_merge_needs_a_core_developer_approval() {
        for (association, want) in [("CONTRIBUTOR", Verdict::Unreviewed), ("MEMBER", Verdict::Reviewed)] {
            let mut l = landed("c1", "alice", &[]);
            l.claimed_pr = Some(1);
            let mut input = Input::default();
            let mut p = pr(1, "c1", "alice");
            p.merged_by = Some("miss-islington".into());
            input.forge.pull_requests.insert(1, p);
            let mut r = review(1, 1, "bob", ReviewState::Approved, "head1", MERGED - 10);
            r.author_association = association.into();
            input.forge.reviews.insert(1, vec![r]);
            input.changes.push(l);
            let change = triage(&input, &Config::default()).changes.remove(0);
            assert_eq!(change.verdict, want, "approval by a {association}: {:?}", change.evidence);
            if want == Verdict::Unreviewed {
                assert!(report_text(&change).contains("label bypass"), "{:?}", change.evidence);
            }
        }
    }

    fn report_text(change: &Change) -> String {
        change.evidence.iter().map(|e| e.describe()).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn a_bots_backport_is_credited_to_whoever_asked_for_it() {
        // alice merged the original and had miss-islington backport it; her
        // approval of the backport is not independent. carol's would be.
        for (approver, want) in [("alice", Verdict::Unreviewed), ("carol", Verdict::Reviewed)] {
            let mut input = Input::default();
            let mut orig_pr = pr(1, "o1", "dave");
            orig_pr.merged_by = Some("alice".into());
            input.forge.pull_requests.insert(1, orig_pr);
            let mut orig = landed("o1", "dave", &[]);
            orig.claimed_pr = Some(1);
            input.originals.insert("o1".into(), orig);
            let mut bp_pr = pr(2, "b1", "miss-islington");
            bp_pr.merged_by = Some("alice".into());
            input.forge.pull_requests.insert(2, bp_pr);
            input.forge.reviews.insert(2, vec![review(2, 2, approver, ReviewState::Approved, "head2", MERGED - 1)]);
            let mut bp = landed("b1", "dave", &[]);
            bp.claimed_pr = Some(2);
            bp.original =
                Some(Original { sha: "o1".into(), pr: Some(1), branch: "main".into(), link: OriginalLink::PatchId });
            bp.patch_id_matches = Some(false);
            input.changes.push(bp);
            let change = triage(&input, &Config::default()).changes.remove(0);
            assert_eq!(change.verdict, want, "approved by {approver}: {:?}", change.evidence);
        }
    }

    #[test]
    fn merged_by_someone_else_counts_only_when_configured() {
        let mut input = Input::default();
        let mut p = pr(1, "c1", "alice");
        p.merged_by = Some("bob".into());
        input.forge.pull_requests.insert(1, p);
        let mut l = landed("c1", "alice", &[]);
        l.claimed_pr = Some(1);
        input.changes.push(l);
        assert_eq!(triage(&input, &Config::default()).changes[0].verdict, Verdict::Unreviewed);
        let mut config = Config::default();
        config.review.merged_by_counts = true;
        let change = triage(&input, &config).changes.remove(0);
        assert_eq!(change.verdict, Verdict::Reviewed);
        assert_eq!(change.evidence, vec![Evidence::MergedBy { pr: 1, user: "bob".into() }]);
    }

    #[test]
    fn kinds() {
        let mut input = Input::default();
        input.changes.push(landed("d1", "alice", &[]));
        let mut m = landed("m1", "alice", &[]);
        m.claimed_pr = Some(5);
        input.changes.push(m);
        let q = triage(&input, &Config::default());
        assert_eq!(q.changes[0].kind, ChangeKind::DirectPush);
        assert_eq!(q.changes[0].pr, None);
        assert_eq!(q.changes[1].kind, ChangeKind::Merge);
        assert_eq!(q.changes[1].pr, Some(5));
    }

    #[test]
    fn time_is_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
