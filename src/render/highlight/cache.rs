//! What a highlighter keeps: the bounded cache of styled lines by index,
//! and the memo of lines met before in the same parser state.

use std::collections::{HashMap, VecDeque};

use syntect::parsing::{ParseState, ScopeStack};

use crate::render::{Span, StyledLine};

/// Styled lines kept per file.
pub const CACHE_LINES: usize = 4096;

/// Bytes of styled text kept per file, whichever limit is reached first.
pub const CACHE_BYTES: usize = 32 << 20;

/// A bounded map of styled lines, evicted oldest first.
#[derive(Default)]
pub(super) struct LineCache {
    lines: HashMap<usize, StyledLine>,
    order: VecDeque<usize>,
    bytes: usize,
}

pub(super) fn line_bytes(line: &StyledLine) -> usize {
    line.iter().map(|s| s.text.len() + std::mem::size_of::<Span>()).sum()
}

impl LineCache {
    pub(super) fn get(&self, index: usize) -> Option<&StyledLine> {
        self.lines.get(&index)
    }

    pub(super) fn insert(&mut self, index: usize, line: StyledLine) {
        self.bytes += line_bytes(&line);
        match self.lines.insert(index, line) {
            Some(old) => self.bytes = self.bytes.saturating_sub(line_bytes(&old)),
            None => self.order.push_back(index),
        }
        while self.lines.len() > CACHE_LINES || (self.bytes > CACHE_BYTES && self.lines.len() > 1) {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(old) = self.lines.remove(&oldest) {
                self.bytes = self.bytes.saturating_sub(line_bytes(&old));
            }
        }
    }

    pub(super) fn clear(&mut self) {
        *self = LineCache::default();
    }
}

/// Lines longer than this are not memoized (they seldom repeat).
pub(super) const MEMO_MAX_LINE: usize = 256;

/// Memoized lines at most; the memo starts over when full.
const MEMO_LINES: usize = 8192;

/// A memo's first round holds an eighth of its limits (a shift of 3), and
/// each round in which lines came back doubles them up to the whole: a
/// file of unique lines finds that out for 128 KiB, not 1 MiB a side.
const FIRST_ROUND_SHIFT: u32 = 3;

/// Bytes the memo may hold (by [`MemoEntry::bytes`]), whichever limit is
/// reached first: at 8192 long styled lines a side's memo held ~9 MiB, a
/// fifth of `show`'s peak, while the lines that come back (a blank line,
/// a brace, a repeated call) come back soon: 1 MiB parses no more lines.
const MEMO_BYTES: usize = 1 << 20;

/// A line styled before, in a given parser state, and the state after it.
pub(super) struct MemoEntry {
    pub(super) parse: ParseState,
    pub(super) stack: ScopeStack,
    pub(super) line: StyledLine,
    pub(super) parse_after: ParseState,
    pub(super) stack_after: ScopeStack,
    pub(super) nodes_after: Vec<u32>,
}

impl MemoEntry {
    /// About what the entry holds on the heap and inline, its key included:
    /// the styled text and spans dominate; a parser state is counted by its
    /// scope stack's depth (syntect shows no more of it).
    fn bytes(&self, key: &str) -> usize {
        let state = |stack: &ScopeStack| 64 + 48 * stack.len();
        std::mem::size_of::<MemoEntry>()
            + key.len()
            + line_bytes(&self.line)
            + state(&self.stack)
            + state(&self.stack_after)
            + 4 * self.nodes_after.len()
    }
}

/// Styled lines by text and parser state: a line met again in the same
/// state (a blank line, a closing brace, a repeated statement) parses to
/// the same scopes, so it is not parsed again.
#[derive(Default)]
pub(super) struct Memo {
    lines: HashMap<String, Vec<MemoEntry>>,
    len: usize,
    bytes: usize,
    /// Hits since the memo last started over.
    hits: usize,
    /// Lines still to go without memoizing, after a memo that filled up
    /// with few hits (a file of unique lines).
    resting: usize,
    /// How long the next rest is: it doubles with each fruitless round,
    /// so that a file of unique lines soon costs the memo nothing.
    rest: usize,
    /// Rounds in a row in which lines came back, up to
    /// [`FIRST_ROUND_SHIFT`]: the limits are halved for each one short.
    paid: u32,
}

impl Memo {
    pub(super) fn get(&mut self, line: &str, parse: &ParseState, stack: &ScopeStack) -> Option<&MemoEntry> {
        if self.len == 0 {
            return None;
        }
        let hit = self.lines.get(line)?.iter().find(|e| e.parse == *parse && e.stack == *stack)?;
        self.hits += 1;
        Some(hit)
    }

    /// Whether a line parsed now should be memoized.
    pub(super) fn wanted(&mut self) -> bool {
        if self.resting > 0 {
            self.resting -= 1;
            return false;
        }
        true
    }

    pub(super) fn insert(&mut self, line: &str, entry: MemoEntry) {
        if self.full() {
            // Rest a while when hardly any line came back, longer each time.
            if self.hits < self.len / 16 {
                self.rest = (self.rest * 2).clamp(4 * MEMO_LINES, 256 * MEMO_LINES);
                self.resting = self.rest;
                self.paid = 0;
            } else {
                self.rest = 0;
                self.paid = (self.paid + 1).min(FIRST_ROUND_SHIFT);
            }
            self.clear();
        }
        let variants = self.lines.entry(line.to_string()).or_default();
        if variants.len() >= 4 {
            let old = variants.remove(0);
            self.bytes = self.bytes.saturating_sub(old.bytes(line));
            self.len -= 1;
        }
        self.bytes += entry.bytes(line);
        variants.push(entry);
        self.len += 1;
    }

