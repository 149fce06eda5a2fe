//! Views of people and of one person's blast radius: a table, JSON, and
//! Markdown (the radius as a draft advisory to paste into a security
//! issue). Repository text is sanitized; Markdown cells are escaped.

use std::fmt::Write as _;

use crate::model::people::{BlastRadius, PersonRecord};
use crate::model::{day, short_sha};
use crate::render::markdown::{cell, code};
use crate::render::sanitize::sanitize_line;

use super::grid::grid;
use super::{clip, pr_cell, to_json, verdict_cell};

/// What the views say around the list.
#[derive(Debug, Clone, Default)]
pub struct PeopleContext {
    /// Dormancy counts back from this (the newest activity).
    pub reference_time: Option<i64>,
    pub dormancy_days: u32,
    /// The fields that need a sync, when the store has no GitHub data.
    pub need_sync: Vec<&'static str>,
}

pub(crate) fn concern(p: &PersonRecord) -> &'static str {
    if p.dormant {
        "dormant"
    } else if p.escalation.flagged {
        "fast escalation"
    } else {
        ""
    }
}

/// A person's rise in a few words: `first → commit bit +300d → tag +400d`.
pub fn steps_line(p: &PersonRecord) -> String {
    let parts: Vec<String> = p
        .escalation
        .steps
        .iter()
        .map(|s| match s.days_after_previous {
            Some(d) => format!("{} +{d}d", s.step.label()),
            None => format!("{} {}", s.step.label(), day(Some(s.at))),
        })
        .collect();
    parts.join(" → ")
}

pub(crate) fn privileged(p: &PersonRecord) -> String {
    match p.privileged_source {
        Some(source) => {
            serde_json::to_value(source).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
        }
        None => "-".into(),
    }
}

/// The footer: counts, the dormancy reference, what needs a sync.
fn footer(people: &[PersonRecord], ctx: &PeopleContext) -> String {
    let privileged = people.iter().filter(|p| p.privileged).count();
    let dormant = people.iter().filter(|p| p.dormant).count();
    let fast = people.iter().filter(|p| p.escalation.flagged).count();
    let fast = match fast {
        1 => "1 fast escalation".to_string(),
        n => format!("{n} fast escalations"),
    };
    let mut text = format!(
        "{} people: {privileged} privileged, {dormant} dormant (no activity for {} days before {}, the newest activity), {fast}",
        people.len(),
        ctx.dormancy_days,
        day(ctx.reference_time)
    );
    if !ctx.need_sync.is_empty() {
        let _ = write!(text, "\nno GitHub data in the store: {} need `rearview sync`", ctx.need_sync.join(", "));
    }
    text
}

/// People as an aligned table, by concern.
pub fn people_table(people: &[PersonRecord], ctx: &PeopleContext) -> String {
    let header = [
        "CONCERN",
        "NAME",
        "LOGIN",
        "PRIVILEGED",
        "LAST ACTIVE",
        "AUTHORED",
        "COMMITTED",
        "MERGED",
        "SELF-MERGED UNREVIEWED",
        "APPROVALS",
        "TAGS",
        "BUILD",
        "BINARIES",
        "ESCALATION",
    ];
    let rows: Vec<Vec<String>> = people
        .iter()
        .map(|p| {
            let escalation = if p.escalation.flagged { p.escalation.explanation.clone() } else { steps_line(p) };
            vec![
                concern(p).to_string(),
                clip(&sanitize_line(&p.name), 24),
                clip(&sanitize_line(p.logins.first().map_or("-", String::as_str)), 20),
                privileged(p),
                day(p.last_activity),
                p.authored.to_string(),
                p.committed.to_string(),
                p.merged.to_string(),
                p.self_merged_unreviewed.to_string(),
                p.approvals_given.to_string(),
                p.tags.to_string(),
                p.build_system_changes.to_string(),
                p.binaries_added.to_string(),
                sanitize_line(&escalation),
            ]
        })
        .collect();
    let mut out = grid(&header, &rows, &[5, 6, 7, 8, 9, 10, 11, 12]);
    let _ = writeln!(out, "\n{}", footer(people, ctx));
    out
}

/// People as one JSON array (schema in the README).
pub fn people_json(people: &[PersonRecord]) -> String {
    to_json(&people)
}

