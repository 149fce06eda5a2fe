//! Small pure helpers of the queue and its views: RFC 3339 times in
//! seconds, and short ages.

/// An RFC 3339 time in seconds; `None` when it does not parse (the queue
/// shows `?`, never an age counted from 1970).
pub fn parse_time(rfc3339: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339).ok().map(|t| t.timestamp())
}

/// How long ago, in one short word: `5m`, `3h`, `12d`, `2y`; `?` when the
/// time is not known.
pub fn age(now: i64, then: Option<i64>) -> String {
    let Some(then) = then else { return "?".into() };
    let s = (now - then).max(0);
    match s {
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s if s < 86_400 * 365 => format!("{}d", s / 86_400),
        s => format!("{}y", s / (86_400 * 365)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_time_has_no_age() {
        let now = parse_time("2026-12-02T12:00:00Z");
        assert_eq!(now, Some(1_796_212_800));
        assert_eq!(age(1_796_212_800, parse_time("2026-12-01T12:00:00Z")), "1d");
        assert_eq!(parse_time("1796212800"), None, "seconds are not RFC 3339");
        assert_eq!(age(1_796_212_800, parse_time("not a time")), "?");
    }
}
