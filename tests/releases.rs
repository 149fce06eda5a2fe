//! `rearview releases`, the release checklist's tag findings and `audit
//! --require-signed-tag`, on a real repository whose tags are signed by
//! keys these tests make: good, bad (tampered after signing), unknown key,
//! signer change, unsigned, lightweight, malformed, OpenPGP and SSH.

mod support;

use std::path::PathBuf;
use std::process::Output;

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};
use rearview::repo::Oid;
use serde_json::Value;
use support::binary::rearview;
use support::signed_tags::{malformed_tag, openpgp, person, ssh, tag, tampered_tag, trust};

const DAY: i64 = 86_400;
const T0: i64 = 1_700_000_000;

struct Fixture {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    config: PathBuf,
    db: PathBuf,
}

impl Fixture {
    fn run(&self, extra: &[&str]) -> Output {
        let mut args = vec![
            "--repo",
            self.repo.to_str().expect("utf-8"),
            "--config",
            self.config.to_str().expect("utf-8"),
            "--db",
            self.db.to_str().expect("utf-8"),
        ];
        args.extend_from_slice(extra);
        rearview(&args)
    }

    fn releases(&self) -> Vec<Value> {
        let out = self.run(&["releases", "--format", "json"]);
        assert!(out.status.success(), "releases failed: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).expect("releases prints JSON");
        v.as_array().expect("an array").clone()
    }
}

fn commit(w: &mut Writer, files: &mut Files, parent: Option<Oid>, who: &Person, at: i64, what: &str) -> Oid {
    files.insert("NEWS".into(), format!("{what}\n").into_bytes());
    let tree = w.tree(files).expect("tree");
    let parents: Vec<Oid> = parent.into_iter().collect();
    w.commit(None, &parents, tree, who, who, at, &format!("{what}\n")).expect("commit")
}

/// main: four commits; 3.12 forks at the second, with five of its own.
/// 3.12: v3.12.0 and v3.12.1 signed by Erin's OpenPGP key (trusted),
/// v3.12.2 annotated but unsigned, v3.12.3 signed by Mallory's new key
/// (not trusted), v3.12.4 lightweight. main: v3.13.0a1 signed by Erin's
/// SSH key (trusted), v3.13.0a2 the same key but changed after signing,
/// v3.13.0b1 a malformed signature block. A non-release tag and a release
/// tag on an unwatched branch are not listed.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    let mut w = Writer::init(&repo).expect("init");
    let erin = person("Erin");
    let mut files = Files::new();
    let mut main = Vec::new();
    let mut parent = None;
    for i in 0..4 {
        let c = commit(&mut w, &mut files, parent, &erin, T0 + i * DAY, &format!("main {i}"));
        main.push(c);
        parent = Some(c);
    }
    let mut maint = Vec::new();
    let mut parent = Some(main[1]);
    let mut mfiles = Files::new();
    for i in 0..5 {
        let c = commit(&mut w, &mut mfiles, parent, &erin, T0 + (10 + i) * DAY, &format!("3.12 fix {i}"));
        maint.push(c);
        parent = Some(c);
    }
    let feature = commit(&mut w, &mut Files::new(), Some(main[3]), &erin, T0 + 30 * DAY, "experiment");
    w.set_reference("refs/heads/main", main[3], "test").expect("main");
    w.set_reference("refs/heads/3.12", maint[4], "test").expect("3.12");
    w.set_reference("refs/heads/feature", feature, "test").expect("feature");
    w.set_head("main").expect("head");

    let erin_pgp = openpgp("Erin", "erin's release key");
    let erin_ssh = ssh("Erin", "erin's ssh key");
    let mallory = openpgp("Mallory", "a brand new key");
    let at = |d: i64| T0 + d * DAY + 3600;
    tag(&w, "v3.12.0", maint[0], &erin, at(10), Some(&erin_pgp));
    tag(&w, "v3.12.1", maint[1], &erin, at(11), Some(&erin_pgp));
    tag(&w, "v3.12.2", maint[2], &erin, at(12), None);
    tag(&w, "v3.12.3", maint[3], &mallory.who, at(13), Some(&mallory));
    w.tag("v3.12.4", maint[4]).expect("lightweight tag");
    tag(&w, "v3.13.0a1", main[1], &erin, at(20), Some(&erin_ssh));
    tampered_tag(&w, "v3.13.0a2", main[2], &erin_ssh, at(21));
    malformed_tag(&w, "v3.13.0b1", main[3], &erin, at(22));
    tag(&w, "nightly", main[3], &erin, at(23), None);
    tag(&w, "v9.0.0", feature, &erin, at(31), Some(&erin_pgp));

