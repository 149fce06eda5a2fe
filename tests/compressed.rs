//! Compressed "test files", as the xz-utils backdoor used them: a payload
//! that only shows once the file is decompressed, bytes that decompress to
//! encrypted noise, and a decompression bomb. Real repositories are built in
//! temp dirs and the real binary is run on them; every compressed file is
//! made here, by the same crates a user's tools would match.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};
use serde_json::Value;
use support::binary::rearview;
use support::bytes::{elf_header, noise, DROPPER};

// ----- compressed bytes, made with the crates -------------------------------

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut writer = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).expect("xz");
    writer.write_all(data).expect("xz");
    writer.finish().expect("xz")
}

/// The legacy `.lzma` format (`xz --format=lzma`).
fn lzma(data: &[u8]) -> Vec<u8> {
    let options = lzma_rust2::LzmaOptions::with_preset(6);
    let mut writer = lzma_rust2::LzmaWriter::new_use_header(Vec::new(), &options, None).expect("lzma");
    writer.write_all(data).expect("lzma");
    writer.finish().expect("lzma")
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    encoder.write_all(data).expect("bzip2");
    encoder.finish().expect("bzip2")
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// Test vectors as a compressor's test suite holds them: numbered lines.
fn vectors(lines: usize) -> Vec<u8> {
    (0..lines)
        .flat_map(|i| format!("vector {i:05}: input {} expect {}\n", i * 7 % 101, i * 13 % 97).into_bytes())
        .collect()
}

/// Prose-like text: words of a small vocabulary in an order no
/// compressor can predict.
fn prose(len: usize) -> Vec<u8> {
    let words =
        ["the", "decoder", "reads", "a", "block", "of", "input", "and", "checks", "its", "header", "then", "writes"];
    let picks = noise(len, 3);
    let mut out = Vec::with_capacity(len + 16);
    for (i, pick) in picks.iter().enumerate() {
        if out.len() >= len {
            break;
        }
        out.extend_from_slice(words[usize::from(*pick) % words.len()].as_bytes());
        out.push(if i % 12 == 11 { b'\n' } else { b' ' });
    }
    out
}

/// Test vectors hiding an ELF header and a shell dropper: the plain bytes
/// and where each starts.
fn booby_trapped() -> (Vec<u8>, u64, u64) {
    let mut plain = vectors(300);
    let elf = plain.len() as u64;
    plain.extend(elf_header());
    plain.extend(vectors(50));
    let dropper = plain.len() as u64 + 1;
    plain.extend_from_slice(DROPPER);
    plain.extend(vectors(50));
    (plain, elf, dropper)
}

// ----- a repository and the binary ------------------------------------------

struct World {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    db: PathBuf,
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Files a commit adds: path and bytes.
type Added<'a> = Vec<(&'a str, Vec<u8>)>;

/// `main` with a first commit, then one commit per (title, files added).
fn world(commits: Vec<(&str, Added<'_>)>) -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("lib");
    let mut w = Writer::init(&repo).expect("init");
    let dev = Person { name: "Jia".into(), email: "jia@example.org".into() };
    let mut files = Files::new();
    files.insert("README".into(), b"a compression library; tests/files holds its test files\n".to_vec());
    let tree = w.tree(&files).expect("tree");
    let mut parent =
        w.commit(Some("refs/heads/main"), &[], tree, &dev, &dev, 1_700_000_000, "Start\n").expect("commit");
    for (i, (title, added)) in commits.into_iter().enumerate() {
        files.extend(added.into_iter().map(|(path, bytes)| (path.to_string(), bytes)));
        let tree = w.tree(&files).expect("tree");
        let at = 1_700_000_000 + (i as i64 + 1) * 3600;
        parent =
            w.commit(Some("refs/heads/main"), &[parent], tree, &dev, &dev, at, &format!("{title}\n")).expect("commit");
    }
    w.set_head("main").expect("head");
    let db = dir.path().join("store.sqlite3");
    World { _dir: dir, repo, db }
}

impl World {
    fn run(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--repo", s(&self.repo), "--db", s(&self.db), "--color", "never"]);
        rearview(&all)
    }

    fn list(&self) -> Vec<Value> {
        let out = self.run(&["list", "--format", "json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().unwrap_or_default()
    }

    fn hex(&self, args: &[&str]) -> Output {
        let mut all = vec!["hex"];
        all.extend_from_slice(args);
        self.run(&all)
    }
}

fn change<'a>(changes: &'a [Value], title: &str) -> &'a Value {
    changes.iter().find(|c| c["title"] == title).unwrap_or_else(|| panic!("no change {title}"))
}

/// The change's `embedded_payload` signals about `path`.
fn payloads<'a>(change: &'a Value, path: &str) -> Vec<&'a Value> {
    change["risks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["kind"] == "embedded_payload" && r["location"]["path"] == path)
        .collect()
}

fn explanation(signal: &Value) -> &str {
    signal["explanation"].as_str().unwrap_or_default()
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ----- the content scan ------------------------------------------------------

#[test]
fn a_payload_inside_gzip_and_xz_test_files_is_critical_and_names_the_stream() {
    let (plain, elf, dropper) = booby_trapped();
    let (gz, xzed) = (gzip(&plain), xz(&plain));
    // Compressed, the payload is out of sight of a scan of the raw bytes.
    let raw: Vec<_> = [&gz, &xzed].iter().flat_map(|b| rearview::inspect::scan_payloads(b, 0)).collect();
    assert!(raw.is_empty(), "{raw:?}");
    let w = world(vec![(
        "Add test files for the streaming decoder",
        vec![("tests/files/good-1-deflate.gz", gz), ("tests/files/good-1-lzma2.xz", xzed)],
    )]);
    let changes = w.list();
    let c = change(&changes, "Add test files for the streaming decoder");
    for (path, stream) in [("tests/files/good-1-deflate.gz", "gzip"), ("tests/files/good-1-lzma2.xz", "xz")] {
        let found = payloads(c, path);
        let header = found
            .iter()
            .find(|r| explanation(r).starts_with(&format!("ELF header (in the {stream} stream, decompressed)")))
            .unwrap_or_else(|| panic!("the ELF header in {path}: {found:#?}"));
        assert_eq!(header["severity"], "critical");
        assert_eq!(header["location"]["offset"], elf, "the offset in what {path} decompresses to");
        assert!(explanation(header).contains(&format!("inside what binary {path} decompresses to")));
        let shell = found
            .iter()
            .find(|r| explanation(r).contains("| sh"))
            .unwrap_or_else(|| panic!("the dropper in {path}: {found:#?}"));
        assert_eq!(shell["severity"], "critical");
        assert_eq!(shell["location"]["offset"], dropper + 10, "the line after the shebang");
        assert!(explanation(shell).contains(&format!("(in the {stream} stream, decompressed)")), "{shell}");
        assert!(found.iter().all(|r| !explanation(r).contains("incompressible")), "vectors compress: {found:#?}");
    }
    assert_eq!(c["pending"], true);
}

#[test]
fn a_truncated_stream_is_scanned_up_to_the_damage() {
    // Corrupt on purpose, as compressor test suites are: the payload
    // decompresses before the cut, and is found.
    let (mut plain, elf, _) = booby_trapped();
    plain.extend(noise(256 << 10, 3));
    let mut xzed = xz(&plain);
    xzed.truncate(xzed.len() - 4096);
    let w = world(vec![("Add a truncated stream", vec![("tests/files/bad-1-truncated.xz", xzed)])]);
    let changes = w.list();
    let found = payloads(change(&changes, "Add a truncated stream"), "tests/files/bad-1-truncated.xz");
    assert!(
        found.iter().any(|r| explanation(r).starts_with("ELF header") && r["location"]["offset"] == elf),
        "{found:#?}"
    );
}

#[test]
fn test_files_that_decompress_to_random_bytes_are_high_and_incompressible() {
    // What an encrypted stage looks like: a little text, then noise.
    let mut secret = vectors(40);
    let at = secret.len() as u64;
    secret.extend(noise(96 << 10, 0x5eed));
    // Compressed twice: the outer stream decompresses to the inner one.
    let twice = xz(&gzip(&prose(1 << 20)));
    let w = world(vec![(
        "Add large test files",
        vec![("tests/files/good-large_compressed.lzma", lzma(&secret)), ("tests/files/good-2-nested.xz", twice)],
    )]);
    let changes = w.list();
    let c = change(&changes, "Add large test files");
    let found = payloads(c, "tests/files/good-large_compressed.lzma");
    let noisy =
        found.iter().find(|r| explanation(r).contains("incompressible")).unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(noisy["severity"], "high");
    // The first whole block after the text.
    let offset = noisy["location"]["offset"].as_u64().expect("an offset");
    assert!(offset >= at && offset < at + 4096, "{offset} for noise at {at}");
    assert!(explanation(noisy).starts_with("decompresses to "), "{}", explanation(noisy));
    assert!(explanation(noisy).contains("bits/byte"), "{}", explanation(noisy));
    let nested = payloads(c, "tests/files/good-2-nested.xz");
    assert!(nested.iter().any(|r| explanation(r).contains("incompressible") && r["severity"] == "high"), "{nested:#?}");
}

#[test]
fn compressed_ordinary_data_raises_no_payload_signal() {
    let text = vectors(20_000);
    let zeros = vec![0u8; 4 << 20];
    let pattern: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    let w = world(vec![(
        "Add test files for every format",
        vec![
            ("tests/files/text.gz", gzip(&text)),
            ("tests/files/text.xz", xz(&text)),
            ("tests/files/text.lzma", lzma(&text)),
            ("tests/files/text.bz2", bzip2(&text)),
            ("tests/files/text.zst", zstd(&text)),
            ("tests/files/zeros.xz", xz(&zeros)),
            ("tests/files/pattern.bz2", bzip2(&pattern)),
            ("tests/files/pattern.zst", zstd(&pattern)),
        ],
    )]);
    let changes = w.list();
    let c = change(&changes, "Add test files for every format");
    let signals: Vec<&Value> =
        c["risks"].as_array().into_iter().flatten().filter(|r| r["kind"] == "embedded_payload").collect();
    assert!(signals.is_empty(), "{signals:#?}");
    assert!(c["risks"].as_array().is_some_and(|r| r.iter().any(|r| r["kind"] == "binary_file")), "still binaries");
}

#[test]
fn a_decompression_bomb_stops_at_the_cap_quickly_and_is_reported() {
    // 1 GiB of zeros, gzip'd once (about 1 MiB).
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        encoder.write_all(&zeros).expect("gzip");
    }
    let bomb = encoder.finish().expect("gzip");
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    let w = world(vec![("Add a large sparse test file", vec![("tests/files/sparse.gz", bomb)])]);
    let started = Instant::now();
    let changes = w.list();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}: the bomb was read far past the cap");
    let found = payloads(change(&changes, "Add a large sparse test file"), "tests/files/sparse.gz");
    let bomb = found
        .iter()
        .find(|r| explanation(r).starts_with("a decompression bomb"))
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(bomb["severity"], "high");
    // Stopped past the 16 MiB floor, long before 1 GiB (or the 64 MiB cap).
    let stopped = bomb["location"]["offset"].as_u64().expect("where it stopped");
    assert!(stopped > 16 << 20 && stopped < 17 << 20, "{stopped}");
    assert!(explanation(bomb).contains("more than 200:1"), "{}", explanation(bomb));
    assert!(explanation(bomb).contains("scanned only up to where decompression stopped"), "{}", explanation(bomb));

    // The hex view of it stops there too.
    let out = w.hex(&["HEAD:tests/files/sparse.gz", "--decompressed", "--length", "64"]);
    let text = stdout(&out);
    assert!(text.contains("a decompression bomb"), "{text}");
}

