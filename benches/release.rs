//! `rearview verify-release` on a 500 MB release: generates a repository
//! whose tag holds ~500 MB (4,000 source-like text files of ~100 KiB and
//! four 25 MiB binaries) and the matching `.tar.gz`, one file at a time
//! (nothing big is held in memory), then times the real binary and reads
//! its peak RSS (`VmHWM` in `/proc/PID/status`, polled while it runs).
//!
//! Prints figures, asserts only that the archive verifies (exit 0):
//! `cargo bench --bench release`. With `REARVIEW_BENCH_DIR=PATH` the
//! fixture is built there and kept (and reused when it is already there).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use git2::{Oid, Repository, Signature, Time};

const TAG: &str = "v1.0.0";
const TOP: &str = "big-1.0.0";
const DIRS: usize = 40;
const FILES_PER_DIR: usize = 100;
const TEXT_SIZE: usize = 100 * 1024;
const BINARIES: usize = 4;
const BINARY_SIZE: usize = 25 << 20;
const RUNS: usize = 3;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Source-like text: compresses about 4:1 with gzip.
fn text_file(seed: u64) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "static", "int", "return", "buffer", "length", "if", "while", "struct", "quill", "node", "size_t", "const",
        "char", "error", "value", "offset",
    ];
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut out = Vec::with_capacity(TEXT_SIZE + 128);
    while out.len() < TEXT_SIZE {
        let words = 3 + (rng.next() % 8) as usize;
        out.extend_from_slice(b"    ");
        for _ in 0..words {
            out.extend_from_slice(WORDS[(rng.next() % 16) as usize].as_bytes());
            out.push(b' ');
        }
        writeln!(out, "{};", rng.next() % 100_000).ok();
    }
    out
}

fn binary_file(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::with_capacity(BINARY_SIZE);
    while out.len() < BINARY_SIZE {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out
}

fn tar_append<W: Write>(tar: &mut tar::Builder<W>, path: &str, data: &[u8]) {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(1_700_000_000);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, format!("{TOP}/{path}"), data).expect("append");
}

/// Builds the repository and the archive; returns (repo, archive, bytes).
fn build(dir: &Path) -> (PathBuf, PathBuf, u64) {
    let repo_path = dir.join("repo");
    let archive = dir.join(format!("{TOP}.tar.gz"));
    // Text files run a line past their size: the exact count is recorded.
    let total = (DIRS * FILES_PER_DIR * TEXT_SIZE + BINARIES * BINARY_SIZE) as u64;
    let recorded = dir.join("bytes.txt");
    if let (true, Ok(text)) = (archive.exists() && repo_path.exists(), std::fs::read_to_string(&recorded)) {
        return (repo_path, archive, text.trim().parse().unwrap_or(total));
    }
    let repo = Repository::init(&repo_path).expect("init");
    let out = std::io::BufWriter::new(std::fs::File::create(&archive).expect("archive"));
    let gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mut root = repo.treebuilder(None).expect("treebuilder");
    let mut src = repo.treebuilder(None).expect("treebuilder");
    let mut bytes = 0u64;
    for d in 0..DIRS {
        let mut sub = repo.treebuilder(None).expect("treebuilder");
        for f in 0..FILES_PER_DIR {
            let data = text_file((d * FILES_PER_DIR + f) as u64);
            let name = format!("file{f:03}.c");
            let oid = repo.blob(&data).expect("blob");
            sub.insert(&name, oid, 0o100644).expect("insert");
            tar_append(&mut tar, &format!("src/d{d:02}/{name}"), &data);
            bytes += data.len() as u64;
        }
        let sub_id = sub.write().expect("tree");
        src.insert(format!("d{d:02}"), sub_id, 0o040000).expect("insert");
    }
    root.insert("src", src.write().expect("tree"), 0o040000).expect("insert");
    let mut data_tree = repo.treebuilder(None).expect("treebuilder");
    for b in 0..BINARIES {
        let data = binary_file(1000 + b as u64);
        let name = format!("blob{b}.bin");
        let oid = repo.blob(&data).expect("blob");
        data_tree.insert(&name, oid, 0o100644).expect("insert");
        tar_append(&mut tar, &format!("data/{name}"), &data);
        bytes += data.len() as u64;
    }
    root.insert("data", data_tree.write().expect("tree"), 0o040000).expect("insert");
    let tree_id: Oid = root.write().expect("tree");
    let tree = repo.find_tree(tree_id).expect("tree");
    let who = Signature::new("Bench", "bench@example.org", &Time::new(1_700_000_000, 0)).expect("signature");
    let commit = repo.commit(Some("refs/heads/main"), &who, &who, "Release 1.0.0", &tree, &[]).expect("commit");
    repo.tag_lightweight(TAG, &repo.find_object(commit, None).expect("commit"), false).expect("tag");
    tar.into_inner().expect("tar").finish().expect("gzip").flush().expect("flush");
    std::fs::write(&recorded, bytes.to_string()).expect("record the size");
    (repo_path, archive, bytes)
}

/// Peak RSS in KiB, read from the child's `/proc/PID/status` while it runs.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run(repo: &Path, archive: &Path) -> (Duration, u64, i32) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rearview"))
        .arg("--repo")
        .arg(repo)
        .args(["--color", "never", "verify-release", "--tag", TAG])
        .arg(archive)
        .env("XDG_CONFIG_HOME", "/nonexistent-rearview-config")
        .stdout(Stdio::null())
        .spawn()
        .expect("run rearview");
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = vm_hwm(child.id()) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    (started.elapsed(), peak, status.code().unwrap_or(-1))
}

fn main() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = std::env::var_os("REARVIEW_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir).expect("bench dir");
    let started = Instant::now();
    let (repo, archive, bytes) = build(&dir);
    let packed = std::fs::metadata(&archive).expect("archive").len();
    println!(
        "fixture: {} files, {:.0} MB uncompressed, {:.0} MB tar.gz, built in {:.1} s",
        DIRS * FILES_PER_DIR + BINARIES,
        bytes as f64 / 1e6,
        packed as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..RUNS {
        let (took, peak, code) = run(&repo, &archive);
        assert_eq!(code, 0, "the matching archive verifies");
        times.push(took);
        peaks.push(peak);
    }
    times.sort();
    let median = times[RUNS / 2];
    let peak = peaks.iter().copied().max().unwrap_or(0);
    println!(
        "rearview verify-release on the {:.0} MB tar.gz: median {:.2} s of {RUNS} (best {:.2} s), {:.0} MB/s uncompressed; peak RSS {:.1} MiB",
        bytes as f64 / 1e6,
        median.as_secs_f64(),
        times[0].as_secs_f64(),
        bytes as f64 / 1e6 / median.as_secs_f64(),
        peak as f64 / 1024.0
    );
}
