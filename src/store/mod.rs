//! The local SQLite store: forge metadata cache, sync watermarks, the
//! approval ledger and outbox, and caches of what git computed.
//!
//! Opening never damages a file: a corrupt database or one written by a
//! newer rearview is refused before anything is written to it.

mod schema;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{
    Approval, Delivery, FileChange, ForgeData, LedgerKind, OutboxEntry, PullRequest, Review, ReviewState,
};

pub use schema::LATEST as SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the store directory {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot open the store {path}: {source} (check permissions or pass --db PATH)")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("{path} is not a rearview database (corrupt or another kind of file); it was left untouched: move it aside or pass --db PATH")]
    NotADatabase { path: PathBuf },
    #[error("the store {path} has schema version {found}, newer than this rearview knows ({known}): upgrade rearview or pass --db PATH")]
    Newer { path: PathBuf, found: i64, known: i64 },
    #[error("store {path}: cannot {doing}: {source}")]
    Sql { path: PathBuf, doing: String, source: rusqlite::Error },
    #[error("store {path}: cannot decode {what}: {detail}")]
    Decode { path: PathBuf, what: String, detail: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A pull request as fetched, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRecord {
    pub pr: PullRequest,
    /// `None`: the reviews did not change (or were not fetched).
    pub reviews: Option<Vec<Review>>,
    /// The reviews list's URL and validator.
    pub reviews_etag: Option<(String, String)>,
}

/// A forge account and the git identity it commits with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: String,
    pub name: String,
    pub email: String,
}

impl Store {
    /// Opens (creating when absent) the store at `path` and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let fresh = !path.exists();
        if fresh {
            create_private_file(path)?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        let mut store = Store { conn, path: path.to_path_buf() };
        // Validate before anything writes (even switching to WAL rewrites
        // the header).
        store.check_readable()?;
        store.check_not_newer()?;
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the header before anything writes: a file that is not a
    /// database fails here, untouched.
    fn check_readable(&self) -> Result<()> {
        let probe: rusqlite::Result<i64> = self.conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
        match probe {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) =>
            {
                Err(StoreError::NotADatabase { path: self.path.clone() })
            }
            Err(source) => Err(StoreError::Open { path: self.path.clone(), source }),
        }
    }

    fn configure(&self) -> Result<()> {
        self.conn
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(sql_err(&self.path, "set a busy timeout"))?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(sql_err(&self.path, "enable WAL"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Sql {
                path: self.path.clone(),
                doing: "enable WAL".into(),
                source: rusqlite::Error::InvalidQuery,
            });
        }
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
            .map_err(sql_err(&self.path, "configure the connection"))
    }

    /// The schema version recorded in the file (0 for a new file).
    pub fn schema_version(&self) -> Result<i64> {
        let has_table: Option<String> = self
            .conn
            .query_row("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql_err(&self.path, "read the schema version"))?;
        if has_table.is_none() {
            return Ok(0);
        }
        self.conn
            .query_row("SELECT coalesce(max(version), 0) FROM schema_version", [], |r| r.get(0))
            .map_err(sql_err(&self.path, "read the schema version"))
    }

    fn check_not_newer(&self) -> Result<()> {
        let found = self.schema_version()?;
        if found > schema::LATEST {
            return Err(StoreError::Newer { path: self.path.clone(), found, known: schema::LATEST });
        }
        if found == 0 {
            // Someone else's database: never add our tables to it.
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(sql_err(&self.path, "read the schema"))?;
            if tables > 0 {
                return Err(StoreError::NotADatabase { path: self.path.clone() });
            }
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let found = self.schema_version()?;
        if found >= schema::LATEST {
            return Ok(());
        }
        let sql = |doing: String| sql_err(&self.path, doing);
        let tx = self.conn.transaction().map_err(sql("start a migration".into()))?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        )
        .map_err(sql("create the schema version table".into()))?;
        for (index, migration) in schema::MIGRATIONS.iter().enumerate().skip(found as usize) {
            let version = index as i64 + 1;
            tx.execute_batch(migration).map_err(sql(format!("migrate to schema version {version}")))?;
            tx.execute("INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)", params![version, now()])
                .map_err(sql(format!("record schema version {version}")))?;
        }
        tx.commit().map_err(sql("commit the migration".into()))
    }

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
        tx.commit().map_err(sql_err(&self.path, "commit the sync watermark"))
    }

    /// Forgets every validator and watermark (`sync --full`).
    pub fn forget_sync_state(&mut self) -> Result<()> {
        self.conn
            .execute_batch("DELETE FROM etags; DELETE FROM sync_watermarks; DELETE FROM commit_pull_checks;")
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

    /// Records an approval or concern, and queues it in the outbox, in one
    /// transaction: once this returns, the record survives any crash.
    pub fn record(
        &mut self,
        sha: &str,
        pr: Option<u64>,
        kind: LedgerKind,
        reviewer: &str,
        body: &str,
    ) -> Result<Approval> {
        let created_at = now();
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        // SQLite's randomblob draws from the OS: the marker id is unguessable.
        let uid: String = tx
            .query_row(
                "INSERT INTO ledger (sha, pr, kind, reviewer, body, created_at, uid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, lower(hex(randomblob(16)))) RETURNING uid",
                params![sha, pr.map(|n| n as i64), kind.as_str(), reviewer, body, created_at],
                |r| r.get(0),
            )
            .map_err(sql_err(&self.path, "write the ledger"))?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO outbox (ledger_id, state, updated_at) VALUES (?1, 'pending', ?2)",
            params![id, created_at],
        )
        .map_err(sql_err(&self.path, "queue in the outbox"))?;
        tx.commit().map_err(sql_err(&self.path, "commit the ledger entry"))?;
        Ok(Approval {
            id,
            uid,
            sha: sha.to_string(),
            kind,
            reviewer: reviewer.to_string(),
            body: body.to_string(),
            created_at,
        })
    }

    /// Ledger entries for the given commits, oldest first.
    pub fn ledger(&self, shas: &[String]) -> Result<HashMap<String, Vec<Approval>>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, sha, kind, reviewer, body, created_at, coalesce(uid, '') FROM ledger
                 WHERE sha = ?1 ORDER BY created_at, id",
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
                    ))
                })
                .map_err(sql_err(&self.path, "read the ledger"))?;
            for row in rows {
                let (id, sha, kind, reviewer, body, created_at, uid) =
                    row.map_err(sql_err(&self.path, "read the ledger"))?;
                let Some(kind) = LedgerKind::parse(&kind) else { continue };
                out.entry(sha.clone()).or_default().push(Approval { id, uid, sha, kind, reviewer, body, created_at });
            }
        }
        Ok(out)
    }

    /// Every ledger entry with its delivery state, oldest first; `all`
    /// includes the ones already posted.
    pub fn outbox(&self, all: bool) -> Result<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT l.id, coalesce(l.uid, ''), l.sha, l.pr, l.kind, l.reviewer, l.body, l.created_at,
                    o.state, o.attempts, o.last_error, o.remote_url, o.updated_at
             FROM ledger l JOIN outbox o ON o.ledger_id = l.id {}
             ORDER BY l.created_at, l.id",
            if all { "" } else { "WHERE o.state != 'posted'" }
        );
        let mut stmt = self.conn.prepare(&sql).map_err(sql_err(&self.path, "prepare an outbox read"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    (r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<i64>>(3)?),
                    (r.get::<_, String>(4)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?, r.get::<_, i64>(7)?),
                    (r.get::<_, String>(8)?, r.get::<_, i64>(9)?, r.get::<_, Option<String>>(10)?),
                    (r.get::<_, Option<String>>(11)?, r.get::<_, i64>(12)?),
                ))
            })
            .map_err(sql_err(&self.path, "read the outbox"))?;
        let mut out = Vec::new();
        for row in rows {
            let (
                (id, uid, sha, pr),
                (kind, reviewer, body, created_at),
                (state, attempts, last_error),
                (url, updated_at),
            ) = row.map_err(sql_err(&self.path, "read the outbox"))?;
            let (Some(kind), Some(state)) = (LedgerKind::parse(&kind), Delivery::parse(&state)) else { continue };
            out.push(OutboxEntry {
                action: Approval { id, uid, sha, kind, reviewer, body, created_at },
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

    /// Moves an outbox entry on: `posting` counts an attempt; `posted`
    /// keeps the URL; `pending` and `failed` keep the reason.
    pub fn set_delivery(&mut self, id: i64, state: Delivery, detail: Option<&str>) -> Result<()> {
        let sql = match state {
            Delivery::Posting => {
                "UPDATE outbox SET state = 'posting', attempts = attempts + 1, updated_at = ?2 WHERE ledger_id = ?1"
            }
            Delivery::Posted => {
                "UPDATE outbox SET state = 'posted', remote_url = ?3, last_error = NULL, updated_at = ?2
                 WHERE ledger_id = ?1"
            }
            Delivery::Pending => {
                "UPDATE outbox SET state = 'pending', last_error = ?3, updated_at = ?2 WHERE ledger_id = ?1"
            }
            Delivery::Failed => {
                "UPDATE outbox SET state = 'failed', last_error = ?3, updated_at = ?2 WHERE ledger_id = ?1"
            }
        };
        let params = params![id, now(), detail];
        let changed = match state {
            Delivery::Posting => self.conn.execute(sql, params![id, now()]),
            _ => self.conn.execute(sql, params),
        }
        .map_err(sql_err(&self.path, "update the outbox"))?;
        if changed == 0 {
            return Err(StoreError::Sql {
                path: self.path.clone(),
                doing: format!("update outbox entry {id} (it does not exist)"),
                source: rusqlite::Error::QueryReturnedNoRows,
            });
        }
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

    /// Cached file lists of the given commits (absent when never computed).
    pub fn cached_files(&self, shas: &[String]) -> Result<HashMap<String, Vec<FileChange>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT files FROM commit_cache WHERE sha = ?1 AND files IS NOT NULL")
            .map_err(sql_err(&self.path, "prepare a cache read"))?;
        let mut out = HashMap::new();
        for sha in shas {
            let json: Option<String> =
                stmt.query_row([sha], |r| r.get(0)).optional().map_err(sql_err(&self.path, "read the cache"))?;
            // A cache entry that does not decode is recomputed, not trusted.
            if let Some(files) = json.and_then(|j| serde_json::from_str(&j).ok()) {
                out.insert(sha.clone(), files);
            }
        }
        Ok(out)
    }

    pub fn cache_files(&mut self, files: &HashMap<String, Vec<FileChange>>) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        for (sha, list) in files {
            let json = serde_json::to_string(list).map_err(|e| StoreError::Decode {
                path: self.path.clone(),
                what: format!("the files of {sha}"),
                detail: e.to_string(),
            })?;
            tx.execute(
                "INSERT INTO commit_cache (sha, files) VALUES (?1, ?2) ON CONFLICT (sha) DO UPDATE SET files = excluded.files",
                params![sha, json],
            )
            .map_err(sql_err(&self.path, "write the cache"))?;
        }
        tx.commit().map_err(sql_err(&self.path, "commit the cache"))
    }

    pub fn cached_patch_ids(&self, shas: &[String]) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT patch_id FROM commit_cache WHERE sha = ?1 AND patch_id IS NOT NULL")
            .map_err(sql_err(&self.path, "prepare a cache read"))?;
        let mut out = HashMap::new();
        for sha in shas {
            let id: Option<String> =
                stmt.query_row([sha], |r| r.get(0)).optional().map_err(sql_err(&self.path, "read the cache"))?;
            if let Some(id) = id {
                out.insert(sha.clone(), id);
            }
        }
        Ok(out)
    }

    pub fn cache_patch_ids(&mut self, ids: &HashMap<String, String>) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        for (sha, id) in ids {
            tx.execute(
                "INSERT INTO commit_cache (sha, patch_id) VALUES (?1, ?2)
                 ON CONFLICT (sha) DO UPDATE SET patch_id = excluded.patch_id",
                params![sha, id],
            )
            .map_err(sql_err(&self.path, "write the cache"))?;
        }
        tx.commit().map_err(sql_err(&self.path, "commit the cache"))
    }

    /// Cached content scans of the given commits (absent when never made).
    pub fn cached_scans(&self, shas: &[String]) -> Result<HashMap<String, crate::model::ContentScan>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT scan FROM commit_cache WHERE sha = ?1 AND scan IS NOT NULL")
            .map_err(sql_err(&self.path, "prepare a cache read"))?;
        let mut out = HashMap::new();
        for sha in shas {
            let json: Option<String> =
                stmt.query_row([sha], |r| r.get(0)).optional().map_err(sql_err(&self.path, "read the cache"))?;
            // A scan this build cannot read is made again.
            if let Some(scan) = json.and_then(|j| serde_json::from_str(&j).ok()) {
                out.insert(sha.clone(), scan);
            }
        }
        Ok(out)
    }

    pub fn cache_scans(&mut self, scans: &HashMap<String, crate::model::ContentScan>) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        for (sha, scan) in scans {
            let json = serde_json::to_string(scan).unwrap_or_else(|_| "{}".into());
            tx.execute(
                "INSERT INTO commit_cache (sha, scan) VALUES (?1, ?2)
                 ON CONFLICT (sha) DO UPDATE SET scan = excluded.scan",
                params![sha, json],
            )
            .map_err(sql_err(&self.path, "write the cache"))?;
        }
        tx.commit().map_err(sql_err(&self.path, "commit the cache"))
    }

    /// The newest `updated_at` synced for a branch.
    pub fn watermark(&self, branch: &str) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT updated_at FROM sync_watermarks WHERE branch = ?1", [branch], |r| r.get(0))
            .optional()
            .map_err(sql_err(&self.path, "read a sync watermark"))
    }
}