    let config = trust(dir.path(), &[&erin_pgp, &erin_ssh]);
    let db = dir.path().join("store.sqlite3");
    Fixture { _dir: dir, repo, config, db }
}

fn by_tag<'a>(releases: &'a [Value], name: &str) -> &'a Value {
    releases.iter().find(|r| r["tag"] == name).unwrap_or_else(|| panic!("{name} not listed: {releases:#?}"))
}

#[test]
fn releases_json_says_who_signed_each_tag_and_whether_a_configured_key_vouches() {
    let f = fixture();
    let releases = f.releases();
    let names: Vec<&str> = releases.iter().filter_map(|r| r["tag"].as_str()).collect();
    assert_eq!(
        names,
        ["v3.13.0b1", "v3.13.0a2", "v3.13.0a1", "v3.12.4", "v3.12.3", "v3.12.2", "v3.12.1", "v3.12.0"],
        "newest first; `nightly` is no release and v9.0.0 is on no watched branch"
    );

    let good = by_tag(&releases, "v3.12.0");
    assert_eq!(good["branch"], "3.12");
    assert_eq!(good["tagger"]["name"], "Erin");
    assert_eq!(good["tagger"]["email"], "erin@example.org");
    assert_eq!(good["signed"], true);
    assert_eq!(good["signature"], "openpgp");
    assert_eq!(good["verified"], true);
    assert_eq!(good["signer_changed"], false, "the first signed release of a series is no change");
    let key = good["signer_key"].as_str().expect("a signer key");
    assert!(key.len() == 40 && key.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()), "{key}");
    assert_eq!(good["date"], "2023-11-24T23:13:20Z");

    let same = by_tag(&releases, "v3.12.1");
    assert_eq!((same["verified"].clone(), same["signer_changed"].clone()), (true.into(), false.into()));
    assert_eq!(same["signer_key"], key);

    let unsigned = by_tag(&releases, "v3.12.2");
    assert_eq!(unsigned["signed"], false);
    assert_eq!(unsigned["signature"], Value::Null);
    assert_eq!(unsigned["verified"], Value::Null);
    assert_eq!(unsigned["signer_changed"], false);

    let changed = by_tag(&releases, "v3.12.3");
    assert_eq!(changed["tagger"]["name"], "Mallory");
    assert_eq!(changed["verified"], Value::Null, "no configured key is Mallory's");
    assert_eq!(changed["signer_changed"], true);
    assert_eq!(changed["previous"], "v3.12.1", "the unsigned v3.12.2 does not hide the switch");
    assert_eq!(changed["previous_signer_key"], key);
    assert_ne!(changed["signer_key"], key);

    let lightweight = by_tag(&releases, "v3.12.4");
    assert_eq!(lightweight["tagger"], Value::Null);
    assert_eq!(lightweight["signed"], false);
    assert_eq!(lightweight["date"], "2023-11-28T22:13:20Z", "a lightweight tag's date is its commit's");

    let ssh_good = by_tag(&releases, "v3.13.0a1");
    assert_eq!(ssh_good["branch"], "main");
    assert_eq!(ssh_good["signature"], "ssh");
    assert_eq!(ssh_good["verified"], true);
    assert!(ssh_good["signer_key"].as_str().is_some_and(|k| k.starts_with("SHA256:")), "{ssh_good}");

    let tampered = by_tag(&releases, "v3.13.0a2");
    assert_eq!(tampered["verified"], false, "changed after signing: the configured key says it is bad");
    assert_eq!(tampered["signer_key"], ssh_good["signer_key"]);
    assert_eq!(tampered["signer_changed"], false);

    let malformed = by_tag(&releases, "v3.13.0b1");
    assert_eq!(malformed["signed"], true);
    assert_eq!(malformed["signature"], "openpgp");
    assert_eq!(malformed["signer_key"], Value::Null);
    assert_eq!(malformed["verified"], Value::Null);
    let error = malformed["signature_error"].as_str().expect("an error");
    assert!(error.starts_with("cannot read the OpenPGP signature"), "{error}");
}

