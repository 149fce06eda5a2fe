//! Reading commit messages: trailers, pull request numbers, backport links.
//! Pure functions over text; the messages may be crafted, so nothing here
//! trusts their shape.

use crate::model::{Person, Trailer};

/// What a commit message says about where the change came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageRefs {
    /// The pull request this commit merged, as the subject claims.
    pub pr: Option<u64>,
    /// `[3.12]` at the start of the subject: the branch a backport targets.
    pub backport_prefix: Option<String>,
    /// The original pull request a backport names (`(GH-N)`).
    pub original_pr: Option<u64>,
    /// `(cherry picked from commit X)` lines, in order.
    pub cherry_picked_from: Vec<String>,
}

/// The first line of a message.
pub fn subject(message: &str) -> &str {
    message.lines().next().unwrap_or("").trim_end()
}

/// The title a human would give the change: for GitHub merge commits the
/// subject is `Merge pull request #N from …` and the title is the body's
/// first line.
pub fn title(message: &str) -> String {
    let subject = subject(message);
    if merge_pull_request_number(subject).is_some() {
        let body_first = message.lines().skip(1).map(str::trim).find(|l| !l.is_empty());
        if let Some(line) = body_first {
            return line.to_string();
        }
    }
    subject.to_string()
}

/// The title without the trailing ` (#N)` GitHub appends for pull request
/// `N` (shown in its own column).
pub fn title_without_number(message: &str, pr: Option<u64>) -> String {
    let title = title(message);
    match pr {
        Some(n) => title.strip_suffix(&format!(" (#{n})")).map(str::to_string).unwrap_or(title),
        None => title,
    }
}

/// Parses the references a message makes. See the module tests for examples.
pub fn parse_refs(message: &str) -> MessageRefs {
    let subject = subject(message);
    let backport_prefix = backport_prefix(subject);
    let merge_pr = merge_pull_request_number(subject);
    let refs = parenthesised_numbers(subject);

    let mut pr = merge_pr;
    let mut original_pr = None;
    if backport_prefix.is_some() {
        // `[3.12] Fix (GH-100) (#120)`: GH-N names the original, the last
        // `(#N)` is the backport's own pull request.
        original_pr = refs.iter().find(|r| r.gh).map(|r| r.number);
        let hashes: Vec<u64> = refs.iter().filter(|r| !r.gh).map(|r| r.number).collect();
        if original_pr.is_none() && hashes.len() >= 2 {
            original_pr = hashes.first().copied();
        }
        if pr.is_none() {
            pr = hashes.last().copied();
        }
    } else if pr.is_none() {
        // Older squash merges wrote `(GH-N)` for their own number.
        pr = refs.last().map(|r| r.number);
    }

    MessageRefs { pr, backport_prefix, original_pr, cherry_picked_from: cherry_picked_from(message) }
}

/// `Merge pull request #123 from owner/branch` → 123.
pub fn merge_pull_request_number(subject: &str) -> Option<u64> {
    let rest = subject.strip_prefix("Merge pull request #")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = &rest[digits.len()..];
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    parse_number(&digits)
}

/// A `(#N)` or `(GH-N)` reference in a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NumberRef {
    number: u64,
    gh: bool,
}

fn parenthesised_numbers(subject: &str) -> Vec<NumberRef> {
    let mut found = Vec::new();
    let mut rest = subject;
    while let Some(open) = rest.find('(') {
        rest = &rest[open + 1..];
        let (gh, digits_start) = if let Some(r) = rest.strip_prefix('#') {
            (false, r)
        } else if let Some(r) = rest.strip_prefix("GH-").or_else(|| rest.strip_prefix("gh-")) {
            (true, r)
        } else {
            continue;
        };
        let digits: String = digits_start.chars().take_while(char::is_ascii_digit).collect();
        if digits_start[digits.len()..].starts_with(')') {
            if let Some(number) = parse_number(&digits) {
                found.push(NumberRef { number, gh });
            }
        }
    }
    found
}

