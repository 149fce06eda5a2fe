//! Views of a [`Verification`]: styled lines for a terminal (and the TUI),
//! JSON, Markdown. Repository and archive text is sanitized here.

use serde_json::{json, Value};

use super::{BinarySide, Content, Finding, FindingKind, Verification};
use crate::inspect;
use crate::render::diff::{DiffRenderer, Layout, Palette};
use crate::render::hex;
use crate::render::markdown::cell;
use crate::render::sanitize::{escape_json_hidden, sanitize_line};
use crate::render::theme::Color;
use crate::render::{Span, Style, StyledLine};

fn warn() -> Style {
    Style { bold: true, ..Style::fg(Color::Indexed(9)) }
}

fn ok() -> Style {
    Style { bold: true, ..Style::fg(Color::Indexed(10)) }
}

fn dim() -> Style {
    Style { dim: true, ..Style::default() }
}

fn short(sha: &str) -> &str {
    crate::model::short_sha(sha)
}

/// The one-line verdict.
pub fn summary(v: &Verification) -> String {
    let failing = v.failing().count();
    let allowed = v.findings.len() - failing;
    let state = if !v.complete {
        "INCOMPLETE: reading stopped at a limit"
    } else if failing > 0 {
        "FAILED"
    } else {
        "OK"
    };
    format!(
        "{state}: {} of {} files match the tag; {failing} finding{} to check, {allowed} allowed",
        v.matched,
        v.files,
        if failing == 1 { "" } else { "s" }
    )
}

fn heading(v: &Verification) -> String {
    let commit = v.commit.as_deref().map(|c| format!(" (commit {})", short(c))).unwrap_or_default();
    let top = v.top_dir.as_deref().map(|t| format!(", top directory {t}/")).unwrap_or_default();
    let made = match (&v.archive_commit, &v.commit) {
        (Some(a), Some(c)) if a == c => ", made by git archive from it".to_string(),
        (Some(a), _) => format!(", made by git archive from {}", short(a)),
        _ => String::new(),
    };
    sanitize_line(&format!("{} ({}{top}) against {}{commit}{made}", v.archive.display(), v.format.as_str(), v.tag))
}

/// A finding's first line: mark, kind, path, detail.
pub fn finding_line(f: &Finding) -> StyledLine {
    let mark = if f.allowed { Span::new("  · ", dim()) } else { Span::new("  ✗ ", warn()) };
    let mut line = vec![mark, Span::new(format!("{:<14}", f.kind.label()), Style { bold: true, ..Style::default() })];
    if !f.path.is_empty() {
        line.push(Span::plain(format!(" {}", sanitize_line(&f.path))));
    }
    if f.generated {
        line.push(Span::new(" [generated]", Style::fg(Color::Indexed(6))));
    }
    line.push(Span::new(format!("  {}", sanitize_line(&f.detail)), dim()));
    line
}

/// What a finding shows of its file: a highlighted diff, or hex summaries.
pub fn content_lines(f: &Finding, layout: &Layout) -> Vec<StyledLine> {
    match &f.content {
        Content::None => Vec::new(),
        Content::Diff(diff) => {
            let mut renderer = DiffRenderer::new(diff, layout.clone(), Palette::default());
            let mut lines = Vec::new();
            for i in 0..renderer.hunk_count() {
                lines.extend(renderer.hunk(i));
            }
            let shown: usize = diff.hunks.iter().map(|h| h.lines.len()).sum();
            if shown >= super::DIFF_LINES_CAP {
                lines.push(vec![Span::new(format!("… diff cut at {} lines", super::DIFF_LINES_CAP), dim())]);
            }
            lines
        }
        Content::Binary { tag, archive, first_change } => {
            let mut lines = Vec::new();
            for (label, side) in [("tag", tag), ("archive", archive)] {
                let Some(side) = side else { continue };
                lines.push(vec![Span::new(format!("{label}:"), Style { bold: true, ..Style::default() })]);
                lines.extend(binary_lines(side));
            }
            if let Some(at) = first_change {
                lines.push(vec![Span::plain(format!("first difference at offset 0x{at:x}"))]);
            }
            lines
        }
    }
}

