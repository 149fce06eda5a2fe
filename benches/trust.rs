//! The trust views at scale: `people`, `blast-radius`, `coverage` and
//! `trends` on the generated 10,000+ commit repository
//! (`tests/support/bigrepo.rs`), warm (the store already holds every
//! change's files and scans, as after any listing).
//! Targets: `people` under 2 s warm (issue 18); `coverage` and `trends`
//! under 3 s warm each (issue 19).
//!
//! Prints figures, asserts nothing: `cargo bench --bench trust`
//! (`-- people` runs only the cases whose name contains "people").

#[path = "../tests/support/bigrepo.rs"]
mod bigrepo;

use std::path::Path;
use std::time::{Duration, Instant};

use rearview::config::Config;
use rearview::pipeline::coverage::coverage;
use rearview::pipeline::people::{blast, census};
use rearview::pipeline::trends::{trends, TrendOptions};
use rearview::repo::Repo;
use rearview::store::Store;

const RUNS: usize = 5;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo_dir = dir.path().join("big");
    let big = bigrepo::build(&repo_dir, &bigrepo::BigRepoSpec::default());
    let db = dir.path().join("store.sqlite3");
    println!("fixture: {} main-line commits, {} branches", big.main.commits, big.branches.len());

    // The first run fills the store's per-commit caches (a cold listing).
    let (people, cold) = run(&big.path, &db, |repo, store| {
        census(repo, store, &Config::default(), None).map(|c| c.people.len()).map_err(|e| e.to_string())
    });
    println!("people, cold (fills the caches): {people} people in {} ms", cold.as_millis());
    println!();
    let found = coverage(
        &Repo::open(&big.path).expect("open"),
        &mut Store::open(&db).expect("store"),
        &Config::default(),
        None,
    )
    .expect("coverage");
    let t = trends(
        &Repo::open(&big.path).expect("open"),
        &mut Store::open(&db).expect("store"),
        &Config::default(),
        &TrendOptions::default(),
    )
    .expect("trends");
    let single = found.areas.iter().filter(|a| a.changes > 0 && a.active_maintainers() == 1).count();
    let months = t.branches.first().map_or(0, |b| b.periods.len());
    println!("coverage: {} areas, {} changes in the window, {single} single-maintainer; trends: {} branches, {months} months, {} areas", found.areas.len(), found.changes, t.branches.len(), t.areas.len());
    println!("{:<36} {:>9} {:>9}", "case", "min ms", "median ms");
    case("people, warm", || {
        run(&big.path, &db, |repo, store| {
            census(repo, store, &Config::default(), None).map(|_| ()).map_err(|e| e.to_string())
        })
        .1
    });
    case("coverage, warm", || {
        run(&big.path, &db, |repo, store| {
            coverage(repo, store, &Config::default(), None).map(|_| ()).map_err(|e| e.to_string())
        })
        .1
    });
    case("trends by month, warm", || {
        run(&big.path, &db, |repo, store| {
            trends(repo, store, &Config::default(), &TrendOptions::default()).map(|_| ()).map_err(|e| e.to_string())
        })
        .1
    });
    case("blast-radius of the busiest author, warm", || {
        run(&big.path, &db, |repo, store| {
            let census = census(repo, store, &Config::default(), None).map_err(|e| e.to_string())?;
            let busiest = census.people.iter().max_by_key(|p| p.authored).map(|p| p.name.clone()).unwrap_or_default();
            blast::blast_radius(repo, &census, &blast::Target::Person(busiest)).map(|_| ()).map_err(|e| e.to_string())
        })
        .1
    });
}

/// One run on a newly opened repository and store, as the CLI does.
fn run<T>(repo: &Path, db: &Path, work: impl FnOnce(&Repo, &mut Store) -> Result<T, String>) -> (T, Duration) {
    let started = Instant::now();
    let repo = Repo::open(repo).expect("open the repository");
    let mut store = Store::open(db).expect("open the store");
    let out = work(&repo, &mut store).unwrap_or_else(|e| panic!("{e}"));
    (out, started.elapsed())
}

fn case(name: &str, mut timed: impl FnMut() -> Duration) {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
        return;
    }
    let mut times: Vec<Duration> = (0..RUNS).map(|_| timed()).collect();
    times.sort();
    println!("{name:<36} {:>9.1} {:>9.1}", times[0].as_secs_f64() * 1e3, times[RUNS / 2].as_secs_f64() * 1e3);
}
