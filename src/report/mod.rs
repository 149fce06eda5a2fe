//! Non-interactive views of a built queue: a table for people, JSON for
//! programs, Markdown for a GitHub issue. Every repository string passes
//! through `render::sanitize` first.

pub mod binaries;
pub mod coverage;
pub mod grid;
pub mod html;
pub mod people;
mod releases;

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{short_sha, Change, ChangeKind, Queue, Verdict};
use crate::render::markdown::{cell, code};
use crate::render::sanitize::{escape_json_hidden, sanitize_line};
use crate::render::theme::{Color, Theme};
pub use releases::{by_concern, note, releases_json, releases_markdown, releases_table, signer_text, verified_text};

/// The queue as an aligned table, one change per line; verdicts and kinds
/// coloured when a theme is given (a terminal that wants colour). A `note`
/// on the count (a limit that cut the listing) follows it in the footer.
/// With `score` (the risk scores were computed: `--sort risk`,
/// `--min-risk`), a right-aligned SCORE column comes first.
pub fn table(queue: &Queue, note: Option<&str>, theme: Option<&Theme>, score: bool) -> String {
    let mut header = vec!["VERDICT", "KIND", "BRANCH", "PR", "SHA", "AUTHOR", "TITLE", "EVIDENCE"];
    if score {
        header.insert(0, "SCORE");
    }
    // Which columns are right-aligned, and which are coloured.
    let first = usize::from(score);
    let rows: Vec<Vec<String>> = queue
        .changes
        .iter()
        .map(|c| {
            let mut row = vec![
                c.verdict.as_str().to_string(),
                c.kind.as_str().to_string(),
                clip(&sanitize_line(&c.branch), 12),
                c.pr.map(|n| format!("#{n}")).unwrap_or_else(|| "-".into()),
                short_sha(&c.sha).to_string(),
                clip(&sanitize_line(c.author_login.as_deref().unwrap_or(&c.author)), 16),
                clip(&sanitize_line(&c.title), 56),
                clip(&sanitize_line(&evidence_line(c)), 80),
            ];
            if score {
                row.insert(0, c.score.to_string());
            }
            row
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String], colors: [Option<Color>; 2]| {
        let mut text = String::new();
        for (i, (cell, &w)) in cells.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(w.saturating_sub(cell.chars().count()));
            let (before, after) = match (score && i == 0, i + 1 == cells.len()) {
                (true, _) => (pad, "  ".to_string()),
                (false, true) => (String::new(), String::new()),
                (false, false) => (String::new(), format!("{pad}  ")),
            };
            text.push_str(&before);
            match i.checked_sub(first).and_then(|at| colors.get(at).copied().flatten()) {
                Some(color) => {
                    let _ = write!(text, "{}{}\x1b[0m", color.ansi_fg(), cell);
                }
                None => text.push_str(cell),
            }
            text.push_str(&after);
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>(), [None, None]);
    for (row, change) in rows.iter().zip(&queue.changes) {
        let colors =
            theme.map(|t| [Some(t.verdict(change.verdict)), Some(t.kind(change.kind))]).unwrap_or([None, None]);
        line(row, colors);
    }
    let _ = writeln!(out, "\n{}", noted_summary(queue, note));
    out
}

/// `40 changes: 31 covered, 9 pending (reviewed 25, …)`.
pub fn summary(queue: &Queue) -> String {
    noted_summary(queue, None)
}

/// The summary with a note on the count: `1000 changes (NOTE): …`.
fn noted_summary(queue: &Queue, note: Option<&str>) -> String {
    let pending = queue.pending().count();
    let total = queue.changes.len();
    let counts: Vec<String> =
        queue.counts().iter().map(|(v, n)| format!("{} {n}", v.as_str().replace('_', " "))).collect();
    let plural = if total == 1 { "change" } else { "changes" };
    let note = note.map(|n| format!(" ({})", sanitize_line(n))).unwrap_or_default();
    format!("{total} {plural}{note}: {} covered, {pending} pending ({})", total - pending, counts.join(", "))
}

/// The evidence of a change in one line.
pub fn evidence_line(change: &Change) -> String {
    change.evidence.iter().map(|e| e.describe()).collect::<Vec<_>>().join("; ")
}

/// The queue as one JSON array (schema in the README).
pub fn json(queue: &Queue) -> String {
    to_json(&queue.changes)
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    // Serializing plain data with string keys cannot fail.
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    escape_json_hidden(&text)
}

/// What an audit covers.
#[derive(Debug, Clone, Serialize)]
pub struct AuditScope {
    pub repository: String,
    pub branch: String,
    pub since: String,
    /// Where the branch's own changes start (`repo::scope`), if it is a
    /// maintenance branch.
    pub branch_since: Option<String>,
    pub generated_at: String,
    /// What the release tags in the audited range need looked at (a
    /// signer that changed, a bad signature).
    pub release_findings: Vec<crate::model::ReleaseFinding>,
}

#[derive(Serialize)]
struct AuditJson<'a> {
    #[serde(flatten)]
    scope: &'a AuditScope,
    total: usize,
    pending: usize,
    counts: std::collections::BTreeMap<&'static str, usize>,
    changes: &'a [Change],
}

