//! Review debt over time: changes bucketed by the period they landed in
//! (calendar months or ISO weeks, UTC), every period from the first to the
//! last present (empty ones as zeros), with the backlog still pending at
//! each period's end. Pure: the pipeline hands in each change's facts.

use chrono::{Datelike, Months, NaiveDate, TimeZone, Utc};

use crate::model::coverage::{Bucket, Period};
use crate::model::{Change, Verdict};

/// How long a change stayed pending after it landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// Reviewed before it landed: never part of the backlog.
    Never,
    /// Pending until an approval after merge at this time.
    Until(i64),
    /// Still pending.
    Still,
}

/// What one change adds to its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    /// When it landed (seconds since the epoch).
    pub at: i64,
    pub unreviewed: bool,
    pub self_merged: bool,
    pub approved_after_merge: bool,
    pub pending: Pending,
}

impl Fact {
    /// A change's facts; `approved_at` is when an approval after merge
    /// ended its time pending (the landing time when unknown).
    pub fn of(change: &Change, at: i64, approved_at: Option<i64>) -> Fact {
        let pending = if change.pending {
            Pending::Still
        } else if change.verdict == Verdict::ApprovedAfterMerge {
            Pending::Until(approved_at.unwrap_or(at).max(at))
        } else {
            Pending::Never
        };
        Fact {
            at,
            unreviewed: change.verdict == Verdict::Unreviewed,
            self_merged: self_merged(change),
            approved_after_merge: change.verdict == Verdict::ApprovedAfterMerge,
            pending,
        }
    }
}

/// Landed by its own author: a pull request its author merged (GitHub's
/// `merged_by`, known after a sync), or a commit with no pull request
/// that its author committed (a direct push, a backport picked by hand).
pub fn self_merged(change: &Change) -> bool {
    match (&change.merged_by, &change.author_login) {
        (Some(by), Some(author)) => by.eq_ignore_ascii_case(author),
        // No pull request: whoever committed it landed it.
        _ => change.pr.is_none() && change.committer == change.author,
    }
}

fn day_start(date: NaiveDate) -> i64 {
    Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN)).timestamp()
}

fn date_of(at: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(at, 0).map(|t| t.date_naive()).unwrap_or_default()
}

/// The first second (UTC) of the period `at` falls in.
pub fn period_start(at: i64, period: Period) -> i64 {
    let date = date_of(at);
    let first = match period {
        Period::Month => date.with_day(1).unwrap_or(date),
        Period::Week => date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday())),
    };
    day_start(first)
}

/// The first second of the period after the one starting at `start`.
pub fn next_start(start: i64, period: Period) -> i64 {
    let date = date_of(start);
    let next = match period {
        Period::Month => date.checked_add_months(Months::new(1)),
        Period::Week => date.checked_add_days(chrono::Days::new(7)),
    };
    next.map_or(i64::MAX, day_start)
}

/// `2024-05`, or `2024-W19` (the ISO week's own year).
pub fn label(start: i64, period: Period) -> String {
    let date = date_of(start);
    match period {
        Period::Month => date.format("%Y-%m").to_string(),
        Period::Week => {
            let week = date.iso_week();
            format!("{}-W{:02}", week.year(), week.week())
        }
    }
}

/// The start of every period from `from`'s to `to`'s, both included.
pub fn starts(from: i64, to: i64, period: Period) -> Vec<i64> {
    let mut out = Vec::new();
    if to < from {
        return out;
    }
    let mut at = period_start(from, period);
    while at <= to {
        out.push(at);
        let next = next_start(at, period);
        if next <= at {
            break;
        }
        at = next;
    }
    out
}

/// The periods starting at `starts` (as [`starts`] gives them), with what
/// `facts` put in each; a fact outside them is left out. The backlog of a
/// period counts the changes landed before its end and pending at it.
pub fn buckets<'a>(facts: impl IntoIterator<Item = &'a Fact>, starts: &[i64], period: Period) -> Vec<Bucket> {
    let mut out: Vec<Bucket> =
        starts.iter().map(|&s| Bucket { period: label(s, period), start: s, ..Bucket::default() }).collect();
    let Some(&first) = starts.first() else { return out };
    let end = starts.last().map_or(first, |&s| next_start(s, period));
    // Which period holds a time: the last start at or before it.
    let index = |at: i64| starts.partition_point(|&s| s <= at).saturating_sub(1);
    // +1 where a change joins the backlog, −1 where it leaves (as of the
    // end of each period).
    let mut delta = vec![0i64; starts.len() + 1];
    for fact in facts {
        if fact.at < first || fact.at >= end {
            continue;
        }
        let i = index(fact.at);
        let b = &mut out[i];
        b.landed += 1;
        b.unreviewed += u32::from(fact.unreviewed);
        b.self_merged += u32::from(fact.self_merged);
        b.approved_after_merge += u32::from(fact.approved_after_merge);
        // Pending at the end of period k when it landed by then and its
        // approval (if any) came at or after the next period's start.
        let leaves = match fact.pending {
            Pending::Never => continue,
            Pending::Still => starts.len(),
            Pending::Until(t) if t >= end => starts.len(),
            Pending::Until(t) => index(t),
        };
        if leaves > i {
            delta[i] += 1;
            delta[leaves] -= 1;
        }
    }
    let mut running = 0i64;
    for (b, d) in out.iter_mut().zip(&delta) {
        running += d;
        b.backlog = u32::try_from(running).unwrap_or(0);
    }
    out
}