    fn full(&self) -> bool {
        let shift = FIRST_ROUND_SHIFT - self.paid;
        self.len >= MEMO_LINES >> shift || self.bytes >= MEMO_BYTES >> shift
    }

    pub(super) fn clear(&mut self) {
        self.lines.clear();
        self.len = 0;
        self.bytes = 0;
        self.hits = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::sets::syntax_set;
    use super::*;

    #[test]
    fn the_cache_is_bounded() {
        let mut cache = LineCache::default();
        for i in 0..CACHE_LINES + 10 {
            cache.insert(i, vec![Span::plain("x")]);
        }
        assert_eq!(cache.lines.len(), CACHE_LINES);
        assert!(cache.get(0).is_none());
        assert!(cache.get(CACHE_LINES + 9).is_some());
        let huge = "x".repeat(CACHE_BYTES / 2 + 1);
        cache.insert(1, vec![Span::plain(huge.clone())]);
        cache.insert(2, vec![Span::plain(huge)]);
        assert!(cache.bytes <= CACHE_BYTES);
        assert!(cache.get(2).is_some());
    }

    #[test]
    fn a_memo_that_finds_nothing_rests_longer_each_round_and_wakes_on_hits() {
        let syntax = syntax_set().find_syntax_plain_text();
        let entry = || MemoEntry {
            parse: ParseState::new(syntax),
            stack: ScopeStack::new(),
            line: StyledLine::new(),
            parse_after: ParseState::new(syntax),
            stack_after: ScopeStack::new(),
            nodes_after: vec![0],
        };
        let mut memo = Memo::default();
        let mut key = 0;
        // Fills the memo with unique lines (each `hits` times met again).
        let mut round = |memo: &mut Memo, hits: usize| {
            while memo.resting > 0 {
                assert!(!memo.wanted());
            }
            while !memo.full() {
                assert!(memo.wanted());
                key += 1;
                memo.insert(&key.to_string(), entry());
            }
            let (parse, stack) = (ParseState::new(syntax), ScopeStack::new());
            for _ in 0..hits {
                assert!(memo.get(&key.to_string(), &parse, &stack).is_some());
            }
            let held = memo.len;
            key += 1;
            memo.insert(&key.to_string(), entry());
            (memo.resting, held)
        };
        // Lines that never come back: ever longer rests, every round small.
        let (rest, first) = round(&mut memo, 0);
        assert_eq!(rest, 4 * MEMO_LINES);
        assert!(first <= MEMO_LINES >> FIRST_ROUND_SHIFT && memo.bytes <= MEMO_BYTES >> FIRST_ROUND_SHIFT);
        for rest in [8 * MEMO_LINES, 16 * MEMO_LINES] {
            let (resting, n) = round(&mut memo, 0);
            assert!(resting == rest && n.abs_diff(first) <= 2, "{resting} {n}");
        }
        // Rounds where lines came back: no rest, and each holds twice the
        // last (give or take the entry that crossed the limit), up to the
        // whole limit.
        let mut held = vec![first];
        for _ in 0..5 {
            let (rest, n) = round(&mut memo, MEMO_LINES);
            assert_eq!(rest, 0);
            held.push(n);
        }
        // The round in which they came back was a first round yet.
        assert!(held[1].abs_diff(first) <= 1, "{held:?}");
        let doubled = |a: usize, b: usize| b.abs_diff(2 * a) <= 2;
        assert!(held[1..5].windows(2).all(|w| doubled(w[0], w[1])), "{held:?}");
        assert_eq!(held[4], held[5], "{held:?}");
        // A fruitless round: a short rest, and the next round small again.
        assert_eq!(round(&mut memo, 0).0, 4 * MEMO_LINES);
        let (rest, n) = round(&mut memo, 0);
        assert!(rest == 8 * MEMO_LINES && n.abs_diff(first) <= 2, "{rest} {n}");
    }

    #[test]
    fn the_memo_is_bounded_in_bytes() {
        let syntax = syntax_set().find_syntax_plain_text();
        let long = "x".repeat(MEMO_MAX_LINE);
        let mut memo = Memo::default();
        for key in 0..MEMO_LINES {
            let line = vec![Span::plain(long.clone()); 8];
            let entry = MemoEntry {
                parse: ParseState::new(syntax),
                stack: ScopeStack::new(),
                line,
                parse_after: ParseState::new(syntax),
                stack_after: ScopeStack::new(),
                nodes_after: vec![0],
            };
            memo.insert(&format!("{key}{long}"), entry);
            // Nothing came back: every round is a first round.
            assert!(memo.bytes < (MEMO_BYTES >> FIRST_ROUND_SHIFT) + 4 * 4096, "{} bytes held", memo.bytes);
        }
        let lines = MEMO_LINES >> FIRST_ROUND_SHIFT;
        assert!(memo.len < lines / 2, "started over on bytes, not lines: {}", memo.len);
    }
}
