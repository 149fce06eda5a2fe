//! The forge's data as synced: pull requests with their reviews, commit
//! links, accounts, conditional-request validators and sync watermarks.

use rusqlite::{params, OptionalExtension};

use super::{now, sql_err, Result, Store, StoreError};
use super::{PullRecord, User};
use crate::model::{ForgeData, LedgerKind, PullRequest, Review, ReviewState};

impl Store {
    /// Writes pull requests with their reviews (the seeded demo, tests).
    pub fn save_pull_requests(&mut self, prs: &[PullRequest], reviews: &[Review]) -> Result<()> {
        let records: Vec<PullRecord> = prs
            .iter()
            .map(|pr| PullRecord {
                pr: pr.clone(),
                reviews: Some(reviews.iter().filter(|r| r.pr == pr.number).cloned().collect()),
                reviews_etag: None,
            })
            .collect();
        self.save_pulls(&records)
    }

    /// Writes fetched pull requests in one transaction: each with its
    /// reviews (replacing the old ones) when they were fetched, and the
    /// validator that lets the next sync skip them. A field the forge left
    /// out (`merged_by` from a list, the commits) keeps its stored value.
    pub fn save_pulls(&mut self, records: &[PullRecord]) -> Result<()> {
        let sql = |doing: &'static str| sql_err(&self.path, doing);
        let tx = self.conn.transaction().map_err(sql("start a transaction"))?;
        {
            let mut put_pr = tx
                .prepare_cached(
                    "INSERT INTO pull_requests (number, title, body, author, author_association, merged_by,
                        merged_at, merge_commit_sha, head_sha, base_branch, labels, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                     ON CONFLICT (number) DO UPDATE SET title = excluded.title, body = excluded.body,
                        author = excluded.author, author_association = excluded.author_association,
                        merged_by = coalesce(excluded.merged_by, pull_requests.merged_by),
                        merged_at = excluded.merged_at, merge_commit_sha = excluded.merge_commit_sha,
                        head_sha = excluded.head_sha, base_branch = excluded.base_branch,
                        labels = excluded.labels, updated_at = excluded.updated_at",
                )
                .map_err(sql("prepare a pull request write"))?;
            let mut clear_commits =
                tx.prepare_cached("DELETE FROM pr_commits WHERE pr = ?1").map_err(sql("prepare a commit write"))?;
            let mut put_commit = tx
                .prepare_cached("INSERT INTO pr_commits (pr, position, sha) VALUES (?1, ?2, ?3)")
                .map_err(sql("prepare a commit write"))?;
            let mut clear_reviews =
                tx.prepare_cached("DELETE FROM reviews WHERE pr = ?1").map_err(sql("prepare a review write"))?;
            let mut put_review = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO reviews
                     (id, pr, user, state, commit_id, submitted_at, author_association, marker)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(sql("prepare a review write"))?;
            let mut put_etag = tx
                .prepare_cached("INSERT OR REPLACE INTO etags (url, etag) VALUES (?1, ?2)")
                .map_err(sql("prepare a validator write"))?;
            for record in records {
                let pr = &record.pr;
                let number = pr.number as i64;
                let labels = serde_json::to_string(&pr.labels).unwrap_or_else(|_| "[]".into());
                put_pr
                    .execute(params![
                        number,
                        pr.title,
                        pr.body,
                        pr.author,
                        pr.author_association,
                        pr.merged_by,
                        pr.merged_at,
                        pr.merge_commit_sha,
                        pr.head_sha,
                        pr.base_branch,
                        labels,
                        pr.updated_at
                    ])
                    .map_err(sql("write a pull request"))?;
                if !pr.commits.is_empty() {
                    clear_commits.execute(params![number]).map_err(sql("write pull request commits"))?;
                    for (position, sha) in pr.commits.iter().enumerate() {
                        put_commit
                            .execute(params![number, position as i64, sha])
                            .map_err(sql("write pull request commits"))?;
                    }
                }
                if let Some(reviews) = &record.reviews {
                    clear_reviews.execute(params![number]).map_err(sql("write reviews"))?;
                    for r in reviews {
                        put_review
                            .execute(params![
                                r.id as i64,
                                r.pr as i64,
                                r.user,
                                r.state.as_str(),
                                r.commit_id,
                                r.submitted_at,
                                r.author_association,
                                r.marker.map(LedgerKind::as_str)
                            ])
                            .map_err(sql("write a review"))?;
                    }
                }
                if let Some((url, etag)) = &record.reviews_etag {
                    put_etag.execute(params![url, etag]).map_err(sql("write a validator"))?;
                }
            }
        }
        tx.commit().map_err(sql("commit pull requests"))
    }