/// The sums over `buckets`; the backlog is the last period's.
pub fn total(buckets: &[Bucket]) -> Bucket {
    let mut t = Bucket { period: "total".into(), ..Bucket::default() };
    for b in buckets {
        t.landed += b.landed;
        t.unreviewed += b.unreviewed;
        t.self_merged += b.self_merged;
        t.approved_after_merge += b.approved_after_merge;
    }
    t.start = buckets.first().map_or(0, |b| b.start);
    t.backlog = buckets.last().map_or(0, |b| b.backlog);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text).map(|t| t.timestamp()).expect("time")
    }

    fn fact(when: &str, pending: Pending) -> Fact {
        Fact {
            at: at(when),
            unreviewed: pending == Pending::Still,
            self_merged: false,
            approved_after_merge: matches!(pending, Pending::Until(_)),
            pending,
        }
    }

    #[test]
    fn empty_months_in_between_are_present_with_zeros() {
        let facts = [fact("2024-01-15T00:00:00Z", Pending::Still), fact("2024-04-02T12:00:00Z", Pending::Never)];
        let s = starts(facts[0].at, facts[1].at, Period::Month);
        let b = buckets(&facts, &s, Period::Month);
        let months: Vec<&str> = b.iter().map(|b| b.period.as_str()).collect();
        assert_eq!(months, ["2024-01", "2024-02", "2024-03", "2024-04"]);
        let landed: Vec<u32> = b.iter().map(|b| b.landed).collect();
        assert_eq!(landed, [1, 0, 0, 1]);
        // The unreviewed change from January stays in the backlog.
        let backlog: Vec<u32> = b.iter().map(|b| b.backlog).collect();
        assert_eq!(backlog, [1, 1, 1, 1]);
        assert_eq!(total(&b).landed, 2);
        assert_eq!(total(&b).backlog, 1);
    }

    #[test]
    fn months_are_utc_whatever_the_commits_zone() {
        // 23:30 on January 31st at UTC−05:00 is February 1st in UTC.
        let late = at("2024-01-31T23:30:00-05:00");
        assert_eq!(label(period_start(late, Period::Month), Period::Month), "2024-02");
        // The last second of a month, and the first of the next.
        assert_eq!(label(period_start(at("2024-02-29T23:59:59Z"), Period::Month), Period::Month), "2024-02");
        assert_eq!(label(period_start(at("2024-03-01T00:00:00Z"), Period::Month), Period::Month), "2024-03");
        assert_eq!(next_start(at("2024-12-01T00:00:00Z"), Period::Month), at("2025-01-01T00:00:00Z"));
    }

    #[test]
    fn first_and_last_partial_months_count_only_their_own_changes() {
        let facts = [fact("2024-03-31T23:59:59Z", Pending::Never), fact("2024-05-01T00:00:00Z", Pending::Never)];
        let s = starts(facts[0].at, facts[1].at, Period::Month);
        let b = buckets(&facts, &s, Period::Month);
        assert_eq!(b.len(), 3);
        assert_eq!((b[0].period.as_str(), b[0].landed), ("2024-03", 1));
        assert_eq!((b[2].period.as_str(), b[2].landed), ("2024-05", 1));
        assert_eq!(b[0].start, at("2024-03-01T00:00:00Z"));
        // A fact outside the periods given is left out.
        let later = [fact("2024-06-01T00:00:00Z", Pending::Still)];
        assert!(buckets(&later, &s, Period::Month).iter().all(|b| b.landed == 0 && b.backlog == 0));
    }

    #[test]
    fn an_approval_after_merge_ends_the_backlog_at_its_months_end() {
        // Landed in January, approved in March: pending at the end of
        // January and February, not at the end of March.
        let facts = [fact("2024-01-10T00:00:00Z", Pending::Until(at("2024-03-05T00:00:00Z")))];
        let s = starts(facts[0].at, at("2024-04-01T00:00:00Z"), Period::Month);
        let b = buckets(&facts, &s, Period::Month);
        let backlog: Vec<u32> = b.iter().map(|b| b.backlog).collect();
        assert_eq!(backlog, [1, 1, 0, 0]);
        assert_eq!(b[0].approved_after_merge, 1);
        // Approved in the month it landed: never in a month-end backlog.
        let quick = [fact("2024-01-10T00:00:00Z", Pending::Until(at("2024-01-20T00:00:00Z")))];
        assert!(buckets(&quick, &s, Period::Month).iter().all(|b| b.backlog == 0));
        // Approved after the last period: pending at every end.
        let late = [fact("2024-01-10T00:00:00Z", Pending::Until(at("2025-01-01T00:00:00Z")))];
        assert!(buckets(&late, &s, Period::Month).iter().all(|b| b.backlog == 1));
    }

    #[test]
    fn weeks_start_on_monday_and_are_named_by_their_iso_year() {
        // 2024-12-30 is a Monday in ISO week 1 of 2025.
        let s = starts(at("2024-12-31T10:00:00Z"), at("2025-01-07T00:00:00Z"), Period::Week);
        let labels: Vec<String> = s.iter().map(|&t| label(t, Period::Week)).collect();
        assert_eq!(labels, ["2025-W01", "2025-W02"]);
        assert_eq!(s[0], at("2024-12-30T00:00:00Z"));
    }

    #[test]
    fn nothing_to_bucket_is_no_period() {
        assert!(starts(10, 5, Period::Month).is_empty());
        assert!(buckets(&[], &[], Period::Month).is_empty());
        assert_eq!(total(&[]).landed, 0);
    }

    #[test]
    fn self_merged_is_the_author_landing_their_own_change() {
        let mut c = crate::model::sample::change();
        assert!(!self_merged(&c), "merged by bob, written by alice");
        c.merged_by = Some("Alice".into());
        assert!(self_merged(&c));
        c.merged_by = None;
        assert!(!self_merged(&c), "a pull request nobody knows the merger of");
        c.pr = None;
        assert!(self_merged(&c), "pushed by its author");
        c.committer = "Bob".into();
        assert!(!self_merged(&c));
    }
}
