//! `rearview sync` against a fake GitHub (a real HTTP server on 127.0.0.1),
//! seeded with the demo's pull requests and reviews: first and incremental
//! syncs, every injected fault, bad input, and the token never leaking,
//! over GraphQL (the default) and over REST (`--rest`), which must leave the
//! same verdicts.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;
use support::fake_github::{FakeGitHub, Fault};

const TOKEN: &str = "ghp_rearviewTestSecret0123456789";
const REPO: &str = "quill-lang/quill";

struct World {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    repo: PathBuf,
    /// The store the demo seeded: the expected verdicts.
    seeded: PathBuf,
    /// The store sync fills.
    db: PathBuf,
    config: PathBuf,
    github: FakeGitHub,
    demo: rearview::pipeline::demo::Demo,
    /// Sync with `--rest`.
    rest: bool,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().to_path_buf();
        let repo = path.join("quill");
        let seeded = path.join("seeded.sqlite3");
        let demo = rearview::pipeline::demo::build(&repo, Some(&seeded)).expect("build the demo");
        let github = FakeGitHub::start();
        github.add_repo("quill-lang", "quill");
        github.require_token(Some(TOKEN));
        for pr in &demo.pulls {
            github.add_pull(REPO, pr, association(&demo, &pr.author));
        }
        for review in &demo.reviews {
            github.add_review(REPO, review, association(&demo, &review.user));
        }
        let config = path.join("config.toml");
        std::fs::write(&config, format!("[github]\nrepository = \"{REPO}\"\ntimeout_secs = 2\nbackoff_ms = 20\n"))
            .expect("config");
        World { db: path.join("synced.sqlite3"), dir: path, repo, seeded, config, github, demo, _dir: dir, rest: false }
    }

    fn over(rest: bool) -> World {
        World { rest, ..World::new() }
    }

    fn run(&self, args: &[&str], token: Option<&str>) -> Output {
        self.command(args, token).output().expect("run rearview")
    }

    fn command(&self, args: &[&str], token: Option<&str>) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rearview"));
        cmd.args(args)
            .args(["--repo", s(&self.repo)])
            .env("XDG_CONFIG_HOME", self.dir.join("xdg-config"))
            .env("XDG_DATA_HOME", self.dir.join("xdg-data"))
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN")
            .env_remove("REARVIEW_GITHUB_API")
            // No `gh` on the PATH the tests control.
            .env("PATH", "/usr/bin:/bin");
        if let Some(t) = token {
            cmd.env("GITHUB_TOKEN", t);
        }
        cmd
    }

    fn sync_args(&self) -> Vec<String> {
        let mut args: Vec<String> =
            ["sync", "--db", s(&self.db), "--config", s(&self.config), "--github-api", &self.github.url()]
                .map(String::from)
                .to_vec();
        if self.rest {
            args.push("--rest".into());
        }
        args
    }

    fn sync(&self, extra: &[&str]) -> Output {
        self.sync_into(&self.db, extra)
    }

    fn sync_into(&self, db: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["sync", "--db", s(db), "--config", s(&self.config), "--github-api"];
        let url = self.github.url();
        args.push(&url);
        if self.rest {
            args.push("--rest");
        }
        args.extend_from_slice(extra);
        self.run(&args, Some(TOKEN))
    }

    /// The whole queue as `list --format json` shows it.
    fn listing(&self, db: &Path) -> Value {
        let out = self.run(&["list", "--format", "json", "--db", s(db)], None);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("json")
    }

    fn graphql_queries(&self) -> Vec<support::fake_github::LoggedRequest> {
        self.github.requests().into_iter().filter(|r| r.path == "/graphql").collect()
    }

    fn verdicts(&self, db: &Path) -> BTreeMap<String, (String, String)> {
        let out = self.run(&["list", "--format", "json", "--db", s(db)], None);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        v.as_array()
            .expect("array")
            .iter()
            .map(|c| {
                let sha = c["sha"].as_str().expect("sha").to_string();
                (sha, (c["kind"].as_str().unwrap_or("").into(), c["verdict"].as_str().unwrap_or("").into()))
            })
            .collect()
    }

    fn change(&self, pr: u64) -> Value {
        let out = self.run(&["list", "--format", "json", "--db", s(&self.db)], None);
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        v.as_array().expect("array").iter().find(|c| c["pr"] == pr).cloned().expect("the change")
    }

    fn non_304(&self) -> usize {
        self.github.requests().iter().filter(|r| r.status != Some(304)).count()
    }
}

