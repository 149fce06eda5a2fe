//! The approval ledger and its outbox: every action recorded before any
//! network, and where its delivery to the forge stands.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{now, sql_err, Result, Store};
use crate::model::{Approval, Delivery, LedgerKind, OutboxEntry};

impl Store {
    /// Records an approval or concern, and queues it in the outbox, in one
    /// transaction: once this returns, the record survives any crash. An
    /// approval `reviewer` already recorded for `sha` is returned instead
    /// (with `false`): approving twice, even from two processes at once, is
    /// one approval (the store's unique index decides).
    pub fn record(
        &mut self,
        sha: &str,
        pr: Option<u64>,
        kind: LedgerKind,
        reviewer: &str,
        reviewer_email: &str,
        body: &str,
    ) -> Result<(Approval, bool)> {
        let created_at = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err(&self.path, "start a transaction"))?;
        // SQLite's randomblob draws from the OS: the marker id is unguessable.
        let inserted: Option<(i64, String)> = tx
            .query_row(
                "INSERT INTO ledger (sha, pr, kind, reviewer, body, created_at, uid, reviewer_email)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, lower(hex(randomblob(16))), ?7)
                 ON CONFLICT DO NOTHING RETURNING id, uid",
                params![sha, pr.map(|n| n as i64), kind.as_str(), reviewer, body, created_at, reviewer_email],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql_err(&self.path, "write the ledger"))?;
        let Some((id, uid)) = inserted else {
            let earlier = tx
                .query_row(
                    "SELECT l.id, coalesce(l.uid, ''), l.body, l.created_at, l.reviewer_email, o.state
                     FROM ledger l LEFT JOIN outbox o ON o.ledger_id = l.id
                     WHERE l.kind = 'approval' AND l.sha = ?1 AND lower(l.reviewer) = lower(?2)
                       AND l.duplicate_of IS NULL",
                    params![sha, reviewer],
                    |r| {
                        let state: Option<String> = r.get(5)?;
                        Ok(Approval {
                            id: r.get(0)?,
                            uid: r.get(1)?,
                            sha: sha.to_string(),
                            kind: LedgerKind::Approval,
                            reviewer: reviewer.to_string(),
                            body: r.get(2)?,
                            created_at: r.get(3)?,
                            reviewer_email: r.get(4)?,
                            delivery: state.as_deref().and_then(Delivery::parse).unwrap_or_default(),
                        })
                    },
                )
                .map_err(sql_err(&self.path, "read the earlier approval that the ledger kept instead"))?;
            tx.commit().map_err(sql_err(&self.path, "finish reading the ledger"))?;
            return Ok((earlier, false));
        };
        tx.execute(
            "INSERT INTO outbox (ledger_id, state, updated_at) VALUES (?1, 'pending', ?2)",
            params![id, created_at],
        )
        .map_err(sql_err(&self.path, "queue in the outbox"))?;
        tx.commit().map_err(sql_err(&self.path, "commit the ledger entry"))?;
        let action = Approval {
            id,
            uid,
            sha: sha.to_string(),
            kind,
            reviewer: reviewer.to_string(),
            body: body.to_string(),
            created_at,
            reviewer_email: reviewer_email.to_string(),
            delivery: Delivery::Pending,
        };
        Ok((action, true))
    }

    /// Ledger entries for the given commits, oldest first, each with its
    /// delivery state.
    pub fn ledger(&self, shas: &[String]) -> Result<HashMap<String, Vec<Approval>>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT l.id, l.sha, l.kind, l.reviewer, l.body, l.created_at, coalesce(l.uid, ''),
                        l.reviewer_email, coalesce(o.state, 'pending')
                 FROM ledger l LEFT JOIN outbox o ON o.ledger_id = l.id
                 WHERE l.sha = ?1 ORDER BY l.created_at, l.id",
            )
            .map_err(sql_err(&self.path, "prepare a ledger read"))?;
        let mut out: HashMap<String, Vec<Approval>> = HashMap::new();
        for sha in shas {
            let rows = stmt
                .query_map([sha], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, String>(6)?,
                        (r.get::<_, String>(7)?, r.get::<_, String>(8)?),
                    ))
                })
                .map_err(sql_err(&self.path, "read the ledger"))?;
            for row in rows {
                let (id, sha, kind, reviewer, body, created_at, uid, (reviewer_email, state)) =
                    row.map_err(sql_err(&self.path, "read the ledger"))?;
                let Some(kind) = LedgerKind::parse(&kind) else { continue };
                let delivery = Delivery::parse(&state).unwrap_or_default();
                let entry =
                    Approval { id, uid, sha: sha.clone(), kind, reviewer, body, created_at, reviewer_email, delivery };
                out.entry(sha).or_default().push(entry);
            }
        }
        Ok(out)
    }

    /// Every ledger entry with its delivery state, oldest first; `all`
    /// includes the ones already posted.
    pub fn outbox(&self, all: bool) -> Result<Vec<OutboxEntry>> {
        self.outbox_where(if all { "" } else { "WHERE o.state != 'posted'" }, [])
    }

    /// One ledger entry with its delivery state.
    pub(super) fn outbox_entry(&self, id: i64) -> Result<Option<OutboxEntry>> {
        Ok(self.outbox_where("WHERE l.id = ?1", [id])?.into_iter().next())
    }

    fn outbox_where(&self, filter: &str, args: impl rusqlite::Params) -> Result<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT l.id, coalesce(l.uid, ''), l.sha, l.pr, l.kind, l.reviewer, l.body, l.created_at,
                    o.state, o.attempts, o.last_error, o.remote_url, o.updated_at, l.reviewer_email
             FROM ledger l JOIN outbox o ON o.ledger_id = l.id {filter}
             ORDER BY l.created_at, l.id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(sql_err(&self.path, "prepare an outbox read"))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    (r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<i64>>(3)?),
                    (r.get::<_, String>(4)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?, r.get::<_, i64>(7)?),
                    (r.get::<_, String>(8)?, r.get::<_, i64>(9)?, r.get::<_, Option<String>>(10)?),
                    (r.get::<_, Option<String>>(11)?, r.get::<_, i64>(12)?, r.get::<_, String>(13)?),
                ))
            })
            .map_err(sql_err(&self.path, "read the outbox"))?;
        let mut out = Vec::new();
        for row in rows {
            let (
                (id, uid, sha, pr),
                (kind, reviewer, body, created_at),
                (state, attempts, last_error),
                (url, updated_at, reviewer_email),
            ) = row.map_err(sql_err(&self.path, "read the outbox"))?;
            let (Some(kind), Some(state)) = (LedgerKind::parse(&kind), Delivery::parse(&state)) else { continue };
            out.push(OutboxEntry {
                action: Approval { id, uid, sha, kind, reviewer, body, created_at, reviewer_email, delivery: state },
                pr: pr.and_then(|n| u64::try_from(n).ok()),
                state,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                last_error,
                url,
                updated_at,
            });
        }
        Ok(out)
    }

    /// The GitHub login the token known by `token_key` acts as, if asked
    /// before, and when GitHub last said so (Unix seconds).
    pub fn token_login(&self, token_key: &str) -> Result<Option<(String, i64)>> {
        self.conn
            .query_row("SELECT login, checked_at FROM token_logins WHERE token_key = ?1", [token_key], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map(Some)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })
            .map_err(sql_err(&self.path, "read the token's login"))
    }

    /// Remembers the login a token acts as (GitHub's `GET /user`).
    pub fn set_token_login(&mut self, token_key: &str, login: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO token_logins (token_key, login, checked_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (token_key) DO UPDATE SET login = excluded.login, checked_at = excluded.checked_at",
                params![token_key, login, now()],
            )
            .map_err(sql_err(&self.path, "remember the token's login"))?;
        Ok(())
    }

    /// How many ledger entries still wait to reach the forge.
    pub fn outbox_pending(&self) -> Result<usize> {
        self.conn
            .query_row("SELECT count(*) FROM outbox WHERE state IN ('pending', 'posting', 'failed')", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as usize)
            .map_err(sql_err(&self.path, "count the outbox"))
    }
}
