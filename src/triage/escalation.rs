//! How fast someone rose from first contribution to tagging releases,
//! against the others who got there. The xz backdoor's author went from a
//! first patch to signing releases in about two years, where the project's
//! other release signer had founded it: "faster than usual" has to leave
//! the founders out, or every newcomer looks slow.

use crate::model::people::{Escalation, Step, StepKind};

/// Whoever contributed in the history's first year founded the project:
/// their first contribution and first tag say nothing about pace.
pub const FOUNDING_DAYS: i64 = 365;

/// However the project's pace compares, a climb of two years or more to
/// tagging releases is not fast: the xz-utils backdoor's author took
/// about a year and a half.
pub const FAST_DAYS: i64 = 730;

const DAY: i64 = 86_400;

/// When one person reached each step (seconds since the epoch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Milestones {
    pub first_contribution: Option<i64>,
    pub commit_bit: Option<i64>,
    pub release_tagging: Option<i64>,
}

impl Milestones {
    fn days_to_tagging(&self) -> Option<i64> {
        Some((self.release_tagging? - self.first_contribution?).max(0) / DAY)
    }

    fn founder(&self, project_start: i64) -> bool {
        self.first_contribution.is_some_and(|t| t <= project_start + FOUNDING_DAYS * DAY)
    }
}

/// Each person's escalation, in the order given: `everyone[i]` is compared
/// with the others who reached release tagging and were not founders
/// (first contribution within [`FOUNDING_DAYS`] of `project_start`). A
/// non-founder is flagged when they reached tagging in under
/// [`FAST_DAYS`] and in under half the others' median time, or in under
/// [`FAST_DAYS`] when no non-founder had tagged before them (there is no
/// usual pace to keep to).
pub fn escalations(everyone: &[Milestones], project_start: i64) -> Vec<Escalation> {
    let taggers: Vec<(usize, i64)> = everyone
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.founder(project_start))
        .filter_map(|(i, m)| Some((i, m.days_to_tagging()?)))
        .collect();
    everyone
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut others: Vec<i64> = taggers.iter().filter(|(j, _)| *j != i).map(|(_, d)| *d).collect();
            others.sort_unstable();
            escalation(m, project_start, &others)
        })
        .collect()
}

fn escalation(m: &Milestones, project_start: i64, others: &[i64]) -> Escalation {
    let mut steps = Vec::new();
    let mut previous: Option<i64> = None;
    for (kind, at) in [
        (StepKind::FirstContribution, m.first_contribution),
        (StepKind::CommitBit, m.commit_bit),
        (StepKind::ReleaseTagging, m.release_tagging),
    ] {
        let Some(at) = at else { continue };
        steps.push(Step { step: kind, at, days_after_previous: previous.map(|p| (at - p).max(0) / DAY) });
        previous = Some(at);
    }
    let median = median(others);
    let days = m.days_to_tagging();
    let (flagged, explanation) = match days {
        None => (false, not_tagging(m)),
        Some(days) if m.founder(project_start) => (
            false,
            format!(
                "tagged a release {days} days after their first contribution, which came in the project's first year (a founder)"
            ),
        ),
        Some(days) if days >= FAST_DAYS => (
            false,
            format!(
                "tagged a release {days} days after their first contribution: two years or more is not a fast climb{}",
                median.map(|m| format!(" (the median for the {} is {m} days)", plural(others.len(), "other", "others"))).unwrap_or_default()
            ),
        ),
        Some(days) => match median {
            None => (
                true,
                format!(
                    "tagged a release {days} days after their first contribution: the first person since the project's founders to tag one, so there is no usual pace to compare with"
                ),
            ),
            Some(median) => {
                let fast = days * 2 < median;
                let pace = if fast { "under half" } else { "within" };
                let who = plural(others.len(), "other", "others");
                (
                    fast,
                    format!(
                        "tagged a release {days} days after their first contribution: {pace} the median of {median} days for the {who} who reached release tagging since the project's founding"
                    ),
                )
            }
        },
    };
    Escalation { steps, days_to_tagging: days, peers_median_days: median, peers: others.len(), flagged, explanation }
}

fn not_tagging(m: &Milestones) -> String {
    match (m.first_contribution, m.commit_bit) {
        (Some(first), Some(bit)) => {
            format!("commit bit {} days after their first contribution; no release tag", (bit - first).max(0) / DAY)
        }
        (None, Some(_)) => "commit bit, with no contribution of their own; no release tag".into(),
        _ => "no commit bit and no release tag".into(),
    }
}

fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_000_000_000;

    fn at(days: i64) -> Option<i64> {
        Some(START + days * DAY)
    }

    fn person(first: i64, bit: Option<i64>, tag: Option<i64>) -> Milestones {
        Milestones { first_contribution: at(first), commit_bit: bit.and_then(at), release_tagging: tag.and_then(at) }
    }

    #[test]
    fn founders_are_never_the_measure_and_the_first_newcomer_to_tag_is_flagged() {
        // A founder tags on day 10; a newcomer joins on day 2000 and tags
        // 700 days later: the founder's pace says nothing about theirs.
        let people = [person(0, Some(0), Some(10)), person(2000, Some(2300), Some(2700))];
        let e = escalations(&people, START);
        assert!(!e[0].flagged, "{}", e[0].explanation);
        assert!(e[0].explanation.contains("founder"));
        assert!(e[1].flagged);
        assert_eq!(e[1].days_to_tagging, Some(700));
        assert_eq!(e[1].peers, 0);
        assert!(e[1].explanation.contains("first person since the project's founders"), "{}", e[1].explanation);
        let days: Vec<Option<i64>> = e[1].steps.iter().map(|s| s.days_after_previous).collect();
        assert_eq!(days, [None, Some(300), Some(400)]);
    }

    #[test]
    fn a_newcomer_faster_than_half_the_usual_pace_is_flagged_and_the_others_are_not() {
        let people = [
            person(0, Some(0), Some(5)),
            person(500, Some(1500), Some(2500)),  // 2000 days
            person(700, Some(1900), Some(3700)),  // 3000 days
            person(3000, Some(3100), Some(3400)), // 400 days: fast
            person(3500, Some(3600), None),       // no tag yet
        ];
        let e = escalations(&people, START);
        assert!(!e[1].flagged && !e[2].flagged, "{} / {}", e[1].explanation, e[2].explanation);
        assert!(e[3].flagged);
        assert_eq!(e[3].peers_median_days, Some(2500));
        assert_eq!(e[3].peers, 2);
        assert!(
            e[3].explanation.contains("under half the median of 2500 days for the 2 others"),
            "{}",
            e[3].explanation
        );
        assert!(!e[4].flagged);
        assert_eq!(e[4].explanation, "commit bit 100 days after their first contribution; no release tag");
    }

    #[test]
    fn a_climb_of_two_years_or_more_is_never_fast_however_slow_the_others_were() {
        let people = [
            person(0, Some(0), Some(5)),
            person(400, Some(2000), Some(3400)),  // 3000 days
            person(500, Some(2500), Some(3500)),  // 3000 days
            person(4000, Some(4500), Some(5300)), // 1300 days: under half, but years
        ];
        let e = escalations(&people, START);
        assert!(!e[3].flagged, "{}", e[3].explanation);
        assert!(e[3].explanation.contains("two years or more is not a fast climb"), "{}", e[3].explanation);
        assert!(e[3].explanation.contains("the median for the 2 others is 3000 days"), "{}", e[3].explanation);
    }
}