/// Per change, the fields that differ between two listings.
fn changed_fields(a: &Value, b: &Value) -> Vec<String> {
    let (a, b) = (a.as_array().cloned().unwrap_or_default(), b.as_array().cloned().unwrap_or_default());
    let mut out = Vec::new();
    if a.len() != b.len() {
        out.push(format!("{} changes against {}", a.len(), b.len()));
    }
    for (x, y) in a.iter().zip(&b) {
        for (key, value) in x.as_object().into_iter().flatten() {
            if &y[key.as_str()] != value {
                out.push(format!("{} {key}: {value} / {}", x["short_sha"], y[key.as_str()]));
            }
        }
    }
    out
}

fn association<'a>(demo: &'a rearview::pipeline::demo::Demo, login: &str) -> &'a str {
    demo.associations.get(login).map(String::as_str).unwrap_or("NONE")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_synced(out: &Output) {
    assert!(out.status.success(), "sync failed: {}", stderr(out));
}

fn first_sync(rest: bool) -> World {
    let w = World::over(rest);
    let out = w.sync(&[]);
    assert_synced(&out);
    let err = stderr(&out);
    assert!(err.contains("synced quill-lang/quill"), "{err}");
    let main_pulls = w.demo.pulls.iter().filter(|p| p.base_branch == "main").count();
    assert!(err.contains(&format!("main {main_pulls}")), "every merged pull request into main: {err}");
    assert_eq!(w.verdicts(&w.db), w.verdicts(&w.seeded), "the same verdicts as the seeded demo");

    // Evidence names the review it came from.
    let c = w.change(123);
    assert_eq!(c["verdict"], "reviewed");
    assert_eq!(c["evidence"][0]["source"], "review");
    assert_eq!(c["evidence"][0]["user"], "bob");

    // Stale approval: the commits nobody approved were fetched.
    let stale = w.change(120);
    assert_eq!(stale["verdict"], "partly_reviewed");
    assert!(stale["evidence"].as_array().expect("evidence").iter().any(|e| e["source"] == "unapproved_commits"));
    // Every request carried the token.
    assert!(w.github.requests().iter().all(|r| r.authorization));
    w
}

#[test]
fn first_sync_over_rest_gives_the_verdicts_of_the_github_evidence() {
    let w = first_sync(true);
    // The list came page by page; no GraphQL.
    let log = w.github.requests();
    assert!(log
        .iter()
        .any(|r| r.path == "/repos/quill-lang/quill/pulls" && r.query_param("base").as_deref() == Some("3.12")));
    // Direct pushes were looked up for a pull request GitHub might know.
    assert!(log.iter().any(|r| r.path.ends_with("/pulls") && r.path.contains("/commits/")));
    assert!(w.graphql_queries().is_empty());
}

#[test]
fn first_sync_over_graphql_gives_the_verdicts_in_a_few_queries() {
    let w = first_sync(false);
    let log = w.github.requests();
    // REST checks the repository and reads who may push (GraphQL would
    // cost the same); everything else is GraphQL.
    let rest: Vec<&str> = log.iter().filter(|r| r.path != "/graphql").map(|r| r.path.as_str()).collect();
    assert_eq!(rest, ["/repos/quill-lang/quill", "/repos/quill-lang/quill/collaborators"]);
    let queries = w.github.graphql_queries();
    assert!(queries.iter().all(|q| q.contains("rateLimit { cost remaining resetAt limit }")), "{queries:#?}");
    // One page per branch, the stale approval's commits, the direct pushes' pull requests.
    assert!(queries.iter().filter(|q| q.contains("pullRequests(")).count() == 2, "{queries:#?}");
    assert!(queries.iter().any(|q| q.contains("commits(first: 100")), "{queries:#?}");
    assert!(queries.iter().any(|q| q.contains("associatedPullRequests")), "{queries:#?}");
    assert!(queries.len() <= 6, "{} queries: {queries:#?}", queries.len());
    let points = w.github.graphql_points();
    assert_eq!(points, queries.len() as u64, "each query costs one point");
    let err = stderr(&w.sync(&[]));
    assert!(err.contains("requests over GraphQL") && err.contains("points ("), "{err}");
}

