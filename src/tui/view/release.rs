//! The release checklist: what must hold before a maintenance branch is
//! tagged: nothing pending, backports without drift, no unexplained risk,
//! and the release archive identical to the tag.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::pane;
use crate::model::{short_sha, Change, ChangeKind, ReleaseFinding, ReleaseTag, Severity};
use crate::render::sanitize::sanitize_line;
use crate::report;
use crate::tui::app::App;
use crate::tui::doc::ReleaseDoc;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let Some(doc) = &app.release else { return };
    let title = Line::from(format!(" Release checklist · {} ", sanitize_line(&doc.branch)));
    let lines = lines(app, doc);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((doc.scroll, 0)).block(pane(app, title, true)),
        area,
    );
}

fn check(app: &App, ok: bool, text: String) -> Line<'static> {
    let (mark, style) =
        if ok { ("✓", app.styles.verdict(crate::model::Verdict::Reviewed)) } else { ("✗", app.styles.warning()) };
    Line::from(vec![
        Span::styled(format!(" {mark} "), style),
        Span::styled(text, Style::new().add_modifier(Modifier::BOLD)),
    ])
}

fn item(app: &App, c: &Change, note: String) -> Line<'static> {
    let pr = c.pr.map(|n| format!("#{n}")).unwrap_or_else(|| short_sha(&c.sha).to_string());
    Line::from(vec![
        Span::raw("     "),
        Span::styled(format!("{pr:<11}"), app.styles.accent()),
        Span::raw(sanitize_line(&c.title)),
        Span::styled(format!("  {note}"), app.styles.dim()),
    ])
}

/// The branch's release tags with their signers: ✓ when none needs a look
/// (no signer change, no bad signature).
fn tag_lines(app: &App, releases: &[ReleaseTag], findings: &[ReleaseFinding], out: &mut Vec<Line<'static>>) {
    let text = match (releases.len(), findings.len()) {
        (0, _) => "no release tag on this branch yet".to_string(),
        (n, 0) => format!("{n} release tag{}: no signer change, no bad signature", if n == 1 { "" } else { "s" }),
        (_, n) => format!("{n} release tag finding{}", if n == 1 { "" } else { "s" }),
    };
    out.push(check(app, findings.is_empty(), text));
    for finding in findings {
        out.push(Line::from(vec![
            Span::raw("     "),
            Span::styled(sanitize_line(&finding.describe()), app.styles.warning()),
        ]));
    }
    for r in releases {
        let changed = if r.signer_changed { "  signer changed" } else { "" };
        let signature = r.signature.map_or("unsigned", |s| s.as_str());
        out.push(Line::from(vec![
            Span::raw("     "),
            Span::styled(format!("{:<11}", sanitize_line(&r.tag)), app.styles.accent()),
            Span::raw(format!("{signature} {} · verified: {}", report::signer_text(r), report::verified_text(r))),
            Span::styled(changed.to_string(), app.styles.warning()),
            Span::styled(
                format!("  {}", r.tagger.as_ref().map_or("lightweight".to_string(), |t| sanitize_line(&t.name))),
                app.styles.dim(),
            ),
        ]));
    }
}

