//! At scale: a generated repository with 10,000+ commits on `main` and two
//! maintenance branches full of backports (see `support/bigrepo.rs`),
//! loaded through the pipeline and through the real binary. No timing
//! assertions here: `cargo bench --bench history` measures.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use rearview::config::Config;
use rearview::model::RiskKind;
use rearview::model::{Change, ChangeKind, Evidence, OriginalLink, Queue, Verdict};
use rearview::pipeline::{self, Loaded, Selection};
use rearview::repo::Repo;
use rearview::store::Store;
use support::bigrepo::{self, BackportStyle, BigRepo, BigRepoSpec, Branch, ROOT_TAG};

/// A freshly built big repository in its own temporary directory.
struct Fixture {
    dir: tempfile::TempDir,
    big: BigRepo,
    spec: BigRepoSpec,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let spec = BigRepoSpec::default();
        let big = bigrepo::build(&dir.path().join("big"), &spec);
        Fixture { dir, big, spec }
    }

    fn repo(&self) -> Repo {
        Repo::open(&self.big.path).expect("open the big repository")
    }

    fn store_path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(format!("{name}.sqlite3"))
    }

    fn branch(&self, name: &str) -> &Branch {
        self.big.branches.iter().find(|b| b.name == name).expect("branch in the fixture")
    }
}

fn load(repo: &Repo, store: &mut Store, selection: &Selection) -> Loaded {
    pipeline::load(repo, store, &Config::default(), selection).expect("pipeline load")
}

fn branches(names: &[&str], limit: usize) -> Selection {
    Selection { branches: names.iter().map(|n| n.to_string()).collect(), limit, files: true, ..Selection::default() }
}

fn range(text: &str, limit: usize) -> Selection {
    Selection { range: Some(text.to_string()), limit, files: true, ..Selection::default() }
}

fn count(queue: &Queue, kind: ChangeKind) -> usize {
    queue.changes.iter().filter(|c| c.kind == kind).count()
}

fn by_sha(queue: &Queue) -> HashMap<&str, &Change> {
    queue.changes.iter().map(|c| (c.sha.as_str(), c)).collect()
}

#[test]
fn main_range_lists_ten_thousand_changes_with_their_kinds() {
    let fx = Fixture::new();
    let repo = fx.repo();
    let mut store = Store::open(&fx.store_path("main")).expect("open store");
    let main = &fx.big.main;

    // ROOT_TAG..main: every main-line commit but the root.
    let loaded = load(&repo, &mut store, &range(&format!("{ROOT_TAG}..main"), 0));
    let queue = &loaded.queue;
    assert_eq!(loaded.default_branch, "main");
    assert_eq!(queue.changes.len(), fx.spec.main_commits);
    assert!(queue.changes.len() >= 10_000, "a 10,000+ commit range");
    assert_eq!(queue.changes[0].sha, main.tip, "newest first");
    assert!(queue.changes.iter().all(|c| c.branch == "main"));
    assert!(queue.changes.iter().all(|c| c.sha != main.root), "the range excludes its base");

    // First-parent only: squash merges and merge commits are `merge`, the
    // merged side commits are not listed, pushes are `direct_push`.
    assert_eq!(count(queue, ChangeKind::Merge), main.merge_kind());
    assert_eq!(count(queue, ChangeKind::DirectPush), main.direct_pushes - 1, "the root is outside the range");
    assert_eq!(count(queue, ChangeKind::Backport), 0, "nothing on the main line is a backport");
    assert!(main.merges > 1000 && main.squashes > 1000 && main.direct_pushes > 1000, "{main:?}");
    for change in &queue.changes {
        match change.kind {
            ChangeKind::Merge => assert!(change.pr.is_some(), "a merge names its pull request: {}", change.sha),
            ChangeKind::DirectPush => assert_eq!(change.pr, None, "{}", change.sha),
            ChangeKind::Backport => unreachable!("checked above"),
        }
        assert!(!change.files.is_empty(), "every change touched files: {}", change.sha);
    }

    // A merge commit's title is its body's first line (squash titles start
    // with their issue, `gh-N: …`).
    let two_parent: Vec<&Change> =
        queue.changes.iter().filter(|c| c.kind == ChangeKind::Merge && !c.title.starts_with("gh-")).collect();
    assert_eq!(two_parent.len(), main.merges);
    assert!(two_parent.iter().all(|c| !c.title.starts_with("Merge pull request")));

    // Reviewed-by trailers naming someone else are independent reviews.
    let index = by_sha(queue);
    assert!(main.reviewed_by.len() > 500, "{} trailers", main.reviewed_by.len());
    for sha in &main.reviewed_by {
        let change = index.get(sha.as_str()).expect("trailer commit listed");
        assert_eq!(change.verdict, Verdict::Reviewed, "{sha}");
        assert!(change.evidence.iter().any(|e| matches!(e, Evidence::Trailer { key, .. } if key == "Reviewed-by")));
    }
    let unreviewed = queue.changes.iter().filter(|c| c.verdict == Verdict::Unreviewed).count();
    assert_eq!(unreviewed, queue.changes.len() - main.reviewed_by.len(), "no forge data: the rest is unreviewed");

    // The whole branch adds the root commit.
    let whole = load(&repo, &mut store, &branches(&["main"], 0));
    assert_eq!(whole.queue.changes.len(), main.commits);
    assert_eq!(whole.queue.changes.last().map(|c| c.sha.as_str()), Some(main.root.as_str()));
}