#[test]
fn graphql_and_rest_leave_the_same_queue() {
    let w = World::new();
    let rest_db = w.dir.join("rest.sqlite3");
    assert_synced(&w.sync(&[]));
    assert_synced(&World { rest: true, ..World::new() }.sync_into(&rest_db, &[]));
    let graphql = w.listing(&w.db);
    let rest = w.listing(&rest_db);
    assert!(graphql.as_array().is_some_and(|a| a.len() > 30));
    // GraphQL knows who merged every pull request, as the demo's own
    // store does: the queue is the seeded one, but for the logins the demo
    // knows of each commit author's email (no sync learns those).
    let without_logins = |mut listing: Value| {
        listing.as_array_mut().into_iter().flatten().for_each(|c| {
            if let Some(o) = c.as_object_mut() {
                o.remove("parties");
                o.remove("author_login");
            }
        });
        listing
    };
    let seeded = without_logins(w.listing(&w.seeded));
    let changed = changed_fields(&without_logins(graphql.clone()), &seeded);
    assert!(changed.is_empty(), "a GraphQL sync rebuilds the demo's queue: {changed:#?}");

    // REST's lists leave out who merged (fetched only where a verdict
    // needs it), so only what follows from the merger may differ there.
    let facts = |change: &Value| {
        let evidence: Vec<&Value> =
            change["evidence"].as_array().into_iter().flatten().filter(|e| e["source"] != "note").collect();
        let fields = ["sha", "kind", "verdict", "pending", "original", "drift", "pr", "author_login", "parties"];
        (fields.map(|f| change[f].clone()), serde_json::json!(evidence))
    };
    let differences: Vec<String> = graphql
        .as_array()
        .into_iter()
        .flatten()
        .zip(rest.as_array().into_iter().flatten())
        .filter(|(g, r)| facts(g) != facts(r))
        .map(|(g, r)| format!("GraphQL {:?}\nREST    {:?}", facts(g), facts(r)))
        .collect();
    assert!(differences.is_empty(), "{differences:#?}");
    assert_eq!(graphql.as_array().map(Vec::len), rest.as_array().map(Vec::len));
    let merged_by_rest = rest.as_array().into_iter().flatten().filter(|c| !c["merged_by"].is_null());
    for known in merged_by_rest {
        let same = graphql.as_array().into_iter().flatten().find(|c| c["sha"] == known["sha"]);
        assert_eq!(same.map(|c| &c["merged_by"]), Some(&known["merged_by"]), "{}", known["sha"]);
    }
    // The dependabot pull request: GraphQL's `dependabot` Bot is REST's `dependabot[bot]`.
    let bot = w.github.requests().iter().any(|r| r.path == "/graphql");
    assert!(bot && graphql.to_string().contains("dependabot[bot]"), "the demo's bot change kept REST's login");
}

#[test]
fn a_second_sync_with_nothing_new_costs_almost_nothing() {
    let w = World::over(true);
    assert_synced(&w.sync(&[]));
    w.github.clear_log();
    let out = w.sync(&[]);
    assert_synced(&out);
    let branches = 2;
    assert!(w.non_304() <= branches * 2, "at most two real requests per branch: {:#?}", w.github.requests());
    assert!(stderr(&out).contains("main up to date"), "{}", stderr(&out));
    let lists: Vec<_> = w.github.requests().into_iter().filter(|r| r.path.ends_with("/pulls")).collect();
    assert!(lists.iter().all(|r| r.if_none_match && r.status == Some(304)), "{lists:#?}");
}

