//! The noise budget of the risk signals on a real history: for each kind,
//! how many changes it marks at each severity, and the share of changes at
//! high or above (the target: at most 2%, and at most 2 critical changes on
//! a project with no attack in it).
//!
//! `cargo bench --bench signals -- PATH [BRANCH]` reads the repository at
//! PATH (its main line's whole history, or BRANCH's); without a path it
//! builds the demo, whose seeded hazards must all show. Prints a Markdown
//! table; asserts nothing. The store is a temporary one: every scan is
//! fresh.

use std::time::Instant;

use rearview::config::Config;
use rearview::pipeline::{self, Selection};
use rearview::repo::Repo;
use rearview::store::Store;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, branch) = match args.first() {
        Some(path) => (std::path::PathBuf::from(path), args.get(1).cloned()),
        None => {
            let demo = dir.path().join("demo");
            pipeline::demo::build(&demo, Some(&dir.path().join("demo.sqlite3"))).expect("build the demo");
            (demo, None)
        }
    };
    let repo = Repo::open(&path).expect("open the repository");
    let mut store = Store::open(&dir.path().join("signals.sqlite3")).expect("open a store");
    let config = Config::default();
    let branch = match branch {
        Some(b) => b,
        None => repo.default_branch(None).expect("the main line"),
    };
    let selection = Selection { branches: vec![branch.clone()], limit: 0, files: true, ..Selection::default() };
    let started = Instant::now();
    let loaded = pipeline::load(&repo, &mut store, &config, &selection).expect("load the history");
    let took = started.elapsed();
    let budget = rearview::triage::budget::budget(&loaded.queue.changes);
    println!("{} on {branch}: {} changes in {:.1} s\n", path.display(), budget.changes, took.as_secs_f64());
    print!("{}", budget.markdown());
}
