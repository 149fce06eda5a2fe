//! Post-hoc approvals and concerns reach GitHub exactly once: the real
//! binary against the fake GitHub (a real HTTP server on 127.0.0.1) with
//! injected faults, a lost answer, and a process killed mid-push.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::fake_github::{FakeGitHub, Fault};

const TOKEN: &str = "ghp_rearviewOutboxSecret0123456789";
const REPO: &str = "quill-lang/quill";

struct World {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    repo: PathBuf,
    db: PathBuf,
    config: PathBuf,
    github: FakeGitHub,
    demo: rearview::pipeline::demo::Demo,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().to_path_buf();
        let repo = path.join("quill");
        let db = path.join("store.sqlite3");
        let demo = rearview::pipeline::demo::build(&repo, Some(&db)).expect("build the demo");
        git2::Repository::open(&repo)
            .and_then(|r| r.config())
            .and_then(|mut c| c.set_str("user.email", "reviewer@example.org"))
            .expect("set user.email");
        let github = FakeGitHub::start();
        github.add_repo("quill-lang", "quill");
        github.require_token(Some(TOKEN));
        github.set_token_user(TOKEN, "reviewer");
        for pr in &demo.pulls {
            let association = demo.associations.get(&pr.author).map(String::as_str).unwrap_or("NONE");
            github.add_pull(REPO, pr, association);
        }
        let config = path.join("config.toml");
        std::fs::write(&config, format!("[github]\nrepository = \"{REPO}\"\ntimeout_secs = 3\nbackoff_ms = 10\n"))
            .expect("config");
        World { dir: path, repo, db, config, github, demo, _dir: dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        self.command_on(&self.db, args)
    }

    /// A command on another store (another reviewer's machine).
    fn command_on(&self, db: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rearview"));
        cmd.args(args)
            .args(["--repo", s(&self.repo), "--db", s(db), "--config", s(&self.config)])
            .args(["--github-api", &self.github.url()])
            .env("XDG_CONFIG_HOME", self.dir.join("xdg-config"))
            .env("XDG_DATA_HOME", self.dir.join("xdg-data"))
            .env("GITHUB_TOKEN", TOKEN)
            .env_remove("GH_TOKEN")
            .env_remove("REARVIEW_GITHUB_API")
            .env("PATH", "/usr/bin:/bin");
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run rearview")
    }

    fn reviews_on(&self, pr: u64) -> Vec<support::fake_github::PostedReview> {
        self.github.posted_reviews().into_iter().filter(|r| r.pr == pr).collect()
    }

