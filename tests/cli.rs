//! The real binary, driven as a user would: the demo, `list`, `audit`, and
//! every kind of bad input.

mod support;

use support::binary::rearview;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};
use serde_json::Value;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

struct DemoRepo {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    db: PathBuf,
}

impl DemoRepo {
    fn args<'a>(&'a self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args =
            vec!["--repo", self.repo.to_str().expect("utf-8 temp path"), "--db", self.db.to_str().expect("utf-8")];
        args.extend_from_slice(extra);
        args
    }
}

/// Builds the demo through the binary, as the README says.
fn demo() -> DemoRepo {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("demo");
    let db = dir.path().join("demo.sqlite3");
    let out =
        rearview(&["demo", "--no-tui", "--dir", repo.to_str().expect("utf-8"), "--db", db.to_str().expect("utf-8")]);
    assert!(out.status.success(), "demo failed: {}", stderr(&out));
    assert_eq!(stdout(&out).trim(), repo.to_str().expect("utf-8"), "demo prints the repository path");
    DemoRepo { _dir: dir, repo, db }
}

fn list_json(demo: &DemoRepo, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["list", "--format", "json"];
    args.extend_from_slice(extra);
    let out = rearview(&demo.args(&args));
    assert!(out.status.success(), "list failed: {}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("list prints JSON");
    v.as_array().expect("a JSON array").clone()
}

fn by_pr(changes: &[Value], pr: u64) -> &Value {
    changes.iter().find(|c| c["pr"] == pr).unwrap_or_else(|| panic!("no change for #{pr}"))
}

fn by_title<'a>(changes: &'a [Value], title: &str) -> &'a Value {
    changes.iter().find(|c| c["title"] == title).unwrap_or_else(|| panic!("no change titled {title:?}"))
}

fn file<'a>(change: &'a Value, path: &str) -> &'a Value {
    change["files"]
        .as_array()
        .and_then(|files| files.iter().find(|f| f["path"] == path))
        .unwrap_or_else(|| panic!("{path} not in {}", change["title"]))
}

