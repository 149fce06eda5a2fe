//! Claims on outbox entries, so that two processes on one store (the TUI's
//! background push beside `rearview outbox --push`, or several `approve`s)
//! never send the same action: a sender takes an entry inside `BEGIN
//! IMMEDIATE`, as its owner until a lease expires, and only the owner writes
//! the outcome. A process that dies leaves a lease that expires; one that
//! died on this machine is seen as gone at once.

use std::sync::OnceLock;
use std::time::Duration;

use rusqlite::{params, TransactionBehavior};

use super::{now, sql_err, Result, Store};
use crate::model::{Delivery, OutboxEntry};

/// This process's claim owner: `HOST/PID/RANDOM`, the same for every claim
/// it makes (the random part tells it from an earlier process with its pid).
pub fn process_owner() -> &'static str {
    static OWNER: OnceLock<String> = OnceLock::new();
    OWNER.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        // RandomState is seeded from the OS per process.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
        );
        format!("{}/{}/{:016x}", host(), std::process::id(), hasher.finish())
    })
}

/// This machine's name where the system says it (Linux), else empty: then
/// only a lease's expiry frees another process's claim.
fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_default()
}

/// Whether `owner` is a process of this machine that no longer runs.
fn owner_gone(owner: &str) -> bool {
    let mut parts = owner.splitn(3, '/');
    let (Some(host_name), Some(pid), Some(_)) = (parts.next(), parts.next(), parts.next()) else { return false };
    if host_name.is_empty() || host_name != host() {
        return false;
    }
    if owner == process_owner() {
        return false;
    }
    if pid == std::process::id().to_string() {
        // Our pid, another random part: an earlier process that had it.
        return true;
    }
    !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && !std::path::Path::new("/proc").join(pid).exists()
        && std::path::Path::new("/proc/self").exists()
}

/// Whether an entry in `state` may be taken now.
fn claimable(state: &str, owner: Option<&str>, lease_until: Option<i64>, now: i64) -> bool {
    match state {
        "pending" | "failed" => true,
        "posting" => lease_until.is_none_or(|until| until <= now) || owner.is_some_and(owner_gone),
        _ => false,
    }
}