pub fn audit_json(queue: &Queue, scope: &AuditScope) -> String {
    let report = AuditJson {
        scope,
        total: queue.changes.len(),
        pending: queue.pending().count(),
        counts: queue.counts().into_iter().map(|(v, n)| (v.as_str(), n)).collect(),
        changes: &queue.changes,
    };
    to_json(&report)
}

/// The release manager's report, readable pasted into a GitHub issue.
/// The strongest signals of a change, one phrase each.
fn risk_line(c: &Change) -> String {
    let mut kinds: Vec<&str> = Vec::new();
    for r in &c.risks {
        if !kinds.contains(&r.kind.as_str()) {
            kinds.push(r.kind.as_str());
        }
    }
    match c.risks.first() {
        Some(top) => format!("{}: {}", kinds.join(", "), top.explanation),
        None => String::new(),
    }
}

/// Pending backports grouped by how far they drifted from their originals.
fn drift_groups(md: &mut String, pending: &[&Change]) {
    let backports: Vec<&&Change> = pending.iter().filter(|c| c.kind == ChangeKind::Backport).collect();
    if backports.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Pending backports by drift\n");
    type Belongs = fn(Option<u32>) -> bool;
    let groups: [(&str, Belongs); 4] = [
        ("Large drift (more than 3 hunks): read the backport itself", |d| d.is_some_and(|n| n > 3)),
        ("Small drift (1 to 3 hunks): `rearview drift` shows only what differs", |d| {
            d.is_some_and(|n| (1..=3).contains(&n))
        }),
        ("No drift (same patch as the original)", |d| d == Some(0)),
        ("Original unknown", |d| d.is_none()),
    ];
    for (title, belongs) in groups {
        let members: Vec<&&&Change> = backports.iter().filter(|c| belongs(c.drift)).collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(md, "### {title} ({})\n", members.len());
        for c in members {
            let of = c
                .original
                .as_ref()
                .map(|o| format!(" of `{}` {}", short_sha(&o.sha), pr_cell(o.pr)))
                .unwrap_or_default();
            let hunks = match c.drift {
                Some(1) => ", 1 hunk".to_string(),
                Some(n) => format!(", {n} hunks"),
                None => String::new(),
            };
            let _ = writeln!(md, "- `{}` {} {}{of}{hunks}", short_sha(&c.sha), pr_cell(c.pr), cell(&c.title));
        }
        md.push('\n');
    }
}

