//! The people and release parts of the page: who holds the commit bit and
//! is dormant or rose fast, and which release tags a release manager must
//! look at (bad signatures, changed signers, fast escalations), with a
//! yearly chart of how releases were signed.

use std::collections::BTreeMap;

use crate::model::people::PersonRecord;
use crate::model::{day, short_sha, ReleaseFinding, ReleaseTag, TagConcern};
use crate::report::people::{concern, privileged, steps_line};

use super::svg::{self, palette, Series};
use super::{table, Cell, Section};

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
