//! `rearview coverage` and `rearview trends` through the real binary, on
//! histories written in temp dirs: who maintains each area, what landed
//! unreviewed there, CODEOWNERS (last match wins, strict parsing), config
//! areas, the order by concern, and review debt bucketed by month with an
//! empty month in between. From git alone: no GitHub data.

use std::path::PathBuf;
use std::process::{Command, Output};

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};
use serde_json::Value;

const DAY: i64 = 86_400;
/// 2023-01-01T00:00:00Z.
const T0: i64 = 1_672_531_200;

fn who(name: &str) -> Person {
    Person { name: name.into(), email: format!("{}@example.org", name.to_lowercase()) }
}

struct World {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    data: PathBuf,
}

impl World {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_rearview"))
            .args(args)
            .arg("--repo")
            .arg(&self.repo)
            .arg("--db")
            .arg(self.data.join("store.sqlite3"))
            .env("XDG_CONFIG_HOME", self.data.join("config"))
            .env("XDG_DATA_HOME", self.data.join("data"))
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN")
            .output()
            .expect("run rearview")
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("json")
    }

    fn config(&self, text: &str) -> String {
        let path = self.data.join("rearview.toml");
        std::fs::write(&path, text).expect("config");
        path.display().to_string()
    }
}

/// One commit on main: `day` after 2023-01-01, by `author` (who pushed it
/// too), writing `files`.
struct Step<'a> {
    day: i64,
    author: &'a str,
    message: &'a str,
    files: &'a [&'a str],
}

/// The history every test reads, with `extra` files in the first commit
/// (a CODEOWNERS file):
/// - day 0: Alice's import (tools/, src/, docs/, README.md);
/// - days 200–500 (the default window: 365 days back from day 500):
///   src/ by Alice (unreviewed), Bob (reviewed by Alice), Dave (reviewed by
///   Bob) and Bob again (reviewed by Alice); docs/ by Carol twice,
///   unreviewed; tools/ and the root files untouched.
fn world(extra: &[(&str, &str)]) -> World {
    let steps = [
        Step {
            day: 0,
            author: "Alice",
            message: "Import\n",
            files: &["tools/gen.py", "src/a.c", "docs/index.md", "README.md"],
        },
        Step { day: 200, author: "Alice", message: "Fix a.c\n", files: &["src/a.c"] },
        Step {
            day: 210,
            author: "Bob",
            message: "Add b.c\n\nReviewed-by: Alice <alice@example.org>\n",
            files: &["src/b.c"],
        },
        Step { day: 260, author: "Carol", message: "Document a.c\n", files: &["docs/index.md"] },
        Step { day: 300, author: "Carol", message: "Add a guide\n", files: &["docs/guide.md"] },
        Step {
            day: 400,
            author: "Dave",
            message: "Add c.c\n\nReviewed-by: Bob <bob@example.org>\n",
            files: &["src/c.c"],
        },
        Step {
            day: 500,
            author: "Bob",
            message: "Tune a.c\n\nReviewed-by: Alice <alice@example.org>\n",
            files: &["src/a.c"],
        },
    ];
    write_world(&steps, extra)
}

fn write_world(steps: &[Step<'_>], extra: &[(&str, &str)]) -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("project");
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("config")).expect("config dir");
    let mut w = Writer::init(&repo).expect("init");
    let mut files = Files::new();
    for (path, text) in extra {
        files.insert(path.to_string(), text.as_bytes().to_vec());
    }
    let mut tip: Option<rearview::repo::Oid> = None;
    for (n, step) in steps.iter().enumerate() {
        for path in step.files {
            files.insert(path.to_string(), format!("{path} as of change {n}\n").into_bytes());
        }
        let tree = w.tree(&files).expect("tree");
        let parents: Vec<_> = tip.iter().copied().collect();
        let person = who(step.author);
        let at = T0 + step.day * DAY;
        tip = Some(
            w.commit(Some("refs/heads/main"), &parents, tree, &person, &person, at, step.message).expect("commit"),
        );
    }
    w.set_head("main").expect("head");
    World { _dir: dir, repo, data }
}

fn paths(areas: &Value) -> Vec<String> {
    areas.as_array().expect("array").iter().map(|a| a["path"].as_str().unwrap_or("?").to_string()).collect()
}

fn area<'a>(areas: &'a Value, path: &str) -> &'a Value {
    areas.as_array().expect("array").iter().find(|a| a["path"] == path).unwrap_or_else(|| panic!("no {path}: {areas}"))
}

fn names(people: &Value) -> Vec<(String, u64)> {
    people
        .as_array()
        .expect("array")
        .iter()
        .map(|p| (p["name"].as_str().unwrap_or("?").to_string(), p["changes"].as_u64().unwrap_or(0)))
        .collect()
}

