//! Backport conventions of real projects, on histories shaped like theirs:
//! patchback (aiohttp, pytest), MeeseeksDev (IPython, matplotlib), OpenSSL,
//! Linux stable, hand-made backports and a configured pattern. Each history
//! is a real git repository written in a temp dir; nothing is downloaded.
//!
//! Every backport changes its file differently from its original, so an
//! equal patch-id cannot link it: only its message can.

mod support;

use std::path::{Path, PathBuf};

use git2::Oid;
use rearview::config::Config;
use rearview::model::{Change, ChangeKind, OriginalLink, Person};
use rearview::pipeline::{self, Selection};
use rearview::repo::write::{Files, Writer};
use rearview::repo::Repo;
use rearview::store::Store;
use serde_json::Value;
use support::binary::rearview;

const PATTERN_CONFIG: &str = "[[backport.patterns]]\nregex = '^\\[backport (?P<sha>[0-9a-f]{7,40})\\]'\n";

fn person(name: &str) -> Person {
    Person { name: name.into(), email: format!("{}@example.org", name.to_lowercase()) }
}

/// `main` and the maintenance branch `3.11`, forked at the root; each
/// commit an hour after the previous one.
struct History {
    dir: tempfile::TempDir,
    path: PathBuf,
    writer: Writer,
    main: (Oid, Files),
    maint: (Oid, Files),
    clock: i64,
}

impl History {
    fn new() -> History {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repo");
        let mut writer = Writer::init(&path).expect("init");
        let mut files = Files::new();
        files.insert("README".into(), b"a project\n".to_vec());
        let tree = writer.tree(&files).expect("tree");
        let a = person("Alice");
        let root = writer.commit(Some("refs/heads/main"), &[], tree, &a, &a, 1_000, "Root\n").expect("root");
        writer.set_reference("refs/heads/3.11", root, "fork").expect("fork 3.11");
        writer.set_head("main").expect("head");
        History { dir, path, writer, main: (root, files.clone()), maint: (root, files), clock: 1_000 }
    }

    fn tick(&mut self) -> i64 {
        self.clock += 3_600;
        self.clock
    }

    /// An original on `main`: writes `path`.
    fn on_main(&mut self, path: &str, message: &str) -> Oid {
        let (tip, mut files) = self.main.clone();
        files.insert(path.into(), format!("{path} on main\n").into_bytes());
        let tree = self.writer.tree(&files).expect("tree");
        let (a, at) = (person("Alice"), self.tick());
        let sha = self.writer.commit(Some("refs/heads/main"), &[tip], tree, &a, &a, at, message).expect("commit");
        self.main = (sha, files);
        sha
    }

    /// A backport on `3.11`: writes `path` its own way.
    fn on_maint(&mut self, path: &str, message: &str) -> Oid {
        let (tip, mut files) = self.maint.clone();
        files.insert(path.into(), format!("{path} backported\n").into_bytes());
        let tree = self.writer.tree(&files).expect("tree");
        let (b, at) = (person("Bot"), self.tick());
        let sha = self.writer.commit(Some("refs/heads/3.11"), &[tip], tree, &b, &b, at, message).expect("commit");
        self.maint = (sha, files);
        sha
    }

    /// A pull request merged into `3.11` with a merge commit.
    fn merge_into_maint(&mut self, path: &str, side_message: &str, message: &str) -> Oid {
        let (tip, mut files) = self.maint.clone();
        files.insert(path.into(), format!("{path} backported\n").into_bytes());
        let tree = self.writer.tree(&files).expect("tree");
        let (b, at) = (person("Bot"), self.tick());
        let side = self.writer.commit(None, &[tip], tree, &b, &b, at, side_message).expect("side");
        let merge =
            self.writer.commit(Some("refs/heads/3.11"), &[tip, side], tree, &b, &b, at + 60, message).expect("merge");
        self.maint = (merge, files);
        merge
    }

