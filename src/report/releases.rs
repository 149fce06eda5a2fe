//! `rearview releases`: the release tags as a table sorted by concern, as
//! JSON newest first, and as Markdown. Repository text is sanitized.

use std::fmt::Write as _;

use super::{clip, to_json};
use crate::model::{ReleaseTag, TagConcern};
use crate::render::markdown::{cell, code};
use crate::render::sanitize::sanitize_line;

/// The releases as one JSON array (fields in the README), in the order given.
pub fn releases_json(releases: &[ReleaseTag]) -> String {
    to_json(&releases)
}

/// The releases most in need of a look first (bad signature, signer
/// changed, unsigned, unverified, the rest), newest first within each.
pub fn by_concern(releases: &[ReleaseTag]) -> Vec<&ReleaseTag> {
    let mut sorted: Vec<&ReleaseTag> = releases.iter().collect();
    sorted.sort_by(|a, b| a.concern().cmp(&b.concern()).then(b.time.cmp(&a.time)).then_with(|| b.tag.cmp(&a.tag)));
    sorted
}

/// The signer as a person reads it: the key, or why there is none.
pub fn signer_text(r: &ReleaseTag) -> String {
    match (&r.signer_key, r.signed) {
        (_, false) => "-".into(),
        (Some(key), true) => sanitize_line(key),
        (None, true) => "unknown".into(),
    }
}

/// `yes`, `BAD`, `unknown key`, `-` (unsigned).
pub fn verified_text(r: &ReleaseTag) -> &'static str {
    match (r.signed, r.verified) {
        (false, _) => "-",
        (true, Some(true)) => "yes",
        (true, Some(false)) => "BAD",
        (true, None) => "unknown key",
    }
}

/// What to say beside a release: its signer change or signature error.
pub fn note(r: &ReleaseTag) -> String {
    let mut notes = Vec::new();
    if let Some(error) = &r.signature_error {
        notes.push(sanitize_line(error));
    }
    if r.signer_changed {
        let previous = r.previous.as_deref().unwrap_or("?");
        let key = r.previous_signer_key.as_deref().unwrap_or("?");
        notes.push(format!("signer changed: {} was signed by {}", sanitize_line(previous), sanitize_line(key)));
    }
    notes.join("; ")
}

fn tagger(r: &ReleaseTag) -> String {
    r.tagger.as_ref().map_or_else(|| "(lightweight)".into(), |t| sanitize_line(&t.name))
}

/// An aligned table, by concern.
pub fn releases_table(releases: &[ReleaseTag]) -> String {
    let header = ["CONCERN", "TAG", "BRANCH", "DATE", "TAGGER", "SIGNATURE", "SIGNER", "VERIFIED", "NOTE"];
    let rows: Vec<Vec<String>> = by_concern(releases)
        .into_iter()
        .map(|r| {
            vec![
                r.concern().as_str().to_string(),
                clip(&sanitize_line(&r.tag), 24),
                clip(&sanitize_line(&r.branch), 12),
                r.date.get(..10).unwrap_or(&r.date).to_string(),
                clip(&tagger(r), 20),
                r.signature.map_or("-", |s| s.as_str()).to_string(),
                clip(&signer_text(r), 52),
                verified_text(r).to_string(),
                clip(&note(r), 100),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, text) in widths.iter_mut().zip(row) {
            *w = (*w).max(text.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (text, w) in row.iter().zip(&widths) {
            let _ = write!(line, "{text}{}  ", " ".repeat(w.saturating_sub(text.chars().count())));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let _ = writeln!(out, "\n{}", summary(releases));
    out
}

/// `5 release tags: 3 verified, 1 signer changed, 1 unsigned`.
pub fn summary(releases: &[ReleaseTag]) -> String {
    let mut counts: Vec<(TagConcern, usize)> = Vec::new();
    for r in by_concern(releases) {
        match counts.last_mut() {
            Some((c, n)) if *c == r.concern() => *n += 1,
            _ => counts.push((r.concern(), 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(c, n)| format!("{n} {}", c.as_str())).collect();
    let plural = if releases.len() == 1 { "release tag" } else { "release tags" };
    if parts.is_empty() {
        return format!("0 {plural} on the watched branches");
    }
    format!("{} {plural}: {}", releases.len(), parts.join(", "))
}

/// Markdown for an issue or release notes: no raw HTML, no mentions.
pub fn releases_markdown(releases: &[ReleaseTag]) -> String {
    let mut md = String::from("# Release tags\n\n");
    let _ = writeln!(md, "{}\n", summary(releases));
    md.push_str("| Concern | Tag | Branch | Date | Tagger | Signature | Signer | Verified | Note |\n");
    md.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for r in by_concern(releases) {
        let concern = match r.concern() {
            TagConcern::Fine => r.concern().as_str().to_string(),
            other => format!("**{}**", other.as_str()),
        };
        let _ = writeln!(
            md,
            "| {concern} | `{}` | `{}` | {} | {} | {} | {} | {} | {} |",
            code(&r.tag),
            code(&r.branch),
            cell(r.date.get(..10).unwrap_or(&r.date)),
            cell(&tagger(r)),
            r.signature.map_or("–", |s| s.as_str()),
            match &r.signer_key {
                Some(key) => format!("`{}`", code(key)),
                None => "–".into(),
            },
            verified_text(r),
            cell(&note(r)),
        );
    }
    md
}
