//! The trust parts of the page: which binaries ship unexplained or hide a
//! payload, who holds the commit bit and is dormant or rose fast, and which
//! release tags a release manager must look at (bad signatures, changed
//! signers, fast escalations), with a yearly chart of how releases were
//! signed.

use std::collections::BTreeMap;

use crate::model::binary::{BinaryFile, Concern};
use crate::model::people::PersonRecord;
use crate::model::{day, short_sha, ReleaseFinding, ReleaseTag, TagConcern};
use crate::render::hex::{human_size, SizeStyle};
use crate::report::binaries::{concern_label, explained_by, worst_verdict};
use crate::report::people::{concern, privileged, steps_line};

use super::svg::{self, palette, Series};
use super::{table, Cell, Section};

/// Every binary file of the tree at `rev` (`commit`), payload findings
/// first, then the unreviewed and unexplained ones.
pub fn binaries_section(files: &[BinaryFile], rev: &str, commit: &str) -> Section {
    let rows: Vec<Vec<Cell>> = files
        .iter()
        .map(|f| {
            let class = match f.concern {
                Concern::Payload | Concern::UnreviewedUnexplained => "bad",
                Concern::UnreviewedOrUnexplained => "warn",
                Concern::Explained => "none",
            };
            let label = concern_label(f.concern);
            let findings: Vec<String> =
                f.findings.iter().take(3).map(|x| format!("{} at {:#x}", x.kind, x.offset)).collect();
            let more = f.findings.len().saturating_sub(3);
            vec![
                Cell::Marked(if label.is_empty() { "-".into() } else { label.into() }, class),
                Cell::Code(f.path.clone()),
                Cell::Text(f.file_type.clone().unwrap_or_else(|| "data".into())),
                Cell::Text(human_size(f.size, SizeStyle::Brief)),
                Cell::Text(format!("{:.2}", f.entropy)),
                Cell::Text(if more > 0 {
                    format!("{} (+{more})", findings.join(", "))
                } else if findings.is_empty() {
                    "-".into()
                } else {
                    findings.join(", ")
                }),
                Cell::Text(f.added_by.clone().unwrap_or_else(|| "-".into())),
                Cell::Code(f.added_in.as_deref().map_or("-", short_sha).to_string()),
                Cell::Text(worst_verdict(f).map_or_else(|| "-".into(), |v| v.as_str().to_string())),
                Cell::Text(f.upstream.clone().map_or_else(|| explained_by(f), |u| format!("upstream: {u}"))),
            ]
        })
        .collect();
    let payloads = files.iter().filter(|f| f.concern == Concern::Payload).count();
    let unexplained = files.iter().filter(|f| f.unexplained()).count();
    Section {
        id: "binaries",
        heading: "Binaries".into(),
        lede: format!(
            "{} binary files in {rev} ({}): {payloads} with a payload finding (an executable header, a script, \
             an archive, also inside compressed data), {unexplained} that no text file, generator, Makefile rule or \
             configured upstream explains.",
            files.len(),
            short_sha(commit)
        ),
        body: table(
            &[
                "concern",
                "path",
                "type",
                "size",
                "entropy",
                "findings",
                "added by",
                "added in",
                "verdict",
                "explained by",
            ],
            rows,
            "No binary file in this tree.",
        ),
    }
}

