//! `rearview drift REV`: what a backport changes that its reviewed original
//! did not, hunk by hunk, highlighted. Exit 0 without drift, 1 with.

use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use clap::Args;

use rearview::model::{short_sha, FileDiff};
use rearview::pipeline::change::{self, Target};
use rearview::pipeline::printer::{self, Look};
use rearview::render::diff::{Layout, Palette};
use rearview::render::hex;
use rearview::render::sanitize::sanitize_line;
use rearview::render::theme::Color;
use rearview::render::{Span, Style};
use rearview::triage::drift;

use super::output::{Out, Printed};
use super::{context, Global};

#[derive(Args)]
pub struct DriftArgs {
    /// The backport: a commit, `3.12~2`, a sha.
    rev: String,
    /// Columns to lay out for (default 120).
    #[arg(long)]
    width: Option<usize>,
    /// Syntax highlighting theme (a bat theme name; default: the config's
    /// ui.syntax_theme, else Monokai Extended).
    #[arg(long)]
    syntax_theme: Option<String>,
}

pub fn drift(global: &Global, args: &DriftArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    let syntax_theme = super::assets::syntax_theme(args.syntax_theme.as_deref(), &ctx.config)?;
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

    let mut out = Out::stdout(global.color.wanted());
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
    out.lines(&heading)?;
    if out.closed() {
        return Ok(exit(&d));
    }
    if d.moved > 0 {
        out.lines(&[vec![Span::plain(format!("({} identical hunks under another path: not drift)", d.moved))]])?;
    }
    let no_hex = |_: &FileDiff| String::new();
    let look = Look {
        layout: Layout {
            side_by_side: false,
            width: args.width.unwrap_or(120).clamp(40, 1000),
            syntax_theme,
            max_line_chars: None,
        },
        palette: Palette::default(),
        hex_palette: hex::Palette::default(),
        warn: Style { bold: true, ..Style::fg(Color::Indexed(9)) },
        hex_rows: 0,
        more_hex: &no_hex,
    };
    let mut printed = Printed::new(&mut out);
    printer::print_drift(&d, &look, &mut printed);
    printed.finish()?;
    Ok(exit(&d))
}

fn exit(d: &drift::Interdiff) -> ExitCode {
    if d.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