    /// The validator (ETag) stored for a URL.
    pub fn etag(&self, url: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT etag FROM etags WHERE url = ?1", [url], |r| r.get(0))
            .optional()
            .map_err(sql_err(&self.path, "read a validator"))
    }

    pub fn save_etag(&mut self, url: &str, etag: &str) -> Result<()> {
        self.conn
            .execute("INSERT OR REPLACE INTO etags (url, etag) VALUES (?1, ?2)", params![url, etag])
            .map(|_| ())
            .map_err(sql_err(&self.path, "write a validator"))
    }

    /// Marks a branch synced up to `updated_at`, with its list's validator,
    /// in one transaction: an interrupted sync advances neither.
    pub fn finish_branch(&mut self, branch: &str, updated_at: Option<i64>, etag: Option<(&str, &str)>) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        if let Some(at) = updated_at {
            tx.execute(
                "INSERT INTO sync_watermarks (branch, updated_at, synced_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (branch) DO UPDATE SET updated_at = max(updated_at, excluded.updated_at),
                    synced_at = excluded.synced_at",
                params![branch, at, now()],
            )
            .map_err(sql_err(&self.path, "write a sync watermark"))?;
        }
        if let Some((url, tag)) = etag {
            tx.execute("INSERT OR REPLACE INTO etags (url, etag) VALUES (?1, ?2)", params![url, tag])
                .map_err(sql_err(&self.path, "write a validator"))?;
        }
        tx.execute("DELETE FROM sync_resume WHERE branch = ?1", [branch])
            .map_err(sql_err(&self.path, "clear where a listing stopped"))?;
        tx.commit().map_err(sql_err(&self.path, "commit the sync watermark"))
    }

    /// Where an interrupted listing of `branch` stopped: the cursor after
    /// its last saved page and the newest update it had seen.
    pub fn sync_resume(&self, branch: &str) -> Result<Option<(String, Option<i64>)>> {
        self.conn
            .query_row("SELECT cursor, newest FROM sync_resume WHERE branch = ?1", [branch], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(sql_err(&self.path, "read where a listing stopped"))
    }

    /// Records that a branch's listing is saved up to `cursor`.
    pub fn save_sync_resume(&mut self, branch: &str, cursor: &str, newest: Option<i64>) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO sync_resume (branch, cursor, newest, saved_at) VALUES (?1, ?2, ?3, ?4)",
                params![branch, cursor, newest, now()],
            )
            .map(|_| ())
            .map_err(sql_err(&self.path, "write where a listing stopped"))
    }

    /// The `updated_at` stored for a pull request (`None`: not stored).
    pub fn pull_updated_at(&self, number: u64) -> Result<Option<Option<i64>>> {
        self.conn
            .query_row("SELECT updated_at FROM pull_requests WHERE number = ?1", [number as i64], |r| r.get(0))
            .optional()
            .map_err(sql_err(&self.path, "read a pull request"))
    }

    /// Forgets every validator and watermark (`sync --full`).
    pub fn forget_sync_state(&mut self) -> Result<()> {
        self.conn
            .execute_batch(
                "DELETE FROM etags; DELETE FROM sync_watermarks; DELETE FROM commit_pull_checks; DELETE FROM sync_resume;",
            )
            .map_err(sql_err(&self.path, "reset the sync state"))
    }

    /// Whether a pull request is cached (with who merged it, if `merged_by`).
    pub fn has_pull(&self, number: u64, need_merger: bool) -> Result<bool> {
        let sql = if need_merger {
            "SELECT 1 FROM pull_requests WHERE number = ?1 AND merged_by IS NOT NULL"
        } else {
            "SELECT 1 FROM pull_requests WHERE number = ?1"
        };
        let found: Option<i64> = self
            .conn
            .query_row(sql, [number as i64], |r| r.get(0))
            .optional()
            .map_err(sql_err(&self.path, "read a pull request"))?;
        Ok(found.is_some())
    }

    /// Of the given commits, those whose pull request is unknown and that
    /// were never looked up.
    pub fn unlinked_commits(&self, shas: &[String]) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT 1 WHERE EXISTS (SELECT 1 FROM commit_pulls WHERE sha = ?1)
                    OR EXISTS (SELECT 1 FROM pull_requests WHERE merge_commit_sha = ?1)
                    OR EXISTS (SELECT 1 FROM commit_pull_checks WHERE sha = ?1)",
            )
            .map_err(sql_err(&self.path, "prepare a commit link read"))?;
        let mut out = Vec::new();
        for sha in shas {
            let known: Option<i64> =
                stmt.query_row([sha], |r| r.get(0)).optional().map_err(sql_err(&self.path, "read commit links"))?;
            if known.is_none() {
                out.push(sha.clone());
            }
        }
        Ok(out)
    }

    /// Records what the forge said about commits (no pull request is an
    /// answer too: it is not asked again).
    pub fn save_commit_links(&mut self, links: &[(String, Vec<u64>)]) -> Result<()> {
        let checked_at = now();
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        for (sha, prs) in links {
            for pr in prs {
                tx.execute("INSERT OR IGNORE INTO commit_pulls (sha, pr) VALUES (?1, ?2)", params![sha, *pr as i64])
                    .map_err(sql_err(&self.path, "link a commit"))?;
            }
            tx.execute(
                "INSERT OR REPLACE INTO commit_pull_checks (sha, checked_at) VALUES (?1, ?2)",
                params![sha, checked_at],
            )
            .map_err(sql_err(&self.path, "record a commit lookup"))?;
        }
        tx.commit().map_err(sql_err(&self.path, "commit commit links"))
    }

    pub fn save_users(&mut self, users: &[User]) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        for u in users {
            tx.execute(
                "INSERT OR REPLACE INTO users (login, name, email) VALUES (?1, ?2, ?3)",
                params![u.login, u.name, u.email],
            )
            .map_err(sql_err(&self.path, "write a user"))?;
        }
        tx.commit().map_err(sql_err(&self.path, "commit users"))
    }

    /// Loads the metadata for the given pull requests and commits.
    pub fn forge_data(&self, prs: &[u64], shas: &[String]) -> Result<ForgeData> {
        let mut data = ForgeData::default();
        let mut by_sha = self
            .conn
            .prepare_cached("SELECT pr FROM commit_pulls WHERE sha = ?1 UNION SELECT number FROM pull_requests WHERE merge_commit_sha = ?1")
            .map_err(sql_err(&self.path, "prepare commit links"))?;
        for sha in shas {
            let pr: Option<i64> =
                by_sha.query_row([sha], |r| r.get(0)).optional().map_err(sql_err(&self.path, "read commit links"))?;
            if let Some(pr) = pr {
                data.commit_pulls.insert(sha.clone(), pr as u64);
            }
        }
        let mut wanted: Vec<u64> = prs.iter().copied().chain(data.commit_pulls.values().copied()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        for number in wanted {
            if let Some(pr) = self.pull_request(number)? {
                data.reviews.insert(number, self.reviews(number)?);
                data.pull_requests.insert(number, pr);
            }
        }
        let mut users =
            self.conn.prepare_cached("SELECT login, email FROM users").map_err(sql_err(&self.path, "read users"))?;
        let rows = users
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(sql_err(&self.path, "read users"))?;
        for row in rows {
            let (login, email) = row.map_err(sql_err(&self.path, "read users"))?;
            if !email.is_empty() {
                data.logins.insert(email.to_ascii_lowercase(), login);
            }
        }
        Ok(data)
    }

    /// The commits the forge links to pull request `number` (its merge
    /// commit, and commits GitHub associates with it).
    pub fn commits_of_pull(&self, number: u64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT sha FROM commit_pulls WHERE pr = ?1 \
                 UNION SELECT merge_commit_sha FROM pull_requests WHERE number = ?1 AND merge_commit_sha IS NOT NULL",
            )
            .map_err(sql_err(&self.path, "prepare commit links"))?;
        let rows = stmt.query_map([number as i64], |r| r.get(0)).map_err(sql_err(&self.path, "read commit links"))?;
        rows.collect::<rusqlite::Result<Vec<String>>>().map_err(sql_err(&self.path, "read commit links"))
    }

    pub fn pull_request(&self, number: u64) -> Result<Option<PullRequest>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT number, title, body, author, author_association, merged_by, merged_at, merge_commit_sha,
                        head_sha, base_branch, labels, updated_at
                 FROM pull_requests WHERE number = ?1",
            )
            .map_err(sql_err(&self.path, "prepare a pull request read"))?;
        let row = stmt
            .query_row([number as i64], |r| {
                Ok((
                    PullRequest {
                        number: r.get::<_, i64>(0)? as u64,
                        title: r.get(1)?,
                        body: r.get(2)?,
                        author: r.get(3)?,
                        author_association: r.get(4)?,
                        merged_by: r.get(5)?,
                        merged_at: r.get(6)?,
                        merge_commit_sha: r.get(7)?,
                        head_sha: r.get(8)?,
                        base_branch: r.get(9)?,
                        labels: Vec::new(),
                        updated_at: r.get(11)?,
                        commits: Vec::new(),
                    },
                    r.get::<_, String>(10)?,
                ))
            })
            .optional()
            .map_err(sql_err(&self.path, "read a pull request"))?;
        let Some((mut pr, labels)) = row else { return Ok(None) };
        pr.labels = serde_json::from_str(&labels).map_err(|e| StoreError::Decode {
            path: self.path.clone(),
            what: format!("the labels of #{number}"),
            detail: e.to_string(),
        })?;
        let mut commits = self
            .conn
            .prepare_cached("SELECT sha FROM pr_commits WHERE pr = ?1 ORDER BY position")
            .map_err(sql_err(&self.path, "prepare a commit read"))?;
        let shas = commits
            .query_map([number as i64], |r| r.get(0))
            .map_err(sql_err(&self.path, "read pull request commits"))?;
        pr.commits = shas.collect::<rusqlite::Result<_>>().map_err(sql_err(&self.path, "read pull request commits"))?;
        Ok(Some(pr))
    }

    pub fn reviews(&self, pr: u64) -> Result<Vec<Review>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, pr, user, state, commit_id, submitted_at, author_association, marker FROM reviews
                 WHERE pr = ?1 ORDER BY submitted_at, id",
            )
            .map_err(sql_err(&self.path, "prepare a review read"))?;
        let rows = stmt
            .query_map([pr as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)? as u64,
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .map_err(sql_err(&self.path, "read reviews"))?;
        let mut reviews = Vec::new();
        for row in rows {
            let (id, pr, user, state, commit_id, submitted_at, author_association, marker) =
                row.map_err(sql_err(&self.path, "read reviews"))?;
            // A state this build does not know (GitHub adds some) is no approval.
            let Some(state) = ReviewState::parse(&state) else { continue };
            let marker = marker.as_deref().and_then(LedgerKind::parse);
            reviews.push(Review { id, pr, user, state, commit_id, submitted_at, author_association, marker });
        }
        Ok(reviews)
    }

    /// The newest `updated_at` synced for a branch.
    pub fn watermark(&self, branch: &str) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT updated_at FROM sync_watermarks WHERE branch = ?1", [branch], |r| r.get(0))
            .optional()
            .map_err(sql_err(&self.path, "read a sync watermark"))
    }
}
