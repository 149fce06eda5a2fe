//! How long `rearview sync` takes against GitHub's latency: a fake GitHub
//! (`tests/support/fake_github.rs`, a real HTTP server on 127.0.0.1) holds
//! 5,000 merged pull requests with reviews and answers every request after
//! 50 ms. Prints requests made and wall time for a full sync, an
//! incremental sync with nothing new, and one after ten post-merge reviews.
//! Asserts nothing: `cargo bench --bench sync`.

#[path = "../tests/support/fake_github.rs"]
mod fake_github;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rearview::config::Config;
use rearview::forge::github::{GitHub, Settings};
use rearview::forge::token::Token;
use rearview::forge::{sync, SyncEvent};
use rearview::model::RepoSlug;
use rearview::model::{PullRequest, Review, ReviewState};
use rearview::store::Store;

const PULLS: u64 = 5_000;
/// Per request; `SYNC_BENCH_LATENCY_MS` overrides.
fn latency() -> Duration {
    let ms = std::env::var("SYNC_BENCH_LATENCY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    Duration::from_millis(ms)
}
const TOKEN: &str = "ghp_benchmarkToken";
const START: i64 = 1_700_000_000;

fn main() {
    let github = fake_github::FakeGitHub::start();
    github.add_repo("bench", "project");
    github.set_rate_limit(1_000_000, START + 10 * 365 * 86_400);
    seed(&github);
    github.set_latency(latency());
    println!("fake GitHub: {} merged pull requests, {} ms per request", github.pulls_count(), latency().as_millis());

    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("sync.sqlite3")).expect("store");
    let config = Config::default();
    println!("{:<44} {:>9} {:>9} {:>10}", "case", "requests", "not 304", "wall s");

    run("full sync of 5,000 pull requests", &github, &mut store, &config);
    run("incremental, nothing changed", &github, &mut store, &config);
    let now = chrono::Utc::now().timestamp();
    for n in 1..=10u64 {
        let number = n * 97;
        github.add_review(
            "bench/project",
            &Review {
                id: 900_000 + n,
                pr: number,
                user: "late-reviewer".into(),
                state: ReviewState::Approved,
                commit_id: Some(sha("head", number)),
                submitted_at: Some(now),
                author_association: "MEMBER".into(),
                marker: None,
            },
            "MEMBER",
        );
        github.touch_pull("bench/project", number, now);
    }
    run("incremental, 10 post-merge reviews", &github, &mut store, &config);
}

fn run(name: &str, github: &fake_github::FakeGitHub, store: &mut Store, config: &Config) {
    github.clear_log();
    let settings = Settings::new(
        &github.url(),
        RepoSlug { owner: "bench".into(), name: "project".into() },
        Token::new(TOKEN.into()),
    );
    let events: Arc<dyn Fn(SyncEvent) + Send + Sync> = Arc::new(|_| {});
    let options = sync::Options { branches: vec!["main".into()], concurrency: 16, ..sync::Options::default() };
    // The same runtime as the CLI: one thread, many requests in flight.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let started = Instant::now();
    let requests = runtime.block_on(async {
        let client = GitHub::new(settings, events.clone()).expect("client");
        sync::run(&client, store, config, &options, &*events).await.expect("sync");
        client.stats.requests.load(Ordering::Relaxed)
    });
    let wall = started.elapsed();
    let real = github.requests().iter().filter(|r| r.status != Some(304)).count();
    println!("{name:<44} {requests:>9} {real:>9} {:>10.2}", wall.as_secs_f64());
}

fn sha(kind: &str, n: u64) -> String {
    format!("{:0>40}", format!("{:x}{}", n, kind.len()))
}

/// 5,000 merged pull requests by twenty people; each approved by someone
/// else, one in ten on an older commit (a stale approval: its commits are
/// fetched too), one in five with a second, commenting review.
fn seed(github: &fake_github::FakeGitHub) {
    let people: Vec<String> = (0..20).map(|i| format!("dev{i}")).collect();
    for n in 1..=PULLS {
        let author = &people[(n % 20) as usize];
        let reviewer = &people[((n + 7) % 20) as usize];
        let merged = START + n as i64 * 600;
        let pr = PullRequest {
            number: n,
            title: format!("gh-{}: change number {n}", 100_000 + n),
            body: "Body of the pull request.".into(),
            author: author.clone(),
            author_association: "MEMBER".into(),
            merged_by: Some(author.clone()),
            merged_at: Some(merged),
            merge_commit_sha: Some(sha("merge", n)),
            head_sha: Some(sha("head", n)),
            base_branch: "main".into(),
            labels: vec!["type-bug".into()],
            updated_at: Some(merged + 60),
            commits: vec![sha("first", n), sha("head", n)],
        };
        github.add_pull("bench/project", &pr, "MEMBER");
        let on = if n % 10 == 0 { sha("first", n) } else { sha("head", n) };
        let review = |id: u64, user: &str, state: ReviewState, commit: String| Review {
            id,
            pr: n,
            user: user.to_string(),
            state,
            commit_id: Some(commit),
            submitted_at: Some(merged - 300),
            author_association: "MEMBER".into(),
            marker: None,
        };
        github.add_review("bench/project", &review(n * 10, reviewer, ReviewState::Approved, on), "MEMBER");
        if n % 5 == 0 {
            let other = &people[((n + 3) % 20) as usize];
            github.add_review(
                "bench/project",
                &review(n * 10 + 1, other, ReviewState::Commented, sha("head", n)),
                "MEMBER",
            );
        }
    }
}
