//! The local SQLite store: forge metadata cache, sync watermarks, the
//! approval ledger and outbox, and caches of what git computed.
//!
//! Opening never damages a file: a corrupt database or one written by a
//! newer rearview is refused before anything is written to it.

mod cache;
mod claim;
mod forge_cache;
mod ledger;
mod people;
mod schema;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{PullRequest, Review};
use crate::paths;

pub use claim::process_owner;
pub use schema::LATEST as SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the store directory {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error(
        "the store {path} is {kind}, not a regular file: pass --db PATH naming a file (or a new one in a directory)"
    )]
    NotAFile { path: PathBuf, kind: &'static str },
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
        // SQLite would open a device or a FIFO and leave a world-writable
        // journal beside it (`/dev/null-journal`): only files are stores.
        if let Ok(meta) = std::fs::metadata(path) {
            if !meta.is_file() {
                return Err(StoreError::NotAFile { path: path.to_path_buf(), kind: file_kind(&meta.file_type()) });
            }
        }
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
}

/// Creates the store file (and its directory) readable by its owner only:
/// it will hold who approved what, and SQLite gives the WAL the same mode.
fn create_private_file(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        paths::create_private_dir(dir).map_err(|source| StoreError::CreateDir { path: dir.to_path_buf(), source })?;
    }
    match paths::open_private(path, std::fs::OpenOptions::new().write(true).create_new(true)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::CreateDir { path: path.to_path_buf(), source }),
    }
}

/// What a path that is not a regular file is, as a person names it.
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a file"
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
    use crate::model::{LedgerKind, ReviewState};

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
            s.record("abc", Some(1), LedgerKind::Approval, "rev", "", "looks good").expect("record");
        }
        let s = Store::open(&path).expect("reopen");
        let ledger = s.ledger(&["abc".to_string()]).expect("ledger");
        assert_eq!(ledger["abc"][0].reviewer, "rev");
        assert_eq!(s.outbox_pending().expect("outbox"), 1);
    }

    #[test]
    fn duplicate_approvals_from_before_the_uniqueness_rule_migrate_to_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.sqlite3");
        {
            // A store at version 5 where three processes approved at once:
            // the second copy was posted, the others not.
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
            )
            .expect("version table");
            for (i, m) in schema::MIGRATIONS.iter().take(5).enumerate() {
                conn.execute_batch(m).expect("old migration");
                conn.execute("INSERT INTO schema_version VALUES (?1, 0)", [i as i64 + 1]).expect("version");
            }
            for (id, reviewer, state) in [(1, "rev", "pending"), (2, "Rev", "posted"), (3, "rev", "failed")] {
                conn.execute(
                    "INSERT INTO ledger (id, sha, pr, kind, reviewer, body, created_at, uid)
                     VALUES (?1, 'abc', 1, 'approval', ?2, '', ?1, ?1)",
                    params![id, reviewer],
                )
                .expect("ledger");
                conn.execute(
                    "INSERT INTO outbox (ledger_id, state, updated_at) VALUES (?1, ?2, 0)",
                    params![id, state],
                )
                .expect("outbox");
            }
        }
        let mut s = Store::open(&path).expect("migrate");
        let left = s.outbox(true).expect("outbox");
        assert_eq!(left.iter().map(|e| e.action.id).collect::<Vec<_>>(), vec![2], "the posted one stands");
        let (again, fresh) = s.record("abc", Some(1), LedgerKind::Approval, "REV", "", "").expect("record");
        assert_eq!((again.id, fresh), (2, false));
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
