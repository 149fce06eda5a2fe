//! Reading commit messages: trailers, pull request numbers, backport links.
//! Pure functions over text; the messages may be crafted, so nothing here
//! trusts their shape.

use crate::model::{Person, Trailer};

/// What a commit message says about where the change came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageRefs {
    /// The pull request this commit merged, as the message claims: the
    /// change's own number, never its original's.
    pub pr: Option<u64>,
    /// The branch a backport targets, as its subject names it (`[3.12]`,
    /// `[PR #N/sha backport][3.11]`, `Backport PR #N on branch 8.x`).
    pub backport_prefix: Option<String>,
    /// The original pull request a backport names (`(GH-N)`, a bot's
    /// subject or branch, `Backport of #N`, a configured pattern).
    pub original_pr: Option<u64>,
    /// The original commit a backport convention names, lowercase hex, full
    /// or a prefix of at least 7 digits (patchback, Linux stable, a
    /// configured pattern).
    pub original_sha: Option<String>,
    /// `(cherry picked from commit X)` lines, in order.
    pub cherry_picked_from: Vec<String>,
}

/// A project's own backport convention (the config's `[[backport.patterns]]`):
/// what its match on a message captured, as text. The config implements it
/// with its compiled regexes, so this module needs no regex engine.
pub trait NamesOriginal {
    fn capture(&self, message: &str) -> Option<Captured>;
}

/// The named groups a configured pattern captured: `pr` and `sha`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    pub pr: Option<String>,
    pub sha: Option<String>,
}

/// The first line of a message.
pub fn subject(message: &str) -> &str {
    message.lines().next().unwrap_or("").trim_end()
}