#[test]
fn top_level_directories_by_concern_with_their_maintainers_and_reviewers() {
    let w = world(&[]);
    let areas = w.json(&["coverage", "--format", "json"]);
    // docs/ is Carol's alone and unreviewed; the root files and tools/
    // saw no change in the window: no maintainer; src/ is fine.
    assert_eq!(paths(&areas), ["docs/", "/", "tools/", "src/"]);
    let docs = area(&areas, "docs/");
    assert_eq!(names(&docs["maintainers"]), [("Carol".to_string(), 2)]);
    assert_eq!((docs["changes"].as_u64(), docs["unreviewed"].as_u64()), (Some(2), Some(2)));
    assert_eq!(docs["unreviewed_share"].as_f64(), Some(1.0));
    assert_eq!(docs["concerns"], serde_json::json!(["single_maintainer", "mostly_unreviewed"]));
    assert_eq!(docs["active_reviewers"], serde_json::json!([]));
    assert_eq!(docs["owners"], serde_json::json!([]));

    let tools = area(&areas, "tools/");
    assert_eq!((tools["changes"].as_u64(), tools["concerns"].clone()), (Some(0), serde_json::json!(["no_maintainer"])));
    assert!(tools["unreviewed_share"].is_null());

    let src = area(&areas, "src/");
    // Alice wrote one and reviewed two; Bob wrote two and reviewed one.
    assert_eq!(names(&src["maintainers"]), [("Alice".to_string(), 3), ("Bob".to_string(), 3), ("Dave".to_string(), 1)]);
    assert_eq!(names(&src["active_reviewers"]), [("Alice".to_string(), 2), ("Bob".to_string(), 1)]);
    assert_eq!((src["changes"].as_u64(), src["unreviewed"].as_u64()), (Some(4), Some(1)));
    assert_eq!(src["concerns"], serde_json::json!([]));

    let table = String::from_utf8_lossy(&w.run(&["coverage"]).stdout).to_string();
    let first = table.lines().nth(1).unwrap_or_default();
    assert!(first.starts_with("single maintainer, mostly unreviewed") && first.contains("docs/"), "{table}");
    assert!(table.contains("4 areas (top-level directories), last 365 days of the history (2023-05-16 to 2024-05-15): 6 changes; 1 with a single maintainer, 2 with none, 1 mostly unreviewed"), "{table}");
    let md = String::from_utf8_lossy(&w.run(&["coverage", "--format", "md"]).stdout).to_string();
    assert!(
        md.starts_with("# Review coverage by area")
            && md.contains("| single maintainer, mostly unreviewed | `docs/` |"),
        "{md}"
    );
}