    fn load(&self, config: &Config) -> Vec<Change> {
        let repo = Repo::open(&self.path).expect("open");
        let mut store = Store::open(&self.dir.path().join("store.sqlite3")).expect("store");
        let selection = Selection { branches: vec!["3.11".into()], ..Selection::default() };
        pipeline::load(&repo, &mut store, config, &selection).expect("load").queue.changes
    }
}

fn short(sha: Oid, n: usize) -> String {
    sha.to_string()[..n].to_string()
}

/// What one backport must come out as.
struct Expect {
    backport: Oid,
    original: Oid,
    link: OriginalLink,
    pr: Option<u64>,
    title: String,
}

/// A history holding one backport of each convention, and what each must
/// be read as.
fn conventions() -> (History, Vec<Expect>, Oid) {
    let mut h = History::new();
    let mut want = Vec::new();
    let mut expect = |backport, original, link, pr, title: &str| {
        want.push(Expect { backport, original, link, pr, title: title.to_string() })
    };

    // patchback, squashed: `[PR #N/sha backport][branch] Title (#own)`.
    let o = h.on_main("cache.py", "Revert cache key change for linter (#11081)\n");
    let subject = format!("[PR #11081/{} backport][3.11] Revert cache key change for linter", short(o, 8));
    let b = h.on_maint("cache.py", &format!("{subject} (#11082)\n\nCo-authored-by: J. Nick <nick@example.org>\n"));
    expect(b, o, OriginalLink::BackportConvention, Some(11082), &subject);

    // patchback, merged from `patchback/backports/<branch>/<sha>/pr-N`.
    let o = h.on_main("release.py", "scripts/release: add missing `build` (#13467)\n");
    let title = format!("[PR #13467/{} backport][3.11] scripts/release: add missing `build`", short(o, 8));
    let b = h.merge_into_maint(
        "release.py",
        &format!("{title}\n\n(cherry picked from commit {o})\n"),
        &format!("Merge pull request #13468 from pytest-dev/patchback/backports/3.11/{o}/pr-13467\n\n{title}\n"),
    );
    expect(b, o, OriginalLink::BackportConvention, Some(13468), &title);

    // MeeseeksDev, both subject forms.
    let o = h.on_main("CHANGES", "Update changelog for 8.37 (#14913)\n");
    let b = h.on_maint("CHANGES", "Backport PR #14913 on branch 3.11 (Update changelog for 8.37) (#14915)\n");
    expect(
        b,
        o,
        OriginalLink::PullRequestNumber,
        Some(14915),
        "Backport PR #14913 on branch 3.11 (Update changelog for 8.37)",
    );
    let o = h.on_main("docs.rst", "Fix the docs build (#14920)\n");
    let b = h.on_maint("docs.rst", "Backport PR #14920: Fix the docs build\n");
    expect(b, o, OriginalLink::PullRequestNumber, None, "Backport PR #14920: Fix the docs build");

    // OpenSSL: the merger cherry-picks with -x; `Merged from` names the PR.
    let merged =
        "Reviewed-by: Tomas <tomas@example.org>\n(Merged from https://github.com/openssl/openssl/pull/24537)\n";
    let o = h.on_main("bio.c", &format!("Fix a leak in BIO_new\n\nThe leak.\n\n{merged}"));
    let b = h.on_maint(
        "bio.c",
        &format!("Fix a leak in BIO_new\n\nThe leak.\n\n{merged}\n(cherry picked from commit {o})\n"),
    );
    expect(b, o, OriginalLink::CherryPickTrailer, Some(24537), "Fix a leak in BIO_new");
    // …and without -x, the same pull request merged on the main line.
    let merged =
        "Reviewed-by: Tomas <tomas@example.org>\n(Merged from https://github.com/openssl/openssl/pull/24600)\n";
    let o = h.on_main("evp.c", &format!("Check the EVP key size\n\n{merged}"));
    let b = h.on_maint("evp.c", &format!("Check the EVP key size\n\n{merged}"));
    expect(b, o, OriginalLink::PullRequestNumber, None, "Check the EVP key size");

    // Linux stable: the body's first line names the upstream commit.
    let o = h.on_main("sched.c", "sched: fix a race in wakeups\n\nSigned-off-by: Linus <l@example.org>\n");
    let b = h.on_maint("sched.c", &format!("sched: fix a race in wakeups\n\ncommit {o} upstream.\n\nThe race.\n\nSigned-off-by: Greg <g@example.org>\n"));
    expect(b, o, OriginalLink::BackportConvention, None, "sched: fix a race in wakeups");
    let o = h.on_main("tcp.c", "tcp: drop a stale check\n");
    let b = h.on_maint(
        "tcp.c",
        &format!("tcp: drop a stale check\n\n[ Upstream commit {o} ]\n\nSigned-off-by: Sasha <s@example.org>\n"),
    );
    expect(b, o, OriginalLink::BackportConvention, None, "tcp: drop a stale check");

    // Hand-made.
    let o = h.on_main("parser.py", "Fix the parser (#77)\n");
    let b = h.on_maint("parser.py", "[3.11] Fix the parser\n\nManual backport of https://github.com/o/r/pull/77\n");
    expect(b, o, OriginalLink::PullRequestNumber, None, "[3.11] Fix the parser");
    let o = h.on_main("lexer.py", "Speed up the lexer (#78)\n");
    let b = h.on_maint("lexer.py", "Backport of #78: speed up the lexer (#90)\n");
    expect(b, o, OriginalLink::PullRequestNumber, Some(90), "Backport of #78: speed up the lexer");

    // Both a sha and a pull request named: the sha wins.
    let other = h.on_main("mixed.py", "Something else (#11200)\n");
    let o = h.on_main("mixed2.py", "The real original (#11201)\n");
    let subject = format!("[PR #11200/{} backport][3.11] The real original", short(o, 10));
    let b = h.on_maint("mixed2.py", &format!("{subject} (#11202)\n"));
    expect(b, o, OriginalLink::BackportConvention, Some(11202), &subject);
    assert_ne!(other, o);

    // pytest `e5c2efe3c3`: a squash of a merge subject, its body a
    // cherry-pick note and a trailer. The title is the subject.
    let o = h.on_main("towncrier.toml", "Bump towncrier (#13256)\n");
    let b = h.on_maint(
        "towncrier.toml",
        &format!("Merge pull request #13256 from webknjaz/maintenance/towncrier-bump (#13258)\n\n(cherry picked from commit {o})\n\nCo-authored-by: S <s@example.org>\n"),
    );
    expect(
        b,
        o,
        OriginalLink::CherryPickTrailer,
        Some(13258),
        "Merge pull request #13256 from webknjaz/maintenance/towncrier-bump",
    );

    // A project's own convention, read only with its config.
    let configured = h.on_main("check.py", "Tighten the check\n");
    let b = h.on_maint("check.py", &format!("[backport {}] Tighten the check\n", short(configured, 10)));
    want.push(Expect {
        backport: b,
        original: configured,
        link: OriginalLink::BackportConvention,
        pr: None,
        title: format!("[backport {}] Tighten the check", short(configured, 10)),
    });
    (h, want, b)
}