#[test]
fn the_table_puts_bad_signatures_and_signer_changes_first() {
    let f = fixture();
    let out = f.run(&["releases"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text.lines().skip(1).take_while(|l| !l.is_empty()).collect();
    let concern = |row: &str| row.split("  ").next().unwrap_or_default().to_string();
    let concerns: Vec<String> = rows.iter().map(|r| concern(r)).collect();
    assert_eq!(
        concerns,
        [
            "bad signature",
            "bad signature",
            "signer changed",
            "unsigned",
            "unsigned",
            "verified",
            "verified",
            "verified"
        ],
        "{text}"
    );
    assert!(rows[2].contains("v3.12.3") && rows[2].contains("signer changed: v3.12.1 was signed by"), "{text}");
    assert!(rows[0].contains("v3.13.0b1") && rows[0].contains("cannot read the OpenPGP signature"), "{text}");
    assert!(rows[1].contains("v3.13.0a2") && rows[1].contains("BAD"), "{text}");
    assert!(text.contains("8 release tags: 2 bad signature, 1 signer changed, 2 unsigned, 3 verified"), "{text}");

    let md = f.run(&["releases", "--format", "md"]);
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.contains("| **signer changed** | `v3.12.3` | `3.12` |"), "{md}");
    assert!(!md.contains('@'), "no mention and no raw email in Markdown: {md}");
}

#[test]
fn without_configured_keys_signatures_are_read_but_unverified() {
    let f = fixture();
    std::fs::write(&f.config, "").expect("empty config");
    let releases = f.releases();
    assert!(releases.iter().all(|r| r["verified"].is_null()), "{releases:#?}");
    assert_eq!(by_tag(&releases, "v3.12.3")["signer_changed"], true, "the key is read without a keyring");
}

#[test]
fn a_missing_keyring_is_an_error_that_names_the_config_key() {
    let f = fixture();
    std::fs::write(&f.config, "[release]\nkeyring = \"nowhere.asc\"\n").expect("config");
    let out = f.run(&["releases"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nowhere.asc") && err.contains("[release] keyring"), "{err}");
}

fn audit(f: &Fixture, since: &str, until: Option<&str>) -> Output {
    let mut args = vec!["audit", "--branch", "3.12", "--since", since, "--require-signed-tag"];
    if let Some(until) = until {
        args.extend(["--until", until]);
    }
    f.run(&args)
}

#[test]
fn audit_require_signed_tag_exits_1_on_unsigned_or_unverified_ends() {
    let f = fixture();
    // An empty range: nothing pending, so only the tags decide.
    let ok = audit(&f, "v3.12.1", Some("v3.12.1"));
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));

    let unsigned = audit(&f, "v3.12.2", Some("v3.12.2"));
    assert_eq!(unsigned.status.code(), Some(1));
    let err = String::from_utf8_lossy(&unsigned.stderr);
    assert!(err.contains("--since v3.12.2 is not signed"), "{err}");

    let unknown = audit(&f, "v3.12.3", Some("v3.12.3"));
    assert_eq!(unknown.status.code(), Some(1));
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(err.contains("which no configured key matches"), "{err}");

    let lightweight = audit(&f, "v3.12.4", Some("v3.12.4"));
    assert_eq!(lightweight.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&lightweight.stderr).contains("lightweight tag"));

    // Without the flag, the same audit of an unsigned tag passes.
    let tip = f.run(&["audit", "--branch", "3.12", "--since", "v3.12.2", "--until", "v3.12.2"]);
    assert_eq!(tip.status.code(), Some(0), "{}", String::from_utf8_lossy(&tip.stderr));
    // --until a commit that is no tag is not checked; --since a commit is refused.
    let sha = by_tag(&f.releases(), "v3.12.1")["commit"].as_str().expect("sha").to_string();
    let until_commit = audit(&f, "v3.12.1", Some(&sha));
    assert_eq!(until_commit.status.code(), Some(0), "{}", String::from_utf8_lossy(&until_commit.stderr));
    let since_commit = audit(&f, &sha, Some(&sha));
    assert_eq!(since_commit.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&since_commit.stderr).contains("is not a tag"));
}