#[test]
fn demo_lists_every_scenario_element_with_its_verdict() {
    let demo = demo();
    let changes = list_json(&demo, &[]);
    assert_eq!(changes.len(), 43, "every first-parent change on main and 3.12");

    for field in [
        "sha",
        "short_sha",
        "branch",
        "kind",
        "pr",
        "title",
        "author",
        "committer",
        "merged_at",
        "verdict",
        "evidence",
        "original",
        "patch_id_matches",
        "files",
        "risks",
    ] {
        assert!(changes.iter().all(|c| c.get(field).is_some()), "every change has `{field}`");
    }

    // The stale approval: approved on the first commit, more pushed after.
    let stale = by_pr(&changes, 120);
    assert_eq!(stale["verdict"], "partly_reviewed");
    assert!(
        stale["evidence"].as_array().expect("evidence").iter().any(|e| e["source"] == "unapproved_commits"),
        "names the commits nobody approved: {}",
        stale["evidence"]
    );

    // Self-merged with no approval (the xz-style test files and build script).
    for pr in [124, 125, 116] {
        let c = by_pr(&changes, pr);
        assert_eq!((c["kind"].as_str(), c["verdict"].as_str()), (Some("merge"), Some("unreviewed")), "#{pr}");
    }
    // Approved only by its own author.
    assert_eq!(by_pr(&changes, 129)["verdict"], "unreviewed");
    // Approved after it landed; a concern raised after merge.
    assert_eq!(by_pr(&changes, 119)["verdict"], "approved_after_merge");
    assert_eq!(by_pr(&changes, 131)["verdict"], "concern_raised");
    // Merge commits (not squashes) carry their number too.
    assert_eq!(by_pr(&changes, 103)["kind"], "merge");
    assert_eq!(by_pr(&changes, 136)["kind"], "merge");

    // Direct pushes: one bare, one with a Reviewed-by trailer.
    let typo = by_title(&changes, "Fix a typo in the README");
    assert_eq!((typo["kind"].as_str(), typo["verdict"].as_str()), (Some("direct_push"), Some("unreviewed")));
    let trailer = by_title(&changes, "gh-91022: Clarify the contributing rules");
    assert_eq!((trailer["kind"].as_str(), trailer["verdict"].as_str()), (Some("direct_push"), Some("reviewed")));

    // Clean backports of reviewed originals are covered by them.
    for (pr, original) in [(113, 110), (114, 111), (117, 112), (143, 135)] {
        let c = by_pr(&changes, pr);
        assert_eq!(c["kind"], "backport", "#{pr}");
        assert_eq!(c["branch"], "3.12");
        assert_eq!(c["original"]["pr"], original, "#{pr}");
        assert_eq!(c["patch_id_matches"], true, "#{pr}");
        assert_eq!(c["verdict"], "reviewed", "#{pr}");
        assert_eq!(c["pending"], false);
    }

    // The drifted backport is not covered by its reviewed original.
    let drift = by_pr(&changes, 140);
    assert_eq!(drift["kind"], "backport");
    assert_eq!(drift["original"]["pr"], 128);
    assert_eq!(drift["patch_id_matches"], false);
    assert_eq!(drift["verdict"], "partly_reviewed");
    assert_eq!(drift["pending"], true);

    // The cherry-pick with no trailer is linked by patch-id.
    let pick = by_title(&changes, "Honour strict=False in the JSON decoder");
    assert_eq!(pick["kind"], "backport");
    assert_eq!(pick["original"]["link"], "patch_id");
    assert_eq!(pick["original"]["pr"], 130);
    assert_eq!(pick["verdict"], "reviewed");

    // Backports of unreviewed originals stay unreviewed.
    assert_eq!(by_pr(&changes, 141)["verdict"], "unreviewed");
    let m4_backport = changes
        .iter()
        .find(|c| c["branch"] == "3.12" && c["original"]["pr"] == 125)
        .expect("the build-script backport");
    assert_eq!(m4_backport["verdict"], "unreviewed");
    assert_eq!(m4_backport["original"]["link"], "cherry_pick_trailer");

    // The files a reviewer must look at, with their binary status.
    let xz = by_pr(&changes, 124);
    assert_eq!(file(xz, "Lib/test/files/bad-3-corrupt_lzma2.xz")["binary"], true);
    assert_eq!(file(xz, "Lib/test/test_lzma.py")["binary"], false);
    assert_eq!(file(by_pr(&changes, 125), "m4/build-to-host.m4")["status"], "modified");
    assert_eq!(file(by_pr(&changes, 123), "Lib/access.py")["status"], "added");
    assert_eq!(file(by_pr(&changes, 119), ".github/workflows/build.yml")["additions"], 4);
}

#[test]
fn filters_select_by_status_and_kind() {
    let demo = demo();
    let pending = list_json(&demo, &["--status", "pending"]);
    assert!(!pending.is_empty());
    assert!(pending.iter().all(|c| c["pending"] == true));
    assert_eq!(pending.len(), 15, "14 by their verdict, and the reviewed bidi change reopened");
    let bidi = by_pr(&pending, 123);
    assert_eq!(bidi["verdict"], "reviewed");
    assert!(bidi["evidence"].to_string().contains("cannot cover what a reviewer could not see"), "{bidi}");
    let backports = list_json(&demo, &["--kind", "backport", "--branch", "3.12"]);
    assert_eq!(backports.len(), 9);
    let ranged = list_json(&demo, &["--range", "v3.12.0..v3.12.1"]);
    let prs: Vec<u64> = ranged.iter().filter_map(|c| c["pr"].as_u64()).collect();
    assert_eq!(prs, [117, 114, 113], "newest first");
}