fn find(changes: &[Change], sha: Oid) -> &Change {
    changes.iter().find(|c| c.sha == sha.to_string()).unwrap_or_else(|| panic!("{sha} is listed"))
}

#[test]
fn each_convention_links_its_backport_to_the_named_commit() {
    let (history, want, _) = conventions();
    let config = Config::parse(PATTERN_CONFIG, Path::new("c.toml")).expect("config");
    let changes = history.load(&config);
    for w in &want {
        let c = find(&changes, w.backport);
        let original = c.original.as_ref().unwrap_or_else(|| panic!("{:?} has no original", c.title));
        assert_eq!(c.kind, ChangeKind::Backport, "{}", c.title);
        assert_eq!(original.sha, w.original.to_string(), "{}", c.title);
        assert_eq!(original.branch, "main", "{}", c.title);
        assert_eq!(original.link, w.link, "{}", c.title);
        assert_eq!(c.pr, w.pr, "the change's own number: {}", c.title);
        assert_eq!(c.title, w.title);
        assert_eq!(c.patch_id_matches, Some(false), "changed differently: {}", c.title);
    }
    assert_eq!(changes.len(), want.len(), "every change on 3.11 is one of these");
}

#[test]
fn a_configured_pattern_is_read_only_when_configured() {
    let (history, _, configured) = conventions();
    let changes = history.load(&Config::default());
    let c = find(&changes, configured);
    assert!(c.original.is_none(), "no convention names it without the config");
    assert_eq!(c.kind, ChangeKind::DirectPush);
}

