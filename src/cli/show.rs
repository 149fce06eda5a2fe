//! `rearview show` and `rearview hex`: a change or a blob printed for a
//! reader, highlighted and sanitized, binaries as hex with what hides in
//! them. Output goes out file by file and hunk by hunk, so `| head` stops
//! the work early.

use std::process::ExitCode;

use anyhow::{Context as _, Result};

use rearview::inspect::{self, BlobFacts, FileType};
use rearview::model::{short_sha, FileDiff};
use rearview::pipeline;
use rearview::pipeline::printer::{self, Look};
use rearview::render::diff::{Layout, Palette};
use rearview::render::hex::{self, SizeStyle};
use rearview::render::sanitize::sanitize_line;
use rearview::render::theme::Color;
use rearview::render::{Style, StyledLine};
use rearview::store::Store;

use super::output::{Out, Printed};
use super::{open_repo, terminal, Global, HexArgs, ShowArgs};

/// Rows of a binary shown inline by `show` (the rest: `rearview hex`).
const INLINE_HEX_ROWS: usize = 8;

pub fn show(global: &Global, args: &ShowArgs) -> Result<ExitCode> {
    // A big diff's tokens and tables are freed before its lines are
    // styled: their pages should not stay in the peak.
    crate::hand_back_freed_pages_at_once();
    // Printing a change reads the repository only: no store; the config
    // only for the syntax theme.
    let syntax_theme = theme_for(global, args.syntax_theme.as_deref())?;
    let repo = &open_repo(global)?;
    let oid = repo.resolve(&args.rev)?;
    let sha = oid.to_string();
    let commit = repo.commit(&sha)?.with_context(|| format!("`{}` is not a commit", args.rev))?;
    let mut out = Out::stdout(global.color.wanted());
    let yellow = Style::fg(Color::Indexed(3));
    out.line(format!("commit {sha}"), yellow)?;
    if commit.parent_count > 1 {
        out.line(format!("merge of {} parents: diff against the first", commit.parent_count), Style::default())?;
    }
    out.line(
        format!("Author: {} <{}>", sanitize_line(&commit.author.name), sanitize_line(&commit.author.email)),
        Style::default(),
    )?;
    out.line(format!("Date:   {}", rearview::model::rfc3339(commit.time)), Style::default())?;
    out.line("", Style::default())?;
    for line in commit.message.lines() {
        out.line(format!("    {}", sanitize_line(line)), Style::default())?;
    }
    out.line("", Style::default())?;

    // Files are diffed one at a time and their lines read as they are
    // shown: the first lines print before the whole diff is read.
    let layout = Layout {
        side_by_side: args.side_by_side,
        width: terminal::width(args.width, 20),
        syntax_theme,
        max_line_chars: None,
    };
    // While the first file's lines are diffed, another core loads the
    // syntaxes and links that file's grammar.
    let diff = repo.diff_lazy(&sha, &args.paths)?;
    if let Some(path) = diff.path(0) {
        let theme = layout.syntax_theme.clone();
        let _ = std::thread::Builder::new()
            .name("warm-up".into())
            .spawn(move || rearview::render::highlight::warm_up_for(&path, &theme));
    }
    let more_hex =
        |file: &FileDiff| format!("rearview hex {}", sanitize_line(&format!("{}:{}", short_sha(&sha), file.path())));
    let look = Look {
        layout,
        palette: Palette::default(),
        hex_palette: hex::Palette::default(),
        warn: Style { bold: true, ..Style::fg(Color::Indexed(9)) },
        hex_rows: INLINE_HEX_ROWS,
        more_hex: &more_hex,
    };
    let mut printed = Printed::new(&mut out);
    printer::print_change(repo, &diff, &look, &mut printed)?;
    printed.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// The syntax theme the flag names, else the config's, else the default.
pub(super) fn theme_for(global: &Global, flag: Option<&str>) -> Result<String> {
    if let Some(name) = flag {
        return Ok(rearview::render::highlight::resolve_theme(name)?);
    }
    super::assets::syntax_theme(None, &rearview::config::Config::load(global.config.as_deref())?)
}

/// The type and size line of a blob.
fn describe(facts: &BlobFacts) -> (Option<FileType>, String) {
    let kind = facts.file_type();
    let size = hex::human_size(facts.len, SizeStyle::Brief);
    let text = match &kind {
        Some(t) => format!("{}, {size}", t.description),
        None => format!("data, {size}"),
    };
    (kind, text)
}

/// How much of a blob `hex` reads at a time after the scan.
const CHUNK: usize = 1 << 20;
/// The most bytes of the requested range kept from the first pass; a
/// longer range is read again, page by page, after the summary.
const KEEP_LIMIT: u64 = 1 << 20;
/// Rows are built a page at a time (repeated rows squeeze within a page).
const PAGE: usize = 64 * 1024;

/// The part of `chunk` (at blob offset `at`) inside `range`.
fn clip<'a>(chunk: &'a [u8], at: u64, range: &std::ops::Range<u64>) -> &'a [u8] {
    let from = range.start.max(at);
    let to = range.end.min(at + chunk.len() as u64);
    if from >= to {
        return &[];
    }
    chunk.get((from - at) as usize..(to - at) as usize).unwrap_or_default()
}