/// The title a human would give the change: the first line that is neither
/// a trailer nor a cherry-pick note. For GitHub merge commits the subject is
/// `Merge pull request #N from …` and the title is the body's first such
/// line (the subject when the body has none).
pub fn title(message: &str) -> String {
    let subject = subject(message);
    let skip = usize::from(merge_pull_request_number(subject).is_some());
    let block = trailer_block_start(message);
    let found = message
        .lines()
        .enumerate()
        .skip(skip)
        .map(|(i, line)| (i, line.trim()))
        .find(|&(i, line)| !line.is_empty() && !is_cherry_pick_note(line) && !is_trailer_line(line, i, block));
    match found {
        Some((_, line)) => line.to_string(),
        None => subject.to_string(),
    }
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

fn is_cherry_pick_note(line: &str) -> bool {
    line.starts_with("(cherry picked from commit ")
}

/// A `Key: value` line of the trailer block, or anywhere with a key that
/// only trailers use (`Co-authored-by`, `Signed-off-by`, …), so that
/// `Fix: the parser` in a body is still a title.
fn is_trailer_line(line: &str, index: usize, block_start: Option<usize>) -> bool {
    let Some(trailer) = split_trailer(line) else { return false };
    let key = trailer.key.to_ascii_lowercase();
    block_start.is_some_and(|start| index >= start)
        || key.ends_with("-by")
        || KNOWN_TRAILERS.iter().any(|k| k.eq_ignore_ascii_case(&key))
}

/// The index of the trailer block's first line, when the message has one.
fn trailer_block_start(message: &str) -> Option<usize> {
    if trailers(message).is_empty() {
        return None;
    }
    let lines: Vec<&str> = message.trim_end().lines().collect();
    lines.iter().rposition(|l| l.trim().is_empty()).map(|i| i + 1)
}

/// Parses the references a message makes. See the module tests for examples.
pub fn parse_refs(message: &str) -> MessageRefs {
    parse_refs_with(message, &[])
}

/// [`parse_refs`], with a project's own conventions read first.
pub fn parse_refs_with(message: &str, patterns: &[&dyn NamesOriginal]) -> MessageRefs {
    let subject = subject(message);
    let mut refs = MessageRefs { cherry_picked_from: cherry_picked_from(message), ..MessageRefs::default() };
    let merge_pr = merge_pull_request_number(subject);
    match (merge_pr, squash_number(subject)) {
        // `Merge pull request #M from … (#N)`: a squash of another merge.
        (Some(merged), Some(own)) => {
            refs.pr = Some(own);
            refs.original_pr = Some(merged);
        }
        (merged, _) => refs.pr = merged,
    }

    // The project's own word comes first: the first pattern that names
    // something valid.
    let configured = patterns.iter().filter_map(|p| p.capture(message)).find_map(|captured| {
        let sha = captured.sha.as_deref().and_then(hex_sha);
        let pr = captured.pr.as_deref().and_then(|p| parse_number(p.trim_start_matches('#')));
        (sha.is_some() || pr.is_some()).then_some((sha, pr))
    });
    if let Some((sha, pr)) = configured {
        refs.original_sha = sha;
        refs.original_pr = pr.or(refs.original_pr);
    }
    if merge_pr.is_some() {
        read_merged_branch(subject, &mut refs);
        // A bot's merge carries the backport's subject as its title.
        let title = title(message);
        if title != subject {
            read_bot_subject(&title, &mut refs);
        }
    }
    read_bot_subject(subject, &mut refs);
    if refs.original_sha.is_none() {
        refs.original_sha = upstream_commit(message).or_else(|| merged_as(message));
    }
    if refs.original_pr.is_none() {
        refs.original_pr = backport_of(message);
    }
    read_numbers(subject, &mut refs);
    if refs.pr.is_none() {
        refs.pr = merged_from_pull(message);
    }
    refs
}

/// The subject's own and original numbers by GitHub's suffixes: the last
/// `(#N)` is the pull request the change merged as.
fn read_numbers(subject: &str, refs: &mut MessageRefs) {
    let numbers = parenthesised_numbers(subject);
    let prefix = backport_prefix(subject);
    if prefix.is_some() {
        // `[3.12] Fix (GH-100) (#120)`: GH-N names the original, the last
        // `(#N)` is the backport's own pull request.
        let hashes: Vec<u64> = numbers.iter().filter(|r| !r.gh).map(|r| r.number).collect();
        let original = numbers.iter().find(|r| r.gh).map(|r| r.number);
        let original = original.or_else(|| (hashes.len() >= 2).then(|| hashes[0]));
        refs.original_pr = refs.original_pr.or(original);
        if refs.pr.is_none() {
            refs.pr = hashes.last().copied();
        }
    } else if refs.pr.is_none() && meeseeks_subject(subject).is_none() {
        // Older squash merges wrote `(GH-N)` for their own number.
        refs.pr = numbers.last().map(|r| r.number);
        // `Title (#A) (#B)`: pull request B squashed a subject that already
        // ended in A's number, so it carries A's change.
        if refs.original_pr.is_none() {
            refs.original_pr = squash_of_squash(subject);
        }
    }
    if refs.backport_prefix.is_none() {
        refs.backport_prefix = prefix;
    }
}

/// The ` (#N)` GitHub appends to a squashed pull request's subject.
fn squash_number(subject: &str) -> Option<u64> {
    let inner = subject.trim_end().strip_suffix(')')?;
    let open = inner.rfind(" (#")?;
    parse_number(&inner[open + 3..])
}

/// `Title (#A) (#B)` → A.
fn squash_of_squash(subject: &str) -> Option<u64> {
    let own = squash_number(subject)?;
    let rest = subject.trim_end().strip_suffix(&format!(" (#{own})"))?;
    squash_number(rest).filter(|&original| original != own)
}

/// Backport bots' subjects: patchback's `[PR #N/sha backport][3.11] Title`
/// and MeeseeksDev's `Backport PR #N on branch 8.x (Title)` or
/// `Backport PR #N: Title`. A convention read earlier wins.
fn read_bot_subject(subject: &str, refs: &mut MessageRefs) {
    if let Some((number, sha, branch)) = patchback_subject(subject) {
        refs.original_pr = refs.original_pr.or(Some(number));
        refs.original_sha = refs.original_sha.take().or(sha);
        refs.backport_prefix = refs.backport_prefix.take().or(branch);
    } else if let Some((number, branch)) = meeseeks_subject(subject) {
        refs.original_pr = refs.original_pr.or(Some(number));
        refs.backport_prefix = refs.backport_prefix.take().or(branch);
        if refs.pr.is_none() {
            // Only GitHub's suffix: the parenthesised title may hold numbers.
            refs.pr = squash_number(subject).filter(|&n| n != number);
        }
    }
}

/// `[PR #11081/5da0231f backport][3.11] …` → (11081, sha, 3.11). The
/// opening bracket and the sha are optional (both are seen in the wild).
fn patchback_subject(subject: &str) -> Option<(u64, Option<String>, Option<String>)> {
    let rest = subject.strip_prefix('[').unwrap_or(subject).strip_prefix("PR #")?;
    let (inside, after) = rest.split_once(" backport]")?;
    let (digits, sha) = match inside.split_once('/') {
        Some((digits, sha)) => (digits, Some(hex_sha(sha)?)),
        None => (inside, None),
    };
    let branch = after.strip_prefix('[').and_then(|b| b.split_once(']')).map(|(b, _)| b).filter(|b| is_branch_like(b));
    Some((parse_number(digits)?, sha, branch.map(str::to_string)))
}

/// `Backport PR #14913 on branch 8.x (…)` → (14913, 8.x);
/// `Backport PR #14913: …` → (14913, none).
fn meeseeks_subject(subject: &str) -> Option<(u64, Option<String>)> {
    let rest = subject.strip_prefix("Backport PR #")?;
    let (digits, after) = split_digits(rest);
    let number = parse_number(digits)?;
    if after.starts_with(':') {
        return Some((number, None));
    }
    let branch = after.strip_prefix(" on branch ")?.split(' ').next().filter(|b| is_branch_like(b))?;
    Some((number, Some(branch.to_string())))
}

/// The branch a bot's merge came from: patchback's
/// `…/patchback/backports/<branch>/<sha>/pr-<N>`, MeeseeksDev's
/// `…/auto-backport-of-pr-<N>-on-<branch>`, the backport action's
/// `…/backport-<N>-to-<branch>`.
fn read_merged_branch(subject: &str, refs: &mut MessageRefs) {
    let Some(branch) = subject.split_once(" from ").map(|(_, b)| b.split(' ').next().unwrap_or("")) else {
        return;
    };
    if let Some(rest) = branch.split_once("patchback/backports/").map(|(_, r)| r) {
        // The target branch may hold slashes: read from the end.
        let parts: Vec<&str> = rest.rsplitn(3, '/').collect();
        if let [pr, sha, target] = parts[..] {
            if let (Some(sha), Some(number)) = (hex_sha(sha), pr.strip_prefix("pr-").and_then(parse_number)) {
                refs.original_sha = refs.original_sha.take().or(Some(sha));
                refs.original_pr = refs.original_pr.or(Some(number));
                refs.backport_prefix = refs.backport_prefix.take().or(Some(target.to_string()));
            }
        }
        return;
    }
    // `owner/branch`: the branch may hold slashes, the owner cannot.
    let name = branch.split_once('/').map(|(_, name)| name).unwrap_or(branch);
    let found = name
        .strip_prefix("auto-backport-of-pr-")
        .map(|r| (r, "-on-"))
        .or_else(|| name.strip_prefix("backport-").map(|r| (r, "-to-")));
    if let Some((rest, joiner)) = found {
        let (digits, after) = split_digits(rest);
        if let (Some(number), Some(target)) = (parse_number(digits), after.strip_prefix(joiner)) {
            refs.original_pr = refs.original_pr.or(Some(number));
            if is_branch_like(target) {
                refs.backport_prefix = refs.backport_prefix.take().or(Some(target.to_string()));
            }
        }
    }
}

/// Linux stable: the body's first line is `commit <sha> upstream.` or
/// `[ Upstream commit <sha> ]`.
fn upstream_commit(message: &str) -> Option<String> {
    let first = message.lines().skip(1).map(str::trim).find(|l| !l.is_empty())?;
    let lower = first.to_ascii_lowercase();
    let sha = if let Some(rest) = lower.strip_prefix("commit ") {
        let (sha, after) = rest.split_once(' ')?;
        after.trim_end_matches('.').eq("upstream").then_some(sha)?
    } else {
        let inner = lower.strip_prefix('[')?.strip_suffix(']')?.trim();
        inner.strip_prefix("upstream commit ")?.trim()
    };
    hex_sha(sha)
}

/// patchback's body: `This is a backport of PR <url>/pull/N as merged into
/// master (<url>/commit/<sha>).`: the commit the original merged as.
fn merged_as(message: &str) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    let (at, phrase) = lower.match_indices("as merged into ").next()?;
    // The link follows within the sentence.
    let rest = lower.get(at + phrase.len()..)?;
    let rest = rest.get(..rest.len().min(300))?;
    let after = &rest[rest.find("/commit/")? + "/commit/".len()..];
    let sha: String = after.chars().take_while(char::is_ascii_hexdigit).collect();
    hex_sha(&sha)
}

