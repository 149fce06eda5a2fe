//! `rearview hex` keeps each blob's whole scan in the store: a second view
//! of any page reads only the page, prints what the first printed, and a
//! row that is old, corrupt or not the blob's is scanned again, never
//! trusted.

mod support;

use std::path::{Path, PathBuf};

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};
use support::binary::rearview;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

struct Fixture {
    dir: tempfile::TempDir,
    repo: PathBuf,
    db: PathBuf,
    id: String,
    len: usize,
}

/// A 3 MiB blob with a script marker and an ELF header past its first MiB.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("r");
    let mut w = Writer::init(&repo).expect("init");
    let mut data: Vec<u8> =
        (0..3u32 << 20).map(|i| 0x80 | (i.wrapping_mul(2_654_435_761) >> 13) as u8 & 0x3f).collect();
    data[0x180000..0x18000d].copy_from_slice(b"####Hello####");
    let mut elf = vec![0u8; 64];
    elf[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    elf[16] = 2;
    elf[18] = 0x3e;
    data[0x280000..0x280040].copy_from_slice(&elf);
    let len = data.len();
    let p = Person { name: "A".into(), email: "a@example.org".into() };
    let mut files = Files::new();
    files.insert("big.bin".into(), data);
    let t = w.tree(&files).expect("tree");
    w.commit(Some("refs/heads/main"), &[], t, &p, &p, 1_700_000_000, "big\n").expect("commit");
    w.set_head("main").expect("head");
    let git = std::process::Command::new("git").args(["rev-parse", "main:big.bin"]).current_dir(&repo).output();
    let id = String::from_utf8(git.expect("git").stdout).expect("utf-8").trim().to_string();
    let db = dir.path().join("db.sqlite3");
    Fixture { dir, repo, db, id, len }
}

impl Fixture {
    fn hex_with(&self, db: &Path, extra: &[&str]) -> std::process::Output {
        let mut args = vec!["hex", "main:big.bin", "--repo", s(&self.repo), "--db", s(db), "--color", "always"];
        args.extend_from_slice(extra);
        rearview(&args)
    }

    fn hex(&self, extra: &[&str]) -> String {
        let out = self.hex_with(&self.db, extra);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    }

    fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).expect("open the store")
    }

    /// The blob's row: its version and facts.
    fn row(&self) -> Option<(i64, String)> {
        let conn = self.conn();
        let row = conn.query_row("SELECT version, facts FROM blob_scans WHERE blob = ?1", [&self.id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        });
        row.ok()
    }

    fn set_row(&self, version: rusqlite::types::Value, facts: rusqlite::types::Value) {
        let n = self
            .conn()
            .execute(
                "UPDATE blob_scans SET version = ?1, facts = ?2 WHERE blob = ?3",
                rusqlite::params![version, facts, self.id],
            )
            .expect("update the row");
        assert_eq!(n, 1);
    }
}

const PAGE: [&str; 4] = ["--offset", "0x17fff0", "--length", "64"];

#[test]
fn a_second_view_prints_the_same_from_the_stored_scan() {
    let f = fixture();
    assert!(f.row().is_none());
    let first = f.hex(&PAGE);
    assert!(first.contains("script marker") && first.contains("ELF header"), "{first}");

    let (version, json) = f.row().expect("the scan is stored");
    assert_eq!(version, i64::from(rearview::inspect::BLOB_SCAN_VERSION));
    let facts: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(facts["version"], version);
    assert_eq!(facts["len"], f.len);
    assert_eq!(facts["entropy"].as_array().map(Vec::len), Some(64));
    let offsets: Vec<u64> =
        facts["findings"].as_array().expect("findings").iter().filter_map(|x| x["offset"].as_u64()).collect();
    assert_eq!(offsets, [0x180000, 0x280000]);

    assert_eq!(f.hex(&PAGE), first, "the second view prints what the first did");

    // The second view trusts the store (it does not scan): a finding
    // written into the row shows.
    f.set_row(version.into(), json.replace("####Hello####", "####Stored####").into());
    assert!(f.hex(&PAGE).contains("####Stored####"));
    f.set_row(version.into(), json.into());

    // Any page, and a long range read as it comes, as a fresh store shows them.
    let fresh = f.dir.path().join("fresh.sqlite3");
    for extra in [
        &["--offset", "0", "--length", "40"][..],
        &["--offset", "0x2ff000"][..],
        &["--offset", "0x100000", "--length", "0x180000"][..],
    ] {
        let cached = f.hex(extra);
        let scanned = f.hex_with(&fresh, extra);
        let _ = std::fs::remove_file(&fresh);
        assert_eq!(cached, String::from_utf8(scanned.stdout).expect("utf-8"), "{extra:?}");
    }
    // Past the end: still an error with the size, from the stored scan too.
    let past = f.hex_with(&f.db, &["--offset", "0x300000"]);
    assert_eq!(past.status.code(), Some(2), "{}", String::from_utf8_lossy(&past.stderr));
    assert!(String::from_utf8_lossy(&past.stderr).contains("3145728 bytes"));
}