/// Entropy marks in the hex view's header.
const MARKS: usize = 64;

/// `rearview hex`: the blob's type, entropy and payload findings come from
/// the store when an earlier view scanned it (then only the page is read:
/// inflated up to it, the floor for a zlib stream); else one pass over the
/// blob, a chunk at a time, gives them and keeps the bytes asked for, and
/// the facts are stored for the next view. Memory stays bounded.
pub fn hex_view(global: &Global, args: &HexArgs) -> Result<ExitCode> {
    if args.decompressed {
        return hex_decompressed(global, args);
    }
    let repo = open_repo(global)?;
    let id = repo.blob_at(&args.spec)?;
    let mut store = scan_cache(global, &repo);
    // Shown with its undecodable bytes replaced (and revealed by sanitizing).
    let spec = args.spec.to_string_lossy();
    let what = || format!("cannot read {}", sanitize_line(&spec));
    let mut out = Out::stdout(global.color.wanted());
    let wanted = |len: u64| {
        let start = args.offset.min(len);
        start..args.length.map_or(len, |n| start.saturating_add(n).min(len))
    };
    // `None` when the store had the facts and the page is printed already.
    let scanned = repo.read_blob(&id, |mut stream| -> Result<_> {
        let len = stream.len();
        // An offset past the end would print nothing and look like success.
        if args.offset > 0 && args.offset >= len {
            return Err(past_the_end(args.offset, len, &sanitize_line(&spec)));
        }
        let range = wanted(len);
        let cached = store.as_ref().and_then(|db| match pipeline::blobfacts::cached(db, &id, len, MARKS) {
            Ok(found) => found,
            Err(e) => {
                quiet_note(global, &format!("the blob's cached scan is not read ({e})"));
                None
            }
        });
        if let Some(facts) = cached {
            // Only the page: the header from the store, then the bytes.
            let marks = print_header(&spec, &facts, &mut out)?;
            let skipped = stream.skip(range.start).with_context(what)?;
            if skipped == range.start {
                print_range(&mut stream, range, &marks, &what(), &mut out)?;
            }
            return Ok(None);
        }
        let keep = range.end - range.start <= KEEP_LIMIT;
        let mut page = Vec::new();
        let facts = stream
            .scan(MARKS, |at, chunk| {
                if keep {
                    page.extend_from_slice(clip(chunk, at, &range));
                }
            })
            .with_context(what)?;
        Ok(Some((facts, keep.then_some((range.start, page)).ok_or(range))))
    })??;
    let Some((facts, kept)) = scanned else { return Ok(ExitCode::SUCCESS) };
    // Kept before printing: a reader that hangs up early still leaves it.
    if let Some(db) = store.as_mut() {
        if let Err(e) = pipeline::blobfacts::remember(db, &id, MARKS, &facts) {
            quiet_note(global, &format!("the blob's scan is not kept ({e})"));
        }
    }
    let marks = print_header(&spec, &facts, &mut out)?;
    match kept {
        Ok((start, page)) => print_pages(&page, start, &hex::Palette::default(), &marks, &mut out)?,
        // Too long to keep: read the range again, printing as it comes.
        Err(range) => repo.read_blob(&id, |mut stream| -> Result<()> {
            let skipped = stream.skip(range.start).with_context(what)?;
            if skipped == range.start {
                print_range(&mut stream, range, &marks, &what(), &mut out)?;
            }
            Ok(())
        })??,
    }
    Ok(ExitCode::SUCCESS)
}