    fn outbox(&self) -> Vec<Value> {
        let out = self.run(&["outbox", "--format", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().unwrap_or_default()
    }

    fn ledger(&self) -> Vec<Value> {
        let out = self.run(&["ledger", "--format", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().unwrap_or_default()
    }

    /// A pull request of the demo that its author did not approve.
    fn pr_by(&self, title: &str) -> u64 {
        self.demo.pulls.iter().find(|p| p.title.contains(title)).map(|p| p.number).expect("pull request")
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn reviews_path(pr: u64) -> String {
    format!("/repos/{REPO}/pulls/{pr}/reviews")
}

#[test]
fn approve_posts_exactly_one_approve_review_carrying_the_marker() {
    let w = World::new();
    let pr = w.pr_by("Tidy the checker's exit code handling");
    let out = w.run(&["approve", &format!("#{pr}"), "--message", "Read it after the fact: fine."]);
    assert!(out.status.success(), "{}", stderr(&out));
    let reviews = w.reviews_on(pr);
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    let review = &reviews[0];
    assert_eq!(review.state, "APPROVED");
    assert_eq!(review.user, "reviewer");
    assert!(review.body.contains("Read it after the fact: fine."), "{}", review.body);
    assert!(review.body.contains("<!-- rearview:approval id="), "{}", review.body);
    assert!(stderr(&out).contains("posted"), "{}", stderr(&out));
    assert!(w.outbox().is_empty(), "nothing left to deliver");
    let ledger = w.ledger();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["state"], "posted");
    assert!(ledger[0]["url"].as_str().is_some_and(|u| u.contains(&format!("/pull/{pr}#pullrequestreview-"))));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(TOKEN) && !stderr(&out).contains(TOKEN));

    // The queue counts it: approved after merge, locally and once synced.
    let list = w.run(&["list", "--format", "json"]);
    let changes: Value = serde_json::from_slice(&list.stdout).expect("json");
    let change = changes.as_array().and_then(|c| c.iter().find(|c| c["pr"] == pr)).expect("listed");
    assert_eq!(change["verdict"], "approved_after_merge");
}

#[test]
fn approving_twice_is_still_one_review() {
    let w = World::new();
    let pr = w.pr_by("Tidy the checker's exit code handling");
    for _ in 0..2 {
        let out = w.run(&["approve", &format!("#{pr}")]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(w.reviews_on(pr).len(), 1);
    assert_eq!(w.ledger().len(), 1, "one approval in the ledger");
}

#[test]
fn a_502_then_success_posts_one_review() {
    let w = World::new();
    let pr = w.pr_by("Tidy the checker's exit code handling");
    w.github.inject_on("POST", &reviews_path(pr), Fault::Status(502), 1);
    let out = w.run(&["approve", &format!("#{pr}")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(w.reviews_on(pr).len(), 1);
    let posts = w.github.requests().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 2, "the 502, then the one that landed");
}

#[test]
fn an_answer_lost_after_github_stored_the_review_is_not_posted_again() {
    let w = World::new();
    let pr = w.pr_by("Tidy the checker's exit code handling");
    w.github.inject_on("POST", &reviews_path(pr), Fault::DropAfterHandling, 1);
    let out = w.run(&["approve", &format!("#{pr}")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(w.reviews_on(pr).len(), 1, "the marker check found the stored one");
    assert!(stderr(&out).contains("already posted"), "{}", stderr(&out));
    let posts = w.github.requests().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 1, "never posted a second time");
    assert_eq!(w.ledger()[0]["state"], "posted");
}

#[test]
fn killed_between_the_outbox_write_and_the_push_it_is_pushed_once_after_restart() {
    let w = World::new();
    let pr = w.pr_by("Tidy the checker's exit code handling");
    // The marker check hangs: the process is mid-push when it is killed.
    w.github.inject_on("GET", &reviews_path(pr), Fault::Slow(Duration::from_secs(20)), 1);
    let mut child = w
        .command(&["approve", &format!("#{pr}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start rearview");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let store = rearview::store::Store::open(&w.db).expect("store");
        let entries = store.outbox(true).expect("outbox");
        if entries.iter().any(|e| e.state == rearview::model::Delivery::Posting) {
            break;
        }
        assert!(Instant::now() < deadline, "the approval never reached the outbox");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(w.reviews_on(pr).is_empty(), "nothing posted before the kill");
    assert_eq!(w.outbox().len(), 1, "the approval survived the kill");

    let out = w.run(&["outbox", "--push"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(w.reviews_on(pr).len(), 1, "pushed once");
    let out = w.run(&["outbox", "--push"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(w.reviews_on(pr).len(), 1, "and only once");
    assert!(w.outbox().is_empty());
}

#[test]
fn github_refusing_an_approval_of_ones_own_pull_request_keeps_it_failed_with_the_reason() {
    let w = World::new();
    let pull = w.demo.pulls.iter().find(|p| p.title.contains("Tidy the checker's exit code handling")).expect("pr");
    w.github.set_token_user(TOKEN, &pull.author);
    // The token's login is the author's: refused at once, nothing recorded.
    let out = w.run(&["approve", &format!("#{}", pull.number)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(w.outbox().is_empty());
    // Recorded anyway (`--own`), GitHub refuses it.
    let out = w.run(&["approve", &format!("#{}", pull.number), "--own"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("does not let you approve your own pull request"), "{}", stderr(&out));
    assert!(stderr(&out).contains("raise a concern"), "{}", stderr(&out));
    let left = w.outbox();
    assert_eq!(left.len(), 1, "nothing lost");
    assert_eq!(left[0]["state"], "failed");
    assert!(left[0]["last_error"].as_str().is_some_and(|e| e.contains("own pull request")));
    let listing = w.run(&["outbox"]);
    assert!(String::from_utf8_lossy(&listing.stdout).contains("failed: GitHub does not let you approve"));

    // A concern is allowed on one's own pull request.
    let out = w.run(&["concern", &format!("#{}", pull.number), "--message", "I merged this too fast."]);
    assert!(out.status.success(), "{}", stderr(&out));
    let posted = w.reviews_on(pull.number);
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].state, "COMMENTED");
    assert!(posted[0].body.starts_with("### Concern raised after merge"), "{}", posted[0].body);
}

#[test]
fn a_bad_token_fails_with_what_to_do() {
    let w = World::new();
    let pr = w.pr_by("Tidy the checker's exit code handling");
    let out = w.command(&["approve", &format!("#{pr}")]).env("GITHUB_TOKEN", "ghp_wrong").output().expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("GITHUB_TOKEN"), "{}", stderr(&out));
    assert_eq!(w.outbox()[0]["state"], "failed");
    // Fixed token: a push retries the failed one.
    let out = w.run(&["outbox", "--push"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(w.reviews_on(pr).len(), 1);
}

#[test]
fn a_direct_push_is_approved_with_a_commit_comment() {
    let w = World::new();
    let list = w.run(&["list", "--format", "json", "--kind", "direct-push"]);
    let changes: Value = serde_json::from_slice(&list.stdout).expect("json");
    let sha = changes
        .as_array()
        .and_then(|c| c.iter().find(|c| c["title"] == "Fix a typo in the README"))
        .and_then(|c| c["sha"].as_str())
        .expect("the direct push")
        .to_string();
    let out = w.run(&["approve", &sha]);
    assert!(out.status.success(), "{}", stderr(&out));
    let comments = w.github.posted_commit_comments();
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert_eq!(comments[0].sha, sha);
    assert!(comments[0].body.contains(&format!("sha={sha} -->")), "{}", comments[0].body);
    assert!(w.github.posted_reviews().is_empty());
}

#[test]
fn without_a_token_the_action_waits_in_the_outbox() {
    let w = World::new();
    let pr = w.pr_by("Tidy the checker's exit code handling");
    let out = w.command(&["approve", &format!("#{pr}")]).env_remove("GITHUB_TOKEN").output().expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("queued, not pushed"), "{}", stderr(&out));
    let left = w.outbox();
    assert_eq!(left[0]["state"], "pending");
    assert_eq!(left[0]["last_error"], "no GitHub token");
    assert!(w.github.requests().is_empty(), "offline: no request at all");
    let out = w.run(&["outbox", "--push"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(w.reviews_on(pr).len(), 1);
}

#[test]
fn another_reviewers_store_sees_the_posted_approval_and_concern_after_a_sync() {
    let w = World::new();
    let approved = w.pr_by("Tidy the checker's exit code handling");
    let doubted = w.pr_by("Explain the checker in the README");
    assert!(w.run(&["approve", &format!("#{approved}")]).status.success());
    let out = w.run(&["concern", &format!("#{doubted}"), "--message", "The example runs as root."]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Someone else's machine: a fresh store filled only by a sync.
    let other = w.dir.join("other.sqlite3");
    let out = w.command_on(&other, &["sync"]).output().expect("sync");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = w.command_on(&other, &["list", "--format", "json"]).output().expect("list");
    let changes: Value = serde_json::from_slice(&out.stdout).expect("json");
    let verdict = |pr: u64| {
        let c = changes.as_array().and_then(|c| c.iter().find(|c| c["pr"] == pr)).expect("listed");
        (c["verdict"].as_str().unwrap_or("").to_string(), c["evidence"].to_string())
    };
    assert_eq!(verdict(approved).0, "approved_after_merge");
    let (v, evidence) = verdict(doubted);
    assert_eq!(v, "concern_raised", "{evidence}");
    assert!(evidence.contains("concern raised after merge by reviewer"), "{evidence}");
}

/// Starts every command at once, then waits for them all.
/// The command run with another token.
fn as_token(mut command: Command, token: &str) -> Command {
    command.env("GITHUB_TOKEN", token);
    command
}

fn run_together(commands: Vec<Command>) -> Vec<Output> {
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut c| c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start rearview"))
        .collect();
    children.into_iter().map(|c| c.wait_with_output().expect("wait for rearview")).collect()
}

/// Rounds of each concurrency test, and processes per round.
const ROUNDS: usize = 20;
const TOGETHER: usize = 3;

/// A reviewer of their own for each round, so each round adds one
/// approval: a git identity and a token whose GitHub login is theirs (the
/// token's login is who reviews). The token to run as.
fn review_as(w: &World, round: usize) -> String {
    git2::Repository::open(&w.repo)
        .and_then(|r| r.config())
        .and_then(|mut c| c.set_str("user.email", &format!("reviewer{round}@example.org")))
        .expect("set user.email");
    let token = format!("ghp_reviewer{round}");
    w.github.require_token(Some(&token));
    w.github.set_token_user(&token, &format!("reviewer{round}"));
    token
}

/// Every approval in the ledger is posted, and each was posted exactly once
/// (its marker in one review, one POST per approval).
fn assert_each_posted_once(w: &World, pr: u64, approvals: usize, round: usize) {
    let ledger = w.ledger();
    assert_eq!(ledger.len(), approvals, "round {round}: one ledger entry per approval: {ledger:?}");
    let posts = w.github.requests().iter().filter(|r| r.method == "POST" && r.path == reviews_path(pr)).count();
    assert_eq!(posts, approvals, "round {round}: one POST per approval");
    let reviews = w.reviews_on(pr);
    assert_eq!(reviews.len(), approvals, "round {round}: one review per approval");
    for entry in &ledger {
        assert_eq!(entry["state"], "posted", "round {round}: {entry}");
        let uid = entry["uid"].as_str().expect("uid");
        let id = format!("{}-{}-{}-{}-{}", &uid[..8], &uid[8..12], &uid[12..16], &uid[16..20], &uid[20..]);
        let carrying = reviews.iter().filter(|r| r.body.contains(&format!("id={id}"))).count();
        assert_eq!(carrying, 1, "round {round}: approval {uid} posted {carrying} times");
    }
}

#[test]
fn three_concurrent_pushers_post_each_approval_exactly_once() {
    let w = World::new();
    let pr = w.pr_by("Tidy the checker's exit code handling");
    w.github.set_latency(Duration::from_millis(40));
    let mut outputs = 0;
    for round in 0..ROUNDS {
        let token = review_as(&w, round);
        let out = w.command(&["approve", &format!("#{pr}"), "--no-push"]).env("GITHUB_TOKEN", &token).output();
        let out = out.expect("run");
        assert!(out.status.success(), "{}", stderr(&out));
        let pushers = (0..TOGETHER).map(|_| as_token(w.command(&["outbox", "--push"]), &token)).collect();
        for out in run_together(pushers) {
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
            outputs += 1;
        }
        assert_each_posted_once(&w, pr, round + 1, round);
    }
    assert_eq!(outputs, ROUNDS * TOGETHER);
}

#[test]
fn three_concurrent_approvals_of_one_change_are_one_approval_posted_once() {
    let w = World::new();
    let pr = w.pr_by("Tidy the checker's exit code handling");
    w.github.set_latency(Duration::from_millis(40));
    for round in 0..ROUNDS {
        let token = review_as(&w, round);
        let approvers = (0..TOGETHER).map(|_| as_token(w.command(&["approve", &format!("#{pr}")]), &token)).collect();
        let outputs = run_together(approvers);
        for out in &outputs {
            assert!(out.status.success(), "round {round}: {}", stderr(out));
        }
        let again = outputs.iter().filter(|o| stderr(o).contains("already approved")).count();
        assert_eq!(again, TOGETHER - 1, "round {round}: all but one found the first approval");
        assert_each_posted_once(&w, pr, round + 1, round);
    }
}
