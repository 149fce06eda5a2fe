//! Rendering speed: syntax highlighting (first screen, far jumps, lines
//! per second), `rearview show` on a one-file rewrite of 100,000 lines (a
//! 200,000-line diff) to its first 60 lines and in full, and `rearview hex`
//! pages at the start and at 900 MiB of a 1 GiB blob, and the same inputs
//! with `delta` and `hexyl` (from the PATH, or installed with cargo into
//! `target/bench-tools` on first run), with the peak memory of the whole
//! `show` beside delta's (VmHWM from /proc), and a second view of a page at
//! 200 MiB of a 256 MiB random blob (the scan read from the store) beside
//! `git cat-file | hexyl --skip` when hexyl is installed. Prints figures,
//! asserts nothing: `cargo bench --bench render` (`-- highlight`, `-- show`,
//! `-- hex`, `-- second` for one part).

#[path = "../tests/support/c_source.rs"]
mod c_source;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use c_source::c_file;
use rearview::model::Person;
use rearview::render::highlight::{self, FileHighlighter, DEFAULT_THEME};
use rearview::repo::write::{Files, Writer};

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |part: &str| filters.is_empty() || filters.iter().any(|f| part.contains(f.as_str()));
    if wanted("highlight") {
        highlighting();
    }
    if wanted("show") {
        show();
    }
    if wanted("hex") {
        hex();
    }
    if wanted("hex-second-view") {
        hex_second_view();
    }
}

