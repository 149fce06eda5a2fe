//! Severity that follows what changed (issue 15), through the real binary
//! on a repository made with git in a temp dir: a dependabot pin bump is
//! low, a `pull_request_target` checkout of the pull request's code high;
//! a Travis `secure:` value is a secret, not a payload; Greek in a string
//! is low and in a name high; a string of variation selectors, a path with
//! a bidi override or an escape, and a symlink to /etc/passwd are high.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Repo {
    _dir: tempfile::TempDir,
    root: PathBuf,
    work: PathBuf,
    /// Commits made so far (their dates are a day apart).
    count: i64,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let work = root.join("project");
        std::fs::create_dir(&work).expect("mkdir");
        let repo = Repo { _dir: dir, root, work, count: 0 };
        repo.git(&["init", "-q", "--initial-branch", "main"], "Alice <alice@example.org>");
        repo
    }

    fn git(&self, args: &[&str], who: &str) {
        let (name, email) = who.split_once(" <").expect("Name <email>");
        let email = email.trim_end_matches('>');
        let date = format!("@{} +0000", 1_700_000_000 + self.count * 86_400);
        let out = Command::new("git")
            .current_dir(&self.work)
            .args(args)
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", email)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.work.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn commit(&mut self, message: &str, who: &str) {
        self.count += 1;
        self.git(&["add", "-A"], who);
        self.git(&["commit", "-q", "-m", message], who);
    }

    fn list(&self) -> Vec<Value> {
        let out = rearview(&self.root, &["list", "--repo", s(&self.work), "--format", "json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().unwrap_or_default()
    }
}

fn rearview(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rearview"))
        .args(args)
        .arg("--db")
        .arg(data.join("store.sqlite3"))
        .env("XDG_CONFIG_HOME", data.join("config"))
        .env("XDG_DATA_HOME", data.join("data"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run rearview")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn change<'a>(all: &'a [Value], title: &str) -> &'a Value {
    all.iter()
        .find(|c| c["title"].as_str().is_some_and(|t| t.contains(title)))
        .unwrap_or_else(|| panic!("no change titled {title}"))
}

/// The strongest severity of `kind` on a change (None: no such signal).
fn severity(change: &Value, kind: &str) -> Option<String> {
    let rank = |s: &str| ["low", "medium", "high", "critical"].iter().position(|x| *x == s);
    change["risks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["kind"] == kind)
        .filter_map(|r| r["severity"].as_str().map(str::to_string))
        .max_by_key(|s| rank(s))
}

fn explanations(change: &Value, kind: &str) -> String {
    let texts: Vec<&str> = change["risks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["kind"] == kind)
        .filter_map(|r| r["explanation"].as_str())
        .collect();
    texts.join("\n")
}

const WORKFLOW: &str = "name: CI\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v3\n      - run: make test\n";

const DEPENDABOT: &str = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>";
const ALICE: &str = "Alice <alice@example.org>";
const BOB: &str = "Bob <bob@example.org>";

fn history() -> Repo {
    let mut r = Repo::new();
    r.write(".github/workflows/ci.yml", WORKFLOW);
    r.write("app.py", "def total(xs):\n    return sum(xs)\n");
    r.write(".travis.yml", "language: python\nscript:\n  - make test\n");
    r.write("Makefile", "test:\n\tpytest\n");
    r.commit("Initial import", ALICE);
    for i in 0..6 {
        r.write(&format!("notes/{i}.txt"), "a note\n");
        r.commit(&format!("Add note {i}"), ALICE);
    }

    r.write(".github/workflows/ci.yml", &WORKFLOW.replace("checkout@v3", "checkout@v4"));
    r.commit("Bump actions/checkout from 3 to 4", DEPENDABOT);

    let preview = "name: Preview\non: pull_request_target\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: make docs\n";
    r.write(".github/workflows/preview.yml", preview);
    r.commit("Preview the docs of every pull request", BOB);

    let secure = "K7f3Zq9+Lm2XwP4sYt8Rv1Nb6Hc0Jd5Ge3Fa9Ui7Ok2Mj4Ln1Bp8Cq6Dr5Es0Ft3Gu7Hv2Iw9Jx4Ky1Lz6Ma8Nb3Oc5Pd0Qe7Rf2Sg9Th4Ui1Vj6Wk8Xl3Ym5Zn0Ao7Bp2Cq9Dr4Es1Ft6Gu8Hv3Iw5Jx0Ky7Lz2Ma9Nb4Oc1Pd6Qe8Rf3Sg5Th0Ui7Vj2Wk9Xl4Ym1==";
    r.write(
        ".travis.yml",
        &format!("language: python\nscript:\n  - make test\ndeploy:\n  provider: pypi\n  password:\n    secure: >-\n      {secure}\n"),
    );
    r.commit("Deploy tagged releases from Travis", ALICE);

    r.write("app.py", "def total(xs):\n    return sum(xs)\n\nLABEL = \"{:.3f} μs\"\n");
    r.commit("Show timings in microseconds", ALICE);

    // `tοtal` with a Greek omicron: another function than `total`.
    r.write("app.py", "def total(xs):\n    return sum(xs)\n\nLABEL = \"{:.3f} μs\"\n\ndef tοtal(xs):\n    return 0\n");
    r.commit("Add a faster total", BOB);

    let hidden: String = ('\u{FE00}'..='\u{FE0D}').chain('\u{E0100}'..='\u{E0120}').collect();
    r.write("loader.js", &format!("const data = \"{hidden}\";\nrun(decode(data));\n"));
    r.commit("Add the loader", BOB);

    r.write("invoice\u{202E}txt.exe", "MZ\n");
    r.write("esc\u{1b}[31mred.txt", "red\n");
    r.commit("Add the invoices", BOB);

    std::fs::create_dir_all(r.work.join("tests")).expect("mkdir");
    std::os::unix::fs::symlink("/etc/passwd", r.work.join("tests/passwd")).expect("symlink");
    std::os::unix::fs::symlink("../app.py", r.work.join("tests/app.py")).expect("symlink");
    r.commit("Add fixtures", BOB);
    r
}

#[cfg(unix)]
#[test]
fn severity_follows_what_changed() {
    let r = history();
    let all = r.list();

    let bump = change(&all, "Bump actions/checkout");
    assert_eq!(severity(bump, "build_system").as_deref(), Some("low"), "{bump}");
    assert!(explanations(bump, "build_system").contains("a dependency bot moved version pins only"));

    let preview = change(&all, "Preview the docs");
    assert_eq!(severity(preview, "build_system").as_deref(), Some("high"), "{preview}");
    let why = explanations(preview, "build_system");
    assert!(why.contains("pull_request_target") && why.contains("github.event.pull_request.head.sha"), "{why}");

    let deploy = change(&all, "Deploy tagged releases");
    assert_eq!(severity(deploy, "embedded_payload").as_deref(), Some("low"), "{deploy}");
    assert!(explanations(deploy, "embedded_payload").contains("an encrypted secret, not a payload"));

    let micro = change(&all, "Show timings in microseconds");
    assert_eq!(severity(micro, "hidden_characters").as_deref(), Some("low"), "{micro}");
    assert!(explanations(micro, "hidden_characters").contains("in a string"));

    let greek = change(&all, "Add a faster total");
    assert_eq!(severity(greek, "hidden_characters").as_deref(), Some("high"), "{greek}");
    assert!(explanations(greek, "hidden_characters").contains("in an identifier"));

    let loader = change(&all, "Add the loader");
    assert_eq!(severity(loader, "hidden_characters").as_deref(), Some("high"), "{loader}");
    assert!(explanations(loader, "hidden_characters").contains("47 invisible characters in a row"), "{loader}");

    let invoices = change(&all, "Add the invoices");
    assert_eq!(severity(invoices, "hidden_characters").as_deref(), Some("high"), "{invoices}");
    let why = explanations(invoices, "hidden_characters");
    assert!(why.contains("invoice⟨U+202E RLO⟩txt.exe") && why.contains("esc␛[31mred.txt"), "{why}");
    assert!(!why.contains('\u{202E}') && !why.contains('\u{1b}'), "never raw");

    let fixtures = change(&all, "Add fixtures");
    assert_eq!(severity(fixtures, "suspicious_symlink").as_deref(), Some("high"), "{fixtures}");
    let why = explanations(fixtures, "suspicious_symlink");
    assert!(why.contains("tests/passwd") && why.contains("/etc/passwd"), "{why}");
    assert!(!why.contains("tests/app.py"), "a link inside the tree is fine: {why}");

    // The notes and the import carry nothing at high.
    let note = change(&all, "Add note 3");
    assert!(note["risks"].as_array().is_some_and(|r| r.iter().all(|x| x["severity"] != "high")), "{note}");
}

#[cfg(unix)]
#[test]
fn invisible_characters_are_revealed_in_show_and_emoji_are_left_alone() {
    let mut r = Repo::new();
    r.write("a.py", "x = 1\n");
    r.commit("Start", ALICE);
    r.write("a.py", "x = 1\nheart = \"\u{2764}\u{FE0F}\"\nfiller = \"\u{3164}\"\nsel = \"a\u{E0101}\"\n");
    r.commit("Strings", ALICE);
    let out = rearview(&r.root, &["show", "main", "--repo", s(&r.work), "--color", "never"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\u{2764}\u{FE0F}"), "an emoji with its selector is an emoji:\n{text}");
    assert!(text.contains("⟨U+3164 HANGUL FILLER⟩"), "{text}");
    assert!(text.contains("⟨U+E0101 VS18⟩"), "{text}");
    assert!(!text.contains('\u{3164}') && !text.contains('\u{E0101}'), "never raw");
}

#[cfg(unix)]
#[test]
fn authors_are_judged_against_the_whole_history_kept_in_the_store() {
    let mut r = Repo::new();
    for i in 0..6 {
        r.write(&format!("notes/{i}.txt"), "a note\n");
        r.commit(&format!("Add note {i}"), ALICE);
    }
    r.write("lib/a.py", "a = 1\n");
    r.commit("Bob's first fix", BOB);
    r.git(&["tag", "v1"], ALICE);
    r.write("lib/a.py", "a = 2\n");
    r.commit("Bob's second fix", BOB);
    let since = |r: &Repo| {
        let out = rearview(&r.root, &["list", "--repo", s(&r.work), "--format", "json", "--range", "v1..main"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().unwrap_or_default()
    };
    let listed = since(&r);
    let second = change(&listed, "Bob's second fix");
    assert!(
        !explanations(second, "unusual_author").contains("first change"),
        "Bob's first change came before the range: {second}"
    );

    // Read once into the store; a newcomer after that is still news.
    r.write("lib/b.py", "b = 1\n");
    r.commit("Carol's first change", "Carol <carol@example.org>");
    let listed = since(&r);
    let carol = change(&listed, "Carol's first change");
    assert!(explanations(carol, "unusual_author").contains("Carol's first change in the project"), "{carol}");
    let store = rusqlite::Connection::open(r.root.join("store.sqlite3")).expect("open the store");
    let (tips, times): (String, String) = store
        .query_row("SELECT tips, times FROM author_history", [], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("the history is kept");
    let head = Command::new("git").current_dir(&r.work).args(["rev-parse", "main"]).output().expect("git");
    assert!(tips.contains(String::from_utf8_lossy(&head.stdout).trim()), "{tips}");
    assert!(times.contains("carol@example.org") && times.contains("bob@example.org"), "{times}");
}
