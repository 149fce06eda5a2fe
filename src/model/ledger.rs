//! The local ledger as the model sees it: approvals and concerns recorded
//! after the fact, and where each stands on its way to the forge.

use serde::{Deserialize, Serialize};

/// What a reviewer recorded locally about a change after the fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    Approval,
    Concern,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Approval => "approval",
            LedgerKind::Concern => "concern",
        }
    }

    pub fn parse(s: &str) -> Option<LedgerKind> {
        match s {
            "approval" => Some(LedgerKind::Approval),
            "concern" => Some(LedgerKind::Concern),
            _ => None,
        }
    }
}

/// An approval or concern in the local ledger (the outbox posts it to the forge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub id: i64,
    /// The id in the marker of what is posted (`<!-- rearview:approval id=… -->`).
    #[serde(default)]
    pub uid: String,
    pub sha: String,
    pub kind: LedgerKind,
    pub reviewer: String,
    /// The reviewer's note (the posted text adds a heading and the marker).
    pub body: String,
    pub created_at: i64,
    /// git's user.email when it was recorded: the reviewer is also matched
    /// by it against a change's authors.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reviewer_email: String,
    /// Where its outbox entry stands: a failed (refused) action is no
    /// evidence. (The outbox's JSON says it as `state`.)
    #[serde(default, skip_serializing)]
    pub delivery: Delivery,
}

/// Where an outbox entry is on its way to the forge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Waiting to be posted (never tried, or a retry is due).
    #[default]
    Pending,
    /// A push started and has not finished (or crashed: it is checked for
    /// its marker before being posted again).
    Posting,
    Posted,
    /// The forge refused it; the reason says why. Retried only on request.
    Failed,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Pending => "pending",
            Delivery::Posting => "posting",
            Delivery::Posted => "posted",
            Delivery::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Delivery> {
        Some(match s {
            "pending" => Delivery::Pending,
            "posting" => Delivery::Posting,
            "posted" => Delivery::Posted,
            "failed" => Delivery::Failed,
            _ => return None,
        })
    }
}

/// A ledger entry with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    #[serde(flatten)]
    pub action: Approval,
    /// The pull request it goes to (none: a commit comment).
    pub pr: Option<u64>,
    pub state: Delivery,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Where it landed on the forge.
    pub url: Option<String>,
    pub updated_at: i64,
}