#[test]
fn a_second_graphql_sync_with_nothing_new_is_one_small_query_per_branch() {
    let w = World::new();
    assert_synced(&w.sync(&[]));
    w.github.clear_log();
    let points = w.github.graphql_points();
    let out = w.sync(&[]);
    assert_synced(&out);
    let queries = w.graphql_queries();
    let variables: Vec<Value> = queries
        .iter()
        .filter_map(|q| q.body.as_deref())
        .map(|b| serde_json::from_str::<Value>(b).expect("json")["variables"].clone())
        .collect();
    assert_eq!(queries.len(), 2, "one per branch: {variables:#?}");
    let bodies: Vec<Value> =
        queries.iter().filter_map(|q| q.body.as_deref()).map(|b| serde_json::from_str(b).expect("json")).collect();
    assert!(bodies.iter().all(|b| b["variables"]["first"] == 5 && b["variables"]["after"].is_null()), "{bodies:#?}");
    assert_eq!(w.github.graphql_points() - points, 2);
    assert!(stderr(&out).contains("main up to date") && stderr(&out).contains("3.12 up to date"), "{}", stderr(&out));
    assert_eq!(w.verdicts(&w.db), w.verdicts(&w.seeded));
}

fn review_after_merge(rest: bool) {
    let w = World::over(rest);
    assert_synced(&w.sync(&[]));
    assert_eq!(w.change(116)["verdict"], "unreviewed");

    let mut pr = w.demo.pulls.iter().find(|p| p.number == 116).expect("#116").clone();
    let now = chrono::Utc::now().timestamp();
    w.github.add_review(
        REPO,
        &rearview::model::Review {
            id: 77_001,
            pr: 116,
            user: "bob".into(),
            state: rearview::model::ReviewState::Approved,
            commit_id: pr.head_sha.clone(),
            submitted_at: Some(now),
            author_association: "MEMBER".into(),
            marker: None,
        },
        "MEMBER",
    );
    pr.updated_at = Some(now);
    w.github.touch_pull(REPO, 116, now);
    w.github.clear_log();

    assert_synced(&w.sync(&[]));
    assert_eq!(w.change(116)["verdict"], "approved_after_merge");
    if rest {
        let fetched_reviews: Vec<String> = w
            .github
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/reviews") && r.status == Some(200))
            .map(|r| r.path)
            .collect();
        assert_eq!(fetched_reviews, ["/repos/quill-lang/quill/pulls/116/reviews"], "only the updated pull request");
    } else {
        assert_eq!(w.graphql_queries().len(), 2, "the first small page of each branch holds the update");
    }
}

#[test]
fn a_review_after_merge_is_picked_up_incrementally() {
    review_after_merge(true);
    review_after_merge(false);
}

#[test]
fn transient_faults_are_retried_and_nothing_is_lost() {
    let faults = [
        ("/repos/quill-lang/quill/pulls/1", Fault::Status(500)),
        ("/repos/quill-lang/quill/pulls/1", Fault::Status(502)),
        ("/repos/quill-lang/quill/pulls/1", Fault::Drop),
        ("/repos/quill-lang/quill/pulls/1", Fault::CutBody),
        ("/repos/quill-lang/quill/pulls/1", Fault::MalformedJson),
        ("/repos/quill-lang/quill/pulls", Fault::SecondaryRateLimit { retry_after: 1 }),
        ("/repos/quill-lang/quill/pulls", Fault::TooManyRequests { retry_after: 1 }),
        ("/repos/quill-lang/quill/pulls/12", Fault::Slow(Duration::from_secs(3))),
    ];
    let w = World::over(true);
    let expected = w.verdicts(&w.seeded);
    for (i, (prefix, fault)) in faults.into_iter().enumerate() {
        let db = w.dir.join(format!("fault-{i}.sqlite3"));
        w.github.inject(prefix, fault.clone(), 2);
        let out = w.sync_into(&db, &[]);
        assert!(out.status.success(), "{fault:?}: {}", stderr(&out));
        if let Fault::Slow(_) = fault {
            // Slower than the 2 s timeout: the client gave up and asked again.
            assert!(stderr(&out).contains("no answer within 2 s"), "{}", stderr(&out));
        } else {
            assert!(w.github.requests().iter().any(|r| r.fault.as_ref() == Some(&fault)), "{fault:?} was injected");
        }
        assert_eq!(w.verdicts(&db), expected, "{fault:?}: same verdicts after retries");
        w.github.clear_faults();
        w.github.clear_log();
    }
}