fn highlighting() {
    println!("== highlighting a 100,000-line C file");
    let lines = c_file(100_000);
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;

    let t = Instant::now();
    highlight::syntax_set();
    let syntaxes = ms(t);
    let t = Instant::now();
    let mut h = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    let theme = ms(t);
    let t = Instant::now();
    h.highlight(&lines, 0..60);
    let first_screen_cold = ms(t);
    println!(
        "first load: syntax set {syntaxes:.1} ms, theme {theme:.1} ms, first 60 lines (links the C grammar) {first_screen_cold:.1} ms"
    );

    let mut h = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    let t = Instant::now();
    h.highlight(&lines, 0..60);
    println!("first screen (assets warm): {:.2} ms", ms(t));
    let t = Instant::now();
    h.highlight(&lines, 90_000..90_060);
    println!("jump to 90,000..90,060 after it (fast-forward parse): {:.1} ms", ms(t));
    let t = Instant::now();
    h.highlight(&lines, 50_000..50_060);
    println!("then back to 50,000..50,060 (from a checkpoint): {:.2} ms", ms(t));
    let t = Instant::now();
    h.highlight(&lines, 90_000..90_060);
    println!("redraw 90,000..90,060 (cache): {:.3} ms", ms(t));

    let mut slow = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    slow.set_fast_forward(false);
    slow.highlight(&lines, 0..60);
    let t = Instant::now();
    slow.highlight(&lines, 90_000..90_060);
    println!("same jump, styling every skipped line: {:.1} ms", ms(t));

    let mut full = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    let t = Instant::now();
    let out = full.highlight(&lines, 0..100_000);
    let secs = t.elapsed().as_secs_f64();
    println!("styled: {:.0} lines/s ({:.0} ms for 100,000 lines)", 100_000.0 / secs, secs * 1000.0);
    let _ = out;

    let mut ff = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    let t = Instant::now();
    ff.highlight(&lines, 99_999..100_000);
    let secs = t.elapsed().as_secs_f64();
    println!("parse only (fast-forward): {:.0} lines/s", 100_000.0 / secs);

    let mut idle = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    let t = Instant::now();
    let parsed = idle.prefetch(&lines, 1_024);
    println!("one prefetch(1,024) idle step: {parsed} lines in {:.1} ms", ms(t));
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn person() -> Person {
    Person { name: "Bench".into(), email: "bench@example.org".into() }
}

/// A command's times, in ms.
#[derive(Clone, Copy)]
struct Timing {
    /// Until its first `lines` lines had arrived.
    lines_in: f64,
    /// Until it exited after the reader hung up there, as `| head` does.
    head: f64,
    /// Its whole output, to the end.
    whole: f64,
}

/// Times a command's first `lines` lines of output (then hangs up, as
/// `| head` does) and its whole output.
fn time_command(program: &str, args: &[&str], dir: &Path, lines: usize) -> Option<Timing> {
    let run = |limit: Option<usize>| -> Option<(f64, f64)> {
        let t = Instant::now();
        let mut child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let stdout = child.stdout.take()?;
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let mut read = 0;
        while limit.is_none_or(|l| read < l) {
            line.clear();
            if reader.read_line(&mut line).ok()? == 0 {
                break;
            }
            read += 1;
        }
        let arrived = ms(t);
        drop(reader);
        let _ = child.wait();
        Some((arrived, ms(t)))
    };
    let (lines_in, head) = run(Some(lines))?;
    let (_, whole) = run(None)?;
    Some(Timing { lines_in, head, whole })
}

/// Where the peers are installed for the comparison (never in CI).
const TOOLS: &str = "target/bench-tools";

/// The peer's executable: on the PATH, or installed with cargo into
/// `target/bench-tools` (once; set `REARVIEW_BENCH_NO_INSTALL` to skip).
fn peer(program: &str, krate: &str) -> Option<String> {
    let runs = |p: &str| Command::new(p).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if runs(program) {
        return Some(program.to_string());
    }
    let local = format!("{}/{TOOLS}/bin/{program}", env!("CARGO_MANIFEST_DIR"));
    if runs(&local) {
        return Some(local);
    }
    if std::env::var_os("REARVIEW_BENCH_NO_INSTALL").is_some() {
        return None;
    }
    println!("installing {krate} with cargo for the comparison (once)…");
    let root = format!("{}/{TOOLS}", env!("CARGO_MANIFEST_DIR"));
    let ok =
        Command::new("cargo").args(["install", "--locked", "--root", &root, krate]).status().is_ok_and(|s| s.success());
    (ok && runs(&local)).then_some(local)
}

fn show() {
    println!("\n== rearview show on a one-file rewrite of 100,000 lines (200,000-line diff)");
    let dir = tempfile::tempdir().expect("temp dir");
    // `REARVIEW_BENCH_KEEP=DIR` (a directory that does not exist yet)
    // builds the repository there and keeps it, for profiling by hand.
    let kept = std::env::var_os("REARVIEW_BENCH_KEEP").map(std::path::PathBuf::from);
    let path = kept.unwrap_or_else(|| dir.path().join("repo"));
    let mut w = Writer::init(&path).expect("init");
    let before: String = c_file(100_000).iter().map(|l| format!("{l}\n")).collect();
    let after: String = c_file(100_000).iter().enumerate().map(|(i, l)| format!("{l} /* v2 {i} */\n")).collect();
    let mut files = Files::new();
    files.insert("big.c".into(), before.into_bytes());
    let t = w.tree(&files).expect("tree");
    let root =
        w.commit(Some("refs/heads/main"), &[], t, &person(), &person(), 1_700_000_000, "before\n").expect("commit");
    files.insert("big.c".into(), after.into_bytes());
    let t = w.tree(&files).expect("tree");
    let head = w
        .commit(Some("refs/heads/main"), &[root], t, &person(), &person(), 1_700_000_100, "rewrite\n")
        .expect("commit");
    w.set_head("main").expect("head");

    let repo = rearview::repo::Repo::open(&path).expect("open");
    let t = Instant::now();
    let diff = repo.diff(&head.to_string(), &[]).expect("diff");
    let lines: usize = diff.iter().flat_map(|f| &f.hunks).map(|h| h.lines.len()).sum();
    println!("diff model (libgit2 + lines): {lines} lines in {:.0} ms", ms(t));

    let db = dir.path().join("db.sqlite3");
    let bin = env!("CARGO_BIN_EXE_rearview");
    let args = ["show", "HEAD", "--color", "always", "--width", "160", "--db", db.to_str().expect("utf-8")];
    let delta = peer("delta", "git-delta");
    let script = delta.as_ref().map(|d| format!("git show HEAD | {d} --paging=never --width 160"));
    // Runs interleaved with delta's, so that both see the same machine.
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        ours.extend(time_command(bin, &args, &path, 60));
        if let Some(script) = &script {
            theirs.extend(time_command("sh", &["-c", script], &path, 60));
        }
    }
    let summary = |runs: &[Timing], pick: fn(&Timing) -> f64| match best_and_median(runs, pick) {
        Some((best, median)) => format!("median {median:.0} ms, best {best:.0} ms"),
        None => "no run".to_string(),
    };
    println!(
        "rearview show | head -60: 60 lines in {}, exited {}; whole diff to a pipe: {} ({} runs)",
        summary(&ours, |r| r.lines_in),
        summary(&ours, |r| r.head),
        summary(&ours, |r| r.whole),
        ours.len()
    );
    if delta.is_some() {
        println!(
            "git show | delta | head -60: 60 lines in {}, exited {}; whole: {}",
            summary(&theirs, |r| r.lines_in),
            summary(&theirs, |r| r.head),
            summary(&theirs, |r| r.whole)
        );
        let median = |runs: &[Timing]| best_and_median(runs, |r| r.whole).map_or(f64::NAN, |(_, m)| m);
        println!("whole diff, rearview / delta (medians): {:.2}×", median(&ours) / median(&theirs));
    } else {
        println!("delta unavailable: no comparison");
    }
    show_memory(bin, &args, &path, delta.as_deref());
}

