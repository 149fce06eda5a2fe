//! How long `rearview sync` takes against GitHub's latency, and what it
//! costs in requests and GraphQL points. A fake GitHub
//! (`tests/support/fake_github.rs`, a real HTTP server on 127.0.0.1 that
//! speaks REST and GraphQL and charges points by GitHub's rules) answers
//! every request after 50 ms.
//!
//! - **small**: 5,000 merged pull requests with reviews, synced over REST
//!   and over GraphQL: a full sync, a sync with nothing new, and one after
//!   ten post-merge reviews;
//! - **cpython**: a CPython-shaped world over GraphQL: 100,000 merged pull
//!   requests on main and 30,000 backports on 3.12, 3.13 and 3.14 (miss
//!   islington's `[3.x] … (GH-N)`), one in ten approved at an older commit,
//!   one in fifty with more than a hundred reviews' worth of comments, and
//!   1,000 commits whose message names no pull request.
//!
//! Prints requests, points and wall time per case; asserts nothing:
//! `cargo bench --bench sync` (`-- small`, `-- cpython` for one part).

#[path = "../tests/support/fake_github.rs"]
mod fake_github;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rearview::config::Config;
use rearview::forge::github::{GitHub, Settings};
use rearview::forge::graphql::GraphQl;
use rearview::forge::token::Token;
use rearview::forge::{bulk_sync, sync, SyncEvent};
use rearview::model::RepoSlug;
use rearview::model::{PullRequest, Review, ReviewState};
use rearview::store::Store;

/// Per request; `SYNC_BENCH_LATENCY_MS` overrides.
fn latency() -> Duration {
    let ms = std::env::var("SYNC_BENCH_LATENCY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    Duration::from_millis(ms)
}
const TOKEN: &str = "ghp_benchmarkToken";
const START: i64 = 1_700_000_000;
const REPO: &str = "bench/project";

#[derive(Clone, Copy, PartialEq)]
enum Api {
    Rest,
    GraphQl,
}

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |part: &str| filters.is_empty() || filters.iter().any(|f| part.contains(f.as_str()));
    println!("{:<52} {:>9} {:>8} {:>9}", "case", "requests", "points", "wall s");
    if wanted("small") {
        for api in [Api::Rest, Api::GraphQl] {
            small(api);
        }
    }
    if wanted("cpython") {
        cpython();
    }
}

fn small(api: Api) {
    let github = fake_github::FakeGitHub::start();
    github.add_repo("bench", "project");
    github.set_rate_limit(1_000_000, START + 10 * 365 * 86_400);
    let people: Vec<String> = (0..20).map(|i| format!("dev{i}")).collect();
    for n in 1..=5_000 {
        seed_pull(&github, &people, n, "main", None);
    }
    github.set_latency(latency());
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("sync.sqlite3")).expect("store");
    let name = if api == Api::Rest { "REST" } else { "GraphQL" };
    let branches = ["main".to_string()];
    run(&format!("{name}: full sync of 5,000 pull requests"), api, &github, &mut store, &branches, &[]);
    run(&format!("{name}: nothing new"), api, &github, &mut store, &branches, &[]);
    let now = chrono::Utc::now().timestamp();
    for n in 1..=10u64 {
        let number = n * 97;
        github.add_review(
            REPO,
            &review(900_000 + n, number, "late-reviewer", ReviewState::Approved, sha("head", number), now),
            "MEMBER",
        );
        github.touch_pull(REPO, number, now);
    }
    run(&format!("{name}: 10 post-merge reviews"), api, &github, &mut store, &branches, &[]);
}

fn cpython() {
    let github = fake_github::FakeGitHub::start();
    github.add_repo("bench", "project");
    github.set_rate_limit(1_000_000, START + 10 * 365 * 86_400);
    github.set_graphql_rate_limit(1_000_000, START + 10 * 365 * 86_400);
    let people: Vec<String> = (0..400).map(|i| format!("core{i}")).collect();
    let started = Instant::now();
    for n in 1..=100_000 {
        seed_pull(&github, &people, n, "main", None);
    }
    for i in 0..30_000u64 {
        let branch = ["3.12", "3.13", "3.14"][(i % 3) as usize];
        seed_pull(&github, &people, 100_001 + i, branch, Some(1 + i * 3));
    }
    let unclaimed: Vec<String> = (0..1_000u64).map(|i| sha("push", 5_000_000 + i)).collect();
    github.set_latency(latency());
    println!(
        "cpython-shaped world: {} pull requests seeded in {:.1} s, {} ms per request",
        github.pulls_count(),
        started.elapsed().as_secs_f64(),
        latency().as_millis()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("sync.sqlite3")).expect("store");
    let branches: Vec<String> = ["main", "3.12", "3.13", "3.14"].map(String::from).to_vec();
    run("GraphQL: first sync, 130,000 pull requests", Api::GraphQl, &github, &mut store, &branches, &unclaimed);
    run("GraphQL: nothing new (4 branches)", Api::GraphQl, &github, &mut store, &branches, &unclaimed);
}