#[test]
fn audit_exits_one_and_names_each_pending_backport() {
    let demo = demo();
    let out = rearview(&demo.args(&["audit", "--branch", "3.12", "--since", "v3.12.0"]));
    assert_eq!(out.status.code(), Some(1), "something is pending: {}", stderr(&out));
    let md = stdout(&out);
    assert!(md.starts_with("# Review audit: `3.12` since `v3.12.0`"), "{md}");
    let pending = md.split("## Pending").nth(1).expect("a pending section");
    let pending = pending.split("\n## ").next().expect("section text");
    for needle in ["#140", "#141", "build-to-host.m4 from gnulib"] {
        assert!(pending.contains(needle), "pending section names {needle}:\n{pending}");
    }
    assert!(!pending.contains("#113"), "covered backports are not pending");
    assert!(md.contains("patch-id (no trailer)"), "the trailer-less cherry-pick is shown with its link");

    let json = rearview(&demo.args(&["audit", "--branch", "3.12", "--since", "v3.12.0", "--format", "json"]));
    assert_eq!(json.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&json.stdout).expect("audit JSON");
    assert_eq!(v["pending"], 4, "three backports and the 3.12.2 release push");
    assert_eq!(v["branch"], "3.12");
    assert_eq!(v["changes"].as_array().map(Vec::len), Some(10));
    assert_eq!(v["release_findings"][0]["tag"], "v3.12.2", "its signer changed: {v}");
}

#[test]
fn audit_exits_zero_when_everything_is_covered() {
    let demo = demo();
    let out = rearview(&demo.args(&["audit", "--branch", "3.12", "--since", "v3.12.0", "--until", "v3.12.1"]));
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("nothing pending: 3 changes: 3 covered, 0 pending"), "{}", stdout(&out));
}

#[test]
fn demo_without_no_tui_shows_the_queue() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("d");
    let out = rearview(&[
        "demo",
        "--dir",
        repo.to_str().expect("utf-8"),
        "--db",
        dir.path().join("s").to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("VERDICT"), "{text}");
    assert!(text.contains("43 changes: 29 covered, 14 pending"), "{text}");
    // Running it again rebuilds the same demo in place.
    let again = rearview(&[
        "demo",
        "--no-tui",
        "--dir",
        repo.to_str().expect("utf-8"),
        "--db",
        dir.path().join("s").to_str().expect("utf-8"),
    ]);
    assert!(again.status.success(), "{}", stderr(&again));
}

#[test]
fn demo_refuses_to_overwrite_a_directory_it_did_not_make() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("precious.txt"), "keep me").expect("write");
    let out = rearview(&["demo", "--no-tui", "--dir", dir.path().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("refusing to overwrite"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join("precious.txt")).expect("still there"), "keep me");
}

#[test]
fn global_flags_work_before_and_after_the_subcommand() {
    let demo = demo();
    let repo = demo.repo.to_str().expect("utf-8");
    let db = demo.db.to_str().expect("utf-8");
    let before = rearview(&["--repo", repo, "--db", db, "list", "--format", "json"]);
    let after = rearview(&["list", "--format", "json", "--repo", repo, "--db", db]);
    assert!(before.status.success() && after.status.success());
    assert_eq!(before.stdout, after.stdout);
}