impl Store {
    /// Claims the oldest undelivered entry not in `skip` that no live
    /// process holds: it becomes `posting`, owned by `owner` until `lease`
    /// from now, one more attempt. `None` when there is nothing to take.
    pub fn claim_next(&mut self, owner: &str, lease: Duration, skip: &[i64]) -> Result<Option<OutboxEntry>> {
        let now = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err(&self.path, "start claiming an outbox entry"))?;
        let chosen = {
            let mut stmt = tx
                .prepare(
                    "SELECT o.ledger_id, o.state, o.owner, o.lease_until FROM outbox o JOIN ledger l ON l.id = o.ledger_id
                     WHERE o.state != 'posted' ORDER BY l.created_at, l.id",
                )
                .map_err(sql_err(&self.path, "prepare an outbox claim"))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                    ))
                })
                .map_err(sql_err(&self.path, "read the outbox to claim an entry"))?;
            let mut chosen = None;
            for row in rows {
                let (id, state, holder, until) =
                    row.map_err(sql_err(&self.path, "read the outbox to claim an entry"))?;
                if !skip.contains(&id) && claimable(&state, holder.as_deref(), until, now) {
                    chosen = Some(id);
                    break;
                }
            }
            chosen
        };
        let Some(id) = chosen else { return Ok(None) };
        let until = now.saturating_add(i64::try_from(lease.as_secs()).unwrap_or(i64::MAX));
        tx.execute(
            "UPDATE outbox SET state = 'posting', owner = ?2, lease_until = ?3, attempts = attempts + 1, updated_at = ?4
             WHERE ledger_id = ?1",
            params![id, owner, until, now],
        )
        .map_err(sql_err(&self.path, "claim an outbox entry"))?;
        tx.commit().map_err(sql_err(&self.path, "commit an outbox claim"))?;
        self.outbox_entry(id)
    }

    /// Writes what happened to a claimed entry, if `owner` still holds it:
    /// `posted` keeps the URL, `pending` and `failed` keep the reason. False
    /// when the claim was lost (its lease expired and another process took
    /// it: that one checks for the marker before posting).
    pub fn finish_claim(&mut self, id: i64, owner: &str, state: Delivery, detail: Option<&str>) -> Result<bool> {
        let sql = match state {
            Delivery::Posted => {
                "UPDATE outbox SET state = 'posted', remote_url = ?3, last_error = NULL, updated_at = ?2,
                 owner = NULL, lease_until = NULL WHERE ledger_id = ?1 AND owner = ?4 AND state = 'posting'"
            }
            Delivery::Pending | Delivery::Failed | Delivery::Posting => {
                "UPDATE outbox SET state = ?5, last_error = ?3, updated_at = ?2,
                 owner = NULL, lease_until = NULL WHERE ledger_id = ?1 AND owner = ?4 AND state = 'posting'"
            }
        };
        let changed = if state == Delivery::Posted {
            self.conn.execute(sql, params![id, now(), detail, owner])
        } else {
            self.conn.execute(sql, params![id, now(), detail, owner, state.as_str()])
        }
        .map_err(sql_err(&self.path, format!("write the outcome of outbox entry {id}")))?;
        Ok(changed > 0)
    }

    /// Extends `owner`'s claim on an entry to `lease` from now; false when
    /// it no longer holds it.
    pub fn renew_claim(&mut self, id: i64, owner: &str, lease: Duration) -> Result<bool> {
        let until = now().saturating_add(i64::try_from(lease.as_secs()).unwrap_or(i64::MAX));
        self.conn
            .execute(
                "UPDATE outbox SET lease_until = ?3 WHERE ledger_id = ?1 AND owner = ?2 AND state = 'posting'",
                params![id, owner, until],
            )
            .map(|changed| changed > 0)
            .map_err(sql_err(&self.path, format!("renew the claim on outbox entry {id}")))
    }

    /// Marks every undelivered entry no live process holds as waiting for
    /// `reason`; returns how many entries are undelivered.
    pub fn hold_outbox(&mut self, reason: &str) -> Result<usize> {
        let now = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err(&self.path, "start holding the outbox"))?;
        let entries: Vec<(i64, String, Option<String>, Option<i64>)> = {
            let mut stmt = tx
                .prepare("SELECT ledger_id, state, owner, lease_until FROM outbox WHERE state != 'posted'")
                .map_err(sql_err(&self.path, "prepare an outbox read"))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map_err(sql_err(&self.path, "read the outbox"))?;
            rows.collect::<rusqlite::Result<_>>().map_err(sql_err(&self.path, "read the outbox"))?
        };
        for (id, state, holder, until) in &entries {
            if claimable(state, holder.as_deref(), *until, now) {
                tx.execute(
                    "UPDATE outbox SET state = 'pending', last_error = ?2, updated_at = ?3, owner = NULL,
                     lease_until = NULL WHERE ledger_id = ?1",
                    params![id, reason, now],
                )
                .map_err(sql_err(&self.path, "mark an outbox entry as waiting"))?;
            }
        }
        tx.commit().map_err(sql_err(&self.path, "commit the held outbox"))?;
        Ok(entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LedgerKind;

    const LEASE: Duration = Duration::from_secs(300);

    fn store_with_one_action() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(&dir.path().join("s.sqlite3")).expect("open store");
        let (action, fresh) = store.record("abc", Some(1), LedgerKind::Approval, "rev", "", "").expect("record");
        assert!(fresh);
        (dir, store, action.id)
    }

    #[test]
    fn a_live_claim_cannot_be_taken_and_an_expired_one_can() {
        let (_dir, mut store, id) = store_with_one_action();
        // Another machine's process: only its lease frees the entry.
        let other = "elsewhere/1/00";
        let claimed = store.claim_next(other, LEASE, &[]).expect("claim").expect("an entry");
        assert_eq!((claimed.action.id, claimed.state, claimed.attempts), (id, Delivery::Posting, 1));
        assert!(store.claim_next("me/2/00", LEASE, &[]).expect("claim").is_none(), "held by a live lease");
        assert!(!store.finish_claim(id, "me/2/00", Delivery::Posted, None).expect("finish"), "not the owner");
        assert!(!store.renew_claim(id, "me/2/00", LEASE).expect("renew"), "not the owner");
        assert!(store.renew_claim(id, other, LEASE).expect("renew"));

        store.conn.execute("UPDATE outbox SET lease_until = ?1", [now() - 1]).expect("expire the lease");
        let taken = store.claim_next("me/2/00", LEASE, &[]).expect("claim").expect("the expired one");
        assert_eq!((taken.action.id, taken.attempts), (id, 2));
        assert!(!store.finish_claim(id, other, Delivery::Posted, None).expect("finish"), "the old owner lost it");
        assert!(!store.renew_claim(id, other, LEASE).expect("renew"), "and cannot renew it");
        assert!(store.finish_claim(id, "me/2/00", Delivery::Posted, Some("https://x")).expect("finish"));
        assert!(store.claim_next("me/2/00", LEASE, &[]).expect("claim").is_none(), "posted: nothing left");
    }

    #[test]
    fn a_claim_of_a_process_gone_from_this_machine_is_taken_at_once() {
        let (_dir, mut store, id) = store_with_one_action();
        // Our own pid with another random part: an earlier process, dead.
        let dead = format!("{}/{}/ffff", host(), std::process::id());
        store.claim_next(&dead, LEASE, &[]).expect("claim").expect("an entry");
        let reclaimed = store.claim_next(process_owner(), LEASE, &[]).expect("claim");
        if host().is_empty() {
            assert!(reclaimed.is_none(), "no machine name: only the lease frees it");
        } else {
            assert_eq!(reclaimed.map(|e| e.action.id), Some(id));
            assert!(store.claim_next("x/1/1", LEASE, &[]).expect("claim").is_none(), "we are alive");
        }
    }

    #[test]
    fn skipped_and_held_entries() {
        let (_dir, mut store, id) = store_with_one_action();
        assert!(store.claim_next("a/1/1", LEASE, &[id]).expect("claim").is_none(), "skipped");
        store.claim_next("elsewhere/1/1", LEASE, &[]).expect("claim").expect("an entry");
        assert_eq!(store.hold_outbox("offline").expect("hold"), 1);
        let entry = store.outbox(false).expect("outbox").remove(0);
        assert_eq!(entry.state, Delivery::Posting, "a live claim is not reset by another process");
    }

    #[test]
    fn approving_twice_returns_the_first_approval() {
        let (_dir, mut store, id) = store_with_one_action();
        let (again, fresh) = store.record("abc", Some(1), LedgerKind::Approval, "REV", "", "more").expect("record");
        assert!(!fresh);
        assert_eq!(again.id, id);
        let (concern, fresh) = store.record("abc", Some(1), LedgerKind::Concern, "rev", "", "hm").expect("record");
        assert!(fresh && concern.id != id, "concerns are not deduplicated");
        assert_eq!(store.outbox(true).expect("outbox").len(), 2);
    }
}