/// Checks every backport and direct push of `branch` in `queue`.
fn check_branch(queue: &Queue, branch: &Branch, reviewed_originals: &[String]) {
    let index = by_sha(queue);
    for backport in &branch.backports {
        let change = index.get(backport.sha.as_str()).expect("backport listed");
        assert_eq!(change.branch, branch.name);
        assert_eq!(change.kind, ChangeKind::Backport, "{} ({:?})", backport.sha, backport.style);
        let original = change.original.as_ref().expect("backport linked to its original");
        assert_eq!(original.sha, backport.original, "{} ({:?})", backport.sha, backport.style);
        assert_eq!(original.branch, "main");
        assert_eq!(original.pr, Some(backport.original_pr));
        let (link, matches) = match backport.style {
            BackportStyle::CherryPickTrailer => (OriginalLink::CherryPickTrailer, true),
            BackportStyle::Drifted => (OriginalLink::CherryPickTrailer, false),
            BackportStyle::PullRequestNumber => (OriginalLink::PullRequestNumber, true),
            BackportStyle::NoTrailer => (OriginalLink::PatchId, true),
        };
        assert_eq!(original.link, link, "{} ({:?})", backport.sha, backport.style);
        assert_eq!(change.patch_id_matches, Some(matches), "{} ({:?})", backport.sha, backport.style);
        assert_eq!(change.pr, backport.pr, "a backport's own number, not its original's");
        // A reviewed original covers an identical backport, not a drifted one.
        if reviewed_originals.contains(&backport.original) {
            let want = if matches { Verdict::Reviewed } else { Verdict::PartlyReviewed };
            assert_eq!(change.verdict, want, "{} ({:?})", backport.sha, backport.style);
        }
    }
    for sha in &branch.direct_pushes {
        let change = index.get(sha.as_str()).expect("direct push listed");
        assert_eq!(change.kind, ChangeKind::DirectPush, "{sha}");
        assert_eq!(change.original, None, "{sha}: a maintenance push has no original");
    }
}

#[test]
fn backports_link_to_their_originals_by_trailer_number_and_patch_id() {
    let fx = Fixture::new();
    let repo = fx.repo();
    let mut store = Store::open(&fx.store_path("branches")).expect("open store");
    let reviewed = &fx.big.main.reviewed_by;

    let b312 = fx.branch("3.12");
    for style in [
        BackportStyle::CherryPickTrailer,
        BackportStyle::PullRequestNumber,
        BackportStyle::NoTrailer,
        BackportStyle::Drifted,
    ] {
        assert!(b312.backports_of(style).count() >= 20, "{style:?}: the fixture exercises every link");
    }
    assert!(b312.backports.iter().any(|b| reviewed.contains(&b.original)), "some originals carry a review trailer");

    // One maintenance branch: the main line is searched back to its fork.
    let loaded = load(&repo, &mut store, &branches(&["3.12"], 0));
    assert_eq!(loaded.queue.changes.len(), b312.commits);
    assert_eq!(count(&loaded.queue, ChangeKind::Backport), b312.backports.len());
    assert_eq!(count(&loaded.queue, ChangeKind::DirectPush), b312.direct_pushes.len());
    check_branch(&loaded.queue, b312, reviewed);

    // Since the release tag: everything after `v3.12.0`, linked the same.
    let since = load(&repo, &mut store, &range(&format!("{}..3.12", b312.release_tag), 0));
    assert_eq!(since.queue.changes.len(), b312.commits - 1);
    assert!(since.queue.changes.iter().all(|c| c.branch == "3.12"));
    assert_eq!(count(&since.queue, ChangeKind::Backport), b312.backports.len());
    check_branch(&since.queue, &Branch { direct_pushes: b312.direct_pushes[1..].to_vec(), ..b312.clone() }, reviewed);

    // Every watched branch at once: the main line is searched back to the
    // oldest fork, so 3.11's backports of older commits link too.
    let all = load(&repo, &mut store, &Selection::default());
    assert_eq!(all.branches, ["main", "3.12", "3.11"], "main line first, newest maintenance branch next");
    let total = fx.big.main.commits + fx.big.branches.iter().map(|b| b.commits).sum::<usize>();
    assert_eq!(all.queue.changes.len(), total);
    for branch in &fx.big.branches {
        check_branch(&all.queue, branch, reviewed);
    }
}