#[test]
fn bare_clones_work() {
    let demo = demo();
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = dir.path().join("bare.git");
    git2::build::RepoBuilder::new().bare(true).clone(demo.repo.to_str().expect("utf-8"), &bare).expect("bare clone");
    let out = rearview(&[
        "list",
        "--format",
        "json",
        "--repo",
        bare.to_str().expect("utf-8"),
        "--db",
        demo.db.to_str().expect("utf-8"),
        "--branch",
        "3.12",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(11), "the release commit, nine backports and the 3.12.2 release push");
}

#[test]
fn every_subcommand_has_help_with_examples() {
    let subs = [
        &["--help"][..],
        &["list", "--help"],
        &["audit", "--help"],
        &["demo", "--help"],
        &["sync", "--help"],
        &["show", "--help"],
        &["hex", "--help"],
    ];
    for sub in subs {
        let out = rearview(sub);
        assert!(out.status.success(), "{sub:?}");
        assert!(stdout(&out).contains("Examples:"), "{sub:?}: {}", stdout(&out));
    }
}

/// Asserts a clean failure: exit 2, one line on stderr containing `needle`.
fn assert_fails(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "exit 2 for {needle:?}; stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "stderr names {needle:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_input_gives_one_clear_line_and_exit_two() {
    let demo = demo();
    let not_repo = tempfile::tempdir().expect("temp dir");
    assert_fails(&rearview(&["list", "--repo", "/nonexistent/rearview"]), "/nonexistent/rearview does not exist");
    assert_fails(&rearview(&["list", "--repo", not_repo.path().to_str().expect("utf-8")]), "is not a git repository");
    assert_fails(&rearview(&demo.args(&["list", "--branch", "nosuch"])), "unknown branch `nosuch`");
    assert_fails(&rearview(&demo.args(&["list", "--range", "v9.9.9..3.12"])), "unknown revision `v9.9.9`");
    assert_fails(&rearview(&demo.args(&["list", "--range", "a..b..c"])), "malformed range `a..b..c`");
    assert_fails(&rearview(&demo.args(&["list", "--range", "main...3.12"])), "malformed range");
    assert_fails(&rearview(&demo.args(&["audit", "--branch", "3.99", "--since", "v3.12.0"])), "unknown branch `3.99`");
    assert_fails(&rearview(&demo.args(&["audit", "--branch", "3.12", "--since", "v0.0"])), "unknown revision `v0.0`");
}

#[test]
fn bad_config_names_the_file_and_line() {
    let demo = demo();
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.toml");
    assert_fails(&rearview(&demo.args(&["list", "--config", missing.to_str().expect("utf-8")])), "cannot read config");
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "[people]\nbots = [\"x\"]\ncore_devs = [\"y\"]\n").expect("write");
    let out = rearview(&demo.args(&["list", "--config", typo.to_str().expect("utf-8")]));
    assert_fails(&out, "typo.toml line 3: unknown field `core_devs`");
}

#[test]
fn corrupt_or_newer_store_is_refused_and_left_untouched() {
    let demo = demo();
    let dir = tempfile::tempdir().expect("temp dir");

    let garbage = dir.path().join("garbage.sqlite3");
    let bytes: Vec<u8> = (0..8192u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&garbage, &bytes).expect("write");
    let out =
        rearview(&["list", "--repo", demo.repo.to_str().expect("utf-8"), "--db", garbage.to_str().expect("utf-8")]);
    assert_fails(&out, "is not a rearview database");
    assert_eq!(std::fs::read(&garbage).expect("read"), bytes, "never truncated or rewritten");

    let newer = dir.path().join("newer.sqlite3");
    {
        let conn = rusqlite::Connection::open(&newer).expect("sqlite");
        conn.execute_batch(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
             INSERT INTO schema_version VALUES (99, 0);
             CREATE TABLE future (x);",
        )
        .expect("schema");
    }
    let before = std::fs::read(&newer).expect("read");
    let out = rearview(&["list", "--repo", demo.repo.to_str().expect("utf-8"), "--db", newer.to_str().expect("utf-8")]);
    assert_fails(&out, "schema version 99, newer than this rearview knows");
    assert_eq!(std::fs::read(&newer).expect("read"), before);
}

/// A repository whose history was written to deceive a terminal.
fn hostile_repo(path: &Path) {
    let mut w = Writer::init(path).expect("init");
    let mallory = Person { name: "Mallory\u{1b}[31m".into(), email: "m@example.org".into() };
    let mut files = Files::new();
    files.insert("a.txt".into(), b"a\n".to_vec());
    let tree = w.tree(&files).expect("tree");
    let first =
        w.commit(Some("refs/heads/main"), &[], tree, &mallory, &mallory, 1_700_000_000, "Initial\n").expect("commit");
    files.insert("b\u{202E}txt.exe".into(), b"b\n".to_vec());
    let tree = w.tree(&files).expect("tree");
    let subject = "Harmless\u{1b}]0;owned\u{7}\u{1b}[2J fix \u{202E}gnp.exe\u{200B} (#7)\n";
    w.commit(Some("refs/heads/main"), &[first], tree, &mallory, &mallory, 1_700_000_100, subject).expect("commit");
    w.set_head("main").expect("head");
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("r");
    hostile_repo(&repo);
    let db = dir.path().join("s.sqlite3");
    let base = ["--repo", repo.to_str().expect("utf-8"), "--db", db.to_str().expect("utf-8")];

    let table = rearview(&[&base[..], &["list"]].concat());
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "no raw control characters: {text:?}");
    assert!(text.contains("⟨U+202E RLO⟩"), "bidi override revealed: {text}");
    assert!(text.contains("␛]0;owned^G"), "escape sequence shown, not run: {text}");

    // In colour, the only escape sequences are the theme's own colours.
    let coloured = stdout(&rearview(&[&base[..], &["list", "--color", "always"]].concat()));
    assert!(coloured.contains("\u{1b}[91munreviewed\u{1b}[0m"), "{coloured:?}");
    let mut rest = coloured.clone();
    for sgr in ["\u{1b}[91m", "\u{1b}[34m", "\u{1b}[93m", "\u{1b}[0m"] {
        rest = rest.replace(sgr, "");
    }
    assert!(!rest.chars().any(|c| c.is_control() && c != '\n'), "only theme colours: {rest:?}");

    let json = rearview(&[&base[..], &["list", "--format", "json"]].concat());
    let raw = stdout(&json);
    assert!(!raw.contains('\u{202E}') && !raw.contains('\u{1b}') && !raw.contains('\u{200B}'), "{raw:?}");
    let v: Value = serde_json::from_str(&raw).expect("json");
    let title = v[0]["title"].as_str().expect("title");
    assert!(title.contains('\u{202E}'), "JSON keeps the exact text, escaped: {title:?}");
    assert!(v[0]["files"][0]["path"].as_str().expect("path").contains('\u{202E}'));

    let md = rearview(&[&base[..], &["audit", "--branch", "main", "--since", "main~1"]].concat());
    assert_eq!(md.status.code(), Some(1));
    assert!(!stdout(&md).chars().any(|c| c.is_control() && c != '\n'), "{}", stdout(&md));
}

#[test]
fn ledger_entries_are_evidence() {
    let demo = demo();
    let changes = list_json(&demo, &[]);
    let self_merged = by_pr(&changes, 116)["sha"].as_str().expect("sha").to_string();
    let reviewed = by_pr(&changes, 101)["sha"].as_str().expect("sha").to_string();
    {
        let mut store = rearview::store::Store::open(&demo.db).expect("open the demo store");
        use rearview::model::LedgerKind;
        store
            .record(&self_merged, Some(116), LedgerKind::Approval, "bob", "", "Read it after the fact: fine.")
            .expect("record");
        store
            .record(&reviewed, Some(101), LedgerKind::Concern, "erin", "", "The line count is off by one.")
            .expect("record");
        // The author approving their own change is no evidence.
        store.record(&self_merged, Some(116), LedgerKind::Approval, "alice", "", "LGTM").expect("record");
    }
    let changes = list_json(&demo, &[]);
    let approved = by_pr(&changes, 116);
    assert_eq!(approved["verdict"], "approved_after_merge");
    let evidence = approved["evidence"].as_array().expect("evidence");
    assert_eq!(evidence.len(), 1, "only bob's entry counts: {evidence:?}");
    assert_eq!((evidence[0]["source"].as_str(), evidence[0]["reviewer"].as_str()), (Some("ledger"), Some("bob")));
    assert_eq!(by_pr(&changes, 101)["verdict"], "concern_raised");
}

#[test]
fn an_unknown_theme_is_named() {
    let demo = demo();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "[ui]\ntheme = \"neon\"\n").expect("write");
    let out = rearview(&demo.args(&["list", "--color", "always", "--config", config.to_str().expect("utf-8")]));
    assert_fails(&out, "theme `neon` not found: use one of default, light");
    let light = dir.path().join("light.toml");
    std::fs::write(&light, "[ui]\ntheme = \"light\"\n").expect("write");
    let out = rearview(&demo.args(&["list", "--color", "always", "--config", light.to_str().expect("utf-8")]));
    assert!(stdout(&out).contains("\u{1b}[38;2;26;127;55mreviewed"), "true-colour light theme");
}