fn binary_lines(side: &BinarySide) -> Vec<StyledLine> {
    let mut lines = hex::summary(side.size, &side.head, &side.findings);
    if side.scanned < side.size {
        lines.push(vec![Span::new(format!("payload scan: the first {} bytes only", side.scanned), dim())]);
    }
    let palette = hex::Palette::default();
    let own = inspect::file_type(&side.head);
    let shown = inspect::suspicious(&side.findings, own.as_ref());
    let marks = hex::finding_marks(shown.iter().copied(), &palette);
    // The first rows, then the rows of the first finding (when kept).
    let head = &side.head;
    let first_rows = 0..head.len().min(32);
    let mut windows = Vec::from([first_rows]);
    if let Some(first) = shown.first() {
        let start = usize::try_from(first.offset / 16 * 16).unwrap_or(usize::MAX);
        if start < head.len() {
            let from = start.max(windows[0].end);
            windows.push(from..head.len().min(start + 64));
        }
    }
    for window in windows {
        if window.is_empty() {
            continue;
        }
        let rows = hex::rows(&head[window.clone()], window.start as u64, true);
        lines.extend(rows.iter().map(|r| hex::render_row(r, &palette, &marks)));
    }
    lines
}

/// Lines of an allowed finding's content shown in the terminal report.
const ALLOWED_LINES: usize = 40;

/// The whole report as styled lines: heading, failing findings, allowed
/// ones, verdict. Content (diffs, hex) is indented under its finding.
pub fn human(v: &Verification, layout: &Layout) -> Vec<StyledLine> {
    let mut out = Vec::new();
    human_each(v, layout, &mut |lines| {
        out.extend(lines);
        true
    });
    out
}

/// [`human`], handed out a piece at a time (the heading, then each
/// finding with its content, then the verdict), so a printer writes as
/// it goes and holds one finding's lines at once; `emit` returns false to
/// stop (a closed pipe).
pub fn human_each(v: &Verification, layout: &Layout, emit: &mut dyn FnMut(Vec<StyledLine>) -> bool) {
    let bold = Style { bold: true, ..Style::default() };
    let head = vec![
        vec![Span::new(format!("verify-release: {}", heading(v)), bold)],
        vec![Span::new(format!("{} entries, {} files, {} bytes uncompressed", v.entries, v.files, v.bytes), dim())],
    ];
    if !emit(head) {
        return;
    }
    let inner = Layout { width: layout.width.saturating_sub(4).max(20), ..layout.clone() };
    for (title, allowed) in [("To check", false), ("Allowed", true)] {
        let count = v.findings.iter().filter(|f| f.allowed == allowed).count();
        if count == 0 {
            continue;
        }
        if !emit(vec![Vec::new(), vec![Span::new(format!("{title} ({count}):"), bold)]]) {
            return;
        }
        for f in v.findings.iter().filter(|f| f.allowed == allowed) {
            let mut out = vec![finding_line(f)];
            let mut content = content_lines(f, &inner);
            // Allowed files (a generated `configure`) show their start.
            if allowed && content.len() > ALLOWED_LINES {
                let more = content.len() - ALLOWED_LINES;
                content.truncate(ALLOWED_LINES);
                content.push(vec![Span::new(format!("… {more} more lines (all of them: --format json)"), dim())]);
            }
            for mut line in content {
                line.insert(0, Span::plain("    "));
                out.push(line);
            }
            if !emit(out) {
                return;
            }
        }
    }
    let style = if v.failed() { warn() } else { ok() };
    emit(vec![Vec::new(), vec![Span::new(summary(v), style)]]);
}

fn diff_text(f: &Finding) -> Option<Vec<String>> {
    let Content::Diff(diff) = &f.content else { return None };
    let mut out = Vec::new();
    for h in &diff.hunks {
        out.push(format!("@@ -{},{} +{},{} @@", h.old_start, h.old_lines, h.new_start, h.new_lines));
        for l in &h.lines {
            let mark = match l.kind {
                crate::model::LineKind::Added => '+',
                crate::model::LineKind::Removed => '-',
                crate::model::LineKind::Context => ' ',
            };
            out.push(format!("{mark}{}", l.text));
        }
    }
    Some(out)
}