fn lines(app: &App, doc: &ReleaseDoc) -> Vec<Line<'static>> {
    let audit = match &doc.audit {
        None => return vec![Line::from(" Auditing the branch since its last tag…")],
        Some(Err(e)) => {
            return vec![Line::from(Span::styled(
                format!(" The audit failed: {}", sanitize_line(e)),
                app.styles.warning(),
            ))]
        }
        Some(Ok(audit)) => audit,
    };
    let changes = &audit.queue.changes;
    let since = audit.tag.as_deref().map(sanitize_line).unwrap_or_else(|| "the branch's start (no tag)".into());
    let mut out = vec![
        Line::from(Span::styled(
            format!(" {} changes on {} since {since}", changes.len(), sanitize_line(&audit.branch)),
            app.styles.dim(),
        )),
        Line::from(""),
    ];

    let pending: Vec<&Change> = changes.iter().filter(|c| c.pending).collect();
    let text = match pending.len() {
        0 => "every change has an independent review".to_string(),
        n => format!("{n} change{} still need a reviewer", if n == 1 { "" } else { "s" }),
    };
    out.push(check(app, pending.is_empty(), text));
    let mut by_risk = pending.clone();
    by_risk.sort_by_key(|c| std::cmp::Reverse(c.score));
    for c in by_risk {
        out.push(item(app, c, format!("{} · risk {}", c.verdict.as_str(), c.score)));
    }

    // ✓ only when every change that looks like a backport is linked to its
    // original and carries its patch.
    let drifted: Vec<&Change> =
        changes.iter().filter(|c| c.kind == ChangeKind::Backport && c.drift.is_some_and(|d| d > 0)).collect();
    let unlinked: Vec<&Change> = changes.iter().filter(|c| c.unlinked_backport).collect();
    let text = match (drifted.len(), unlinked.len()) {
        (0, 0) => "every backport is linked to its original and carries its patch".to_string(),
        (0, n) => format!(
            "{n} change{} name an original that is not linked (check it by hand)",
            if n == 1 { "" } else { "s" }
        ),
        (n, 0) => format!(
            "{n} backport{} drifted from the original (d in its diff shows only the drift)",
            if n == 1 { "" } else { "s" }
        ),
        (n, m) => format!(
            "{n} backport{} drifted from the original; {m} name an original that is not linked",
            if n == 1 { "" } else { "s" }
        ),
    };
    out.push(Line::from(""));
    out.push(check(app, drifted.is_empty() && unlinked.is_empty(), text));
    for c in drifted {
        let hunks = c.drift.unwrap_or(0);
        let what = if hunks == 1 { "1 hunk differs".to_string() } else { format!("{hunks} hunks differ") };
        out.push(item(app, c, what));
    }
    for c in unlinked {
        out.push(item(app, c, "names an original that is not linked".to_string()));
    }

    let risky: Vec<&Change> = changes.iter().filter(|c| c.risks.iter().any(|r| r.severity >= Severity::High)).collect();
    let text = match risky.len() {
        0 => "no high or critical risk signal".to_string(),
        n => format!("{n} change{} with high or critical risk signals", if n == 1 { "" } else { "s" }),
    };
    out.push(Line::from(""));
    out.push(check(app, risky.is_empty(), text));
    for c in risky {
        let top = c.risks.first().map(|r| r.explanation.clone()).unwrap_or_default();
        out.push(item(app, c, sanitize_line(&top)));
    }

    out.push(Line::from(""));
    tag_lines(app, &audit.releases, &audit.findings, &mut out);

    out.push(Line::from(""));
    match &doc.archive {
        None => out.push(Line::from(vec![
            Span::styled(" ? ", app.styles.accent()),
            Span::styled("release archive not checked", Style::new().add_modifier(Modifier::BOLD)),
            Span::styled(
                format!(
                    "  press {} to verify one against {since}",
                    app.keymap.hint(crate::tui::keymap::Action::VerifyArchive)
                ),
                app.styles.dim(),
            ),
        ])),
        Some(check_) => {
            let name = sanitize_line(&check_.path.display().to_string());
            match &check_.result {
                None => out.push(Line::from(format!(" … verifying {name}: {}%", check_.progress))),
                Some(Err(e)) => out.push(check(app, false, format!("{name}: {}", sanitize_line(e)))),
                Some(Ok(v)) => {
                    let failing: Vec<_> = v.failing().collect();
                    let text = if v.failed() {
                        format!(
                            "{name} differs from the tag: {} finding{}",
                            failing.len(),
                            if failing.len() == 1 { "" } else { "s" }
                        )
                    } else {
                        format!("{name} matches the tag ({} of {} files identical)", v.matched, v.files)
                    };
                    out.push(check(app, !v.failed(), text));
                    for f in failing.iter().take(40) {
                        out.push(Line::from(vec![
                            Span::raw("     "),
                            Span::styled(format!("{:<16}", f.kind.label()), app.styles.warning()),
                            Span::raw(sanitize_line(&f.path)),
                            Span::styled(format!("  {}", sanitize_line(&f.detail)), app.styles.dim()),
                        ]));
                    }
                    let allowed = v.findings.len() - failing.len();
                    if allowed > 0 {
                        out.push(Line::from(Span::styled(
                            format!("     and {allowed} allowed (generated files, allowed missing ones)"),
                            app.styles.dim(),
                        )));
                    }
                }
            }
        }
    }
    out
}