#[test]
fn transient_graphql_faults_are_retried_and_nothing_is_lost() {
    let faults = [
        Fault::Status(502),
        Fault::Status(500),
        Fault::Drop,
        Fault::CutBody,
        Fault::MalformedJson,
        Fault::SecondaryRateLimit { retry_after: 1 },
        Fault::TooManyRequests { retry_after: 1 },
        Fault::Slow(Duration::from_secs(3)),
    ];
    let w = World::new();
    let expected = w.verdicts(&w.seeded);
    for (i, fault) in faults.into_iter().enumerate() {
        let db = w.dir.join(format!("fault-{i}.sqlite3"));
        w.github.inject("/graphql", fault.clone(), 2);
        let out = w.sync_into(&db, &[]);
        assert!(out.status.success(), "{fault:?}: {}", stderr(&out));
        if let Fault::Slow(_) = fault {
            assert!(stderr(&out).contains("no answer within 2 s"), "{}", stderr(&out));
        } else {
            assert!(w.github.requests().iter().any(|r| r.fault.as_ref() == Some(&fault)), "{fault:?} was injected");
        }
        assert_eq!(w.verdicts(&db), expected, "{fault:?}: same verdicts after retries");
        w.github.clear_faults();
        w.github.clear_log();
    }
}

#[test]
fn an_interrupted_graphql_listing_resumes_at_its_page() {
    let w = World::new();
    // 1,000 older merged pull requests on main: fourteen pages with the demo's.
    for n in 1000..2000u64 {
        let mut pr = w.demo.pulls[0].clone();
        pr.number = n;
        pr.base_branch = "main".into();
        pr.merged_at = Some(1_600_000_000 + n as i64);
        pr.updated_at = pr.merged_at;
        pr.merge_commit_sha = Some(format!("{n:0>40}"));
        pr.head_sha = Some(format!("{:0>40}", n + 5000));
        pr.commits = Vec::new();
        w.github.add_pull(REPO, &pr, "MEMBER");
    }
    // Fourteen points, then none until a reset too far away to wait for:
    // twelve pages, the commits of the first page's stale approval (held
    // for twelve pages, then fetched), the thirteenth page.
    w.github.set_graphql_rate_limit(14, chrono::Utc::now().timestamp() + 3600);
    let out = w.sync(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("rate limit is used up until"), "{}", stderr(&out));
    let saved = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .and_then(|c| c.query_row("SELECT count(*) FROM pull_requests", [], |r| r.get(0)))
            .expect("count")
    };
    assert_eq!(saved(&w.db), 13 * 74, "the thirteen pages fetched are saved");
    let listed: Vec<Value> = w
        .graphql_queries()
        .iter()
        .filter_map(|q| q.body.as_deref())
        .map(|b| serde_json::from_str::<Value>(b).expect("json")["variables"].clone())
        .collect();

    w.github.set_graphql_rate_limit(5000, chrono::Utc::now().timestamp() + 3600);
    w.github.clear_log();
    assert_synced(&w.sync(&[]));
    let first: Value = w
        .graphql_queries()
        .first()
        .and_then(|q| q.body.as_deref())
        .map(|b| serde_json::from_str::<Value>(b).expect("json")["variables"].clone())
        .expect("a query");
    assert_eq!(first["base"], "main");
    assert!(first["after"].is_string(), "resumed after the saved page, not from the top: {first:#}");
    let pages: Vec<&Value> = listed.iter().filter(|v| v["base"] == "main").collect();
    assert_eq!(pages.len(), 13, "thirteen pages, then no query the budget cannot pay");
    assert!(pages.iter().all(|p| p["after"] != first["after"]), "resumed after the thirteenth page: {first:#}");
    let main = w.demo.pulls.iter().filter(|p| p.base_branch == "main").count() as i64;
    let all = w.demo.pulls.len() as i64 + 1000;
    assert_eq!(saved(&w.db), all, "{main} demo pull requests on main, 1,000 more, and 3.12's");
    assert_eq!(w.verdicts(&w.db), w.verdicts(&w.seeded));
    // Done: the next sync starts from the top again, with a small page.
    w.github.clear_log();
    assert_synced(&w.sync(&[]));
    assert_eq!(w.graphql_queries().len(), 2);
}