#[test]
fn syntax_themes_of_ones_own_are_used_and_a_broken_one_is_named() {
    let demo = demo();
    let config = tempfile::tempdir().expect("temp dir");
    let themes = config.path().join("rearview").join("themes");
    std::fs::create_dir_all(&themes).expect("themes dir");
    // The shipped audit theme with its keyword colour changed to #010203.
    let audit = include_str!("../themes/rearview-audit.tmTheme").replace("#6CB6FF", "#010203");
    std::fs::write(themes.join("Mine.tmTheme"), audit).expect("write theme");
    std::fs::write(themes.join("Broken.tmTheme"), "<plist><dict>").expect("write theme");
    let sha = String::from_utf8_lossy(&git_output(&demo.repo, &["log", "--format=%H", "--grep=combining mark", "-1"]))
        .trim()
        .to_string();
    assert_eq!(sha.len(), 40, "the demo has the tokenizer change");
    let show = |theme: &str| {
        Command::new(env!("CARGO_BIN_EXE_rearview"))
            .args(demo.args(&["show", &sha, "--color", "always", "--syntax-theme", theme]))
            .env("XDG_CONFIG_HOME", config.path())
            .output()
            .expect("run")
    };
    let out = show("Mine");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("38;2;1;2;3m"), "keywords in the user's colour");
    assert!(stderr(&out).contains("Broken.tmTheme"), "the broken theme is named: {}", stderr(&out));
    // The shipped one, by its name.
    let out = show("Rearview Audit");
    assert!(stdout(&out).contains("38;2;108;182;255m"), "keywords in the audit theme's blue");
}

