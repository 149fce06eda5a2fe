//! Which changes are a branch's own, on histories shaped like real ones:
//! maintenance branches forked from the previous maintenance branch (which
//! is then deleted), merged forward into the main line, and twins of a
//! change made on each branch. Each repository is written with git2 in a
//! temp dir and listed by the real binary.

use std::path::PathBuf;
use std::process::{Command, Output};

use git2::Oid;
use rearview::model::Person;
use rearview::repo::write::{Files, Writer};

fn alice() -> Person {
    Person { name: "Alice".into(), email: "alice@example.org".into() }
}

/// A repository being written: each commit changes one file of its own.
struct History {
    dir: tempfile::TempDir,
    writer: Writer,
    files: Files,
}

impl History {
    fn new() -> History {
        let dir = tempfile::tempdir().expect("temp dir");
        let writer = Writer::init(&dir.path().join("repo")).expect("init");
        History { dir, writer, files: Files::new() }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// A commit on `branch` (moving it) whose tree is the files so far plus
    /// `path` = `text`.
    fn commit(&mut self, branch: Option<&str>, parents: &[Oid], time: i64, path: &str, text: &str, msg: &str) -> Oid {
        self.files.insert(path.into(), text.as_bytes().to_vec());
        let tree = self.writer.tree(&self.files).expect("tree");
        let reference = branch.map(|b| format!("refs/heads/{b}"));
        let a = alice();
        self.writer.commit(reference.as_deref(), parents, tree, &a, &a, time, msg).expect("commit")
    }

    fn branch(&self, name: &str, at: Oid) {
        self.writer.set_reference(&format!("refs/heads/{name}"), at, "branch").expect("branch");
    }

    fn list(&self, args: &[&str]) -> Output {
        self.list_with(args, "")
    }

    fn list_with(&self, args: &[&str], config: &str) -> Output {
        let config_path = self.dir.path().join("config.toml");
        std::fs::write(&config_path, config).expect("config");
        let db = self.dir.path().join("store.sqlite3");
        Command::new(env!("CARGO_BIN_EXE_rearview"))
            .arg("--repo")
            .arg(self.path())
            .arg("--db")
            .arg(&db)
            .arg("--config")
            .arg(&config_path)
            .args(args)
            .env("XDG_DATA_HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path())
            .output()
            .expect("run rearview")
    }
}

/// The subjects a JSON listing holds, newest first.
fn titles(out: &Output) -> Vec<String> {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    list.as_array().expect("array").iter().map(|c| c["title"].as_str().expect("title").to_string()).collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// main: two commits. 3.10 forks from main, is tagged v3.10.0, and goes on
/// (v3.10.1) before its branch is deleted. 3.11 forks from 3.10 at v3.10.0,
/// is tagged v3.11.0, is merged forward into main, and goes on.
fn chained_and_merged_forward() -> History {
    let mut h = History::new();
    let m1 = h.commit(Some("main"), &[], 1_000, "a.txt", "1", "Start\n");
    let m2 = h.commit(Some("main"), &[m1], 2_000, "a.txt", "2", "Main work\n");
    let a1 = h.commit(None, &[m2], 3_000, "b.txt", "1", "3.10 work one\n");
    let a2 = h.commit(None, &[a1], 4_000, "b.txt", "2", "3.10 work two\n");
    h.writer.tag("v3.10.0", a2).expect("tag");
    let a3 = h.commit(None, &[a2], 5_500, "b.txt", "3", "3.10 fix\n");
    h.writer.tag("v3.10.1", a3).expect("tag");
    let b1 = h.commit(None, &[a2], 5_000, "c.txt", "1", "3.11 work one\n");
    let b2 = h.commit(None, &[b1], 6_000, "c.txt", "2", "3.11 work two\n");
    h.writer.tag("v3.11.0", b2).expect("tag");
    let b3 = h.commit(None, &[b2], 7_000, "c.txt", "3", "3.11 fix one\n");
    let merged = h.commit(None, &[m2, b3], 8_000, "c.txt", "3", "Merge 3.11 into main\n");
    h.branch("main", merged);
    let b4 = h.commit(None, &[b3], 9_000, "c.txt", "4", "3.11 fix two\n");
    h.branch("3.11", b4);
    h.writer.set_head("main").expect("head");
    h
}

#[test]
fn a_branch_forked_from_a_deleted_branch_starts_where_it_left_that_series() {
    let h = chained_and_merged_forward();
    let out = h.list(&["-v", "list", "--branch", "3.11", "--limit", "0", "--format", "json"]);
    // The merge base with main is `3.11 fix one` (the forward merge): only
    // one change would be listed. The branch began at v3.10.0.
    assert_eq!(titles(&out), ["3.11 fix two", "3.11 fix one", "3.11 work two", "3.11 work one"]);
    assert!(stderr(&out).contains("on 3.11 since v3.10.0"), "{}", stderr(&out));
}

#[test]
fn a_configured_start_wins() {
    let h = chained_and_merged_forward();
    let config = "[branches.start]\n\"3.11\" = \"v3.11.0\"\n";
    let out = h.list_with(&["-v", "list", "--branch", "3.11", "--format", "json"], config);
    assert_eq!(titles(&out), ["3.11 fix two", "3.11 fix one"]);
    assert!(stderr(&out).contains("on 3.11 since v3.11.0"), "{}", stderr(&out));
    let out = h.list_with(&["list", "--branch", "3.11"], "[branches.start]\n\"3.11\" = \"nope\"\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("3.11 = nope"), "names the bad start: {}", stderr(&out));
}

/// main, then 3.13 from main, 3.14 from 3.13; both merged forward into
/// main, and both go on after.
#[test]
fn chained_branches_merged_forward_keep_everything_since_their_fork() {
    let mut h = History::new();
    let m1 = h.commit(Some("main"), &[], 1_000, "a.txt", "1", "Start\n");
    let m2 = h.commit(Some("main"), &[m1], 2_000, "a.txt", "2", "Main work\n");
    let c1 = h.commit(None, &[m2], 3_000, "b.txt", "1", "3.13 one\n");
    let c2 = h.commit(None, &[c1], 4_000, "b.txt", "2", "3.13 two\n");
    let d1 = h.commit(None, &[c2], 5_000, "c.txt", "1", "3.14 one\n");
    let d2 = h.commit(None, &[d1], 6_000, "c.txt", "2", "3.14 two\n");
    let c3 = h.commit(None, &[c2], 6_500, "b.txt", "3", "3.13 three\n");
    let f1 = h.commit(None, &[m2, c3], 7_000, "b.txt", "3", "Merge 3.13 forward\n");
    let f2 = h.commit(None, &[f1, d2], 7_500, "c.txt", "2", "Merge 3.14 forward\n");
    h.branch("main", f2);
    let d3 = h.commit(None, &[d2], 8_000, "c.txt", "3", "3.14 three\n");
    h.branch("3.14", d3);
    h.branch("3.13", c3);
    h.writer.set_head("main").expect("head");
    let out = h.list(&["list", "--branch", "3.14", "--limit", "0", "--format", "json"]);
    assert_eq!(titles(&out), ["3.14 three", "3.14 two", "3.14 one"]);
    let out = h.list(&["list", "--branch", "3.13", "--limit", "0", "--format", "json"]);
    assert_eq!(titles(&out), ["3.13 three", "3.13 two", "3.13 one"]);
    let out = h.list(&["list", "--branch", "main", "--limit", "0", "--format", "json"]);
    assert_eq!(titles(&out), ["Merge 3.14 forward", "Merge 3.13 forward", "Main work", "Start"]);
}

/// The same bump made on a maintenance branch and on the main line.
fn twins(main_twin_at: i64) -> History {
    let mut h = History::new();
    let m1 = h.commit(Some("main"), &[], 1_000, "a.txt", "1", "Start\n");
    h.files.insert("deps.txt".into(), b"foo==1\n".to_vec());
    let base = h.commit(Some("main"), &[m1], 1_500, "a.txt", "2", "Pin foo\n");
    let mut on_main = h.files.clone();
    on_main.insert("deps.txt".into(), b"foo==2\n".to_vec());
    let bump = h.commit(None, &[base], 5_000, "deps.txt", "foo==2\n", "Bump foo to 2 (#20)\n");
    h.branch("3.12", bump);
    h.files = on_main;
    let tree = h.writer.tree(&h.files).expect("tree");
    let a = alice();
    h.writer
        .commit(Some("refs/heads/main"), &[base], tree, &a, &a, main_twin_at, "Bump foo to 2 (#21)\n")
        .expect("commit");
    h.writer.set_head("main").expect("head");
    h
}

fn original_of(out: &Output, title: &str) -> Option<String> {
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let change = list.as_array().expect("array").iter().find(|c| c["title"] == title).expect("the change");
    change["original"]["sha"].as_str().map(str::to_string)
}

#[test]
fn a_later_twin_on_the_main_line_is_never_the_original() {
    let h = twins(6_000);
    let out = h.list(&["list", "--branch", "3.12", "--format", "json"]);
    assert_eq!(titles(&out), ["Bump foo to 2"]);
    assert_eq!(original_of(&out, "Bump foo to 2"), None, "the main line's bump came after it");
    // Made on the main line first, it is the original (equal patch-id).
    let h = twins(4_000);
    let out = h.list(&["list", "--branch", "3.12", "--format", "json"]);
    assert!(original_of(&out, "Bump foo to 2").is_some(), "the earlier twin is linked");
}

#[test]
fn a_change_that_names_an_original_it_cannot_be_linked_to_says_so() {
    let mut h = History::new();
    let m1 = h.commit(Some("main"), &[], 1_000, "a.txt", "1", "Start\n");
    let fix = h.commit(None, &[m1], 2_000, "b.txt", "1", "[PR #7/0123abcd backport][3.12] Fix a leak (#8)\n");
    let plain = h.commit(None, &[fix], 3_000, "c.txt", "1", "News for 3.12.1\n");
    h.branch("3.12", plain);
    h.writer.set_head("main").expect("head");
    let out = h.list(&["list", "--branch", "3.12", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let changes = list.as_array().expect("array");
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["title"], "News for 3.12.1");
    assert!(changes[0].get("unlinked_backport").is_none(), "only written when true");
    assert_eq!(changes[1]["unlinked_backport"], true, "{}", changes[1]);
    assert!(changes[1]["original"].is_null());
}