#[test]
fn a_host_without_graphql_is_synced_over_rest() {
    let w = World::new();
    w.github.disable_graphql();
    let out = w.sync(&[]);
    assert_synced(&out);
    assert!(stderr(&out).contains("has no GraphQL API: reading through REST instead"), "{}", stderr(&out));
    assert_eq!(w.verdicts(&w.db), w.verdicts(&w.seeded));
}

#[test]
fn an_interrupted_sync_resumes() {
    let w = World::over(true);
    // Reviews of #1xx keep failing: the sync gives up part way.
    w.github.inject("/repos/quill-lang/quill/pulls/11", Fault::Status(500), 1000);
    let out = w.sync(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("kept failing"), "{}", stderr(&out));
    assert_eq!(stderr(&out).trim_end().lines().last().map(|l| l.starts_with("rearview: error:")), Some(true));
    w.github.clear_faults();
    let out = w.sync(&[]);
    assert_synced(&out);
    assert_eq!(w.verdicts(&w.db), w.verdicts(&w.seeded));
}

/// One clean error line, exit 2, the store as it was.
fn assert_fails_cleanly(w: &World, out: &Output, needle: &str, before: &BTreeMap<String, (String, String)>) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{needle}: {err}");
    let last = err.trim_end().lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("rearview: error:") && last.contains(needle), "{needle}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(&w.verdicts(&w.db), before, "the store is untouched");
}

#[test]
fn bad_input_gives_one_clear_line() {
    let w = World::new();
    assert_synced(&w.sync(&[]));
    let before = w.verdicts(&w.db);
    let url = w.github.url();
    let base = ["sync", "--db", s(&w.db), "--config", s(&w.config)];

    let wrong_token = w.run(&[&base[..], &["--github-api", &url]].concat(), Some("ghp_wrong"));
    assert_fails_cleanly(&w, &wrong_token, "rejected the token (401", &before);

    let missing = w.dir.join("missing.toml");
    std::fs::write(&missing, "[github]\nrepository = \"quill-lang/nope\"\n").expect("config");
    let out = w.run(&["sync", "--db", s(&w.db), "--config", s(&missing), "--github-api", &url], Some(TOKEN));
    assert_fails_cleanly(&w, &out, "repository quill-lang/nope was not found", &before);

    // Nothing listens on port 9 of the loopback.
    let out = w.run(&[&base[..], &["--github-api", "http://127.0.0.1:9"]].concat(), Some(TOKEN));
    assert_fails_cleanly(&w, &out, "cannot reach http://127.0.0.1:9", &before);

    w.github.inject("/repos", Fault::NotGitHub, 100);
    let out = w.run(&[&base[..], &["--github-api", &url]].concat(), Some(TOKEN));
    assert_fails_cleanly(&w, &out, "does not answer like GitHub", &before);
    w.github.clear_faults();

    // No configured repository and an origin elsewhere.
    let no_repo = w.dir.join("plain.toml");
    std::fs::write(&no_repo, "").expect("config");
    git2::Repository::open(&w.repo)
        .and_then(|r| r.remote("origin", "https://gitlab.com/quill/quill.git").map(|_| ()))
        .expect("add origin");
    let out = w.run(&["sync", "--db", s(&w.db), "--config", s(&no_repo)], Some(TOKEN));
    assert_fails_cleanly(
        &w,
        &out,
        "remote `origin` (https://gitlab.com/quill/quill.git) is not on github.com",
        &before,
    );
}