/// People as a Markdown table, by concern.
pub fn people_markdown(people: &[PersonRecord], ctx: &PeopleContext) -> String {
    let mut md = String::from("# People on the watched branches\n\n");
    let _ = writeln!(md, "{}\n", footer(people, ctx).replace('\n', "\n\n"));
    md.push_str("| Concern | Name | Login | Privileged | Last active | Authored | Committed | Merged | Self-merged unreviewed | Approvals | Tags | Escalation |\n");
    md.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for p in people {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            concern(p),
            cell(&p.name),
            cell(p.logins.first().map_or("-", String::as_str)),
            privileged(p),
            day(p.last_activity),
            p.authored,
            p.committed,
            p.merged,
            p.self_merged_unreviewed,
            p.approvals_given,
            p.tags,
            cell(&p.escalation.explanation)
        );
    }
    md
}

/// The blast radius as one JSON object (schema in the README).
pub fn blast_json(radius: &BlastRadius) -> String {
    to_json(radius)
}

/// The blast radius as a draft advisory: affected releases first, then
/// the changes by risk, then binaries and copies on other branches.
pub fn blast_markdown(radius: &BlastRadius, repository: &str) -> String {
    let p = &radius.person;
    let who = match p.logins.first() {
        Some(login) => format!("{} ({})", cell(&p.name), cell(login)),
        None => cell(&p.name),
    };
    let mut md = String::new();
    match &radius.revision {
        Some(sha) => {
            let _ = writeln!(md, "# Draft advisory: change `{}` by {who}\n", short_sha(sha));
        }
        None => {
            let _ = writeln!(md, "# Draft advisory: changes by {who}\n");
        }
    }
    let _ = writeln!(
        md,
        "Drafted by rearview from the history of `{}`: check every line before publishing.\n",
        code(repository)
    );
    let _ = writeln!(
        md,
        "{} changes, {} affected releases, {} binary files, {} backports to other branches.\n",
        radius.changes.len(),
        radius.releases.len(),
        radius.binaries.len(),
        radius.backports.len()
    );
    if p.escalation.flagged {
        let _ = writeln!(md, "**Fast escalation:** {}\n", cell(&p.escalation.explanation));
    }

    let _ = writeln!(md, "## Affected releases ({})\n", radius.releases.len());
    if radius.releases.is_empty() {
        md.push_str("No release tag carries these changes.\n\n");
    } else {
        md.push_str("| Release | Commit | Date |\n|---|---|---|\n");
        for r in &radius.releases {
            let _ = writeln!(md, "| `{}` | `{}` | {} |", code(&r.tag), short_sha(&r.commit), day(Some(r.date)));
        }
        md.push('\n');
    }

    let _ = writeln!(md, "## Changes by risk ({})\n", radius.changes.len());
    if !radius.changes.is_empty() {
        md.push_str("| Risk | Change | PR | Branch | Role | Verdict | Title |\n|---|---|---|---|---|---|---|\n");
        for c in &radius.changes {
            let roles: Vec<&str> = c.roles.iter().map(|r| r.as_str()).collect();
            let _ = writeln!(
                md,
                "| {}{} | `{}` | {} | `{}` | {} | {} | {} |",
                c.score,
                c.severity.map(|s| format!(" ({})", s.as_str())).unwrap_or_default(),
                short_sha(&c.sha),
                pr_cell(c.pr),
                code(&c.branch),
                roles.join(", "),
                verdict_cell(c.verdict),
                cell(&c.title)
            );
        }
        md.push('\n');
    }

    let _ = writeln!(md, "## Binary files ({})\n", radius.binaries.len());
    if !radius.binaries.is_empty() {
        md.push_str("| Path | Change | |\n|---|---|---|\n");
        for b in &radius.binaries {
            let what = if b.added { "added" } else { "changed" };
            let _ = writeln!(md, "| `{}` | `{}` | {what} |", code(&b.path), short_sha(&b.sha));
        }
        md.push('\n');
    }

    if !radius.backports.is_empty() {
        let _ = writeln!(md, "## Carried to other branches ({})\n", radius.backports.len());
        md.push_str("| Original | Backport | Branch | Verdict |\n|---|---|---|---|\n");
        for b in &radius.backports {
            let _ = writeln!(
                md,
                "| `{}` | `{}` | `{}` | {} |",
                short_sha(&b.original),
                short_sha(&b.backport),
                code(&b.branch),
                verdict_cell(b.verdict)
            );
        }
        md.push('\n');
    }

    if !radius.tagged.is_empty() {
        let _ = writeln!(md, "## Tags they made ({})\n", radius.tagged.len());
        for t in &radius.tagged {
            let _ = writeln!(md, "- `{}` on `{}`, {}", code(&t.name), short_sha(&t.commit), day(Some(t.time)));
        }
    }
    md
}