#[test]
fn an_unknown_or_ambiguous_sha_links_nothing() {
    let mut h = History::new();
    h.on_main("a.py", "An original (#5)\n");
    let unknown = h.on_maint("a.py", "[PR #4/deadbeef backport][3.11] Nothing like it (#6)\n");
    let not_hex = h.on_maint("b.py", "fix\n\ncommit zzzzzzzzzz upstream.\n");
    let changes = h.load(&Config::default());
    for sha in [unknown, not_hex] {
        let c = find(&changes, sha);
        assert!(c.original.is_none(), "{}", c.title);
    }
    assert_eq!(find(&changes, unknown).pr, Some(6), "its own number stays");
}

fn list_json(h: &History, extra: &[&str]) -> Vec<Value> {
    let db = h.dir.path().join("cli.sqlite3");
    let mut args = vec!["--repo", h.path.to_str().expect("utf-8"), "--db", db.to_str().expect("utf-8")];
    args.extend_from_slice(&["list", "--branch", "3.11", "--format", "json"]);
    args.extend_from_slice(extra);
    let out = rearview(&args);
    assert!(out.status.success(), "list: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v.as_array().expect("an array").clone()
}

#[test]
fn the_binary_reads_the_conventions_and_the_config() {
    let (history, want, _) = conventions();
    let config = history.dir.path().join("config.toml");
    std::fs::write(&config, PATTERN_CONFIG).expect("write config");
    let changes = list_json(&history, &["--config", config.to_str().expect("utf-8")]);
    for w in &want {
        let c = changes.iter().find(|c| c["sha"] == w.backport.to_string()).expect("listed");
        assert_eq!(c["kind"], "backport", "{}", c["title"]);
        assert_eq!(c["original"]["sha"], w.original.to_string(), "{}", c["title"]);
        assert_eq!(c["title"], w.title.as_str());
    }
    let by_convention = changes.iter().filter(|c| c["original"]["link"] == "backport_convention").count();
    assert_eq!(by_convention, 6, "patchback ×3, Linux stable ×2, the configured pattern");
}

#[test]
fn bad_patterns_are_refused_when_the_config_loads() {
    let history = History::new();
    let db = history.dir.path().join("cli.sqlite3");
    let cases = [
        ("[[backport.patterns]]\nregex = '(?P<sha>[0-9a-f'\n", "does not compile (unclosed character class)"),
        ("[[backport.patterns]]\nregex = '^\\[backport ([0-9a-f]+)\\]'\n", "has no group named `pr` or `sha`"),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        let config = history.dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&config, text).expect("write config");
        let out = rearview(&[
            "--repo",
            history.path.to_str().expect("utf-8"),
            "--db",
            db.to_str().expect("utf-8"),
            "--config",
            config.to_str().expect("utf-8"),
            "list",
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.contains(&format!("{}: backport.patterns regex", config.display())), "names the file: {err}");
        assert!(err.contains(needle), "{needle:?}: {err}");
    }
}