#[test]
fn the_token_never_leaks() {
    let w = World::new();
    let out = w.sync(&["-v"]);
    assert_synced(&out);
    assert!(stderr(&out).contains("GitHub token from $GITHUB_TOKEN"), "{}", stderr(&out));
    let wrong = w.run(
        &["sync", "--db", s(&w.db), "--config", s(&w.config), "--github-api", &w.github.url(), "-v"],
        Some("ghp_wrongSecret987"),
    );
    let mut seen = String::new();
    for o in [&out, &wrong] {
        seen.push_str(&String::from_utf8_lossy(&o.stdout));
        seen.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    assert!(!seen.contains(TOKEN) && !seen.contains("ghp_wrongSecret987"), "{seen}");
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", s(&w.db)));
        if let Ok(bytes) = std::fs::read(&path) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(TOKEN), "{} holds the token", path.display());
        }
    }
}

#[test]
fn without_a_token_sync_says_so_and_works_unauthenticated() {
    let w = World::new();
    // GraphQL needs a token: without one, the sync reads through REST.
    w.github.require_token(None);
    let args = ["sync", "--db", s(&w.db), "--config", s(&w.config), "--github-api", &w.github.url()];
    // 60 requests an hour do not go far: a clear error, nothing half-written.
    let out = w.run(&args, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unauthenticated requests get 60 an hour; set GITHUB_TOKEN or run `gh auth login`"),
        "{}",
        stderr(&out)
    );
    w.github.set_unauthenticated_rate_limit(5000, chrono::Utc::now().timestamp() + 3600);
    let out = w.run(&args, None);
    assert_synced(&out);
    assert_eq!(w.verdicts(&w.db), w.verdicts(&w.seeded));
    assert!(stderr(&out).contains("unauthenticated, GitHub allows 60 requests an hour"), "{}", stderr(&out));
    assert!(stderr(&out).contains("GraphQL API needs a token: reading through REST instead"), "{}", stderr(&out));
    assert!(w.github.requests().iter().all(|r| !r.authorization));
}

/// Syncs while, once `left` says the limit is used up, `refill` makes the
/// next window bigger: the sync can finish only by waiting for the reset
/// the answers announced.
fn sync_refilled_once_used_up(w: &World, left: impl Fn() -> u64 + Sync, refill: impl Fn() + Sync) -> Output {
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for _ in 0..600 {
                if left() == 0 {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            refill();
        });
        w.sync(&[])
    })
}

#[test]
fn a_used_up_rate_limit_is_waited_out() {
    let w = World::over(true);
    let reset = chrono::Utc::now().timestamp() + 4;
    w.github.set_rate_limit(10, reset);
    let out =
        sync_refilled_once_used_up(&w, || w.github.rate_remaining(), || w.github.set_rate_limit(5000, reset + 3600));
    assert_synced(&out);
    assert!(stderr(&out).contains("s: rate limit used up"), "it waited for the reset: {}", stderr(&out));
    assert_eq!(w.verdicts(&w.db), w.verdicts(&w.seeded));
}

#[test]
fn used_up_graphql_points_are_waited_out() {
    let w = World::new();
    let reset = chrono::Utc::now().timestamp() + 4;
    w.github.set_graphql_rate_limit(2, reset);
    let out = sync_refilled_once_used_up(
        &w,
        || w.github.graphql_remaining(),
        || w.github.set_graphql_rate_limit(5000, reset + 3600),
    );
    assert_synced(&out);
    assert!(stderr(&out).contains("GraphQL points used up"), "it waited for the reset: {}", stderr(&out));
    assert_eq!(w.verdicts(&w.db), w.verdicts(&w.seeded));
}