#[test]
fn a_scan_from_an_older_scanner_is_made_again() {
    let f = fixture();
    let first = f.hex(&PAGE);
    let (version, json) = f.row().expect("stored");
    let older = json.replace(&format!("\"version\":{version}"), &format!("\"version\":{}", version - 1));
    let older = older.replace("####Hello####", "####Older####");
    f.set_row((version - 1).into(), older.into());
    assert_eq!(f.hex(&PAGE), first, "rescanned, not read from the old row");
    let (again, json) = f.row().expect("stored again");
    assert_eq!(again, version);
    assert!(!json.contains("Older"), "{json}");
}

#[test]
fn a_corrupt_row_is_ignored_and_written_over() {
    use rusqlite::types::Value;
    let f = fixture();
    let first = f.hex(&PAGE);
    let (version, json) = f.row().expect("stored");
    let v = || Value::from(version);
    let wrong_len = json.replace(&format!("\"len\":{}", f.len), &format!("\"len\":{}", f.len + 1));
    let wrong_kind = json.replace("script marker", "rootkit");
    let past_end = json.replace(&format!("\"offset\":{}", 0x280000), &format!("\"offset\":{}", f.len));
    let cut = json[..json.len() / 2].to_string();
    let rows = [
        (v(), Value::from("not json".to_string())),
        (v(), Value::from(cut)),
        (v(), Value::from(wrong_len)),
        (v(), Value::from(wrong_kind)),
        (v(), Value::from(past_end)),
        (v(), Value::from("{\"version\":1}".to_string())),
        (v(), Value::Blob(vec![0, 0xff, 0x1b])),
        (v(), Value::Integer(42)),
        (Value::from("one".to_string()), Value::from(json.clone())),
    ];
    for (version_cell, facts) in rows {
        let shown = format!("{facts:?}");
        f.set_row(version_cell, facts);
        assert_eq!(f.hex(&PAGE), first, "{shown}");
        assert_eq!(f.row(), Some((version, json.clone())), "written over: {shown}");
    }
}

#[test]
fn a_store_that_does_not_open_leaves_hex_working() {
    let f = fixture();
    let first = f.hex(&PAGE);
    let junk = f.dir.path().join("junk");
    std::fs::write(&junk, b"not a database").expect("write");
    let quiet = f.hex_with(&junk, &PAGE);
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8(quiet.stdout).expect("utf-8"), first);
    assert!(quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
    let told = f.hex_with(&junk, &[&PAGE[..], &["-v"]].concat());
    let said = String::from_utf8_lossy(&told.stderr).into_owned();
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("junk") && said.contains("scans the whole blob"), "{said}");
    assert_eq!(std::fs::read(&junk).expect("read"), b"not a database", "left untouched");
}

/// The TUI's hex job serves the shown blob's first page as a report of its
/// own before the whole blob is read and scanned; the whole view follows.
#[test]
fn the_hex_job_sends_the_first_page_before_the_whole_scan() {
    use rearview::jobs::{Job, JobContext, Jobs, Reply, Request, HEX_PAGE_BYTES};
    let f = fixture();
    let ctx = JobContext::with_defaults(f.repo.clone(), f.db.clone());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let jobs = Jobs::new(ctx, tx, runtime.handle().clone());
    let request = Request::Hex { path: "big.bin".into(), old_blob: None, new_blob: Some(f.id.clone()) };
    jobs.submit(Job { id: 7, request });
    let blob = std::process::Command::new("git").args(["cat-file", "blob", &f.id]).current_dir(&f.repo).output();
    let blob = blob.expect("git cat-file").stdout;

    let first = rx.blocking_recv().expect("a first report");
    assert_eq!(first.id, 7);
    let Reply::HexPage(page) = first.reply else { panic!("the page comes first, got {:?}", first.reply) };
    let side = page.new.expect("the new side's page");
    assert_eq!(side.bytes.as_slice(), &blob[..HEX_PAGE_BYTES], "the blob's head");
    assert!(side.findings.is_empty(), "no findings before the scan");
    let said: String = side.summary.iter().flatten().map(|s| s.text.as_str()).collect();
    assert!(said.contains("scanning"), "{said}");

    let second = rx.blocking_recv().expect("the whole view");
    let Reply::Hex(Ok(whole)) = second.reply else { panic!("then the whole view, got {:?}", second.reply) };
    let side = whole.new.expect("the new side");
    assert_eq!(side.bytes.len(), f.len);
    let offsets: Vec<u64> = side.findings.iter().map(|x| x.offset).collect();
    assert!(offsets.contains(&0x180000) && offsets.contains(&0x280000), "findings past the page: {offsets:?}");
}
