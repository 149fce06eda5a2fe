//! `rearview people` and `rearview blast-radius` through the real binary,
//! on a history written like xz-utils': a founder who tagged every early
//! release, a maintainer who went quiet, a second maintainer who took years
//! to tag a release, and a newcomer who went from a first patch to commit
//! access to tagging releases in a little over a year, adding an opaque
//! "test file" and a build-script change on the way. From git alone: no
//! GitHub data at all.

use std::path::PathBuf;
use std::process::{Command, Output};

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};
use serde_json::Value;

const DAY: i64 = 86_400;
/// 2008-01-01.
const T0: i64 = 1_199_145_600;

fn at(day: i64) -> i64 {
    T0 + day * DAY
}

fn who(name: &str, email: &str) -> Person {
    Person { name: name.into(), email: email.into() }
}

struct World {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    data: PathBuf,
    /// The newcomer's change that added the binary, on main.
    payload: String,
    /// Its backport on v5.4.
    backport: String,
}

impl World {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_rearview"))
            .args(args)
            .arg("--repo")
            .arg(&self.repo)
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
}

fn build() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("xz");
    let mut w = Writer::init(&repo).expect("init");
    let lasse = who("Lasse Collin", "lasse.collin@tukaani.example");
    let igor = who("Igor Pavlov", "igor@7-zip.example");
    let sebastian = who("Sebastian Andrzej", "sebastian@breakpoint.example");
    let jia = who("Jia Tan", "jiat0218@gmail.example");
    // The address Jia's first patch came from, mapped by the .mailmap.
    let jia_old = who("jiat75", "jiat75@mail.example");
    let mailmap = "Jia Tan <jiat0218@gmail.example> <jiat75@mail.example>\n";
    std::fs::write(repo.join(".mailmap"), mailmap).expect("workdir mailmap");

    let mut files = Files::new();
    let mut tip: Option<rearview::repo::Oid> = None;
    let mut n = 0;
    let mut commit = |w: &mut Writer,
                      files: &mut Files,
                      tip: &mut Option<rearview::repo::Oid>,
                      refname: &str,
                      author: &Person,
                      committer: &Person,
                      day: i64,
                      subject: &str| {
        n += 1;
        files.insert(format!("src/part{n}.c"), format!("int part{n}(void) {{ return {n}; }}\n").into_bytes());
        let tree = w.tree(files).expect("tree");
        let parents: Vec<_> = tip.iter().copied().collect();
        let oid = w.commit(Some(refname), &parents, tree, author, committer, at(day), subject).expect("commit");
        *tip = Some(oid);
        oid
    };
    files.insert(".mailmap".into(), mailmap.as_bytes().to_vec());
    let main = "refs/heads/main";
    commit(&mut w, &mut files, &mut tip, main, &lasse, &lasse, 0, "Initial import\n");
    let first = commit(&mut w, &mut files, &mut tip, main, &lasse, &lasse, 10, "Add the LZMA2 decoder\n");
    w.annotated_tag("v5.0.0", first, &lasse, at(30), "XZ Utils 5.0.0\n", None).expect("tag");
    commit(&mut w, &mut files, &mut tip, main, &igor, &igor, 100, "Faster match finder\n");
    commit(&mut w, &mut files, &mut tip, main, &igor, &igor, 400, "BCJ filter for ARM64\n");
    commit(&mut w, &mut files, &mut tip, main, &igor, &igor, 800, "Fix a typo in the BCJ filter\n");
    commit(&mut w, &mut files, &mut tip, main, &sebastian, &lasse, 1500, "Threaded decoder\n");
    commit(&mut w, &mut files, &mut tip, main, &sebastian, &sebastian, 2500, "Threaded decoder: memory limit\n");
    let v52 = commit(&mut w, &mut files, &mut tip, main, &lasse, &lasse, 3400, "Update the translations\n");
    w.annotated_tag("v5.2.0", v52, &sebastian, at(3500), "XZ Utils 5.2.0\n", None).expect("tag");
    let fork = commit(&mut w, &mut files, &mut tip, main, &lasse, &lasse, 3600, "Start 5.5 development\n");
    commit(&mut w, &mut files, &mut tip, main, &jia_old, &lasse, 4200, "Add a missing header guard\n");
    commit(&mut w, &mut files, &mut tip, main, &lasse, &lasse, 4300, "Document the header guard\n");
    files.insert(
        "tests/files/bad-3-corrupt_lzma2.xz".into(),
        b"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46\x7fELF\x02\x01".to_vec(),
    );
    files.insert("m4/build-to-host.m4".into(), b"AC_DEFUN([gl_BUILD_TO_HOST], [\n  gl_am_configmake=`grep -aErls \"#{4}[[:alnum:]]{5}#{4}$\" $srcdir/ 2>/dev/null`\n])\n".to_vec());
    let payload = commit(&mut w, &mut files, &mut tip, main, &jia, &lasse, 4400, "Tests: add two test files\n");
    commit(&mut w, &mut files, &mut tip, main, &jia, &jia, 4500, "Speed up the CRC64 check\n");
    let hostile = "Fix <img src=x onerror=alert(1)> for @everyone\n";
    let v56 = commit(&mut w, &mut files, &mut tip, main, &jia, &jia, 4650, hostile);
    w.annotated_tag("v5.6.0", v56, &jia, at(4700), "XZ Utils 5.6.0\n", None).expect("tag");
    commit(&mut w, &mut files, &mut tip, main, &sebastian, &sebastian, 4750, "Threaded decoder: docs\n");
    commit(&mut w, &mut files, &mut tip, main, &lasse, &lasse, 4800, "Remove the test files\n");

    // The maintenance branch, forked before the newcomer came, and the
    // payload carried to it.
    let mut branch_files = Files::new();
    branch_files.insert(".mailmap".into(), mailmap.as_bytes().to_vec());
    for i in 1..=9 {
        branch_files.insert(format!("src/part{i}.c"), format!("int part{i}(void) {{ return {i}; }}\n").into_bytes());
    }
    let keep = files.clone();
    branch_files
        .insert("tests/files/bad-3-corrupt_lzma2.xz".into(), keep["tests/files/bad-3-corrupt_lzma2.xz"].clone());
    branch_files.insert("m4/build-to-host.m4".into(), keep["m4/build-to-host.m4"].clone());
    branch_files.insert("src/part12.c".into(), keep["src/part12.c"].clone());
    let tree = w.tree(&branch_files).expect("tree");
    let message = format!("Tests: add two test files\n\n(cherry picked from commit {payload})\n");
    let backport = w.commit(Some("refs/heads/v5.4"), &[fork], tree, &jia, &jia, at(4550), &message).expect("backport");
    w.annotated_tag("v5.4.6", backport, &jia, at(4600), "XZ Utils 5.4.6\n", None).expect("tag");
    w.set_head("main").expect("head");
    let data = dir.path().join("home");
    World { repo, data, payload: payload.to_string(), backport: backport.to_string(), _dir: dir }
}

