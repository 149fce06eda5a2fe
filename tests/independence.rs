//! The author can never approve their own change (DESIGN "Independent
//! approval"): the real binary on a repository built in a temp dir,
//! against the fake GitHub (a real HTTP server on 127.0.0.1). Ledger and
//! outbox entries follow the rules of GitHub reviews, a refused action is
//! no evidence, and the reviewer is the token's login when GitHub says it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use rearview::model::{Person, PullRequest};
use rearview::repo::write::{Files, Writer};
use serde_json::Value;
use support::fake_github::{FakeGitHub, Fault};

const REPO: &str = "quill-lang/quill";

fn person(name: &str) -> Person {
    Person { name: name.to_string(), email: format!("{}@example.org", name.to_lowercase()) }
}

struct World {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    repo: PathBuf,
    config: PathBuf,
    github: FakeGitHub,
    /// The merge of pull request #1, by Alice.
    pr_change: String,
    /// Bob's direct push, co-authored by Carol, committed by Dave.
    pushed: String,
    /// Erin's direct push.
    other: String,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().to_path_buf();
        let repo = path.join("quill");
        let mut writer = Writer::init(&repo).expect("init");
        let mut files = Files::new();
        let mut commit = |files: &mut Files, parent: &[git2::Oid], author: &Person, committer: &Person, at, message| {
            files.insert(format!("file{at}"), format!("{message}\n").into_bytes());
            let tree = writer.tree(files).expect("tree");
            writer.commit(Some("refs/heads/main"), parent, tree, author, committer, at, message).expect("commit")
        };
        let (alice, bob, dave, erin) = (person("Alice"), person("Bob"), person("Dave"), person("Erin"));
        let root = commit(&mut files, &[], &alice, &alice, 1_000, "Start\n");
        let pr_change = commit(&mut files, &[root], &alice, &alice, 2_000, "Add the parser (#1)\n");
        let pushed = commit(
            &mut files,
            &[pr_change],
            &bob,
            &dave,
            3_000,
            "Fix the lexer\n\nCo-authored-by: Carol <carol@example.org>\n",
        );
        let other = commit(&mut files, &[pushed], &erin, &erin, 4_000, "Tidy the docs\n");
        let github = FakeGitHub::start();
        github.add_repo("quill-lang", "quill");
        github.add_pull(
            REPO,
            &PullRequest {
                number: 1,
                title: "Add the parser".into(),
                body: String::new(),
                author: "alice".into(),
                author_association: "CONTRIBUTOR".into(),
                merged_by: Some("alice".into()),
                merged_at: Some(2_000),
                merge_commit_sha: Some(pr_change.to_string()),
                head_sha: Some(pr_change.to_string()),
                base_branch: "main".into(),
                labels: Vec::new(),
                updated_at: Some(2_000),
                commits: vec![pr_change.to_string()],
            },
            "CONTRIBUTOR",
        );
        let config = path.join("config.toml");
        std::fs::write(&config, format!("[github]\nrepository = \"{REPO}\"\ntimeout_secs = 3\nbackoff_ms = 10\n"))
            .expect("config");
        World {
            _dir: dir,
            dir: path,
            repo,
            config,
            github,
            pr_change: pr_change.to_string(),
            pushed: pushed.to_string(),
            other: other.to_string(),
        }
    }

    /// Runs rearview as the git identity `email` with a token GitHub knows as `login`.
    fn run_as(&self, email: &str, login: &str, args: &[&str]) -> Output {
        let token = format!("ghp_token_of_{login}");
        self.github.set_token_user(&token, login);
        self.run_with_token(email, &token, args)
    }

    fn run_with_token(&self, email: &str, token: &str, args: &[&str]) -> Output {
        git2::Repository::open(&self.repo)
            .and_then(|r| r.config())
            .and_then(|mut c| c.set_str("user.email", email))
            .expect("set user.email");
        std::process::Command::new(env!("CARGO_BIN_EXE_rearview"))
            .args(args)
            .args(["--repo", s(&self.repo), "--db", s(&self.dir.join("store.sqlite3")), "--config", s(&self.config)])
            .args(["--github-api", &self.github.url()])
            .env("XDG_CONFIG_HOME", self.dir.join("xdg-config"))
            .env("XDG_DATA_HOME", self.dir.join("xdg-data"))
            .env("GITHUB_TOKEN", token)
            .env_remove("GH_TOKEN")
            .env_remove("REARVIEW_GITHUB_API")
            .env("PATH", "/usr/bin:/bin")
            .output()
            .expect("run rearview")
    }

    fn verdict(&self, sha: &str) -> String {
        let out = self.run_as("nobody@example.org", "nobody", &["list", "--format", "json"]);
        let changes: Value = serde_json::from_slice(&out.stdout).expect("json");
        let change = changes.as_array().and_then(|c| c.iter().find(|c| c["sha"] == sha)).expect("listed");
        change["verdict"].as_str().unwrap_or_default().to_string()
    }

    fn outbox(&self) -> Vec<Value> {
        let out = self.run_as("nobody@example.org", "nobody", &["outbox", "--format", "json"]);
        serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().unwrap_or_default()
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_author_approving_their_own_pull_request_is_refused_at_once() {
    let w = World::new();
    assert!(w.run_as("alice@example.org", "alice", &["sync"]).status.success());
    let out = w.run_as("alice@example.org", "alice", &["approve", "#1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("would not count") && err.contains("alice is the pull request's author"), "{err}");
    assert!(w.github.posted_reviews().is_empty());
    assert!(w.outbox().is_empty(), "nothing recorded");
    assert_eq!(w.verdict(&w.pr_change), "unreviewed");

    // Recorded anyway on request: GitHub refuses it, and it still does not count.
    let out = w.run_as("alice@example.org", "alice", &["approve", "#1", "--own"]);
    assert!(stderr(&out).contains("it will not count"), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(1), "refused by GitHub: {}", stderr(&out));
    assert_eq!(w.outbox()[0]["state"], "failed");
    assert_eq!(w.verdict(&w.pr_change), "unreviewed");
}

#[test]
fn the_author_of_a_direct_push_is_matched_by_email_even_under_another_login() {
    let w = World::new();
    // No sync: nothing maps bob@example.org to the login `bob-gh`.
    let out = w.run_as("bob@example.org", "bob-gh", &["approve", &w.pushed]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("the commit's author"), "{}", stderr(&out));
    assert!(w.github.posted_commit_comments().is_empty(), "not posted");
    assert_eq!(w.verdict(&w.pushed), "unreviewed");
}

#[test]
fn a_co_author_or_the_committer_cannot_approve_either() {
    let w = World::new();
    for (email, rule) in [("carol@example.org", "a co-author"), ("dave@example.org", "the committer")] {
        let login = email.split('@').next().unwrap_or_default();
        let out = w.run_as(email, login, &["approve", &w.pushed]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(rule), "{rule}: {}", stderr(&out));
        // Recorded anyway, it is still no evidence (whatever GitHub does with it).
        let out = w.run_as(email, login, &["approve", &w.pushed, "--own", "--no-push"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(w.outbox().len(), 2);
    assert_eq!(w.verdict(&w.pushed), "unreviewed");
}

#[test]
fn a_refused_action_from_someone_else_does_not_count() {
    let w = World::new();
    let path = format!("/repos/{REPO}/commits/{}/comments", w.other);
    w.github.inject_on("POST", &path, Fault::Status(422), 1);
    let out = w.run_as("frank@example.org", "frank", &["approve", &w.other]);
    assert_eq!(out.status.code(), Some(1), "refused: {}", stderr(&out));
    assert_eq!(w.outbox()[0]["state"], "failed");
    assert_eq!(w.verdict(&w.other), "unreviewed");
    // Delivered on a retry, it counts.
    let out = w.run_as("frank@example.org", "frank", &["outbox", "--push"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(w.verdict(&w.other), "approved_after_merge");
}

#[test]
fn the_reviewer_is_the_tokens_login_asked_once() {
    let w = World::new();
    let out = w.run_as("frank.git@example.org", "frank", &["approve", &w.other, "--no-push"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = w.run_as("frank.git@example.org", "frank", &["approve", &w.pushed, "--no-push"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let outbox = w.outbox();
    assert_eq!(outbox.len(), 2);
    assert!(outbox.iter().all(|e| e["reviewer"] == "frank"), "{outbox:?}");
    let asked = w.github.requests().iter().filter(|r| r.path == "/user").count();
    assert_eq!(asked, 1, "GET /user once, then the store's cache");
    assert_eq!(w.verdict(&w.other), "approved_after_merge");
}

#[test]
fn a_renamed_login_is_learnt_once_the_cached_one_is_a_day_old() {
    let w = World::new();
    let token = "ghp_token_of_a_renamed_reviewer";
    w.github.set_token_user(token, "frank");
    let out = w.run_with_token("frank.git@example.org", token, &["approve", &w.other, "--no-push"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Frank renames his account; within the day the store's word stands.
    w.github.set_token_user(token, "frank-r");
    let out = w.run_with_token("frank.git@example.org", token, &["approve", &w.pushed, "--no-push"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(w.outbox().iter().all(|e| e["reviewer"] == "frank"), "{:?}", w.outbox());
    assert_eq!(w.github.requests().iter().filter(|r| r.path == "/user").count(), 1);

    // A day later GitHub is asked again, and the new name is used.
    let store = rusqlite::Connection::open(w.dir.join("store.sqlite3")).expect("open the store");
    store.execute("UPDATE token_logins SET checked_at = checked_at - 2 * 86400", []).expect("age the cache");
    drop(store);
    let out = w.run_with_token("frank.git@example.org", token, &["concern", &w.pr_change, "-m", "why?", "--no-push"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(w.github.requests().iter().filter(|r| r.path == "/user").count(), 2);
    let outbox = w.outbox();
    assert_eq!(outbox.last().map(|e| e["reviewer"].clone()), Some(Value::from("frank-r")), "{outbox:?}");
}
