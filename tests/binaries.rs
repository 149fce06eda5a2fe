//! `rearview binaries` through the real binary, on a history written for
//! it: a "test file" hiding an ELF header and a shell dropper, another
//! hidden inside gzip data, a logo a README names, a certificate a
//! Makefile rule builds, a fixture a generator script writes, a sample
//! whose directory a test names, a vendored blob the config maps to its
//! upstream, and one that nothing explains. From git alone: every change
//! is a direct push, so unreviewed.

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};
use serde_json::Value;
use support::binary::rearview;
use support::bytes::{elf_header, DROPPER};

/// 2024-01-01.
const T0: i64 = 1_704_067_200;

/// Binary "test vectors": numbered records separated by NULs.
fn records(n: usize) -> Vec<u8> {
    (0..n).flat_map(|i| format!("record {i:05} {}\0", i * 7 % 101).into_bytes()).collect()
}

fn booby_trapped() -> Vec<u8> {
    let mut bytes = records(200);
    bytes.extend(elf_header());
    bytes.extend(records(20));
    bytes.extend_from_slice(DROPPER);
    bytes.extend(records(20));
    bytes
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

fn png(seed: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend((0..400u32).map(|i| (i as u8).wrapping_mul(seed)));
    bytes
}

struct World {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    db: PathBuf,
    config: PathBuf,
    /// The change that added the booby-trapped file.
    payload_change: String,
    /// The change that added the logo, and the one that renamed it.
    logo_added: String,
    logo_moved: String,
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn build() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("lib");
    let mut w = Writer::init(&repo).expect("init");
    let ana = Person { name: "Ana Maintainer".into(), email: "ana@example.org".into() };
    let jia = Person { name: "Jia Newcomer".into(), email: "jia@example.org".into() };
    let mut files = Files::new();
    let mut parent: Option<rearview::repo::Oid> = None;
    let mut step = 0;
    let mut commit = |w: &mut Writer, files: &Files, who: &Person, title: &str| {
        step += 1;
        let tree = w.tree(files).expect("tree");
        let parents: Vec<_> = parent.iter().copied().collect();
        let oid = w
            .commit(Some("refs/heads/main"), &parents, tree, who, who, T0 + step * 86_400, &format!("{title}\n"))
            .expect("commit");
        parent = Some(oid);
        oid.to_string()
    };
    files.insert("README.md".into(), b"# lib\n\n![logo](assets/logo.png) is the project's logo.\n".to_vec());
    files.insert("src/lib.c".into(), b"int lib(void) { return 0; }\n".to_vec());
    files.insert("assets/old-logo.png".into(), png(3));
    let logo_added = commit(&mut w, &files, &ana, "Start, with a logo");
    let logo = files.remove("assets/old-logo.png").expect("logo");
    files.insert("assets/logo.png".into(), logo);
    let logo_moved = commit(&mut w, &files, &ana, "Rename the logo");
    files.insert(
        "tests/certs/Makefile".into(),
        b"all: server.der\n\nserver.der: server.pem\n\topenssl x509 -in server.pem -outform der -out server.der\n"
            .to_vec(),
    );
    files.insert("tests/certs/server.der".into(), b"\x30\x82\x01\x0a\x02\x82\x01\x01\x00\xc3\0\0\x01".to_vec());
    files.insert(
        "tools/gen_fixtures.py".into(),
        b"import os\n\nwith open('tests/fixtures/blob.dat', 'wb') as f:\n    f.write(os.urandom(64))\n".to_vec(),
    );
    files.insert("tests/fixtures/blob.dat".into(), [&[0u8, 1, 2, 0][..], &[7u8; 60][..]].concat());
    files.insert("tests/test_samples.py".into(), b"SAMPLES = 'tests/samples/v2'\n".to_vec());
    files.insert("tests/samples/v2/thing.bin".into(), b"\0\x01thing\0".to_vec());
    files.insert("third_party/zlib/zlib.wasm".into(), b"\0asm\x01\0\0\0".to_vec());
    commit(&mut w, &files, &ana, "Test data with its sources");
    files.insert("tests/data/vectors.bin".into(), booby_trapped());
    let payload_change = commit(&mut w, &files, &jia, "Tests: add binary test vectors");
    files.insert("tests/data/corpus.gz".into(), gzip(&booby_trapped()));
    files.insert("tests/data/unnamed.bin".into(), b"\0\0\x13\x37 nobody says what this is \0".to_vec());
    commit(&mut w, &files, &jia, "Tests: more test data");
    w.set_head("main").expect("head");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[[binaries.upstream]]\nglob = \"third_party/zlib/*\"\nsource = \"https://zlib.net, 1.3.1\"\n",
    )
    .expect("config");
    let db = dir.path().join("store.sqlite3");
    World { _dir: dir, repo, db, config, payload_change, logo_added, logo_moved }
}