/// Creates the store file (and its directory) readable by its owner only:
/// it will hold who approved what, and SQLite gives the WAL the same mode.
fn create_private_file(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::CreateDir { path: path.to_path_buf(), source }),
    }
}

/// Maps a SQLite error to one that names the store and what failed.
fn sql_err(path: &Path, doing: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    let doing = doing.into();
    move |source| StoreError::Sql { path, doing, source }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("sub").join("s.sqlite3")).expect("open store");
        (dir, store)
    }

    #[test]
    fn new_store_is_private_wal_and_current() {
        let (_dir, store) = temp_store();
        assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path()).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_foreign_sqlite_database_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("other.db");
        Connection::open(&path).and_then(|c| c.execute_batch("CREATE TABLE notes (x)")).expect("foreign db");
        let before = std::fs::read(&path).expect("read");
        assert!(matches!(Store::open(&path), Err(StoreError::NotADatabase { .. })));
        assert_eq!(std::fs::read(&path).expect("read"), before);
    }

    #[test]
    fn reopening_keeps_data_and_version() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.sqlite3");
        {
            let mut s = Store::open(&path).expect("open");
            s.record("abc", Some(1), LedgerKind::Approval, "rev", "looks good").expect("record");
        }
        let s = Store::open(&path).expect("reopen");
        let ledger = s.ledger(&["abc".to_string()]).expect("ledger");
        assert_eq!(ledger["abc"][0].reviewer, "rev");
        assert_eq!(s.outbox_pending().expect("outbox"), 1);
    }

    #[test]
    fn pull_requests_round_trip() {
        let (_dir, mut s) = temp_store();
        let pr = PullRequest {
            number: 42,
            title: "Fix".into(),
            author: "alice".into(),
            base_branch: "main".into(),
            labels: vec!["bug".into()],
            merge_commit_sha: Some("deadbeef".into()),
            commits: vec!["c1".into(), "c2".into()],
            ..PullRequest::default()
        };
        let review = Review {
            id: 7,
            pr: 42,
            user: "bob".into(),
            state: ReviewState::Approved,
            commit_id: Some("c2".into()),
            submitted_at: Some(10),
            author_association: "MEMBER".into(),
            marker: None,
        };
        s.save_pull_requests(std::slice::from_ref(&pr), std::slice::from_ref(&review)).expect("save");
        let data = s.forge_data(&[], &["deadbeef".to_string()]).expect("load");
        assert_eq!(data.commit_pulls["deadbeef"], 42);
        assert_eq!(data.pull_requests[&42], pr);
        assert_eq!(data.reviews[&42], vec![review]);
    }
}