fn run(
    name: &str,
    api: Api,
    github: &fake_github::FakeGitHub,
    store: &mut Store,
    branches: &[String],
    unclaimed: &[String],
) {
    github.clear_log();
    let points_before = github.graphql_points();
    let settings = Settings::new(
        &github.url(),
        RepoSlug { owner: "bench".into(), name: "project".into() },
        Token::new(TOKEN.into()),
    );
    let events: Arc<dyn Fn(SyncEvent) + Send + Sync> = Arc::new(|_| {});
    let options = sync::Options {
        branches: branches.to_vec(),
        unclaimed: unclaimed.to_vec(),
        concurrency: 16,
        ..sync::Options::default()
    };
    let config = Config::default();
    // The same runtime as the CLI: one thread, many requests in flight.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let started = Instant::now();
    let requests = runtime.block_on(async {
        let client = GitHub::new(settings, events.clone()).expect("client");
        match api {
            Api::Rest => {
                sync::run(&client, store, &config, &options, &*events).await.expect("sync");
            }
            Api::GraphQl => {
                let graphql = GraphQl::new(&client);
                bulk_sync::run(&graphql, store, &config, &options, &*events).await.expect("sync");
            }
        }
        client.stats.requests.load(Ordering::Relaxed)
    });
    let wall = started.elapsed();
    let points = match api {
        Api::Rest => "-".to_string(),
        Api::GraphQl => (github.graphql_points() - points_before).to_string(),
    };
    println!("{name:<52} {requests:>9} {points:>8} {:>9.2}", wall.as_secs_f64());
}

fn sha(kind: &str, n: u64) -> String {
    format!("{:0>40}", format!("{:x}{}", n, kind.len()))
}

fn review(id: u64, pr: u64, user: &str, state: ReviewState, commit: String, at: i64) -> Review {
    Review {
        id,
        pr,
        user: user.to_string(),
        state,
        commit_id: Some(commit),
        submitted_at: Some(at),
        author_association: "MEMBER".into(),
        marker: None,
    }
}

/// A merged pull request approved by someone else; one in ten approved at
/// an older commit (its commits are fetched too), one in five with a second,
/// commenting review, one in fifty with 120 comments as reviews. A backport
/// (`original` set) is miss islington's, named after its original.
fn seed_pull(github: &fake_github::FakeGitHub, people: &[String], n: u64, base: &str, original: Option<u64>) {
    let count = people.len() as u64;
    let author = &people[(n % count) as usize];
    let reviewer = &people[((n + 7) % count) as usize];
    let merged = START + n as i64 * 60;
    let title = match original {
        Some(o) => format!("[{base}] gh-{}: change number {o} (GH-{o})", 100_000 + o),
        None => format!("gh-{}: change number {n}", 100_000 + n),
    };
    let pr = PullRequest {
        number: n,
        title,
        body: "Body of the pull request.".into(),
        author: if original.is_some() { "miss-islington".into() } else { author.clone() },
        author_association: "MEMBER".into(),
        merged_by: Some(author.clone()),
        merged_at: Some(merged),
        merge_commit_sha: Some(sha("merge", n)),
        head_sha: Some(sha("head", n)),
        base_branch: base.into(),
        labels: vec!["type-bug".into()],
        updated_at: Some(merged + 30),
        commits: vec![sha("first", n), sha("head", n)],
    };
    github.add_pull(REPO, &pr, "MEMBER");
    let on = if n.is_multiple_of(10) { sha("first", n) } else { sha("head", n) };
    github.add_review(REPO, &review(n * 1000, n, reviewer, ReviewState::Approved, on, merged - 300), "MEMBER");
    if n.is_multiple_of(5) {
        let other = &people[((n + 3) % count) as usize];
        github.add_review(
            REPO,
            &review(n * 1000 + 1, n, other, ReviewState::Commented, sha("head", n), merged - 200),
            "MEMBER",
        );
    }
    if n.is_multiple_of(50) {
        for i in 0..120 {
            let other = &people[((n + i) % count) as usize];
            github.add_review(
                REPO,
                &review(n * 1000 + 2 + i, n, other, ReviewState::Commented, sha("head", n), merged - 100),
                "MEMBER",
            );
        }
    }
}