/// Peak memory of the whole diff to a pipe: rearview's process beside
/// delta's own (fed `git show HEAD`, saved to a file first, so that only
/// delta is measured) and beside the `git show | delta` pipeline's (its two
/// processes' peaks added: they run at once), each the highest of
/// `MEMORY_RUNS`. rearview reads and diffs the blobs itself, as git does
/// for delta.
fn show_memory(bin: &str, args: &[&str], dir: &Path, delta: Option<&str>) {
    let mib = |kib: u64| kib as f64 / 1024.0;
    let highest = |program: &str, args: &[&str], input: Option<&Path>| {
        (0..MEMORY_RUNS).filter_map(|_| peak_memory(program, args, dir, input)).max()
    };
    let Some(ours) = highest(bin, args, None) else {
        println!("peak memory: unavailable (no /proc/PID/status with VmHWM on this system)");
        return;
    };
    let git = highest("git", &["show", "HEAD"], None);
    let theirs = delta.and_then(|delta| {
        let shown = Command::new("git").args(["show", "HEAD"]).current_dir(dir).output().ok()?;
        let input = tempfile::NamedTempFile::new().ok()?;
        std::fs::write(input.path(), &shown.stdout).ok()?;
        highest(delta, &["--paging=never", "--width", "160"], Some(input.path()))
    });
    let ratio = |peer: u64| ours as f64 / peer as f64;
    match (theirs, git) {
        (Some(theirs), Some(git)) => println!(
            "peak memory (VmHWM), whole diff to a pipe: rearview {:.1} MiB; delta {:.1} MiB ({:.2}×); git show | delta {:.1} MiB (git {:.1} + delta: {:.2}×)",
            mib(ours),
            mib(theirs),
            ratio(theirs),
            mib(git + theirs),
            mib(git),
            ratio(git + theirs)
        ),
        _ => println!("peak memory (VmHWM), whole diff to a pipe: rearview {:.1} MiB (no delta)", mib(ours)),
    }
}

/// Runs of each peak-memory measure (the highest is kept).
const MEMORY_RUNS: usize = 3;

/// A command's peak resident memory in KiB: its `VmHWM`, read from
/// `/proc/PID/status` every few milliseconds while it runs (the mark only
/// rises, so the last reading before it exits is its peak, short of what
/// it adds in its last milliseconds). Its output is read and dropped.
/// Needs only Linux's /proc: no GNU time.
fn peak_memory(program: &str, args: &[&str], dir: &Path, input: Option<&Path>) -> Option<u64> {
    let stdin = match input {
        Some(path) => Stdio::from(std::fs::File::open(path).ok()?),
        None => Stdio::null(),
    };
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let drain = std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let status = format!("/proc/{}/status", child.id());
    let mut peak = None;
    loop {
        // A process that has exited but is not yet waited for has no
        // memory lines: the reading before stands.
        if let Some(kib) = std::fs::read_to_string(&status).ok().as_deref().and_then(vm_hwm) {
            peak = Some(kib);
        }
        if child.try_wait().ok()?.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let _ = drain.join();
    peak
}

/// The `VmHWM:   12345 kB` line of a /proc status file, in KiB.
fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The best and the median of one figure over runs.
fn best_and_median(runs: &[Timing], pick: fn(&Timing) -> f64) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = runs.iter().map(pick).collect();
    v.sort_by(f64::total_cmp);
    Some((*v.first()?, *v.get(v.len() / 2)?))
}

/// Runs of each `show` case, interleaved with the peer's.
const RUNS: usize = 5;

fn hex() {
    println!("\n== rearview hex on a 1 GiB blob");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("repo");
    let mut w = Writer::init(&path).expect("init");
    let t = Instant::now();
    let mut data = vec![0u8; 1 << 30];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in data.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for (b, v) in chunk.iter_mut().zip(x.to_le_bytes()) {
            *b = v & 0x3f;
        }
    }
    let mut files = Files::new();
    files.insert("big.bin".into(), data);
    let tree = w.tree(&files).expect("tree");
    drop(files);
    w.commit(Some("refs/heads/main"), &[], tree, &person(), &person(), 1_700_000_000, "big\n").expect("commit");
    w.set_head("main").expect("head");
    println!("built the blob in {:.1} s", t.elapsed().as_secs_f64());
    let db = dir.path().join("db.sqlite3");
    let bin = env!("CARGO_BIN_EXE_rearview");
    for offset in ["0", "943718400"] {
        let args = [
            "hex",
            "HEAD:big.bin",
            "--offset",
            offset,
            "--length",
            "4096",
            "--color",
            "always",
            "--db",
            db.to_str().expect("utf-8"),
        ];
        if let Some(t) = time_command(bin, &args, &path, 0) {
            println!("rearview hex, 4 KiB page at offset {offset}: {:.0} ms (whole process)", t.whole);
        }
    }
    match peer("hexyl", "hexyl") {
        Some(hexyl) => {
            let script = format!("git cat-file blob HEAD:big.bin | {hexyl} --skip 943718400 --length 4096 >/dev/null");
            if let Some(t) = time_command("sh", &["-c", &script], &path, 0) {
                println!("git cat-file | hexyl, same page: {:.0} ms", t.whole);
            }
        }
        None => println!("hexyl unavailable: no comparison"),
    }
}

