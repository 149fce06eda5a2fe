//! The schema, as forward migrations. Version N is the N-th entry; a
//! migration is never edited once released, only followed by another.

pub const MIGRATIONS: &[&str] = &[
    // 1: forge metadata cache, sync watermarks, ledger + outbox, git caches.
    r#"
CREATE TABLE users (
    login TEXT PRIMARY KEY,
    name  TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT ''
);
CREATE INDEX users_by_email ON users (email COLLATE NOCASE);

CREATE TABLE pull_requests (
    number             INTEGER PRIMARY KEY,
    title              TEXT NOT NULL,
    body               TEXT NOT NULL DEFAULT '',
    author             TEXT NOT NULL,
    author_association TEXT NOT NULL DEFAULT '',
    merged_by          TEXT,
    merged_at          INTEGER,
    merge_commit_sha   TEXT,
    head_sha           TEXT,
    base_branch        TEXT NOT NULL,
    labels             TEXT NOT NULL DEFAULT '[]',
    updated_at         INTEGER
);
CREATE INDEX pull_requests_by_merge_sha ON pull_requests (merge_commit_sha);

CREATE TABLE pr_commits (
    pr       INTEGER NOT NULL REFERENCES pull_requests (number) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sha      TEXT NOT NULL,
    PRIMARY KEY (pr, position)
) WITHOUT ROWID;

CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    pr           INTEGER NOT NULL,
    user         TEXT NOT NULL,
    state        TEXT NOT NULL,
    commit_id    TEXT,
    submitted_at INTEGER
);
CREATE INDEX reviews_by_pr ON reviews (pr);

CREATE TABLE commit_pulls (
    sha TEXT NOT NULL,
    pr  INTEGER NOT NULL,
    PRIMARY KEY (sha, pr)
) WITHOUT ROWID;

CREATE TABLE sync_watermarks (
    branch     TEXT PRIMARY KEY,
    updated_at INTEGER NOT NULL,
    synced_at  INTEGER NOT NULL
);

CREATE TABLE ledger (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    sha        TEXT NOT NULL,
    pr         INTEGER,
    kind       TEXT NOT NULL CHECK (kind IN ('approval', 'concern')),
    reviewer   TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ledger_by_sha ON ledger (sha);

CREATE TABLE outbox (
    ledger_id  INTEGER PRIMARY KEY REFERENCES ledger (id),
    state      TEXT NOT NULL CHECK (state IN ('pending', 'posting', 'posted', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    remote_url TEXT,
    updated_at INTEGER NOT NULL
);

CREATE TABLE commit_cache (
    sha      TEXT PRIMARY KEY,
    files    TEXT,
    patch_id TEXT
) WITHOUT ROWID;
"#,
    // 2: GitHub sync: reviewer standing, conditional requests, commit links checked.
    r#"
ALTER TABLE reviews ADD COLUMN author_association TEXT NOT NULL DEFAULT '';

CREATE TABLE etags (
    url  TEXT PRIMARY KEY,
    etag TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE commit_pull_checks (
    sha        TEXT PRIMARY KEY,
    checked_at INTEGER NOT NULL
) WITHOUT ROWID;
"#,
    // 3: each ledger entry's marker id, so a retry finds its own post.
    r#"
ALTER TABLE ledger ADD COLUMN uid TEXT;
UPDATE ledger SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
CREATE UNIQUE INDEX ledger_by_uid ON ledger (uid);
"#,
    // 4: reviews posted by rearview (anyone's): approval or concern.
    r#"
ALTER TABLE reviews ADD COLUMN marker TEXT;
"#,
    // 5: what each commit's content holds, for the risk signals.
    r#"
ALTER TABLE commit_cache ADD COLUMN scan TEXT;
"#,
    // 6: concurrent processes on one store. A sender claims an outbox entry
    // (owner, lease) before posting it; one approval per reviewer and change.
    // Duplicates recorded before this rule: the unposted ones are dropped
    // (the approval that stands is posted for them), the posted ones kept as
    // history, marked with the approval that stands.
    r#"
ALTER TABLE outbox ADD COLUMN owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
ALTER TABLE ledger ADD COLUMN duplicate_of INTEGER;
UPDATE ledger SET duplicate_of = (
    SELECT k.id FROM ledger k LEFT JOIN outbox ko ON ko.ledger_id = k.id
    WHERE k.kind = 'approval' AND k.sha = ledger.sha AND lower(k.reviewer) = lower(ledger.reviewer)
    ORDER BY coalesce(ko.state = 'posted', 0) DESC, k.id LIMIT 1
) WHERE kind = 'approval';
UPDATE ledger SET duplicate_of = NULL WHERE duplicate_of = id;
DELETE FROM outbox WHERE state != 'posted'
    AND ledger_id IN (SELECT id FROM ledger WHERE duplicate_of IS NOT NULL);
DELETE FROM ledger WHERE duplicate_of IS NOT NULL AND id NOT IN (SELECT ledger_id FROM outbox);
CREATE UNIQUE INDEX ledger_one_approval ON ledger (sha, lower(reviewer))
    WHERE kind = 'approval' AND duplicate_of IS NULL;
"#,
    // 7: independence: the reviewer's git email beside each ledger entry,
    // and the GitHub login each token acts as (asked once).
    r#"
ALTER TABLE ledger ADD COLUMN reviewer_email TEXT NOT NULL DEFAULT '';

CREATE TABLE token_logins (
    token_key  TEXT PRIMARY KEY,
    login      TEXT NOT NULL,
    checked_at INTEGER NOT NULL
) WITHOUT ROWID;
"#,
    // 8: each author's commit times over the whole history behind the
    // branches examined, and the tips they were read from (extended, not
    // re-read, when the tips move on).
    r#"
CREATE TABLE author_history (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    tips  TEXT NOT NULL,
    times TEXT NOT NULL
);
"#,
    // 9: each blob's whole scan for its hex view (size, type, entropy,
    // payload findings) as JSON, with the scanner's version: a second page
    // of the same blob reads only the page.
    r#"
CREATE TABLE blob_scans (
    blob    TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    facts   TEXT NOT NULL
) WITHOUT ROWID;
"#,
    // 10: where an interrupted GraphQL listing of a branch stopped: the
    // cursor after the last page saved, and the newest update seen when
    // the listing began (the watermark the branch gets once it is done).
    r#"
CREATE TABLE sync_resume (
    branch     TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    newest     INTEGER,
    saved_at   INTEGER NOT NULL
) WITHOUT ROWID;
"#,
    // 11: who GitHub says may push (the collaborators API, when the token
    // may read it), replaced whole at each sync, and when it was read.
    r#"
CREATE TABLE collaborators (
    login TEXT PRIMARY KEY,
    role  TEXT NOT NULL,
    push  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE collaborators_read (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    read_at INTEGER NOT NULL
);
"#,
    // 12: patch-ids now come from rearview's own diff, a binary file's
    // from its blob ids: ids kept from libgit2's are dropped, never
    // compared with new ones.
    r#"
UPDATE commit_cache SET patch_id = NULL;
"#,
];

/// The newest schema version this build knows.
pub const LATEST: i64 = MIGRATIONS.len() as i64;