fn parse_number(digits: &str) -> Option<u64> {
    if digits.is_empty() || digits.len() > 12 {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

/// `[3.12] Title` → `3.12`. Only short, branch-like prefixes count, so that
/// `[WIP]`-style tags are still recognised but prose in brackets is not.
pub fn backport_prefix(subject: &str) -> Option<String> {
    let rest = subject.strip_prefix('[')?;
    let close = rest.find(']')?;
    let inner = &rest[..close];
    let branch_like = !inner.is_empty()
        && inner.len() <= 40
        && inner.chars().any(|c| c.is_ascii_digit())
        && inner.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'));
    branch_like.then(|| inner.to_string())
}

/// Every `(cherry picked from commit X)` line, anywhere in the message.
pub fn cherry_picked_from(message: &str) -> Vec<String> {
    message
        .lines()
        .filter_map(|line| {
            let inner = line.trim().strip_prefix("(cherry picked from commit ")?.strip_suffix(')')?;
            let sha = inner.trim();
            let hex = sha.len() >= 7 && sha.len() <= 64 && sha.chars().all(|c| c.is_ascii_hexdigit());
            hex.then(|| sha.to_ascii_lowercase())
        })
        .collect()
}

/// The trailers of a message: `Key: value` lines of its last paragraph, as
/// git reads them (continuation lines fold into the previous value).
pub fn trailers(message: &str) -> Vec<Trailer> {
    let lines: Vec<&str> = message.trim_end().lines().collect();
    // The last paragraph, but never the subject itself.
    let start = lines.iter().rposition(|l| l.trim().is_empty()).map(|i| i + 1).unwrap_or(lines.len());
    let block = &lines[start..];
    let mut trailers: Vec<Trailer> = Vec::new();
    let mut other_lines = 0;
    for line in block {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = trailers.last_mut() {
                last.value.push(' ');
                last.value.push_str(line.trim());
                continue;
            }
        }
        match split_trailer(line) {
            Some(t) => trailers.push(t),
            None if line.trim().starts_with("(cherry picked from commit ") => {}
            None => other_lines += 1,
        }
    }
    // As git: a block of nothing but trailers, or one that is at least a
    // quarter trailers and holds a well-known one. Prose with a colon in it
    // is not a trailer block.
    let known = trailers.iter().any(|t| KNOWN_TRAILERS.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
    if trailers.is_empty() || (other_lines > 0 && !(known && trailers.len() * 3 >= other_lines)) {
        return Vec::new();
    }
    trailers
}

fn split_trailer(line: &str) -> Option<Trailer> {
    let (key, value) = line.split_once(':')?;
    let key_ok = !key.is_empty()
        && key.len() <= 64
        && key.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    // `Key: value` has a space after the colon; `http://…` does not.
    let spaced = value.starts_with([' ', '\t']);
    let value = value.trim();
    (key_ok && spaced && !value.is_empty()).then(|| Trailer { key: key.to_string(), value: value.to_string() })
}

/// `Jane Doe <jane@example.org>` → a person; a bare name keeps an empty email.
pub fn parse_person(value: &str) -> Person {
    match (value.find('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            Person { name: value[..open].trim().to_string(), email: value[open + 1..close].trim().to_string() }
        }
        _ => Person { name: value.trim().to_string(), email: String::new() },
    }
}

/// Trailers that tools and projects write; a block holding one of them is a
/// trailer block even with a stray line of prose in it.
const KNOWN_TRAILERS: [&str; 10] = [
    "Signed-off-by",
    "Co-authored-by",
    "Reviewed-by",
    "Acked-by",
    "Approved-by",
    "Reviewed-on",
    "Tested-by",
    "Reported-by",
    "Suggested-by",
    "Change-Id",
];

/// Trailer keys that record an independent review.
pub const REVIEW_TRAILERS: [&str; 3] = ["Reviewed-by", "Approved-by", "Acked-by"];

/// Whether a trailer key names a reviewer (case-insensitive, as git does).
pub fn is_review_trailer(key: &str) -> bool {
    REVIEW_TRAILERS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Gerrit's `Reviewed-on:` link: the change went through code review there.
pub fn is_gerrit_review_link(key: &str) -> bool {
    key.eq_ignore_ascii_case("Reviewed-on")
}

/// Co-authors count as authors: their review is not independent.
pub fn is_coauthor_trailer(key: &str) -> bool {
    key.eq_ignore_ascii_case("Co-authored-by")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_request_numbers_from_subjects() {
        type Want = (Option<u64>, Option<&'static str>, Option<u64>);
        let cases: &[(&str, Want)] = &[
            ("gh-1234: Fix the parser (#5678)", (Some(5678), None, None)),
            ("bpo-42: Old style squash (GH-4321)", (Some(4321), None, None)),
            ("Merge pull request #77 from alice/fix-io", (Some(77), None, None)),
            ("Merge pull request #77x from alice/fix-io", (None, None, None)),
            ("[3.12] gh-1234: Fix the parser (GH-5678) (#5690)", (Some(5690), Some("3.12"), Some(5678))),
            ("[3.12] Fix the parser (#5678) (#5690)", (Some(5690), Some("3.12"), Some(5678))),
            ("[3.12] Fix the parser (GH-5678)", (None, Some("3.12"), Some(5678))),
            ("[v5.6] backport", (None, Some("v5.6"), None)),
            ("[WIP] not a branch (#3)", (Some(3), None, None)),
            ("Fix (#12) in the middle, really (#34)", (Some(34), None, None)),
            ("Mentions #12 without parentheses", (None, None, None)),
            ("Broken (#) and (#abc) and (#0)", (None, None, None)),
            ("Huge (#99999999999999999999)", (None, None, None)),
            ("", (None, None, None)),
        ];
        for (subject, want) in cases {
            let r = parse_refs(subject);
            assert_eq!((r.pr, r.backport_prefix.as_deref(), r.original_pr), *want, "subject: {subject:?}");
        }
    }

    #[test]
    fn merge_commit_title_comes_from_the_body() {
        let msg = "Merge pull request #9 from bob/branch\n\nMake the cache thread-safe\n";
        assert_eq!(title(msg), "Make the cache thread-safe");
        assert_eq!(title("Plain subject\n\nbody"), "Plain subject");
        assert_eq!(title("Merge pull request #9 from bob/branch"), "Merge pull request #9 from bob/branch");
        assert_eq!(title_without_number("Fix (GH-1) (#12)\n", Some(12)), "Fix (GH-1)");
        assert_eq!(title_without_number("Fix (#12)\n", Some(13)), "Fix (#12)");
    }

    #[test]
    fn cherry_pick_lines_anywhere_in_the_message() {
        let msg = "[3.12] Fix (GH-1) (#2)\n\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n\nCo-authored-by: A <a@x>\n";
        assert_eq!(cherry_picked_from(msg), vec!["0123456789abcdef0123456789abcdef01234567"]);
        assert!(cherry_picked_from("(cherry picked from commit not-hex)").is_empty());
        assert!(cherry_picked_from("(cherry picked from commit abc)").is_empty(), "too short to be a sha");
    }

    #[test]
    fn trailers_of_the_last_paragraph_only() {
        let msg = "Subject\n\nBody says: hello\n\nReviewed-by: Jane <jane@x.org>\nAcked-by: Bob\n  continued\nSigned-off-by: Al <al@x>\n";
        let t = trailers(msg);
        let keys: Vec<&str> = t.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["Reviewed-by", "Acked-by", "Signed-off-by"]);
        assert_eq!(t[1].value, "Bob continued");
    }

    #[test]
    fn prose_is_not_a_trailer_block() {
        assert!(trailers("Subject\n\nThis fixes a bug.\nIt was bad.\nReally bad.\nNote: see docs").is_empty());
        assert!(trailers("Reviewed-by: X <x@y>").is_empty(), "a subject alone has no trailers");
        assert!(trailers("Subject\n\nhttp://example.org: not a key").is_empty());
    }

    #[test]
    fn cherry_pick_line_inside_trailer_block_is_tolerated() {
        let msg = "S\n\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\nReviewed-by: R <r@x>";
        assert_eq!(trailers(msg).len(), 1);
    }

    #[test]
    fn people_from_trailer_values() {
        assert_eq!(
            parse_person("Jane Doe <jane@x.org>"),
            Person { name: "Jane Doe".into(), email: "jane@x.org".into() }
        );
        assert_eq!(parse_person("jane"), Person { name: "jane".into(), email: String::new() });
        assert_eq!(parse_person("odd > order <"), Person { name: "odd > order <".into(), email: String::new() });
    }

    #[test]
    fn review_trailer_keys_are_case_insensitive() {
        assert!(is_review_trailer("reviewed-BY"));
        assert!(is_review_trailer("Acked-by"));
        assert!(!is_review_trailer("Signed-off-by"));
        assert!(is_gerrit_review_link("Reviewed-on"));
    }
}