impl World {
    fn run(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--repo", s(&self.repo), "--db", s(&self.db), "--config", s(&self.config)]);
        all.extend_from_slice(&["--color", "never"]);
        rearview(&all)
    }

    fn json(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["binaries", "--format", "json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().unwrap_or_default()
    }
}

fn file<'a>(all: &'a [Value], path: &str) -> &'a Value {
    all.iter().find(|f| f["path"] == path).unwrap_or_else(|| panic!("no {path} in {all:#?}"))
}

fn paths(all: &[Value]) -> Vec<&str> {
    all.iter().map(|f| f["path"].as_str().expect("path")).collect()
}

#[test]
fn payloads_come_first_then_the_unexplained_then_the_rest() {
    let world = build();
    let all = world.json(&[]);
    let order = paths(&all);
    // Every binary of the tree, and no text file.
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "assets/logo.png",
            "tests/certs/server.der",
            "tests/data/corpus.gz",
            "tests/data/unnamed.bin",
            "tests/data/vectors.bin",
            "tests/fixtures/blob.dat",
            "tests/samples/v2/thing.bin",
            "third_party/zlib/zlib.wasm",
        ]
    );
    // The two with payloads (newest first), then the one nothing explains.
    assert_eq!(&order[..3], ["tests/data/corpus.gz", "tests/data/vectors.bin", "tests/data/unnamed.bin"], "{all:#?}");
    let concerns: Vec<&str> = all.iter().map(|f| f["concern"].as_str().expect("concern")).collect();
    assert_eq!(&concerns[..3], ["payload", "payload", "unreviewed_unexplained"]);
    assert!(concerns[3..].iter().all(|c| *c == "unreviewed_or_unexplained"), "{concerns:?}");
}

#[test]
fn each_binary_says_what_it_is_who_added_it_and_under_which_verdict() {
    let world = build();
    let all = world.json(&[]);
    let vectors = file(&all, "tests/data/vectors.bin");
    assert_eq!(vectors["added_by"], "Jia Newcomer");
    assert_eq!(vectors["added_in"], world.payload_change.as_str());
    assert_eq!(vectors["last_changed_in"], world.payload_change.as_str());
    assert_eq!(vectors["added_at"], "2024-01-05T00:00:00Z");
    assert_eq!(vectors["size"], booby_trapped().len() as u64);
    let verdicts = vectors["verdicts"].as_array().expect("verdicts");
    assert_eq!(verdicts.len(), 1);
    assert_eq!(verdicts[0]["sha"], world.payload_change.as_str());
    assert_eq!(verdicts[0]["verdict"], "unreviewed");
    assert_eq!(verdicts[0]["added"], true);
    let kinds: Vec<&str> =
        vectors["findings"].as_array().expect("findings").iter().map(|f| f["kind"].as_str().expect("kind")).collect();
    assert!(kinds.contains(&"ELF header"), "{kinds:?}");
    assert!(kinds.iter().any(|k| *k == "shebang" || *k == "shell command"), "{kinds:?}");
    let entropy = vectors["entropy"].as_f64().expect("entropy");
    assert!((0.5..7.0).contains(&entropy), "records are not random: {entropy}");

    let logo = file(&all, "assets/logo.png");
    assert!(logo["type"].as_str().expect("type").contains("PNG"), "{logo}");
    assert!(logo["findings"].as_array().expect("findings").is_empty());
    // Renamed: the change that brought its bytes in, and the rename last.
    assert_eq!(logo["added_in"], world.logo_added.as_str());
    assert_eq!(logo["last_changed_in"], world.logo_moved.as_str());
    assert_eq!(logo["verdicts"].as_array().expect("verdicts").len(), 2);
    assert_eq!(logo["upstream"], Value::Null);
}

#[test]
fn a_payload_hidden_in_compressed_data_is_found() {
    let world = build();
    let all = world.json(&[]);
    let corpus = file(&all, "tests/data/corpus.gz");
    assert!(corpus["type"].as_str().expect("type").to_lowercase().contains("gzip"), "{corpus}");
    let inside: Vec<&Value> =
        corpus["findings"].as_array().expect("findings").iter().filter(|f| f["inside"] == "gzip").collect();
    assert!(
        inside.iter().any(|f| f["detail"].as_str().is_some_and(|d| d.contains("ELF header"))),
        "the ELF header inside the gzip stream: {corpus:#}"
    );
}