fn person<'a>(people: &'a Value, name: &str) -> &'a Value {
    people
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("no {name} in {people:#}"))
}

#[test]
fn people_names_the_dormant_maintainer_and_the_fast_escalation_first_from_git_alone() {
    let world = build();
    let out = world.run(&["people", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("approvals_given") && stderr.contains("rearview sync"), "{stderr}");
    let people: Value = serde_json::from_slice(&out.stdout).expect("json");
    let names: Vec<&str> = people.as_array().expect("array").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names.len(), 4, "the .mailmap and the name join Jia's two addresses: {names:?}");
    assert_eq!(&names[..2], ["Igor Pavlov", "Jia Tan"], "dormant first, then the fast escalation");

    let igor = person(&people, "Igor Pavlov");
    assert_eq!(igor["dormant"], true);
    assert_eq!(igor["privileged"], true);
    assert_eq!(igor["privileged_source"], "committed");
    assert_eq!(igor["last_activity"], "2010-03-11T00:00:00Z");

    let jia = person(&people, "Jia Tan");
    assert_eq!(jia["emails"], serde_json::json!(["jiat0218@gmail.example", "jiat75@mail.example"]));
    assert_eq!(jia["first_authored"], "2019-07-02T00:00:00Z");
    assert_eq!(jia["first_committed"], "2020-04-27T00:00:00Z");
    assert_eq!(jia["first_tagged"], "2020-08-05T00:00:00Z");
    assert_eq!(jia["authored"], 5, "four on main, the backport");
    assert_eq!(jia["committed"], 3, "two on main, the backport on v5.4");
    assert_eq!(jia["tags"], 2);
    assert_eq!(jia["binaries_added"], 1);
    assert!(jia["build_system_changes"].as_u64() >= Some(1), "{jia:#}");
    assert_eq!(jia["dormant"], false);
    let escalation = &jia["escalation"];
    assert_eq!(escalation["flagged"], true);
    assert_eq!(escalation["days_to_tagging"], 400);
    assert_eq!(escalation["peers_median_days"], 2000);
    let why = escalation["explanation"].as_str().unwrap_or_default();
    assert!(why.contains("under half the median of 2000 days for the 1 other"), "{why}");
    let steps: Vec<(&str, Option<i64>)> = escalation["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| (s["step"].as_str().unwrap_or_default(), s["days_after_previous"].as_i64()))
        .collect();
    assert_eq!(steps, [("first_contribution", None), ("commit_bit", Some(300)), ("release_tagging", Some(100))]);

    // The founder's and the slow maintainer's paces are not concerns.
    let lasse = person(&people, "Lasse Collin");
    assert_eq!(lasse["escalation"]["flagged"], false);
    assert!(lasse["escalation"]["explanation"].as_str().unwrap_or_default().contains("founder"));
    let sebastian = person(&people, "Sebastian Andrzej");
    assert_eq!(sebastian["escalation"]["flagged"], false);
    assert_eq!(sebastian["dormant"], false);
    // Without a sync nothing is merged on GitHub, and nothing is made up.
    assert_eq!(jia["merged"], 0);
    assert_eq!(jia["logins"], serde_json::json!([]));
}

#[test]
fn the_people_table_leads_with_concerns_and_says_what_needs_a_sync() {
    let world = build();
    let out = world.run(&["people"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("CONCERN"), "{text}");
    assert!(lines[1].starts_with("dormant") && lines[1].contains("Igor Pavlov"), "{text}");
    assert!(lines[2].starts_with("fast escalation") && lines[2].contains("Jia Tan"), "{text}");
    assert!(text.contains("4 people: 4 privileged, 1 dormant"), "{text}");
    assert!(text.contains("need `rearview sync`"), "{text}");

    // --since narrows the counts and who is listed.
    let recent = world.json(&["people", "--since", "2021-01-01", "--format", "json"]);
    let names: Vec<&str> = recent.as_array().expect("array").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["Igor Pavlov", "Lasse Collin", "Sebastian Andrzej"], "those active since, and the dormant");
    assert_eq!(person(&recent, "Sebastian Andrzej")["committed"], 1);
    assert_eq!(person(&recent, "Sebastian Andrzej")["first_committed"], "2014-11-05T00:00:00Z");
}

#[test]
fn the_blast_radius_of_a_person_lists_releases_changes_binaries_and_backports() {
    let world = build();
    let radius = world.json(&["blast-radius", "jiat0218@gmail.example", "--format", "json"]);
    assert_eq!(radius["person"]["name"], "Jia Tan");
    let releases: Vec<&str> =
        radius["releases"].as_array().expect("releases").iter().filter_map(|r| r["tag"].as_str()).collect();
    assert_eq!(releases, ["v5.6.0", "v5.4.6"], "newest first; v5.2.0 and v5.0.0 predate every change of theirs");
    let tagged: Vec<&str> =
        radius["tagged"].as_array().expect("tagged").iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(tagged, ["v5.4.6", "v5.6.0"]);
    let binaries = radius["binaries"].as_array().expect("binaries");
    assert!(binaries.iter().any(|b| b["path"] == "tests/files/bad-3-corrupt_lzma2.xz" && b["added"] == true));
    let backports = radius["backports"].as_array().expect("backports");
    assert_eq!(backports.len(), 1);
    assert_eq!(backports[0]["original"], world.payload.as_str());
    assert_eq!(backports[0]["backport"], world.backport.as_str());
    assert_eq!(backports[0]["branch"], "v5.4");

    let changes = radius["changes"].as_array().expect("changes");
    let roles = |sha: &str| -> Vec<String> {
        let c = changes.iter().find(|c| c["sha"] == sha).unwrap_or_else(|| panic!("{sha} not in {changes:#?}"));
        c["roles"].as_array().expect("roles").iter().filter_map(|r| r.as_str().map(String::from)).collect()
    };
    assert_eq!(roles(&world.payload), ["authored"], "Lasse committed it");
    assert_eq!(roles(&world.backport), ["authored", "committed", "backported"]);
    // Riskiest first: the change with the binary payload leads.
    assert!(
        changes[0]["sha"] == world.payload.as_str() || changes[0]["sha"] == world.backport.as_str(),
        "{changes:#?}"
    );
    assert_eq!(changes.len(), 5, "{changes:#?}");
}

#[test]
fn the_advisory_puts_releases_first_and_keeps_repository_text_inert() {
    let world = build();
    let out = world.run(&["blast-radius", "Jia Tan"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8_lossy(&out.stdout);
    let releases = md.find("## Affected releases (2)").expect("releases heading");
    let changes = md.find("## Changes by risk (5)").expect("changes heading");
    let binaries = md.find("## Binary files").expect("binaries heading");
    assert!(releases < changes && changes < binaries, "{md}");
    assert!(md.contains("**Fast escalation:**"), "{md}");
    assert!(!md.contains("<img"), "no raw HTML: {md}");
    assert!(!md.contains("@everyone"), "no mention: {md}");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt; for &#64;everyone"), "{md}");
}

#[test]
fn the_blast_radius_of_one_change_follows_it_to_its_backport_and_releases() {
    let world = build();
    let radius = world.json(&["blast-radius", &world.payload[..12], "--format", "json"]);
    assert_eq!(radius["revision"], world.payload.as_str());
    assert_eq!(radius["person"]["name"], "Jia Tan");
    let shas: Vec<&str> =
        radius["changes"].as_array().expect("changes").iter().filter_map(|c| c["sha"].as_str()).collect();
    assert_eq!(shas.len(), 2);
    assert!(shas.contains(&world.payload.as_str()) && shas.contains(&world.backport.as_str()));
    let releases: Vec<&str> =
        radius["releases"].as_array().expect("releases").iter().filter_map(|r| r["tag"].as_str()).collect();
    assert_eq!(releases, ["v5.6.0", "v5.4.6"]);
    assert_eq!(radius["tagged"], serde_json::json!([]));
}

#[test]
fn an_unknown_person_is_a_clear_error_with_the_nearest_names() {
    let world = build();
    let out = world.run(&["blast-radius", "Jia Tam"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no one on the watched branches is `Jia Tam`"), "{err}");
    assert!(err.contains("did you mean Jia Tan"), "{err}");
    assert!(err.contains("rearview people"), "{err}");
}

#[test]
fn on_the_demo_github_logins_merges_and_approvals_join_the_git_identities() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("quill");
    let db = dir.path().join("store.sqlite3");
    rearview::pipeline::demo::build(&repo, Some(&db)).expect("demo");
    let out = Command::new(env!("CARGO_BIN_EXE_rearview"))
        .args(["people", "--format", "json", "--repo"])
        .arg(&repo)
        .arg("--db")
        .arg(&db)
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "synced: nothing to say: {}", String::from_utf8_lossy(&out.stderr));
    let people: Value = serde_json::from_slice(&out.stdout).expect("json");
    let alice = person(&people, "Alice Moreau");
    assert_eq!(alice["logins"], serde_json::json!(["alice"]));
    assert!(alice["merged"].as_u64() > Some(0) && alice["approvals_given"].as_u64() > Some(0), "{alice:#}");
    let jia = person(&people, "Jia Tan");
    assert!(jia["self_merged_unreviewed"].as_u64() > Some(0), "{jia:#}");
    // The demo's dormant maintainer and fast escalation lead.
    assert_eq!(people[0]["name"], "Ola Nordmann");
    assert_eq!(people[0]["dormant"], true);
    assert_eq!(people[1]["name"], "Jia Tan");
    assert_eq!(jia["escalation"]["flagged"], true);
    assert_eq!(jia["tags"], 1, "v3.12.2, signed with a new key");
    assert_eq!(person(&people, "Erin Castillo")["escalation"]["flagged"], false, "a founder");
    let bot = person(&people, "dependabot[bot]");
    assert_eq!(bot["bot"], true);
    assert_eq!(bot["escalation"]["steps"], serde_json::json!([]));
}

#[test]
fn hostile_names_reach_no_terminal_and_no_markdown_raw() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("r");
    let mut w = Writer::init(&repo).expect("init");
    let mallory = who("Mallory\u{1b}]0;owned\u{7}\u{1b}[2J \u{202E}gnp.exe", "m@example.org");
    let mut files = Files::new();
    files.insert("a.txt".into(), b"a\n".to_vec());
    let tree = w.tree(&files).expect("tree");
    let first = w.commit(Some("refs/heads/main"), &[], tree, &mallory, &mallory, at(0), "Initial\n").expect("commit");
    w.annotated_tag("v1.0.0", first, &mallory, at(1), "<script>alert(1)</script>\n", None).expect("tag");
    w.set_head("main").expect("head");
    let world =
        World { repo, data: dir.path().join("home"), payload: String::new(), backport: String::new(), _dir: dir };
    for args in [&["people"][..], &["people", "--format", "md"], &["blast-radius", "m@example.org"]] {
        let out = world.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{args:?} wrote a control character: {text:?}");
        assert!(!text.contains('\u{202E}'), "{args:?} wrote a raw bidi override: {text:?}");
        // (The table clips the name before it.)
        if args[0] == "blast-radius" || args.contains(&"md") {
            assert!(text.contains("U+202E"), "{args:?} shows the override for what it is: {text}");
        }
    }
    let json = world.json(&["people", "--format", "json"]);
    let name = json[0]["name"].as_str().unwrap_or_default();
    assert!(name.starts_with("Mallory"), "JSON keeps the data, escaped: {name:?}");
}