#[test]
fn limit_caps_the_changes_of_each_branch() {
    let fx = Fixture::new();
    let repo = fx.repo();
    let mut store = Store::open(&fx.store_path("limit")).expect("open store");

    let one = load(&repo, &mut store, &branches(&["main"], 1));
    assert_eq!(one.queue.changes.len(), 1);
    assert_eq!(one.queue.changes[0].sha, fx.big.main.tip);

    let capped = load(&repo, &mut store, &range(&format!("{ROOT_TAG}..main"), 250));
    assert_eq!(capped.queue.changes.len(), 250);

    // Per branch: 250 of main, 250 of 3.12, 250 of 3.11, newest first.
    let all = load(&repo, &mut store, &Selection { limit: 250, files: true, ..Selection::default() });
    assert_eq!(all.queue.changes.len(), 750);
    for (name, tip) in [("main", &fx.big.main.tip), ("3.12", &fx.branch("3.12").tip), ("3.11", &fx.branch("3.11").tip)]
    {
        let on: Vec<&Change> = all.queue.changes.iter().filter(|c| c.branch == name).collect();
        assert_eq!(on.len(), 250, "{name}");
        assert_eq!(&on[0].sha, tip, "{name} starts at its tip");
    }
    // A capped maintenance branch still links what it lists.
    let newest_312: Vec<&Change> = all.queue.changes.iter().filter(|c| c.branch == "3.12").collect();
    assert!(newest_312.iter().filter(|c| c.kind == ChangeKind::Backport).all(|c| c.original.is_some()));
    let patch_id_links =
        newest_312.iter().filter(|c| c.original.as_ref().is_some_and(|o| o.link == OriginalLink::PatchId)).count();
    assert!(patch_id_links > 0, "trailer-less cherry-picks among the newest 250");
}

#[test]
fn a_warm_store_gives_the_identical_queue() {
    let fx = Fixture::new();
    let repo = fx.repo();
    let path = fx.store_path("warm");
    let everything = Selection { limit: 0, files: true, ..Selection::default() };

    let cold = {
        let mut store = Store::open(&path).expect("open store");
        load(&repo, &mut store, &everything)
    };
    // Reopened from disk: file lists and patch-ids now come from the cache.
    let mut store = Store::open(&path).expect("reopen store");
    let shas: Vec<String> = cold.queue.changes.iter().map(|c| c.sha.clone()).collect();
    assert_eq!(store.cached_files(&shas).expect("read the cache").len(), shas.len(), "every file list cached");
    let backports: Vec<String> =
        fx.big.branches.iter().flat_map(|b| b.backports.iter().map(|p| p.sha.clone())).collect();
    assert_eq!(
        store.cached_patch_ids(&backports).expect("read the cache").len(),
        backports.len(),
        "every backport's patch-id cached"
    );

    let warm = load(&repo, &mut store, &everything);
    assert_eq!(warm.queue.changes.len(), cold.queue.changes.len());
    assert_eq!(warm.queue, cold.queue, "the cache changes nothing");
    assert_eq!(warm.branches, cold.branches);

    // A view that shows no files gets the same queue, without them.
    let mut listing = load(&repo, &mut store, &Selection { files: false, ..everything.clone() });
    let mut stripped = cold.queue.clone();
    for change in &mut stripped.changes {
        if change.branch == "main" || change.original.as_ref().is_some_and(|o| o.link != OriginalLink::PatchId) {
            change.files.clear();
        }
    }
    // The risk signals read files and content: compare the ones that do not.
    let without_file_risks = |queue: &mut rearview::model::Queue| {
        for change in &mut queue.changes {
            // (A directory new to its author is known from file lists only.)
            change.risks.retain(|r| {
                matches!(r.kind, RiskKind::StaleApproval | RiskKind::SelfMerged)
                    || (r.kind == RiskKind::UnusualAuthor && r.location.path.is_none())
            });
            change.score = 0;
        }
    };
    without_file_risks(&mut listing.queue);
    without_file_risks(&mut stripped);
    assert_eq!(listing.queue, stripped, "only the files differ, and patch-id linking still had what it needed");

    // And against a store that never saw the repository.
    let mut fresh = Store::open(&fx.store_path("fresh")).expect("open store");
    let again = load(&repo, &mut fresh, &everything);
    assert_eq!(again.queue, cold.queue, "the same history gives the same queue");
}