/// The store that keeps blob scans, when it opens: hex works without it
/// and says so only on `-v`.
fn scan_cache(global: &Global, repo: &rearview::repo::Repo) -> Option<Store> {
    let opened = super::store_path(global, repo).and_then(|path| Ok(Store::open(&path)?));
    opened.map_err(|e| quiet_note(global, &format!("no store for the blob's scan ({e:#})"))).ok()
}

/// One line on stderr under `-v`, else nothing.
fn quiet_note(global: &Global, text: &str) {
    if global.verbose {
        eprintln!("rearview: {}: every view scans the whole blob", sanitize_line(text));
    }
}

/// The header of a blob's hex view (name, type and size, entropy, the
/// findings worth a look); returns the rows' finding marks.
fn print_header(spec: &str, facts: &BlobFacts, out: &mut Out<impl std::io::Write>) -> Result<Vec<hex::Mark>> {
    let (kind, text) = describe(facts);
    out.line(format!("{}: {text}", sanitize_line(spec)), Style { bold: true, ..Style::default() })?;
    out.line(format!("entropy per block: {}", hex::sparkline(&facts.entropy)), Style::default())?;
    let suspicious = inspect::suspicious(&facts.findings, kind.as_ref());
    print_findings(&suspicious, out)?;
    Ok(hex::finding_marks(suspicious.iter().copied(), &hex::Palette::default()))
}

/// The bytes of `range` from `stream`, which stands at its start, printed
/// a page at a time as they come.
fn print_range(
    stream: &mut impl std::io::Read,
    range: std::ops::Range<u64>,
    marks: &[hex::Mark],
    what: &str,
    out: &mut Out<impl std::io::Write>,
) -> Result<()> {
    let palette = hex::Palette::default();
    let mut buf = vec![0u8; CHUNK.min(usize::try_from(range.end - range.start).unwrap_or(CHUNK)).max(PAGE)];
    let mut pending: Vec<u8> = Vec::with_capacity(buf.len() + PAGE);
    let (mut at, mut shown) = (range.start, range.start);
    while !out.closed() && shown < range.end {
        let want = usize::try_from(range.end - at).unwrap_or(usize::MAX).min(buf.len());
        let n = match stream.read(buf.get_mut(..want).unwrap_or_default()) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            read => read.context(what.to_string())?,
        };
        pending.extend_from_slice(buf.get(..n).unwrap_or_default());
        at += n as u64;
        let whole = if at >= range.end || n == 0 { pending.len() } else { pending.len() / PAGE * PAGE };
        for piece in pending.get(..whole).unwrap_or_default().chunks(PAGE) {
            if out.closed() {
                break;
            }
            print_rows(piece, shown, &palette, marks, out)?;
            shown += piece.len() as u64;
        }
        pending.drain(..whole);
        if n == 0 {
            break;
        }
    }
    Ok(())
}

fn warn() -> Style {
    Style { bold: true, ..Style::fg(Color::Indexed(9)) }
}

fn print_findings(findings: &[&inspect::Finding], out: &mut Out<impl std::io::Write>) -> Result<()> {
    for f in findings {
        out.line(format!("⚠ 0x{:08x}  {}: {}", f.offset, f.kind.label(), sanitize_line(&f.detail)), warn())?;
    }
    Ok(())
}

fn print_rows(
    bytes: &[u8],
    at: u64,
    palette: &hex::Palette,
    marks: &[hex::Mark],
    out: &mut Out<impl std::io::Write>,
) -> Result<()> {
    let rows = hex::rows(bytes, at, true);
    let lines: Vec<StyledLine> = rows.iter().map(|r| hex::render_row(r, palette, marks)).collect();
    out.lines(&lines)
}