pub fn audit_markdown(queue: &Queue, scope: &AuditScope) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Review audit: `{}` since `{}`\n", code(&scope.branch), code(&scope.since));
    let own = match &scope.branch_since {
        Some(start) => format!(" (the branch's own changes start after `{}`)", code(start)),
        None => String::new(),
    };
    let _ = writeln!(
        md,
        "Repository `{}`, range `{}..{}`{own}, generated {} by rearview.\n",
        code(&scope.repository),
        code(&scope.since),
        code(&scope.branch),
        scope.generated_at
    );
    if !scope.release_findings.is_empty() {
        let _ = writeln!(md, "## Release tags to check ({})\n", scope.release_findings.len());
        for finding in &scope.release_findings {
            let _ = writeln!(md, "- ⚠ {}", cell(&finding.describe()));
        }
        md.push('\n');
    }
    let pending: Vec<&Change> = queue.pending().collect();
    let verdict_line = if pending.is_empty() { "✅ nothing pending" } else { "❌ review pending" };
    let _ = writeln!(md, "**{verdict_line}: {}**\n", summary(queue));

    if !pending.is_empty() {
        // Riskiest first: what to read before tagging.
        let mut pending = pending.clone();
        pending.sort_by_key(|c| std::cmp::Reverse(c.score));
        let _ = writeln!(md, "## Pending ({}), riskiest first\n", pending.len());
        let _ = writeln!(
            md,
            "| Risk | Change | PR | Kind | Author | Verdict | Why | Signals |\n|---|---|---|---|---|---|---|---|"
        );
        for c in &pending {
            let _ = writeln!(
                md,
                "| {} | `{}` {} | {} | {} | {} | **{}** | {} | {} |",
                c.score,
                short_sha(&c.sha),
                cell(&c.title),
                pr_cell(c.pr),
                c.kind.as_str(),
                cell(c.author_login.as_deref().unwrap_or(&c.author)),
                c.verdict.as_str(),
                cell(&evidence_line(c)),
                cell(&risk_line(c))
            );
        }
        md.push('\n');
        drift_groups(&mut md, &pending);
    }

    let backports: Vec<&Change> = queue.changes.iter().filter(|c| c.kind == ChangeKind::Backport).collect();
    if !backports.is_empty() {
        let _ = writeln!(md, "## Backports ({})\n", backports.len());
        let _ = writeln!(md, "| Backport | Original | Linked by | Patch-id | Verdict |\n|---|---|---|---|---|");
        for c in backports {
            let Some(o) = &c.original else { continue };
            let patch = match c.patch_id_matches {
                Some(true) => "matches",
                Some(false) => "**differs** (drift)",
                None => "unknown",
            };
            let link = match o.link {
                crate::model::OriginalLink::CherryPickTrailer => "cherry-pick trailer",
                crate::model::OriginalLink::PullRequestNumber => "PR number",
                crate::model::OriginalLink::PatchId => "patch-id (no trailer)",
                crate::model::OriginalLink::BackportConvention => "backport convention",
            };
            let _ = writeln!(
                md,
                "| `{}` {} {} | `{}` {} | {link} | {patch} | {} |",
                short_sha(&c.sha),
                pr_cell(c.pr),
                cell(&c.title),
                short_sha(&o.sha),
                pr_cell(o.pr),
                verdict_cell(c.verdict)
            );
        }
        md.push('\n');
    }

    let _ = writeln!(md, "## All changes ({})\n", queue.changes.len());
    let _ = writeln!(md, "| Change | PR | Kind | Author | Verdict |\n|---|---|---|---|---|");
    for c in &queue.changes {
        let _ = writeln!(
            md,
            "| `{}` {} | {} | {} | {} | {} |",
            short_sha(&c.sha),
            cell(&c.title),
            pr_cell(c.pr),
            c.kind.as_str(),
            cell(c.author_login.as_deref().unwrap_or(&c.author)),
            verdict_cell(c.verdict)
        );
    }
    md
}

pub(crate) fn verdict_cell(v: Verdict) -> String {
    if v.is_pending() {
        format!("**{}**", v.as_str())
    } else {
        v.as_str().to_string()
    }
}

pub(crate) fn pr_cell(pr: Option<u64>) -> String {
    pr.map(|n| format!("#{n}")).unwrap_or_else(|| "–".into())
}

pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_counts_characters() {
        assert_eq!(clip("ünïcode", 4), "ünï…");
        assert_eq!(clip("abc", 3), "abc");
    }

    #[test]
    fn a_note_on_the_count_follows_it_in_the_footer() {
        let queue = Queue { changes: Vec::new() };
        let plain = table(&queue, None, None, false);
        assert!(plain.ends_with("\n0 changes: 0 covered, 0 pending (reviewed 0, approved after merge 0, partly reviewed 0, unreviewed 0, concern raised 0)\n"), "{plain}");
        let noted = table(&queue, Some("3.11 cut at --limit 1000: pass --limit 0 for all"), None, false);
        let footer = noted.lines().last().unwrap_or_default();
        assert!(
            footer.starts_with("0 changes (3.11 cut at --limit 1000: pass --limit 0 for all): 0 covered"),
            "{footer}"
        );
        assert_eq!(summary(&queue), plain.lines().last().unwrap_or_default(), "audit's summary has no note");
    }

    #[test]
    fn scores_stand_right_aligned_in_the_first_column_and_colours_stay_on_their_columns() {
        let mut low = crate::model::sample::change();
        low.score = 5;
        let mut high = low.clone();
        high.score = 120;
        high.title = "A riskier change".into();
        let queue = Queue { changes: vec![high, low] };
        let text = table(&queue, None, None, true);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("SCORE  VERDICT     KIND"), "{text}");
        assert!(lines[1].starts_with("  120  unreviewed  merge"), "{text}");
        assert!(lines[2].starts_with("    5  unreviewed  merge"), "{text}");
        let coloured = table(&queue, None, Some(&Theme::default()), true);
        let row = coloured.lines().nth(1).unwrap_or_default();
        assert!(row.starts_with("  120  \x1b["), "the score is not coloured, the verdict is: {row:?}");
        assert!(!table(&queue, None, None, false).contains("SCORE"));
    }
}
