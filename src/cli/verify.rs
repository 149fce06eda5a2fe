//! `rearview verify-release`: the CLI side of `rearview::release`. Exit
//! status 0 when the archive holds the tag's tree (allowed differences
//! only), 1 with findings to check, 2 on error.

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::ValueEnum;

use rearview::release::{self, report, Options};
use rearview::render::diff::Layout;

use super::output::{print, Out};
use super::{terminal, Global, VerifyReleaseArgs};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
    Md,
}

/// `4G`, `512M`, `64K`, `1000` (bytes; binary units).
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => t.split_at(at),
        None => (t, ""),
    };
    let shift = match unit.trim().to_ascii_uppercase().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("`{text}` is not a size (e.g. 4G, 512M, 65536)")),
    };
    let n: u64 = digits.parse().map_err(|_| format!("`{text}` is not a size (e.g. 4G, 512M, 65536)"))?;
    n.checked_mul(1u64 << shift).ok_or_else(|| format!("`{text}` is too large"))
}

pub fn verify_release(global: &Global, args: &VerifyReleaseArgs) -> Result<ExitCode> {
    let syntax_theme = super::show::theme_for(global, args.syntax_theme.as_deref())?;
    let repo = match &global.repo {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let mut options = Options::default();
    if args.no_default_generated {
        options.generated.clear();
    }
    options.generated.extend(args.generated.iter().cloned());
    options.allowed_missing.extend(args.allow_missing.iter().cloned());
    options.max_size = args.max_size;
    options.max_ratio = args.max_ratio.max(1);
    let started = std::time::Instant::now();
    let verification = release::verify(&repo, &args.tag, &args.archive, &options)?;
    if global.verbose {
        eprintln!(
            "rearview: read {} entries ({} bytes) in {} ms",
            verification.entries,
            verification.bytes,
            started.elapsed().as_millis()
        );
    }
    match args.format {
        VerifyFormat::Text => {
            // Finding by finding: the first ones show while the rest render.
            let layout = Layout {
                side_by_side: false,
                width: terminal::width(args.width, 40),
                syntax_theme: syntax_theme.clone(),
                max_line_chars: None,
            };
            let mut out = Out::stdout(global.color.wanted());
            let mut failed = None;
            report::human_each(&verification, &layout, &mut |lines| match out.lines(&lines) {
                Ok(()) => !out.closed(),
                Err(e) => {
                    failed = Some(e);
                    false
                }
            });
            if let Some(e) = failed {
                return Err(e);
            }
        }
        VerifyFormat::Json => print(&(report::json(&verification) + "\n"))?,
        VerifyFormat::Md => print(&report::markdown(&verification))?,
    }
    Ok(if verification.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
    }
}
