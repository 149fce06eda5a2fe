//! Delivering the ledger to GitHub, each action exactly once. An action is
//! in the store before any request; every post carries a hidden marker
//! with the action's id; before each attempt the target's reviews (or the
//! commit's comments) are searched for that marker. So a crash, a lost
//! answer or a retried request never posts twice, and nothing is lost.

use super::github::{GitHub, PostError, PostTarget, Posted};
use crate::model::{short_sha, Delivery, LedgerKind, OutboxEntry};
use crate::store::Store;

/// The hidden marker that identifies an action's post.
pub fn marker(kind: LedgerKind, uid: &str, sha: &str) -> String {
    format!("<!-- rearview:{} id={} sha={sha} -->", kind.as_str(), uuid_text(uid))
}

/// The kind of rearview marker a posted body carries, if any.
pub fn marker_kind(body: &str) -> Option<LedgerKind> {
    [LedgerKind::Approval, LedgerKind::Concern]
        .into_iter()
        .find(|kind| body.contains(&format!("<!-- rearview:{} id=", kind.as_str())))
}

/// 32 hex digits as a UUID (8-4-4-4-12).
fn uuid_text(uid: &str) -> String {
    if uid.len() != 32 || !uid.is_ascii() {
        return uid.to_string();
    }
    format!("{}-{}-{}-{}-{}", &uid[..8], &uid[8..12], &uid[12..16], &uid[16..20], &uid[20..])
}

/// Exactly what is posted for an action.
pub fn body(kind: LedgerKind, sha: &str, note: &str, uid: &str) -> String {
    let heading = match kind {
        LedgerKind::Approval => format!("Reviewed after merge ({}): approved.", short_sha(sha)),
        LedgerKind::Concern => format!("### Concern raised after merge\n\nOn {}:", short_sha(sha)),
    };
    let mut text = heading;
    if !note.trim().is_empty() {
        text.push_str("\n\n");
        text.push_str(note.trim_end());
    }
    text.push_str("\n\n");
    text.push_str(&marker(kind, uid, sha));
    text
}

/// Where an entry goes: a review on its pull request, else a commit comment.
pub fn target(entry: &OutboxEntry) -> PostTarget {
    match entry.pr {
        Some(pr) => PostTarget::Review {
            pr,
            event: match entry.action.kind {
                LedgerKind::Approval => "APPROVE",
                LedgerKind::Concern => "COMMENT",
            },
        },
        None => PostTarget::CommitComment { sha: entry.action.sha.clone() },
    }
}

/// What happened to one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Posted now.
    Posted { url: Option<String> },
    /// Its marker was already there (an earlier attempt landed).
    AlreadyPosted { url: Option<String> },
    /// GitHub refused it: kept as `failed` with the reason.
    Refused { reason: String },
    /// Not reachable now: kept as `pending`, tried again on the next push.
    Later { reason: String },
}

impl Outcome {
    pub fn describe(&self) -> String {
        match self {
            Outcome::Posted { url } => format!("posted {}", url.as_deref().unwrap_or("")).trim_end().to_string(),
            Outcome::AlreadyPosted { url } => {
                format!("already posted {}", url.as_deref().unwrap_or("")).trim_end().to_string()
            }
            Outcome::Refused { reason } => format!("failed: {reason}"),
            Outcome::Later { reason } => format!("not delivered yet: {reason}"),
        }
    }
}

/// Attempts per entry and push (each after a marker check).
const ATTEMPTS: u32 = 4;

/// How long a claim holds before another process may take the entry: far
/// longer than one delivery (its attempts and marker checks) takes.
pub const LEASE: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Pushes every entry not yet posted (failed ones too: a push is a retry),
/// oldest first, reporting each outcome as it happens. Each entry is
/// claimed before it is sent, so an entry another process is sending is
/// left to it; each is tried once per push.
pub async fn push(
    github: &GitHub,
    store: &mut Store,
    report: &mut dyn FnMut(&OutboxEntry, &Outcome),
) -> Result<Vec<(OutboxEntry, Outcome)>, crate::store::StoreError> {
    let owner = crate::store::process_owner();
    let mut done = Vec::new();
    let mut tried = Vec::new();
    while let Some(entry) = store.claim_next(owner, LEASE, &tried)? {
        tried.push(entry.action.id);
        let id = entry.action.id;
        let mut renew = || store.renew_claim(id, owner, LEASE).unwrap_or(false);
        let outcome = deliver(github, &entry, &mut renew).await;
        // A claim lost to an expired lease leaves the outcome to the new
        // owner, which checks for the marker first.
        match &outcome {
            Outcome::Posted { url } | Outcome::AlreadyPosted { url } => {
                store.finish_claim(id, owner, Delivery::Posted, url.as_deref())?
            }
            Outcome::Refused { reason } => store.finish_claim(id, owner, Delivery::Failed, Some(reason))?,
            Outcome::Later { reason } => store.finish_claim(id, owner, Delivery::Pending, Some(reason))?,
        };
        report(&entry, &outcome);
        done.push((entry, outcome));
    }
    Ok(done)
}