/// `Backport of #N`, `Manual backport of https://github.com/o/r/pull/N`,
/// `backport of o/r#N`, `Backport of PR #N`: the first such phrase.
fn backport_of(message: &str) -> Option<u64> {
    let lower = message.to_ascii_lowercase();
    lower.match_indices("backport of ").find_map(|(at, phrase)| {
        let rest = &lower[at + phrase.len()..];
        let rest = rest.strip_prefix("pr ").or_else(|| rest.strip_prefix("pull request ")).unwrap_or(rest);
        let reference = rest.split_whitespace().next()?;
        let reference = reference.trim_end_matches(['.', ',', ')', ':', ';']);
        pull_number_of(reference)
    })
}

/// `#N`, `owner/name#N` or a URL with `/pull/N` → N.
fn pull_number_of(reference: &str) -> Option<u64> {
    if let Some((_, after)) = reference.split_once("/pull/") {
        return parse_number(split_digits(after).0);
    }
    let (_, digits) = reference.split_once('#')?;
    parse_number(digits)
}

/// OpenSSL records the pull request a change merged as
/// `(Merged from https://github.com/openssl/openssl/pull/N)` in its body.
fn merged_from_pull(message: &str) -> Option<u64> {
    message.lines().skip(1).find_map(|line| {
        let url = line.trim().strip_prefix("(Merged from ")?.strip_suffix(')')?;
        let (_, after) = url.split_once("/pull/")?;
        parse_number(after.trim_end_matches('/'))
    })
}