fn git_output(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git").args(args).current_dir(dir).output().expect("git runs");
    assert!(out.status.success(), "git {args:?}");
    out.stdout
}

/// A small project: `main` with five changes, a `3.12` maintenance branch
/// with six of its own, and an unwatched `feature` branch, each change a new file.
struct Branches {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    db: PathBuf,
    /// Where `3.12` and `feature` left `main`.
    fork: String,
    /// `3.12`'s changes, oldest first.
    maintenance: Vec<String>,
    /// `main`'s changes after the fork, oldest first.
    main_line: Vec<String>,
    feature_tip: String,
}

impl Branches {
    fn list(&self, extra: &[&str]) -> Output {
        let mut args = vec!["--repo", self.repo.to_str().expect("utf-8"), "--db", self.db.to_str().expect("utf-8")];
        args.push("list");
        args.extend_from_slice(extra);
        rearview(&args)
    }

    /// `list --format json` with `extra`: the changes, and stderr.
    fn list_json(&self, extra: &[&str]) -> (Vec<Value>, String) {
        let out = self.list(&[&["--format", "json"], extra].concat());
        assert!(out.status.success(), "list failed: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is pure JSON");
        (v.as_array().expect("a JSON array").clone(), stderr(&out))
    }
}

fn branches_repo() -> Branches {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("project");
    let mut w = Writer::init(&repo).expect("init");
    let dev = Person { name: "Dev".into(), email: "dev@example.org".into() };
    let mut files = Files::new();
    let mut time = 1_700_000_000;
    let mut change = |w: &mut Writer, files: &mut Files, branch: &str, parent: Option<rearview::repo::Oid>, n: u32| {
        files.insert(format!("{branch}-{n}.txt"), format!("change {n}\n").into_bytes());
        let tree = w.tree(files).expect("tree");
        time += 60;
        let parents: Vec<_> = parent.into_iter().collect();
        let message = format!("Change {n} on {branch}\n");
        w.commit(Some(&format!("refs/heads/{branch}")), &parents, tree, &dev, &dev, time, &message).expect("commit")
    };
    let mut tip = None;
    for n in 0..3 {
        tip = Some(change(&mut w, &mut files, "main", tip, n));
    }
    let fork = tip.expect("main has commits");
    let main_files = files.clone();
    let mut maintenance = Vec::new();
    let mut on_branch = Some(fork);
    for n in 0..6 {
        on_branch = Some(change(&mut w, &mut files, "3.12", on_branch, n));
        maintenance.extend(on_branch.map(|o| o.to_string()));
    }
    let mut feature_files = main_files.clone();
    let feature_tip = change(&mut w, &mut feature_files, "feature", Some(fork), 0);
    let mut files = main_files;
    let mut main_line = Vec::new();
    for n in 3..5 {
        tip = Some(change(&mut w, &mut files, "main", tip, n));
        main_line.extend(tip.map(|o| o.to_string()));
    }
    w.set_head("main").expect("head");
    let db = dir.path().join("project.sqlite3");
    Branches {
        _dir: dir,
        repo,
        db,
        fork: fork.to_string(),
        maintenance,
        main_line,
        feature_tip: feature_tip.to_string(),
    }
}

const CUT_NOTE: &str = "3.12 cut at --limit 3: pass --limit 0 for all";