#[test]
fn provenance_names_the_readme_line_the_makefile_rule_the_generator_and_the_directory() {
    let world = build();
    let all = world.json(&[]);
    let logo = &file(&all, "assets/logo.png")["provenance"];
    assert_eq!(logo["readme"]["path"], "README.md");
    assert_eq!(logo["readme"]["line"], 3);
    assert_eq!(logo["mentioned_by"], serde_json::json!(["README.md"]));

    let cert = &file(&all, "tests/certs/server.der")["provenance"];
    assert_eq!(cert["makefile"]["path"], "tests/certs/Makefile");
    assert!(cert["makefile"]["text"].as_str().expect("line").contains("server.der"), "{cert}");
    assert_eq!(cert["generator"], Value::Null);

    let blob = &file(&all, "tests/fixtures/blob.dat")["provenance"];
    assert_eq!(blob["generator"]["path"], "tools/gen_fixtures.py");
    assert_eq!(blob["generator"]["line"], 3);

    let thing = &file(&all, "tests/samples/v2/thing.bin")["provenance"];
    assert_eq!(thing["mentioned_by"], serde_json::json!([]));
    assert_eq!(thing["directory_mentioned_by"], serde_json::json!(["tests/test_samples.py"]));

    let unnamed = file(&all, "tests/data/unnamed.bin");
    assert_eq!(unnamed["provenance"]["mentioned_by"], serde_json::json!([]));
    assert_eq!(unnamed["provenance"]["directory_mentioned_by"], serde_json::json!([]));
    assert_eq!(unnamed["upstream"], Value::Null);
}

#[test]
fn the_config_maps_upstreams_and_refuses_a_bad_glob() {
    let world = build();
    let all = world.json(&[]);
    assert_eq!(file(&all, "third_party/zlib/zlib.wasm")["upstream"], "https://zlib.net, 1.3.1");
    assert_eq!(file(&all, "tests/data/unnamed.bin")["upstream"], Value::Null);

    std::fs::write(&world.config, "[[binaries.upstream]]\nglob = \"third_party/[a-z]*\"\nsource = \"x\"\n")
        .expect("config");
    let out = world.run(&["binaries"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[[binaries.upstream]] entry 1") && err.contains("`[`"), "{err}");
}

#[test]
fn an_older_revision_lists_its_own_tree() {
    let world = build();
    let all = world.json(&[&world.payload_change]);
    assert!(all.iter().any(|f| f["path"] == "tests/data/vectors.bin"));
    assert!(!all.iter().any(|f| f["path"] == "tests/data/corpus.gz"), "added after that revision");
}

#[test]
fn table_and_markdown_put_the_payload_first_and_escape_cells() {
    let world = build();
    let out = world.run(&["binaries"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    let first = table.lines().nth(1).expect("a row");
    assert!(first.starts_with("PAYLOAD") && first.contains("tests/data/corpus.gz"), "{table}");
    assert!(table.contains("8 binary files at main"), "{table}");

    let out = world.run(&["binaries", "--format", "md"]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("| PAYLOAD | `tests/data/corpus.gz` |"), "{md}");
}

#[test]
fn hostile_paths_are_sanitized() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("r");
    let mut w = Writer::init(&repo).expect("init");
    let who = Person { name: "Mallory |x".into(), email: "m@example.org".into() };
    let mut files = Files::new();
    files.insert("data/\u{1b}[31mred|<img src=x>.bin".into(), b"\0\x01\x02".to_vec());
    let tree = w.tree(&files).expect("tree");
    w.commit(Some("refs/heads/main"), &[], tree, &who, &who, T0, "Add\n").expect("commit");
    w.set_head("main").expect("head");
    let db = dir.path().join("s.sqlite3");
    for format in ["table", "md"] {
        let out = rearview(&["binaries", "--format", format, "--repo", s(&repo), "--db", s(&db)]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains('\u{1b}'), "{format}: {text}");
        if format == "md" {
            // In a code span, where Markdown shows `<img>` as text; the pipe
            // escaped so the table keeps its columns.
            assert!(text.contains("red\\|<img src=x>.bin`"), "{text}");
            assert!(text.contains("Mallory \\|x"), "{text}");
        }
    }
}