/// The people of concern (dormant privileged accounts, fast escalations),
/// then every other privileged account. `people` come by concern.
pub fn people_section(people: &[PersonRecord], dormancy_days: u32) -> Section {
    let privileged_count = people.iter().filter(|p| p.privileged).count();
    let rows: Vec<Vec<Cell>> = people
        .iter()
        .filter(|p| p.privileged || p.escalation.flagged)
        .map(|p| {
            let worry = concern(p);
            let class = if worry.is_empty() { "none" } else { "bad" };
            let rise = if p.escalation.flagged { p.escalation.explanation.clone() } else { steps_line(p) };
            vec![
                Cell::Marked(if worry.is_empty() { "-".into() } else { worry.into() }, class),
                Cell::Text(p.name.clone()),
                Cell::Text(p.logins.first().cloned().unwrap_or_else(|| "-".into())),
                Cell::Text(privileged(p)),
                Cell::Text(day(p.last_activity)),
                Cell::Number(u64::from(p.authored)),
                Cell::Number(u64::from(p.self_merged_unreviewed)),
                Cell::Number(u64::from(p.tags)),
                Cell::Text(rise),
            ]
        })
        .collect();
    Section {
        id: "people",
        heading: "People with the commit bit".into(),
        lede: format!(
            "{} people, {privileged_count} privileged (GitHub's collaborators when synced, else whoever committed, \
             merged or tagged on a watched branch). Dormant: privileged and inactive for {dormancy_days} days before \
             the history's newest activity. Fast escalation: rose to tagging releases in under half the time the \
             project's other maintainers took.",
            people.len()
        ),
        body: table(
            &[
                "concern",
                "name",
                "login",
                "privileged by",
                "last active",
                "authored",
                "self-merged unreviewed",
                "tags",
                "rise",
            ],
            rows,
            "Nobody holds the commit bit in this history.",
        ),
    }
}

/// Release findings first, then a chart of signed and unsigned release
/// tags per year, then the ten newest tags.
pub fn releases_section(releases: &[ReleaseTag], findings: &[ReleaseFinding]) -> Section {
    let finding_rows: Vec<Vec<Cell>> = findings
        .iter()
        .map(|f| {
            let kind = match f {
                ReleaseFinding::SignerChanged { .. } => "signer changed",
                ReleaseFinding::BadSignature { .. } => "bad signature",
                ReleaseFinding::FastEscalation { .. } => "fast escalation",
            };
            vec![Cell::Marked(kind.into(), "bad"), Cell::Code(f.tag().to_string()), Cell::Text(f.describe())]
        })
        .collect();
    let mut body = table(&["finding", "tag", "detail"], finding_rows, "No release finding.");
    let mut years: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for r in releases {
        let year = r.date.chars().take(4).collect::<String>();
        let slot = match r.concern() {
            TagConcern::Fine => 0,
            TagConcern::Unsigned => 2,
            _ => 1,
        };
        years.entry(year).or_default()[slot] += 1;
    }
    let labels: Vec<String> = years.keys().cloned().collect();
    let column = |slot: usize| years.values().map(|v| v[slot]).collect::<Vec<u64>>();
    body.push_str("<div class=\"charts\">");
    body.push_str(&svg::stacked_bars(
        "Release tags per year, by signature",
        &labels,
        &[
            Series::new("verified", palette::REVIEWED, column(0)),
            Series::new("signed, not verified or changed", palette::SELF_MERGED, column(1)),
            Series::new("unsigned", palette::UNREVIEWED, column(2)),
        ],
    ));
    body.push_str("</div>");
    let mut newest: Vec<&ReleaseTag> = releases.iter().collect();
    newest.sort_by_key(|r| std::cmp::Reverse(r.time));
    let rows: Vec<Vec<Cell>> = newest
        .iter()
        .take(10)
        .map(|r| {
            let worry = r.concern();
            let class = match worry {
                TagConcern::Fine => "ok",
                TagConcern::Unsigned | TagConcern::Unverified => "warn",
                _ => "bad",
            };
            vec![
                Cell::Code(r.tag.clone()),
                Cell::Text(r.branch.clone()),
                Cell::Text(r.date.chars().take(10).collect()),
                Cell::Text(r.tagger.as_ref().map_or_else(|| "-".into(), |t| t.name.clone())),
                Cell::Marked(worry.as_str().into(), class),
                Cell::Code(short_sha(&r.commit).to_string()),
            ]
        })
        .collect();
    body.push_str(&table(&["tag", "branch", "date", "tagger", "signature", "commit"], rows, "No release tags."));
    Section {
        id: "releases",
        heading: "Releases".into(),
        lede: format!(
            "{} version-named release tags; {} findings. A signer change compares a tag with the newest earlier signed \
             tag of its series; keys come from the configured keyring and allowed-signers file.",
            releases.len(),
            findings.len()
        ),
        body,
    }
}
