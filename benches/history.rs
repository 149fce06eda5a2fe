//! How long loading history takes at scale: builds the generated 10,000+
//! commit repository (`tests/support/bigrepo.rs`) in a temporary directory,
//! then times `pipeline::load` cold (a fresh store: every file list and
//! patch-id computed) and warm (the same store again: read from its cache),
//! for the main line and for a maintenance branch with backport linking.
//!
//! Prints figures, asserts nothing: `cargo bench --bench history`
//! (`cargo bench --bench history -- cold` runs only the cases whose name
//! contains "cold"). With `REARVIEW_BENCH_DIR=PATH` the fixture is built
//! there and kept, to time the real binary on it (`rearview list -v`).
//!
//! `cargo bench --bench history -- --repo PATH` times instead the real
//! binary's `list --format json` on that repository, cold (a fresh store
//! each run), beside `git log --first-parent --numstat` of its main line.

#[path = "../tests/support/bigrepo.rs"]
mod bigrepo;

use std::path::Path;
use std::time::{Duration, Instant};

use rearview::config::Config;
use rearview::pipeline::{self, Selection};
use rearview::repo::Repo;
use rearview::store::Store;

/// Timed runs per case (plus none discarded: cold runs are cold by design).
const RUNS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--repo") {
        match args.get(at + 1) {
            Some(path) => cold_listing(Path::new(path)),
            None => println!("--repo needs a path: cargo bench --bench history -- --repo /tmp/aio"),
        }
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let keep = std::env::var_os("REARVIEW_BENCH_DIR").map(std::path::PathBuf::from);
    let repo_dir = keep.clone().unwrap_or_else(|| dir.path().join("big"));
    let spec = bigrepo::BigRepoSpec::default();
    let started = Instant::now();
    let big = bigrepo::build(&repo_dir, &spec);
    let built = started.elapsed();
    let side: usize = big.branches.iter().map(|b| b.commits).sum();
    println!(
        "fixture: {} main-line commits (+{} merged side commits), {} on maintenance branches, built in {} ms",
        big.main.commits,
        big.main.side_commits,
        side,
        built.as_millis()
    );
    let b312 = big.branches.iter().find(|b| b.name == "3.12").expect("3.12 in the fixture");
    println!(
        "3.12: {} commits, {} backports ({} by patch-id only)",
        b312.commits,
        b312.backports.len(),
        b312.backports_of(bigrepo::BackportStyle::NoTrailer).count()
    );
    println!();
    println!("{:<44} {:>7} {:>9} {:>9} {:>12}", "case", "changes", "min ms", "median ms", "commits/s");

    // `files: true` is what `--format json` loads (every change's files
    // with line counts); the table needs no files.
    let main_range = Selection {
        range: Some(format!("{}..main", bigrepo::ROOT_TAG)),
        limit: 0,
        files: true,
        ..Selection::default()
    };
    let main_table = Selection { files: false, ..main_range.clone() };
    let branch_312 = Selection { branches: vec!["3.12".into()], limit: 0, files: true, ..Selection::default() };
    let everything = Selection { limit: 0, files: true, ..Selection::default() };
    let main_100 = Selection { branches: vec!["main".into()], limit: 100, files: true, ..Selection::default() };

    let mut fresh = 0;
    let mut fresh_store = |name: &str| {
        fresh += 1;
        dir.path().join(format!("{name}-{fresh}.sqlite3"))
    };

    case("main, 10,000-commit range, table, cold", &big.path, &main_table, || fresh_store("cold-table"));
    case("main, 10,000-commit range, cold", &big.path, &main_range, || fresh_store("cold-main"));
    let warm_main = fresh_store("warm-main");
    load(&big.path, &warm_main, &main_range);
    case("main, 10,000-commit range, warm", &big.path, &main_range, || warm_main.clone());

    case("3.12 with backport linking, cold", &big.path, &branch_312, || fresh_store("cold-312"));
    let warm_312 = fresh_store("warm-312");
    load(&big.path, &warm_312, &branch_312);
    case("3.12 with backport linking, warm", &big.path, &branch_312, || warm_312.clone());

    case("all watched branches, cold", &big.path, &everything, || fresh_store("cold-all"));
    let warm_all = fresh_store("warm-all");
    load(&big.path, &warm_all, &everything);
    case("all watched branches, warm", &big.path, &everything, || warm_all.clone());

    case("main --limit 100, warm", &big.path, &main_100, || warm_main.clone());
}

/// One load on a newly opened repository and store (as the CLI does).
fn load(repo: &Path, store: &Path, selection: &Selection) -> (usize, Duration) {
    let started = Instant::now();
    let repo = Repo::open(repo).expect("open the repository");
    let mut store = Store::open(store).expect("open the store");
    let loaded = pipeline::load(&repo, &mut store, &Config::default(), selection).expect("load");
    (loaded.queue.changes.len(), started.elapsed())
}

fn case(name: &str, repo: &Path, selection: &Selection, mut store: impl FnMut() -> std::path::PathBuf) {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
        return;
    }
    let mut times = Vec::with_capacity(RUNS);
    let mut changes = 0;
    for _ in 0..RUNS {
        let (n, took) = load(repo, &store(), selection);
        changes = n;
        times.push(took);
    }
    times.sort();
    let min = times[0];
    let median = times[times.len() / 2];
    let rate = changes as f64 / median.as_secs_f64();
    println!(
        "{name:<44} {changes:>7} {:>9.1} {:>9.1} {rate:>12.0}",
        min.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3
    );
}

/// `rearview list --format json` cold on a real repository beside
/// `git log --first-parent --numstat` of its main line: medians of `RUNS`,
/// interleaved so that both see the same machine.
fn cold_listing(path: &Path) {
    let repo = Repo::open(path).expect("open the repository");
    let main = repo.default_branch(None).expect("its main line");
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = env!("CARGO_BIN_EXE_rearview");
    let timed = |command: &mut std::process::Command| {
        let started = Instant::now();
        let status = command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).status();
        status.is_ok_and(|s| s.success()).then(|| started.elapsed())
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let db = dir.path().join(format!("cold-{run}.sqlite3"));
        let repo_arg = path.to_string_lossy();
        let db_arg = db.to_string_lossy();
        let args = ["--repo", &repo_arg, "--db", &db_arg, "list", "--format", "json"];
        ours.extend(timed(std::process::Command::new(bin).args(args)));
        let log = ["-C", &repo_arg, "log", "--first-parent", "--numstat", &main];
        theirs.extend(timed(std::process::Command::new("git").args(log)));
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v.get(v.len() / 2).map(Duration::as_secs_f64)
    };
    match (median(&mut ours), median(&mut theirs)) {
        (Some(ours), Some(git)) => println!(
            "{}: rearview list --format json, cold: median {ours:.2} s; git log --first-parent --numstat {main}: median {git:.2} s; {:.2}× ({RUNS} runs)",
            path.display(),
            ours / git
        ),
        _ => println!("{}: a run failed (rearview {} of {RUNS}, git {})", path.display(), ours.len(), theirs.len()),
    }
}