/// A page deep in a blob viewed a second time: the scan comes from the
/// store, only the page is read (inflated up to it), against
/// `git cat-file | hexyl --skip` (wall time, median of `RUNS`, interleaved).
/// The TUI's hex job on the same blob: when its first page arrives, and
/// when the whole view (the blob read and scanned) does.
fn hex_job_first_page(repo: &Path, db: &Path) {
    use rearview::jobs::{Job, JobContext, Jobs, Reply, Request};
    let rev = Command::new("git").args(["rev-parse", "HEAD:random.bin"]).current_dir(repo).output();
    let Some(id) = rev.ok().and_then(|o| String::from_utf8(o.stdout).ok()).map(|s| s.trim().to_string()) else {
        return;
    };
    let ctx = JobContext::with_defaults(repo.to_path_buf(), db.to_path_buf());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let jobs = Jobs::new(ctx, tx, runtime.handle().clone());
    let started = Instant::now();
    jobs.submit(Job { id: 1, request: Request::Hex { path: "random.bin".into(), old_blob: None, new_blob: Some(id) } });
    let (mut page, mut whole) = (None, None);
    while let Some(report) = rx.blocking_recv() {
        match report.reply {
            Reply::HexPage(_) => page = Some(ms(started)),
            Reply::Hex(_) => {
                whole = Some(ms(started));
                break;
            }
            _ => {}
        }
    }
    match (page, whole) {
        (Some(page), Some(whole)) => {
            println!(
                "TUI hex job: first page on screen at {page:.0} ms, the whole blob read and scanned at {whole:.0} ms"
            )
        }
        _ => println!("TUI hex job: no page report (page {page:?}, whole {whole:?})"),
    }
}

fn hex_second_view() {
    println!("\n== rearview hex, second view of a page at 200 MiB of a 256 MiB random blob");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("repo");
    let mut w = Writer::init(&path).expect("init");
    let mut data = vec![0u8; 256 << 20];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for chunk in data.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for (b, v) in chunk.iter_mut().zip(x.to_le_bytes()) {
            *b = v;
        }
    }
    let mut files = Files::new();
    files.insert("random.bin".into(), data);
    let tree = w.tree(&files).expect("tree");
    drop(files);
    w.commit(Some("refs/heads/main"), &[], tree, &person(), &person(), 1_700_000_000, "random\n").expect("commit");
    w.set_head("main").expect("head");
    let db = dir.path().join("db.sqlite3");
    let bin = env!("CARGO_BIN_EXE_rearview");
    let offset = (200u64 << 20).to_string();
    let args = [
        "hex",
        "HEAD:random.bin",
        "--offset",
        &offset,
        "--length",
        "4096",
        "--color",
        "always",
        "--db",
        db.to_str().expect("utf-8"),
    ];
    if let Some(t) = time_command(bin, &args, &path, 0) {
        println!("first view (scans the blob, stores its facts): {:.0} ms", t.whole);
    }
    hex_job_first_page(&path, &dir.path().join("tui.sqlite3"));
    let hexyl = ["hexyl", &format!("{}/{TOOLS}/bin/hexyl", env!("CARGO_MANIFEST_DIR"))]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok())
        .map(str::to_string);
    let script = hexyl
        .as_ref()
        .map(|h| format!("git cat-file blob HEAD:random.bin | {h} --skip {offset} --length 4096 >/dev/null"));
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        ours.extend(time_command(bin, &args, &path, 0).map(|t| t.whole));
        if let Some(script) = &script {
            theirs.extend(time_command("sh", &["-c", script], &path, 0).map(|t| t.whole));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied()
    };
    let Some(ours) = median(&mut ours) else { return };
    println!("rearview hex, second view, 4 KiB page at 200 MiB: median {ours:.0} ms (whole process)");
    match median(&mut theirs) {
        Some(peer) => {
            println!("git cat-file | hexyl --skip, same page: median {peer:.0} ms; rearview/peer {:.2}x", ours / peer)
        }
        None => println!("hexyl is not installed (PATH or {TOOLS}/bin): no comparison"),
    }
}