fn list_json(repo: &Path, db: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_rearview"))
        .args(["list", "--repo"])
        .arg(repo)
        .arg("--db")
        .arg(db)
        .args(["--format", "json"])
        .args(extra)
        // Keep the user's real config and data out of the test.
        .env("XDG_CONFIG_HOME", "/nonexistent-rearview-config")
        .env("XDG_DATA_HOME", db.parent().expect("db in a directory"))
        .output()
        .expect("run the rearview binary");
    assert!(out.status.success(), "list failed: {}", String::from_utf8_lossy(&out.stderr));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list prints JSON");
    value.as_array().expect("a JSON array").clone()
}

#[test]
fn the_binary_lists_a_big_range_as_json() {
    let fx = Fixture::new();
    let db = fx.store_path("cli");
    let b312 = fx.branch("3.12");
    let since_fork = format!("{}..main", b312.fork_tag);
    let want = fx.spec.main_commits - fx.spec.branches[1].fork_at;
    assert!(want > 1000, "more than the default limit");

    let all = list_json(&fx.big.path, &db, &["--range", &since_fork, "--limit", "0"]);
    assert_eq!(all.len(), want);
    assert_eq!(all[0]["sha"], fx.big.main.tip.as_str());
    assert!(all.iter().all(|c| c["branch"] == "main"));
    let direct = all.iter().filter(|c| c["kind"] == "direct_push").count();
    let merges = all.iter().filter(|c| c["kind"] == "merge").count();
    assert_eq!(direct + merges, want);

    // The default --limit (1000) caps the list; warm store this time.
    let capped = list_json(&fx.big.path, &db, &["--range", &since_fork]);
    assert_eq!(capped.len(), 1000);
    // Whose change is an author's first depends on how much history is
    // examined: the risks may differ, the rest may not.
    let strip = |changes: &[serde_json::Value]| -> Vec<serde_json::Value> {
        changes
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c["risks"] = serde_json::Value::Null;
                c["score"] = serde_json::Value::Null;
                c
            })
            .collect()
    };
    assert_eq!(strip(&capped), strip(&all[..1000]));

    // Backports on the branch, by kind filter.
    let backports =
        list_json(&fx.big.path, &db, &["--range", &format!("{}..3.12", b312.release_tag), "--kind", "backport"]);
    assert_eq!(backports.len(), b312.backports.len());
    let by_patch_id = backports.iter().filter(|c| c["original"]["link"] == "patch_id").count();
    assert_eq!(by_patch_id, b312.backports_of(BackportStyle::NoTrailer).count());
}

#[test]
fn the_fixture_is_deterministic() {
    let spec = BigRepoSpec {
        main_commits: 400,
        branches: vec![
            bigrepo::BranchSpec { name: "3.11".into(), fork_at: 150, commits: 40 },
            bigrepo::BranchSpec { name: "3.12".into(), fork_at: 300, commits: 50 },
        ],
        seed: 7,
        root_binaries: Vec::new(),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let one = bigrepo::build(&dir.path().join("one"), &spec);
    let two = bigrepo::build(&dir.path().join("two"), &spec);
    assert_eq!(one.main.tip, two.main.tip);
    for (a, b) in one.branches.iter().zip(&two.branches) {
        assert_eq!(a.tip, b.tip);
        assert_eq!(a.backports, b.backports);
    }
    assert_eq!(one.main.commits, 401);
    assert_eq!(one.branches[1].commits, 50);

    // Small specs work end to end too.
    let repo = Repo::open(&one.path).expect("open");
    let mut store = Store::open(&dir.path().join("small.sqlite3")).expect("open store");
    let loaded = load(&repo, &mut store, &Selection { limit: 0, files: true, ..Selection::default() });
    assert_eq!(loaded.queue.changes.len(), 401 + 40 + 50);
    for branch in &one.branches {
        check_branch(&loaded.queue, branch, &one.main.reviewed_by);
    }
}