#[test]
fn since_widens_or_narrows_the_window_and_a_bad_one_says_what_to_write() {
    let w = world(&[]);
    // The whole history: the import makes Alice a tools/ maintainer.
    let all = w.json(&["coverage", "--since", "all", "--format", "json"]);
    assert_eq!(names(&area(&all, "tools/")["maintainers"]), [("Alice".to_string(), 1)]);
    // A span counts back from the newest change (day 500): only day 400 on.
    let recent = w.json(&["coverage", "--since", "120 days", "--format", "json"]);
    assert_eq!(area(&recent, "src/")["changes"].as_u64(), Some(2));
    assert_eq!(area(&recent, "docs/")["changes"].as_u64(), Some(0));
    let dated = w.json(&["coverage", "--since", "2023-10-01", "--format", "json"]);
    assert_eq!(area(&dated, "src/")["changes"].as_u64(), Some(2));
    let out = w.run(&["coverage", "--since", "no-such-tag"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--since no-such-tag") && err.contains("a span such as"), "{err}");
}

#[test]
fn codeowners_entries_are_the_areas_and_the_last_matching_one_wins() {
    let codeowners =
        "# Owners\n\n*        @org/everyone\n/src/    @alice @bob  # the core\n*.md     docs@example.org\n";
    let w = world(&[(".github/CODEOWNERS", codeowners)]);
    let areas = w.json(&["coverage", "--format", "json"]);
    let mut got = paths(&areas);
    got.sort();
    assert_eq!(got, ["*", "*.md", "/src/"]);
    assert_eq!(area(&areas, "/src/")["owners"], serde_json::json!(["@alice", "@bob"]));
    // docs/*.md are the later `*.md` rule's, not `*`'s.
    let md = area(&areas, "*.md");
    assert_eq!((md["changes"].as_u64(), md["owners"].clone()), (Some(2), serde_json::json!(["docs@example.org"])));
    assert_eq!(area(&areas, "*")["changes"].as_u64(), Some(0));
    let table = String::from_utf8_lossy(&w.run(&["coverage"]).stdout).to_string();
    assert!(table.contains("3 areas (CODEOWNERS entries (.github/CODEOWNERS))"), "{table}");
}

#[test]
fn a_codeowners_line_github_rejects_is_an_error_naming_the_file_and_line() {
    let w = world(&[("CODEOWNERS", "*  @ok\nsrc/  alice\n")]);
    let out = w.run(&["coverage"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CODEOWNERS line 2: owner `alice` is not @user, @org/team or an email address"), "{err}");
    assert!(err.contains("[[coverage.areas]]"), "says what else to do: {err}");
}

#[test]
fn config_areas_replace_directories_and_codeowners() {
    let w = world(&[("CODEOWNERS", "* @everyone\n")]);
    let config = w.config("[[coverage.areas]]\npath = \"src\"\nname = \"core\"\n\n[[coverage.areas]]\npath = \"docs/*.md\"\nname = \"documentation\"\n");
    let areas = w.json(&["--config", &config, "coverage", "--format", "json"]);
    let core = area(&areas, "src");
    assert_eq!((core["name"].as_str(), core["changes"].as_u64()), (Some("core"), Some(4)));
    // Owners from CODEOWNERS, of the files changed there.
    assert_eq!(core["owners"], serde_json::json!(["@everyone"]));
    let docs = area(&areas, "docs/*.md");
    assert_eq!(
        (docs["name"].as_str(), docs["concerns"][0].as_str()),
        (Some("documentation"), Some("single_maintainer"))
    );
    assert_eq!(paths(&areas).len(), 2, "no unmatched area: every changed file is in one: {areas}");
    let bad = w.config("[[coverage.areas]]\npath = \"\"\nname = \"x\"\n");
    let out = w.run(&["--config", &bad, "coverage"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("coverage.areas entry `x` has an empty path"));
}

#[test]
fn trends_list_every_month_with_the_empty_ones_and_the_backlog() {
    let w = world(&[]);
    let t = w.json(&["trends", "--format", "json"]);
    assert_eq!(t["period"], "month");
    let main = &t["branches"][0];
    assert_eq!(main["name"], "main");
    let periods = main["periods"].as_array().expect("periods");
    let months: Vec<&str> = periods.iter().map(|p| p["period"].as_str().unwrap_or("?")).collect();
    // 2023-01 (the import) to 2024-05 (day 500): 17 months, empty ones too.
    assert_eq!(months.len(), 17);
    assert_eq!((months[0], months[1], months[16]), ("2023-01", "2023-02", "2024-05"));
    let feb = &periods[1];
    assert_eq!(
        (feb["landed"].as_u64(), feb["unreviewed"].as_u64(), feb["backlog"].as_u64()),
        (Some(0), Some(0), Some(1))
    );
    assert_eq!(feb["start"], "2023-02-01T00:00:00Z");
    let total = &main["total"];
    assert_eq!(total["landed"].as_u64(), Some(7));
    assert_eq!(total["unreviewed"].as_u64(), Some(4), "the import, Alice's fix and Carol's two");
    assert_eq!(total["self_merged"].as_u64(), Some(7), "every change was pushed by its author");
    assert_eq!(total["backlog"].as_u64(), Some(4));
    // Areas: docs/ has the most unreviewed changes.
    let areas = t["areas"].as_array().expect("areas");
    assert_eq!(areas[0]["name"], "docs/");
    assert_eq!(areas[0]["total"]["unreviewed"].as_u64(), Some(3), "the import touched docs/ too");

    let table = String::from_utf8_lossy(&w.run(&["trends"]).stdout).to_string();
    assert!(table.contains("2023-02       0           0            0               0        1"), "{table}");
    let weekly = w.json(&["trends", "--by", "week", "--since", "2024-05-01", "--format", "json"]);
    let weeks: Vec<&str> = weekly["branches"][0]["periods"]
        .as_array()
        .expect("weeks")
        .iter()
        .map(|p| p["period"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(weeks, ["2024-W20"]);
    let out = w.run(&["trends", "--branch", "nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn on_the_demo_an_area_has_a_single_maintainer_and_trends_span_2022_to_2024() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("quill");
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("config")).expect("config dir");
    // The demo's seeded store is the one the commands read.
    rearview::pipeline::demo::build(&repo, Some(&data.join("store.sqlite3"))).expect("demo builds");
    let w = World { repo, data, _dir: dir };
    let areas = w.json(&["coverage", "--format", "json"]);
    let single = |a: &&Value| a["concerns"].as_array().is_some_and(|c| c.contains(&"single_maintainer".into()));
    assert!(areas.as_array().expect("areas").iter().any(|a| single(&a)), "{areas}");
    let t = w.json(&["trends", "--format", "json"]);
    let periods = t["branches"][0]["periods"].as_array().expect("periods");
    assert_eq!(periods.first().and_then(|p| p["period"].as_str()).map(|p| &p[..4]), Some("2022"));
    assert_eq!(periods.last().and_then(|p| p["period"].as_str()).map(|p| &p[..4]), Some("2024"));
}