fn side_json(side: &Option<BinarySide>) -> Value {
    let Some(s) = side else { return Value::Null };
    let own = inspect::file_type(&s.head);
    let findings: Vec<Value> = inspect::suspicious(&s.findings, own.as_ref())
        .iter()
        .map(|f| json!({"offset": f.offset, "kind": f.kind.label(), "detail": f.detail}))
        .collect();
    json!({
        "size": s.size,
        "type": own.map(|t| t.name),
        "scanned": s.scanned,
        "findings": findings,
    })
}

/// The report as one JSON object (fields in the README).
pub fn json(v: &Verification) -> String {
    let mut counts = serde_json::Map::new();
    for f in &v.findings {
        let entry = counts.entry(f.kind.as_str()).or_insert(json!(0));
        *entry = json!(entry.as_u64().unwrap_or(0) + 1);
    }
    let findings: Vec<Value> = v
        .findings
        .iter()
        .map(|f| {
            let binary = match &f.content {
                Content::Binary { tag, archive, first_change } => json!({
                    "tag": side_json(tag),
                    "archive": side_json(archive),
                    "first_change": first_change,
                }),
                _ => Value::Null,
            };
            json!({
                "kind": f.kind,
                "path": f.path,
                "generated": f.generated,
                "allowed": f.allowed,
                "detail": f.detail,
                "diff": diff_text(f),
                "binary": binary,
            })
        })
        .collect();
    let value = json!({
        "tag": v.tag,
        "commit": v.commit,
        "archive_commit": v.archive_commit,
        "archive": v.archive.display().to_string(),
        "format": v.format.as_str(),
        "top_dir": v.top_dir,
        "entries": v.entries,
        "files": v.files,
        "matched": v.matched,
        "bytes": v.bytes,
        "complete": v.complete,
        "ok": !v.failed(),
        "counts": counts,
        "findings": findings,
    });
    let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
    escape_json_hidden(&text)
}

/// The report in Markdown, for release notes or an issue: a verdict, a
/// table of findings, and the diffs in fenced blocks.
pub fn markdown(v: &Verification) -> String {
    let mut out = String::new();
    out.push_str(&format!("## Release verification: {}\n\n", cell(&v.tag)));
    out.push_str(&format!("{}\n\n", cell(&heading(v))));
    out.push_str(&format!("**{}**\n\n", cell(&summary(v))));
    if !v.findings.is_empty() {
        out.push_str("| | finding | path | detail |\n|---|---|---|---|\n");
        for f in &v.findings {
            let mark = if f.allowed { "allowed" } else { "**check**" };
            let generated = if f.generated { " (generated)" } else { "" };
            out.push_str(&format!(
                "| {mark} | {}{generated} | {} | {} |\n",
                f.kind.label(),
                cell(&f.path),
                cell(&f.detail)
            ));
        }
        out.push('\n');
    }
    for f in v.findings.iter().filter(|f| !f.allowed) {
        let body: Vec<String> = match &f.content {
            Content::Diff(_) => diff_text(f).unwrap_or_default().iter().map(|l| sanitize_line(l)).collect(),
            Content::Binary { .. } => content_lines(
                f,
                &Layout { side_by_side: false, width: 100, syntax_theme: String::new(), max_line_chars: None },
            )
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect(),
            Content::None => continue,
        };
        let longest = body.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let lang = if matches!(f.content, Content::Diff(_)) { "diff" } else { "text" };
        out.push_str(&format!(
            "### {} `{}`\n\n{fence}{lang}\n",
            f.kind.label(),
            sanitize_line(&f.path).replace('`', "'")
        ));
        for line in body {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&format!("{fence}\n\n"));
    }
    out
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Findings of each kind, for a checklist.
pub fn counts(v: &Verification) -> Vec<(FindingKind, usize)> {
    let mut out: Vec<(FindingKind, usize)> = Vec::new();
    for f in &v.findings {
        match out.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, n)) => *n += 1,
            None => out.push((f.kind, 1)),
        }
    }
    out
}