/// Bytes held in memory (from offset `start`), a page at a time.
fn print_pages(
    bytes: &[u8],
    start: u64,
    palette: &hex::Palette,
    marks: &[hex::Mark],
    out: &mut Out<impl std::io::Write>,
) -> Result<()> {
    for (i, piece) in bytes.chunks(PAGE).enumerate() {
        if out.closed() {
            break;
        }
        print_rows(piece, start + (i * PAGE) as u64, palette, marks, out)?;
    }
    Ok(())
}

/// The error for an offset past the end of `len` bytes of `what`.
fn past_the_end(offset: u64, len: u64, what: &str) -> anyhow::Error {
    let human = hex::human_size(len, SizeStyle::Brief);
    let size = if len < 1024 { format!("{len} bytes") } else { format!("{len} bytes ({human})") };
    anyhow::anyhow!("offset {offset} is past the end of {what}: it is {size}; pass --offset below {len}")
}

/// `rearview hex --decompressed`: the blob read as a stream once, what it
/// decompresses to held (64 MiB at most), scanned, and the range asked for
/// printed at its decompressed offsets.
fn hex_decompressed(global: &Global, args: &HexArgs) -> Result<ExitCode> {
    use rearview::pipeline::decompressed;
    use std::io::Read as _;

    let repo = open_repo(global)?;
    let id = repo.blob_at(&args.spec)?;
    let spec = sanitize_line(&args.spec.to_string_lossy());
    let (compressed, bytes, unpacked) = repo.read_blob(&id, |mut stream| -> Result<_> {
        let len = stream.len();
        // Enough of a head for the type named when it is not a stream.
        let mut head = Vec::with_capacity(512);
        (&mut stream).take(512).read_to_end(&mut head).with_context(|| format!("cannot read {spec}"))?;
        let Some(format) = inspect::Compression::of(&head) else {
            let text = !inspect::is_binary(&head, inspect::BinaryRule::NulOrInvalidUtf8 { truncated: true });
            let what = inspect::file_type(&head).map_or(if text { "text" } else { "data" }, |t| t.description);
            anyhow::bail!(
                "{spec} is not a compressed stream (it is {what}); --decompressed reads gzip, xz, lzma, bzip2 and zstd: drop it to see the blob's bytes"
            );
        };
        let (bytes, unpacked) = decompressed::unpack(format, head.as_slice().chain(stream), 64);
        Ok((len, bytes, unpacked))
    })??;
    let len = bytes.len() as u64;
    if args.offset > 0 && args.offset >= len {
        return Err(past_the_end(args.offset, len, &format!("what {spec} decompresses to")));
    }
    let mut out = Out::stdout(global.color.wanted());
    let inner = unpacked.facts.file_type().map_or("data", |t| t.description);
    let headline = decompressed::headline(&unpacked.done, compressed);
    out.line(format!("{spec}: {headline}: {inner}"), Style { bold: true, ..Style::default() })?;
    if let Some(note) = decompressed::ending_note(&unpacked.done) {
        let style = if unpacked.done.ending.stopped_early() { warn() } else { Style::default() };
        out.line(format!("⚠ {note}"), style)?;
    }
    out.line(format!("entropy per block: {}", hex::sparkline(&unpacked.facts.entropy)), Style::default())?;
    if let Some(found) = &unpacked.incompressible {
        let text = decompressed::incompressible_text(found);
        out.line(format!("⚠ 0x{:08x}  incompressible: {text}", found.offset), warn())?;
    }
    let findings = unpacked.findings();
    print_findings(&findings, &mut out)?;
    let palette = hex::Palette::default();
    let marks = hex::finding_marks(findings.iter().copied(), &palette);
    let start = args.offset.min(len);
    let end = args.length.map_or(len, |n| start.saturating_add(n).min(len));
    let range = bytes.get(start as usize..end as usize).unwrap_or_default();
    print_pages(range, start, &palette, &marks, &mut out)?;
    Ok(ExitCode::SUCCESS)
}
