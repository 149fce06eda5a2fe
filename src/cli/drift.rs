//! `rearview drift REV`: what a backport changes that its reviewed original
//! did not, hunk by hunk, highlighted. Exit 0 without drift, 1 with.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};

use rearview::model::short_sha;
use rearview::pipeline::change::{self, Target};
use rearview::render::diff::{DiffRenderer, Layout, Palette};
use rearview::render::sanitize::sanitize_line;
use rearview::render::theme::Color;
use rearview::render::{ansi, Span, Style, StyledLine};
use rearview::triage::drift;

use super::{context, DriftArgs, Global};

pub fn drift(global: &Global, args: &DriftArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    let target = Target::Revision(args.rev.clone());
    let change = change::find(&ctx.repo, &mut ctx.store, &ctx.config, &target)?.with_context(|| {
        format!("`{}` is not a change on a watched branch (`rearview list` shows them)", sanitize_line(&args.rev))
    })?;
    let sha = change.sha.clone();
    let Some(original) = &change.original else {
        bail!(
            "{} is not a backport with a known original (no cherry-pick trailer, `(GH-N)` title or equal patch-id)",
            short_sha(&sha)
        );
    };
    let d = change::drift(&ctx.repo, &original.sha, &sha)?;

    let color = global.color.wanted();
    let mut out = std::io::stdout().lock();
    let mut write = |lines: &[StyledLine]| -> Result<bool> {
        match out.write_all(ansi::lines(lines, color).as_bytes()) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => Err(e).context("cannot write to stdout"),
        }
    };
    let bold = Style { bold: true, ..Style::default() };
    let pr = |n: Option<u64>| n.map(|n| format!(" (#{n})")).unwrap_or_default();
    let heading = vec![
        vec![Span::new(
            format!("backport {}{} {}", short_sha(&sha), pr(change.pr), sanitize_line(&change.title)),
            bold,
        )],
        vec![Span::plain(format!(
            "original {}{} on {}",
            short_sha(&original.sha),
            pr(original.pr),
            sanitize_line(&original.branch)
        ))],
        vec![Span::new(
            format!("drift: {}", d.summary()),
            Style { bold: true, ..Style::fg(if d.is_empty() { Color::Indexed(2) } else { Color::Indexed(3) }) },
        )],
    ];
    if !write(&heading)? {
        return Ok(exit(&d));
    }
    if d.moved > 0 {
        write(&[vec![Span::plain(format!("({} identical hunks under another path: not drift)", d.moved))]])?;
    }
    for (path, theirs, ours) in &d.binaries {
        let text = format!(
            "binary {}: original {} ┃ backport {}",
            sanitize_line(path),
            theirs.as_deref().map(short_sha).unwrap_or("(none)"),
            ours.as_deref().map(short_sha).unwrap_or("(none)")
        );
        write(&[vec![Span::new(text, Style::fg(Color::Indexed(9)))]])?;
    }
    let layout = Layout {
        side_by_side: false,
        width: args.width.unwrap_or(120).clamp(40, 1000),
        syntax_theme: args.syntax_theme.clone(),
    };
    for (title, file) in drift::sections(&d) {
        let mut renderer = DiffRenderer::new(&file, layout.clone(), Palette::default());
        let mut lines = vec![vec![], vec![Span::new(format!("── {title} ──"), Style::fg(Color::Indexed(6)))]];
        lines.extend(renderer.header());
        lines.extend(renderer.hunk(0));
        if !write(&lines)? {
            break;
        }
    }
    Ok(exit(&d))
}

fn exit(d: &drift::Interdiff) -> ExitCode {
    if d.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
