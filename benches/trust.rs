//! The trust views at scale: `people`, `blast-radius`, `coverage`,
//! `trends` and `binaries` on the generated 10,000+ commit repository
//! (`tests/support/bigrepo.rs`), warm (the store already holds every
//! change's files and scans, as after any listing).
//! Targets: `people` under 2 s warm (issue 18); `coverage`, `trends` and
//! `binaries` under 3 s warm each (issue 19), as is the whole
//! `report --html` page that gathers them all; `binaries` on the same
//! history with 48 binaries in its root commit (never changed after:
//! finding who added them walks the whole main line).
//!
//! Prints figures, asserts nothing: `cargo bench --bench trust`
//! (`-- people` runs only the cases whose name contains "people").

#[path = "../tests/support/bigrepo.rs"]
mod bigrepo;
#[path = "../tests/support/bytes.rs"]
mod bytes;

use std::path::Path;
use std::time::{Duration, Instant};

use rearview::config::Config;
use rearview::pipeline::binaries::binaries;
use rearview::pipeline::coverage::coverage;
use rearview::pipeline::people::{blast, census};
use rearview::pipeline::report;
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
    case("report --html (all sections), warm", || {
        run(&big.path, &db, |repo, store| {
            let sections = report::sections(repo, store, &Config::default(), None).map_err(|e| e.to_string())?;
            Ok(report::page(repo, &sections, "today").len())
        })
        .1
    });
    if selected("binaries") {
        binaries_cases(dir.path());
    }
}

/// `binaries` on the history with binaries from its root: cold (a fresh
/// store: every commit's file list and every blob's scan), then warm.
fn binaries_cases(dir: &Path) {
    let spec = bigrepo::BigRepoSpec { root_binaries: root_binaries(), ..bigrepo::BigRepoSpec::default() };
    let big = bigrepo::build(&dir.join("big-binaries"), &spec);
    let db = dir.join("binaries.sqlite3");
    let list = |repo: &Repo, store: &mut Store| {
        binaries(repo, store, &Config::default(), None).map(|i| i.files.len()).map_err(|e| e.to_string())
    };
    let (count, cold) = run(&big.path, &db, list);
    println!();
    println!("binaries, cold (fills the caches): {count} binaries in {} ms", cold.as_millis());
    case("binaries, warm", || run(&big.path, &db, list).1);
}

/// 48 binaries: images, 1 MiB of noise, and gzip streams hiding an ELF
/// header (decompressed on every run).
fn root_binaries() -> Vec<(String, Vec<u8>)> {
    use bytes::{elf_header, noise};
    let mut out = Vec::new();
    for i in 0..32u64 {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(noise(4096 + (i as usize) * 512, i + 1));
        out.push((format!("Lib/test/imghdrdata/image{i}.png"), png));
    }
    for i in 0..12u64 {
        out.push((format!("Lib/test/data/noise{i}.bin"), noise(1 << 20, 100 + i)));
    }
    for i in 0..4u64 {
        let mut plain: Vec<u8> =
            (0..20_000).flat_map(|n| format!("vector {n} {}\0", n * 7 % 97).into_bytes()).collect();
        plain.extend(elf_header());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &plain).expect("gzip");
        out.push((format!("Lib/test/archivetestdata/corpus{i}.gz"), gz.finish().expect("gzip")));
    }
    out
}

fn selected(name: &str) -> bool {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
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
    if !selected(name) {
        return;
    }
    let mut times: Vec<Duration> = (0..RUNS).map(|_| timed()).collect();
    times.sort();
    println!("{name:<36} {:>9.1} {:>9.1}", times[0].as_secs_f64() * 1e3, times[RUNS / 2].as_secs_f64() * 1e3);
}
