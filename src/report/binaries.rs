//! Views of the binary inventory: a table, JSON, and Markdown. Repository
//! text is sanitized (the pipeline sanitized paths and lines; they are
//! sanitized again here, which changes nothing clean); Markdown cells are
//! escaped.

use std::fmt::Write as _;

use crate::model::binary::{BinaryFile, Concern};
use crate::model::{day, short_sha, Verdict};
use crate::render::hex::{human_size, SizeStyle};
use crate::render::markdown::{cell, code};
use crate::render::sanitize::sanitize_line;

use super::grid::grid;
use super::{clip, to_json};

/// The concern in a word or two.
pub fn concern_label(c: Concern) -> &'static str {
    match c {
        Concern::Payload => "PAYLOAD",
        Concern::UnreviewedUnexplained => "unreviewed, unexplained",
        Concern::UnreviewedOrUnexplained => "unreviewed or unexplained",
        Concern::Explained => "",
    }
}

/// The least reassuring verdict of the changes that added or changed it
/// (`-` when no change on a watched branch did).
pub fn worst_verdict(file: &BinaryFile) -> Option<Verdict> {
    file.verdicts.iter().map(|v| v.verdict).max()
}

/// What explains it, in a few words: `README, Makefile, 3 files`, or
/// `upstream`, or `-`.
pub fn explained_by(file: &BinaryFile) -> String {
    let p = &file.provenance;
    let mut parts: Vec<String> = Vec::new();
    if file.upstream.is_some() {
        parts.push("upstream".into());
    }
    if p.generator.is_some() {
        parts.push("generator".into());
    }
    if p.makefile.is_some() {
        parts.push("Makefile".into());
    }
    if p.readme.is_some() {
        parts.push("README".into());
    }
    if !p.mentioned_by.is_empty() {
        let n = p.mentioned_by.len();
        parts.push(format!("named in {n} file{}", if n == 1 { "" } else { "s" }));
    } else if !p.directory_mentioned_by.is_empty() {
        parts.push("its directory named".into());
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

/// Its findings in one line: `ELF header at 0x200, shell command at 0x340`.
pub fn findings_line(file: &BinaryFile) -> String {
    let mut text: Vec<String> = file
        .findings
        .iter()
        .take(3)
        .map(|f| match &f.inside {
            Some(format) => format!("{} at 0x{:x} inside {format}", f.kind, f.offset),
            None => format!("{} at 0x{:x}", f.kind, f.offset),
        })
        .collect();
    if file.findings.len() > 3 {
        text.push(format!("{} more", file.findings.len() - 3));
    }
    sanitize_line(&text.join(", "))
}

/// The inventory as a table, by concern.
pub fn binaries_table(files: &[BinaryFile], rev: &str) -> String {
    let header =
        ["CONCERN", "PATH", "TYPE", "SIZE", "ENTROPY", "ADDED BY", "ADDED IN", "VERDICT", "EXPLAINED BY", "FINDINGS"];
    let rows: Vec<Vec<String>> = files
        .iter()
        .map(|f| {
            vec![
                concern_label(f.concern).to_string(),
                clip(&sanitize_line(&f.path), 60),
                clip(&sanitize_line(f.file_type.as_deref().unwrap_or("data")), 28),
                human_size(f.size, SizeStyle::Brief),
                format!("{:.2}", f.entropy),
                clip(&sanitize_line(f.added_by.as_deref().unwrap_or("-")), 20),
                f.added_in.as_deref().map_or("-", short_sha).to_string(),
                worst_verdict(f).map_or("-", Verdict::as_str).to_string(),
                explained_by(f),
                findings_line(f),
            ]
        })
        .collect();
    let mut out = grid(&header, &rows, &[3, 4]);
    let _ = writeln!(out, "\n{}", footer(files, rev));
    out
}

/// The inventory as one JSON array (schema in the README).
pub fn binaries_json(files: &[BinaryFile]) -> String {
    to_json(&files)
}

/// The inventory as Markdown: a table by concern, then each file with
/// findings or no explanation, with what was found.
pub fn binaries_markdown(files: &[BinaryFile], rev: &str) -> String {
    let mut md = format!("# Binary files at `{}`\n\n{}\n\n", code(rev), footer(files, rev));
    md.push_str("| Concern | Path | Type | Size | Entropy | Added by | Added in | Added | Verdict | Explained by | Findings |\n");
    md.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for f in files {
        let _ = writeln!(
            md,
            "| {} | `{}` | {} | {} | {:.2} | {} | {} | {} | {} | {} | {} |",
            concern_label(f.concern),
            code(&f.path).replace('|', "\\|"),
            cell(f.file_type.as_deref().unwrap_or("data")),
            human_size(f.size, SizeStyle::Brief),
            f.entropy,
            cell(f.added_by.as_deref().unwrap_or("-")),
            f.added_in.as_deref().map_or("-".to_string(), |s| format!("`{}`", short_sha(s))),
            day(f.added_at),
            worst_verdict(f).map_or("-".to_string(), super::verdict_cell),
            cell(&explained_by(f)),
            cell(&findings_line(f)),
        );
    }
    md
}

/// `12 binary files at main (3a4b5c6d7e): 1 with payload findings, 2 unreviewed and unexplained`.
fn footer(files: &[BinaryFile], rev: &str) -> String {
    let count = |c: Concern| files.iter().filter(|f| f.concern == c).count();
    format!(
        "{} binary file{} at {}: {} with payload findings, {} unreviewed and unexplained, {} unreviewed or unexplained",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        sanitize_line(rev),
        count(Concern::Payload),
        count(Concern::UnreviewedUnexplained),
        count(Concern::UnreviewedOrUnexplained),
    )
}