#[test]
fn audit_lists_the_signer_change_in_its_range() {
    let f = fixture();
    let out = f.run(&["audit", "--branch", "3.12", "--since", "v3.12.1"]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("## Release tags to check (1)"), "{md}");
    assert!(md.contains("v3.12.3 is signed by"), "{md}");
    let json = f.run(&["audit", "--branch", "3.12", "--since", "v3.12.1", "--format", "json"]);
    let v: Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(v["release_findings"][0]["kind"], "signer_changed");
    assert_eq!(v["release_findings"][0]["previous"], "v3.12.1");
    let before = f.run(&["audit", "--branch", "3.12", "--since", "v3.12.0", "--until", "v3.12.1", "--format", "json"]);
    let v: Value = serde_json::from_slice(&before.stdout).expect("json");
    assert_eq!(v["release_findings"], Value::Array(Vec::new()), "the change is outside that range");
}

#[test]
fn the_release_checklist_holds_the_signer_change_as_a_finding() {
    let f = fixture();
    let repo = rearview::repo::Repo::open(&f.repo).expect("open");
    let config = rearview::config::Config::from_file(&f.config).expect("config");
    let mut store = rearview::store::Store::open(&f.db).expect("store");
    let audit = rearview::pipeline::checklist::checklist(&repo, &mut store, &config, "3.12").expect("checklist");
    let tags: Vec<&str> = audit.releases.iter().map(|r| r.tag.as_str()).collect();
    assert_eq!(tags, ["v3.12.4", "v3.12.3", "v3.12.2", "v3.12.1", "v3.12.0"]);
    assert!(
        matches!(&audit.findings[..], [rearview::model::ReleaseFinding::SignerChanged { tag, previous, .. }]
            if tag == "v3.12.3" && previous == "v3.12.1"),
        "{:?}",
        audit.findings
    );
}

#[test]
fn on_the_demo_the_newcomers_release_is_signed_by_a_new_unknown_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("demo");
    let db = dir.path().join("demo.sqlite3");
    let (repo_arg, db_arg) = (repo.to_str().expect("utf-8"), db.to_str().expect("utf-8"));
    let built = rearview(&["demo", "--no-tui", "--dir", repo_arg, "--db", db_arg]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    // No --config: the demo's own (its trusted keys) is used.
    let out = rearview(&["releases", "--format", "json", "--repo", repo_arg, "--db", db_arg]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let releases: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    let names: Vec<&str> = releases.iter().filter_map(|r| r["tag"].as_str()).collect();
    assert_eq!(names, ["v3.12.2", "v3.12.1", "v3.12.0"]);
    for old in ["v3.12.0", "v3.12.1"] {
        let r = by_tag(&releases, old);
        assert_eq!((r["signature"].as_str(), r["verified"].as_bool()), (Some("openpgp"), Some(true)), "{r}");
        assert_eq!(r["tagger"]["name"], "Erin Castillo");
        assert_eq!(r["signer_changed"], false);
    }
    let new = by_tag(&releases, "v3.12.2");
    assert_eq!(new["tagger"]["name"], "Jia Tan");
    assert_eq!(new["signature"], "ssh");
    assert_eq!(new["verified"], Value::Null, "no keyring holds the newcomer's key");
    assert_eq!(new["signer_changed"], true);
    assert_eq!(new["previous"], "v3.12.1");
    assert_eq!(new["branch"], "3.12");

    // The keys were made from text: the demo's trust files are its owner's only.
    #[cfg(unix)]
    for name in ["keys.asc", "allowed_signers", "config.toml"] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(repo.join(".git/rearview").join(name)).expect("written").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    // The same demo built again signs with the same keys.
    let again = dir.path().join("again");
    let rebuilt = rearview(&["demo", "--no-tui", "--dir", again.to_str().expect("utf-8"), "--db", db_arg]);
    assert!(rebuilt.status.success());
    let out = rearview(&["releases", "--format", "json", "--repo", again.to_str().expect("utf-8"), "--db", db_arg]);
    let second: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    let keys = |rs: &[Value]| rs.iter().map(|r| r["signer_key"].clone()).collect::<Vec<_>>();
    assert_eq!(keys(&releases), keys(&second));
}