#[test]
fn killed_or_interrupted_syncs_leave_a_consistent_store() {
    let w = World::over(true);
    w.github.set_latency(Duration::from_millis(600));
    let args = w.sync_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let spawn = || {
        w.command(&args, Some(TOKEN))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start a sync")
    };

    // Waits until the running sync has saved something (and not everything).
    let saved = |at_least: i64| {
        for _ in 0..400 {
            let count = rusqlite::Connection::open_with_flags(&w.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .and_then(|c| c.query_row("SELECT count(*) FROM pull_requests", [], |r| r.get::<_, i64>(0)))
                .unwrap_or(0);
            if count >= at_least {
                return count;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the sync saved nothing within 20 s");
    };

    // kill -9 part way through.
    let mut child = spawn();
    let before_kill = saved(1);
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let conn = rusqlite::Connection::open(&w.db).expect("the store opens after a kill -9");
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity check");
    assert_eq!(check, "ok");
    let kept: i64 = conn.query_row("SELECT count(*) FROM pull_requests", [], |r| r.get(0)).expect("count");
    assert!(kept >= before_kill, "what was saved before the kill is still there");
    let watermarks: i64 = conn.query_row("SELECT count(*) FROM sync_watermarks", [], |r| r.get(0)).expect("count");
    drop(conn);

    // Ctrl-C: a message, exit 130.
    let child = spawn();
    saved(kept + 1);
    let interrupted = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill -INT");
    assert!(interrupted.success());
    let out = child.wait_with_output().expect("the sync ends");
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted: what was fetched is saved"), "{}", stderr(&out));

    // The next sync resumes and ends with the full picture.
    w.github.set_latency(Duration::ZERO);
    assert_synced(&w.sync(&[]));
    assert_eq!(w.verdicts(&w.db), w.verdicts(&w.seeded));
    let conn = rusqlite::Connection::open(&w.db).expect("open");
    let after: i64 = conn.query_row("SELECT count(*) FROM sync_watermarks", [], |r| r.get(0)).expect("count");
    assert!(after >= watermarks && after == 2, "both branches finished");
}

#[test]
fn collaborators_decide_who_is_privileged_and_one_who_never_acted_is_dormant() {
    let w = World::new();
    let people = |w: &World| -> Vec<Value> {
        let out = w.run(&["people", "--format", "json", "--db", s(&w.db), "--config", s(&w.config)], None);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().unwrap_or_default()
    };
    let find = |all: &[Value], login: &str| -> Value {
        all.iter()
            .find(|p| p["logins"].as_array().is_some_and(|l| l.iter().any(|x| x == login)))
            .cloned()
            .unwrap_or_else(|| panic!("no {login}"))
    };

    // The token's account cannot read the collaborators: inferred.
    let out = w.sync(&[]);
    assert_synced(&out);
    assert!(stderr(&out).contains("collaborators not read"), "{}", stderr(&out));
    let inferred = people(&w);
    assert_eq!(find(&inferred, "carol")["privileged_source"], "merged");

    // With push access it can: GitHub's word replaces the inference.
    w.github.add_collaborator(REPO, support::fake_github::DEFAULT_USER, "admin");
    w.github.add_collaborator(REPO, "alice", "maintain");
    w.github.add_collaborator(REPO, "carol", "triage");
    w.github.add_collaborator(REPO, "old-admin", "admin");
    let out = w.sync(&[]);
    assert_synced(&out);
    assert!(stderr(&out).contains("4 collaborators (3 may push)"), "{}", stderr(&out));
    let all = people(&w);
    let alice = find(&all, "alice");
    assert_eq!((alice["privileged"].clone(), alice["privileged_source"].clone()), (Value::Bool(true), "github".into()));
    let carol = find(&all, "carol");
    assert_eq!(carol["privileged"], false, "triage may not push, whatever she merged");
    let ghost = find(&all, "old-admin");
    assert_eq!((ghost["dormant"].clone(), ghost["last_activity"].clone()), (Value::Bool(true), Value::Null));
    assert_eq!(all[0]["dormant"], true, "dormant privileged accounts come first");

    // Nothing changed: a conditional request, and the list is kept.
    let out = w.sync(&[]);
    assert!(stderr(&out).contains("collaborators unchanged"), "{}", stderr(&out));
    assert_eq!(find(&people(&w), "alice")["privileged_source"], "github");
}