/// One entry: look for the marker, post, and on a transient failure look
/// again before the next attempt. `renew` extends the sender's claim before
/// each retry (a retry may wait long for a rate limit); when it says the
/// claim is lost, another process owns the entry and this one stops.
pub async fn deliver(github: &GitHub, entry: &OutboxEntry, renew: &mut dyn FnMut() -> bool) -> Outcome {
    let target = target(entry);
    let action = &entry.action;
    let marker = marker(action.kind, &action.uid, &action.sha);
    let text = body(action.kind, &action.sha, &action.body, &action.uid);
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        if attempt > 1 && !renew() {
            return Outcome::Later { reason: format!("{last}; another rearview process took it over") };
        }
        match github.posted(&target).await {
            Ok(posts) => {
                if let Some(found) = find(&posts, &marker) {
                    return Outcome::AlreadyPosted { url: found.html_url.clone() };
                }
            }
            Err(e) => return refusal_of_listing(e, entry),
        }
        match github.post(&target, &text).await {
            Ok(posted) => return Outcome::Posted { url: posted.html_url },
            Err(PostError::Refused { status, message }) => {
                return Outcome::Refused { reason: explain(status, &message, entry, github) }
            }
            Err(PostError::Transient(reason)) => {
                last = reason;
                if attempt < ATTEMPTS {
                    github.pause_before_retry(attempt, &last).await;
                }
            }
        }
    }
    Outcome::Later { reason: last }
}

fn find<'a>(posts: &'a [Posted], marker: &str) -> Option<&'a Posted> {
    posts.iter().find(|p| p.body.as_deref().is_some_and(|b| b.contains(marker)))
}

/// A listing that failed: refusals are final, the rest waits.
fn refusal_of_listing(e: super::ForgeError, entry: &OutboxEntry) -> Outcome {
    use super::ForgeError::*;
    match e {
        Unauthorized { .. } => Outcome::Refused {
            reason: "the token was refused (401): set a valid GITHUB_TOKEN or GH_TOKEN, or run `gh auth login`".into(),
        },
        NotFound { .. } => Outcome::Refused { reason: format!("{} is gone or not visible (404)", where_to(entry)) },
        Forbidden { message, .. } => {
            Outcome::Refused { reason: format!("no permission to read {} (403): {message}", where_to(entry)) }
        }
        other => Outcome::Later { reason: other.to_string() },
    }
}

fn where_to(entry: &OutboxEntry) -> String {
    match entry.pr {
        Some(pr) => format!("pull request #{pr}"),
        None => format!("commit {}", short_sha(&entry.action.sha)),
    }
}

/// GitHub's refusal in words that say what to do.
fn explain(status: u16, message: &str, entry: &OutboxEntry, github: &GitHub) -> String {
    let lower = message.to_ascii_lowercase();
    match status {
        422 if lower.contains("own pull request") => format!(
            "GitHub does not let you approve your own pull request ({}): raise a concern or leave a comment instead",
            where_to(entry)
        ),
        401 => "the token was refused (401): set a valid GITHUB_TOKEN or GH_TOKEN, or run `gh auth login`".into(),
        403 => format!("no permission to post on {} (403): {message}", github.repo()),
        404 => format!("{} is gone or not visible to this token (404)", where_to(entry)),
        _ => format!("GitHub refused it ({status}): {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_ends_with_a_marker_naming_the_action_and_the_commit() {
        let uid = "0123456789abcdef0123456789abcdef";
        let text = body(LedgerKind::Concern, "a1b2c3d4e5f6a7b8c9d0", "  the drift adds a call\n", uid);
        assert!(text.starts_with("### Concern raised after merge"));
        assert!(text.contains("the drift adds a call"));
        assert!(text
            .ends_with("<!-- rearview:concern id=01234567-89ab-cdef-0123-456789abcdef sha=a1b2c3d4e5f6a7b8c9d0 -->"));
        let plain = body(LedgerKind::Approval, "a1b2c3d4e5f6a7b8c9d0", "", uid);
        assert_eq!(plain.lines().count(), 3, "heading, blank line, marker: {plain}");
    }
}