/// Leading ASCII digits and the rest.
fn split_digits(text: &str) -> (&str, &str) {
    let end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    text.split_at(end)
}

/// A commit id or a prefix of one (7 to 64 hex digits), lowercase.
fn hex_sha(text: &str) -> Option<String> {
    let hex = (7..=64).contains(&text.len()) && text.chars().all(|c| c.is_ascii_hexdigit());
    hex.then(|| text.to_ascii_lowercase())
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
    // `[3.14 backport]` names the branch the same way.
    let inner = rest[..close].strip_suffix(" backport").unwrap_or(&rest[..close]);
    is_branch_like(inner).then(|| inner.to_string())
}

fn is_branch_like(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name.chars().any(|c| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
}

/// Every `(cherry picked from commit X)` line, anywhere in the message.
pub fn cherry_picked_from(message: &str) -> Vec<String> {
    message
        .lines()
        .filter_map(|line| {
            let inner = line.trim().strip_prefix("(cherry picked from commit ")?.strip_suffix(')')?;
            hex_sha(inner.trim())
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
            None if is_cherry_pick_note(line.trim()) => {}
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

    /// (own pr, original pr, original sha) of a message.
    fn origin(message: &str) -> (Option<u64>, Option<u64>, Option<String>) {
        let r = parse_refs(message);
        (r.pr, r.original_pr, r.original_sha)
    }

    #[test]
    fn patchback_squash_subject() {
        let r = parse_refs("[PR #11081/5da0231f backport][3.11] Revert cache key change for linter (#11082)\n");
        assert_eq!((r.pr, r.original_pr, r.original_sha.as_deref()), (Some(11082), Some(11081), Some("5da0231f")));
        assert_eq!(r.backport_prefix.as_deref(), Some("3.11"));
        // Without the sha, and with the opening bracket lost.
        assert_eq!(origin("[PR #12217 backport][3.14] Raise on redirect (#12245)"), (Some(12245), Some(12217), None));
        assert_eq!(
            origin("PR #11112/8edec63 backport][3.12] Fix cookie parsing issues (#11117)"),
            (Some(11117), Some(11112), Some("8edec63".into()))
        );
        // A revert of a backport is not one.
        assert_eq!(
            origin("Revert \"[PR #12794/c67c9e46 backport][3.15] reject non-digit Content-Length (#12883)\" (#12900)"),
            (Some(12900), None, None)
        );
    }

    #[test]
    fn patchback_merge_branch() {
        let msg = "Merge pull request #13468 from pytest-dev/patchback/backports/8.3.x/1498ba3aa57be19d649e64ee2db0d90ee315abad/pr-13467\n\n[PR #13467/1498ba3a backport][8.3.x] scripts/release: add missing `build`\n";
        let r = parse_refs(msg);
        assert_eq!(r.pr, Some(13468));
        assert_eq!(r.original_pr, Some(13467));
        assert_eq!(r.original_sha.as_deref(), Some("1498ba3aa57be19d649e64ee2db0d90ee315abad"), "the full sha wins");
        assert_eq!(r.backport_prefix.as_deref(), Some("8.3.x"));
        let slashed = "Merge pull request #5 from o/patchback/backports/maintenance/1.26.x/0123456789abcdef0123456789abcdef01234567/pr-4";
        assert_eq!(parse_refs(slashed).backport_prefix.as_deref(), Some("maintenance/1.26.x"));
        assert_eq!(parse_refs(slashed).original_pr, Some(4));
    }

    #[test]
    fn meeseeksdev_subjects_and_branches() {
        let r = parse_refs("Backport PR #14913 on branch 8.x (Update changelog for 8.37) (#14915)");
        assert_eq!((r.pr, r.original_pr, r.backport_prefix.as_deref()), (Some(14915), Some(14913), Some("8.x")));
        assert_eq!(origin("Backport PR #14913: Update changelog for 8.37"), (None, Some(14913), None));
        // A number inside the parenthesised title is not the change's own.
        assert_eq!(origin("Backport PR #5 on branch 8.x (Fix (#3))"), (None, Some(5), None));
        let merge = "Merge pull request #28000 from meeseeksmachine/auto-backport-of-pr-27990-on-v3.8.x\n\nBackport PR #27990 on branch v3.8.x (Fix)\n";
        assert_eq!(origin(merge), (Some(28000), Some(27990), None));
        assert_eq!(origin("Merge pull request #9 from o/backport-7-to-release/2.x"), (Some(9), Some(7), None));
        assert_eq!(origin("Merge pull request #9 from o/backport-pre-commit-fix"), (Some(9), None, None));
    }

    #[test]
    fn openssl_merged_from_names_the_own_pull_request() {
        let msg = "Fix a leak in BIO_new\n\nMore words.\n\nReviewed-by: Tomas Mraz <tomas@openssl.org>\n(Merged from https://github.com/openssl/openssl/pull/24537)\n";
        assert_eq!(origin(msg), (Some(24537), None, None));
        let picked = "Fix\n\nReviewed-by: A <a@x>\n(Merged from https://github.com/openssl/openssl/pull/7)\n\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n";
        let r = parse_refs(picked);
        assert_eq!((r.pr, r.original_pr), (Some(7), None));
        assert_eq!(r.cherry_picked_from, ["0123456789abcdef0123456789abcdef01234567"]);
        assert_eq!(origin("Subject (#3)\n\n(Merged from https://github.com/o/r/pull/7)"), (Some(3), None, None));
    }

    #[test]
    fn patchback_body_names_the_commit_the_original_merged_as() {
        let sha = "e1aec0ac94277a8b67092293aeac3c19e17fdd86";
        let message = format!(
            "[PR #11643 backport][3.14] Move dependency metadata (#11736)\n\nThis is a backport of PR \
             https://github.com/aio-libs/aiohttp/pull/11643\nas merged into master\n\
             (https://github.com/aio-libs/aiohttp/commit/{sha}).\n"
        );
        let r = parse_refs(&message);
        assert_eq!((r.pr, r.original_pr, r.original_sha.as_deref()), (Some(11736), Some(11643), Some(sha)));
        // Without the sentence a commit link names nothing.
        let plain = format!("Fix a leak\n\nSee https://github.com/o/r/commit/{sha} for the cause.\n");
        assert_eq!(parse_refs(&plain).original_sha, None);
    }

    #[test]
    fn linux_stable_upstream_line() {
        let sha = "5f1fd8f2da5b4a3c9e0f6d6a1c2b3d4e5f6a7b8c";
        let stable = format!("net: fix a race\n\ncommit {sha} upstream.\n\nThe race...\n");
        assert_eq!(origin(&stable), (None, None, Some(sha.into())));
        let bracketed = format!("net: fix a race\n\n[ Upstream commit {} ]\n\nThe race...\n", sha.to_uppercase());
        assert_eq!(origin(&bracketed), (None, None, Some(sha.into())));
        // Only the first body line counts, and prose is not it.
        assert_eq!(origin(&format!("S\n\nWords.\ncommit {sha} upstream.")), (None, None, None));
        assert_eq!(origin("S\n\ncommit nothex upstream."), (None, None, None));
    }

    #[test]
    fn hand_made_backports() {
        assert_eq!(origin("Backport of #123: fix the parser (#130)"), (Some(130), Some(123), None));
        assert_eq!(
            origin("[3.x] Fix the parser\n\nManual backport of https://github.com/o/r/pull/77"),
            (None, Some(77), None)
        );
        assert_eq!(
            origin("Fix\n\nThis is a backport of https://github.com/o/r/pull/77/files."),
            (None, Some(77), None)
        );
        assert_eq!(origin("Fix\n\nbackport of PR #12, by hand"), (None, Some(12), None));
        assert_eq!(origin("Fix\n\nBackport of o/r#12"), (None, Some(12), None));
        assert_eq!(origin("Fix\n\nthe backport of the fix, and backport of #5"), (None, Some(5), None));
        assert_eq!(origin("Fix\n\nBackport of nothing"), (None, None, None));
        // `Title (#A) (#B)`: B squashed A's subject.
        assert_eq!(origin("Add target-version to black config (#9962) (#9986)"), (Some(9986), Some(9962), None));
        assert_eq!(origin("[3.14 backport] Add port binding (#12167) (#12184)"), (Some(12184), Some(12167), None));
        // A squash of a GitHub merge subject: the trailing number is its own.
        assert_eq!(
            origin("Merge pull request #13256 from webknjaz/maintenance/towncrier-bump (#13258)"),
            (Some(13258), Some(13256), None)
        );
    }

    /// A configured pattern, as the config's compiled regexes answer.
    struct Fixed(Option<Captured>);

    impl NamesOriginal for Fixed {
        fn capture(&self, _message: &str) -> Option<Captured> {
            self.0.clone()
        }
    }

    #[test]
    fn configured_patterns_come_first_and_are_checked() {
        let sha = Fixed(Some(Captured { pr: None, sha: Some("ABCDEF1".into()) }));
        let pr = Fixed(Some(Captured { pr: Some("#42".into()), sha: None }));
        let junk = Fixed(Some(Captured { pr: Some("x".into()), sha: Some("xyz".into()) }));
        let none = Fixed(None);
        let msg = "[PR #11081/5da0231f backport][3.11] Revert (#11082)";
        let r = parse_refs_with(msg, &[&none, &junk, &sha, &pr]);
        assert_eq!((r.pr, r.original_pr, r.original_sha.as_deref()), (Some(11082), Some(11081), Some("abcdef1")));
        let r = parse_refs_with("Fix (#3)", &[&pr]);
        assert_eq!((r.pr, r.original_pr, r.original_sha), (Some(3), Some(42), None));
        assert_eq!(parse_refs_with("Fix (#3)", &[&junk]), parse_refs("Fix (#3)"));
    }

    #[test]
    fn titles_skip_cherry_pick_notes_and_trailers() {
        let pytest = "Merge pull request #13256 from webknjaz/maintenance/towncrier-bump (#13258)\n\n(cherry picked from commit c4028e90bbd2007a9054de66dedda61f358b568a)\n\nCo-authored-by: S <s@x>\n";
        assert_eq!(title(pytest), "Merge pull request #13256 from webknjaz/maintenance/towncrier-bump (#13258)");
        assert_eq!(
            title_without_number(pytest, Some(13258)),
            "Merge pull request #13256 from webknjaz/maintenance/towncrier-bump"
        );
        let merge = "Merge pull request #9 from bob/b\n\n(cherry picked from commit 0123456)\nSigned-off-by: B <b@x>\n\nFix: the real title\n\nAcked-by: C <c@x>\n";
        assert_eq!(title(merge), "Fix: the real title");
        assert_eq!(title("(cherry picked from commit 0123456)\n\nThe change\n"), "The change");
        assert_eq!(
            title("Merge pull request #9 from bob/b\n\nCo-authored-by: A <a@x>\n"),
            "Merge pull request #9 from bob/b"
        );
        let patchback = "Merge pull request #13468 from o/patchback/backports/8.3.x/1498ba3aa57be19d649e64ee2db0d90ee315abad/pr-13467\n\n[PR #13467/1498ba3a backport][8.3.x] Add `build`\n";
        assert_eq!(title(patchback), "[PR #13467/1498ba3a backport][8.3.x] Add `build`");
        assert_eq!(subject(pytest), "Merge pull request #13256 from webknjaz/maintenance/towncrier-bump (#13258)");
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