// ----- rearview hex --decompressed -------------------------------------------

#[test]
fn hex_decompressed_shows_the_stream_at_its_own_offsets_with_findings_marked() {
    let (plain, elf, dropper) = booby_trapped();
    let packed = xz(&plain);
    let w = world(vec![(
        "Add test files",
        vec![("tests/files/good-1-lzma2.xz", packed.clone()), ("tests/files/plain.bin", noise(512, 1))],
    )]);
    let spec = "HEAD:tests/files/good-1-lzma2.xz";
    let text = stdout(&w.hex(&[spec, "--decompressed"]));
    let first = text.lines().next().unwrap_or_default();
    assert!(first.starts_with(&format!("{spec}: xz stream: ")), "{first}");
    assert!(first.contains(&format!("({} bytes) decompressed from ", plain.len())), "{first}");
    assert!(text.contains(&format!("⚠ 0x{elf:08x}  ELF header")), "{text}");
    assert!(text.contains(&format!("⚠ 0x{dropper:08x}  shebang")), "{text}");
    assert!(text.contains(&format!("⚠ 0x{:08x}  shell command: curl, | sh", dropper + 10)), "{text}");
    // Rows are the decompressed bytes, at their offsets.
    let row = elf / 16 * 16;
    let line = text.lines().find(|l| l.starts_with(&format!("{row:08x}"))).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("7f 45 4c 46") || line.contains("45 4c 46"), "{line}");
    let last = (plain.len() as u64 - 1) / 16 * 16;
    assert!(text.lines().any(|l| l.starts_with(&format!("{last:08x}"))), "the last row of the decompressed bytes");

    // --offset and --length count in the decompressed bytes.
    let page = stdout(&w.hex(&[spec, "--decompressed", "--offset", &format!("0x{row:x}"), "--length", "32"]));
    let rows: Vec<&str> =
        page.lines().filter(|l| l.len() > 8 && l[..8].chars().all(|c| c.is_ascii_hexdigit())).collect();
    assert_eq!(rows.len(), 2, "{page}");
    assert!(rows[0].starts_with(&format!("{row:08x}")), "{page}");

    // Without the flag, the raw blob as before.
    let raw = stdout(&w.hex(&[spec]));
    assert!(raw.lines().next().is_some_and(|l| l.contains("XZ compressed data")), "{raw}");
    assert!(!raw.contains("ELF header"), "{raw}");

    // Past the end of the decompressed bytes, and a blob that is no stream.
    let past = w.hex(&[spec, "--decompressed", "--offset", &format!("{}", plain.len())]);
    assert_eq!(past.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&past.stderr).contains("past the end"),
        "{}",
        String::from_utf8_lossy(&past.stderr)
    );
    let not = w.hex(&["HEAD:tests/files/plain.bin", "--decompressed"]);
    assert_eq!(not.status.code(), Some(2));
    let error = String::from_utf8_lossy(&not.stderr);
    assert_eq!(error.trim().lines().count(), 1, "{error}");
    assert!(error.contains("is not a compressed stream"), "{error}");
    assert!(error.contains("gzip, xz, lzma, bzip2"), "{error}");
}

#[test]
fn hex_decompressed_says_where_a_corrupt_stream_ends_and_what_is_incompressible() {
    let mut plain = vectors(40);
    plain.extend(noise(64 << 10, 11));
    let mut packed = lzma(&plain);
    packed.truncate(packed.len() - 1000);
    let w = world(vec![("Add a file", vec![("tests/files/bad.lzma", packed)])]);
    let text = stdout(&w.hex(&["HEAD:tests/files/bad.lzma", "--decompressed", "--length", "16"]));
    assert!(text.contains("corrupt or truncated after "), "{text}");

    assert!(text.contains("incompressible bytes (entropy "), "{text}");
    assert!(text.lines().all(|l| !l.chars().any(|c| c.is_control())), "no control characters: {text}");
}