#[test]
fn a_listing_cut_by_the_limit_says_so_with_the_flag_that_lifts_it() {
    let project = branches_repo();

    let out = project.list(&["--branch", "3.12", "--limit", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let footer = stdout(&out).lines().last().unwrap_or_default().to_string();
    assert!(footer.starts_with(&format!("3 changes ({CUT_NOTE}): ")), "the footer says it: {footer}");

    // JSON keeps stdout pure; the note is one line on stderr.
    let (changes, err) = project.list_json(&["--branch", "3.12", "--limit", "3"]);
    assert_eq!(changes.len(), 3);
    assert_eq!(err, format!("rearview: {CUT_NOTE}\n"));

    // Every watched branch: only the one with more left is named.
    let out = project.list(&["--limit", "5"]);
    let footer = stdout(&out).lines().last().unwrap_or_default().to_string();
    assert!(footer.starts_with("10 changes (3.12 cut at --limit 5: pass --limit 0 for all): "), "{footer}");
    let out = project.list(&["--limit", "4"]);
    let footer = stdout(&out).lines().last().unwrap_or_default().to_string();
    assert!(footer.contains("(main, 3.12 cut at --limit 4"), "main has 5 changes too: {footer}");
}

#[test]
fn a_listing_the_limit_did_not_cut_says_nothing_of_it() {
    let project = branches_repo();
    // Exactly as many changes as the limit: nothing was left out.
    for limit in ["6", "7", "0"] {
        let out = project.list(&["--branch", "3.12", "--limit", limit]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.lines().last().unwrap_or_default().starts_with("6 changes: "), "--limit {limit}: {text}");
        assert!(!text.contains("cut at"), "--limit {limit}: {text}");
        let (changes, err) = project.list_json(&["--branch", "3.12", "--limit", limit]);
        assert_eq!((changes.len(), err.as_str()), (6, ""), "--limit {limit}");
    }
    let (_, err) = project.list_json(&["--range", &format!("{}..3.12", project.fork), "--limit", "6"]);
    assert_eq!(err, "");
    let (_, err) = project.list_json(&["--range", &format!("{}..3.12", project.fork), "--limit", "5"]);
    assert_eq!(err, "rearview: 3.12 cut at --limit 5: pass --limit 0 for all\n", "a range is cut the same way");
}

#[test]
fn a_range_with_a_branch_lists_the_range_on_that_branch() {
    let project = branches_repo();
    let range = format!("{}..{}", project.fork, project.feature_tip);
    let (changes, _) = project.list_json(&["--range", &range, "--branch", "3.12"]);
    assert_eq!(changes.len(), 1, "the range, not the branch: {changes:?}");
    assert_eq!(changes[0]["sha"], project.feature_tip.as_str());
    assert_eq!(changes[0]["branch"], "3.12");

    let out = project.list(&["--range", &range, "--branch", "3.12", "--branch", "main"]);
    assert_fails(&out, "pass --branch once with it");
    let out = project.list(&["--range", &range, "--branch", "3.99"]);
    assert_fails(&out, "unknown branch `3.99`");
}

#[test]
fn a_range_without_a_branch_names_the_watched_branch_that_lists_its_tip() {
    let project = branches_repo();
    let on_maintenance = format!("{}..{}", project.maintenance[0], project.maintenance[3]);
    let (changes, _) = project.list_json(&["--range", &on_maintenance]);
    assert_eq!(changes.len(), 3);
    assert!(changes.iter().all(|c| c["branch"] == "3.12"), "{changes:?}");

    let on_main = format!("{}..{}", project.fork, project.main_line[0]);
    let (changes, _) = project.list_json(&["--range", &on_main]);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["branch"], "main");

    // A revision: the branch that lists it, not the revision's text.
    let (changes, _) = project.list_json(&["--range", "3.12~5..3.12~2"]);
    assert!(changes.len() == 3 && changes.iter().all(|c| c["branch"] == "3.12"), "{changes:?}");

    // On no watched branch: the tip as written.
    let short = &project.feature_tip[..10];
    let (changes, _) = project.list_json(&["--range", &format!("{}..{short}", project.fork)]);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["branch"], short);
}
