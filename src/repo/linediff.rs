//! The lines of a text file's diff, as git shows them: imara-diff's
//! histogram diff of the two blobs (with its indent heuristic, as git's
//! default), cut into hunks with three lines of context, each headed by
//! the function line above it. Five to ten times faster than libgit2
//! building a patch, and the lines stay slices of the blobs: nothing is
//! copied, and a line costs 4 bytes of bounds and 4 of token.

use hashbrown::HashTable;
use imara_diff::{Algorithm, Diff, IndentHeuristic, IndentLevel, Token};

use crate::model::LineKind;

/// Lines of unchanged text shown around each change.
pub const CONTEXT: u32 = 3;

/// A side longer than this is shown as binary, as git does above its
/// `core.bigFileThreshold` (512 MiB): its lines would not be read anyway,
/// and offsets into it fit in 32 bits.
pub const MAX_TEXT: usize = 512 << 20;

/// Where each line of `data` starts, and the end of the data last; of its
/// first [`MAX_TEXT`] bytes only (the caller shows longer data as binary).
pub fn bounds(data: &[u8]) -> Vec<u32> {
    let data = &data[..data.len().min(MAX_TEXT)];
    // MAX_TEXT fits in 32 bits, so no offset below is cut.
    let at = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    // Counted first: a guess that falls short doubles the table, and a
    // big side's table is megabytes.
    let mut bounds = Vec::with_capacity(memchr::memchr_iter(b'\n', data).count() + 2);
    bounds.push(0);
    bounds.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1).filter(|&i| i < data.len()).map(at));
    if !data.is_empty() {
        bounds.push(at(data.len()));
    }
    bounds
}

/// One side of a diff: its bytes and where each line starts.
#[derive(Clone, Copy)]
pub struct Lines<'b> {
    data: &'b [u8],
    bounds: &'b [u32],
}

impl<'b> Lines<'b> {
    /// `bounds` as [`bounds`] found them in `data`.
    pub fn new(data: &'b [u8], bounds: &'b [u32]) -> Lines<'b> {
        Lines { data, bounds }
    }

    fn len(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    /// Line `i` with its ending (`\n`, or none on a last line without one).
    pub fn raw(&self, i: usize) -> &'b [u8] {
        match (self.bounds.get(i), self.bounds.get(i + 1)) {
            (Some(&from), Some(&to)) => self.data.get(from as usize..to as usize).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Line `i` without its `\n` (and a `\r` before it).
    pub fn text(&self, i: usize) -> &'b [u8] {
        let raw = self.raw(i);
        let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        raw.strip_suffix(b"\r").unwrap_or(raw)
    }

    /// Whether line `i` is the last and has no `\n`.
    pub fn lacks_newline(&self, i: usize) -> bool {
        i + 1 == self.len() && !self.raw(i).ends_with(b"\n")
    }
}

/// A hunk: where it starts and how many lines it spans on each side (as
/// in its `@@` header), the function line above it, and its lines, kept
/// as runs of one kind with consecutive numbers: a one-file rewrite of
/// 100,000 lines is three runs, not 200,000 lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextHunk {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    pub context: String,
    runs: Vec<Run>,
    len: u32,
}

/// Lines of one kind in a row: the first's index in the hunk and its
/// numbers (0: none), and whether the run's last line lacks a `\n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    at: u32,
    old: u32,
    new: u32,
    kind: LineKind,
    no_newline: bool,
}

impl TextHunk {
    /// How many lines the hunk shows.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Line `i` of the hunk.
    pub fn line(&self, i: usize) -> Option<TextLine> {
        let i = u32::try_from(i).ok().filter(|&i| i < self.len)?;
        let r = self.runs.partition_point(|r| r.at <= i).checked_sub(1)?;
        let run = self.runs.get(r)?;
        let end = self.runs.get(r + 1).map_or(self.len, |next| next.at);
        let d = i - run.at;
        let number = |first: u32| if first == 0 { 0 } else { first + d };
        Some(TextLine {
            old: number(run.old),
            new: number(run.new),
            kind: run.kind,
            no_newline: run.no_newline && i + 1 == end,
        })
    }

    /// The hunk's lines in order.
    pub fn lines(&self) -> impl Iterator<Item = TextLine> + '_ {
        (0..self.len()).filter_map(|i| self.line(i))
    }
}

/// Builds a hunk's runs, a run of lines at a time.
#[derive(Default)]
struct Runs {
    runs: Vec<Run>,
    len: u32,
}

impl Runs {
    /// `count` lines of `kind` from old line `old` and new line `new`
    /// (counted from 0; `None` where the kind has no such side), the last
    /// lacking its `\n` if `no_newline`.
    fn push(&mut self, kind: LineKind, old: Option<u32>, new: Option<u32>, count: u32, no_newline: bool) {
        if count == 0 {
            return;
        }
        let number = |at: Option<u32>| at.map_or(0, |n| n.saturating_add(1));
        self.runs.push(Run { at: self.len, old: number(old), new: number(new), kind, no_newline });
        self.len = self.len.saturating_add(count);
    }
}

/// A line of a hunk: its kind and numbers; its text is line `old_no` of
/// the old side (removed) or `new_no` of the new side (context, added).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLine {
    old: u32,
    new: u32,
    kind: LineKind,
    no_newline: bool,
}

impl TextLine {
    pub fn kind(&self) -> LineKind {
        self.kind
    }

    pub fn old_no(&self) -> Option<u32> {
        Some(self.old).filter(|&n| n != 0)
    }

    pub fn new_no(&self) -> Option<u32> {
        Some(self.new).filter(|&n| n != 0)
    }

    /// The line is its side's last and has no `\n`.
    pub fn no_newline(&self) -> bool {
        self.no_newline
    }
}

/// The hunks turning `old` into `new`.
pub fn hunks(old: &Lines<'_>, new: &Lines<'_>) -> Vec<TextHunk> {
    let tokens = Tokens::of(old, new);
    let diff = tokens.diff();
    drop(tokens);
    let changes: Vec<imara_diff::Hunk> = diff.hunks().collect();

    let mut out = Vec::new();
    let mut function = FunctionLines::default();
    let mut i = 0;
    while i < changes.len() {
        // Changes closer than twice the context share a hunk, as in git.
        let mut j = i;
        while j + 1 < changes.len() && changes[j + 1].before.start - changes[j].before.end <= 2 * CONTEXT {
            j += 1;
        }
        let (first, last) = (&changes[i], &changes[j]);
        let lead = CONTEXT.min(first.before.start);
        let trail = CONTEXT.min(count(old) - last.before.end);
        let (old_from, new_from) = (first.before.start - lead, first.after.start - lead);
        let (old_to, new_to) = (last.before.end + trail, last.after.end + trail);
        let mut runs = Runs::default();
        let context = |runs: &mut Runs, o: u32, n: u32, to: u32| {
            let count = to - o;
            let last = (n + count).saturating_sub(1) as usize;
            runs.push(LineKind::Context, Some(o), Some(n), count, count > 0 && new.lacks_newline(last));
        };
        let (mut o, mut n) = (old_from, new_from);
        for change in &changes[i..=j] {
            context(&mut runs, o, n, change.before.start);
            let (removed, added) = (change.before.clone(), change.after.clone());
            let lacks =
                |side: &Lines<'_>, r: &std::ops::Range<u32>| !r.is_empty() && side.lacks_newline(r.end as usize - 1);
            runs.push(LineKind::Removed, Some(removed.start), None, removed.len() as u32, lacks(old, &removed));
            runs.push(LineKind::Added, None, Some(added.start), added.len() as u32, lacks(new, &added));
            (o, n) = (change.before.end, change.after.end);
        }
        context(&mut runs, o, n, old_to);
        let (old_lines, new_lines) = (old_to - old_from, new_to - new_from);
        out.push(TextHunk {
            // An empty side names the line before it, as git does.
            old_start: if old_lines == 0 { old_from } else { old_from + 1 },
            old_lines,
            new_start: if new_lines == 0 { new_from } else { new_from + 1 },
            new_lines,
            context: function.before(old, old_from as usize),
            runs: runs.runs,
            len: runs.len,
        });
        i = j + 1;
    }
    out
}

/// Both sides' lines as imara-diff's tokens: equal lines, equal tokens,
/// each numbered by the line where it was first met (a line of `old`, or
/// of `new` after the old side's count), so that a token finds its text
/// with no table. The hash table keeps one number per distinct line and
/// compares a line with the bytes in the blobs, where imara's own
/// interner keeps a 16-byte slice per line more.
struct Tokens<'b> {
    old: Lines<'b>,
    new: Lines<'b>,
    before: Vec<Token>,
    after: Vec<Token>,
}

impl<'b> Tokens<'b> {
    fn of(old: &Lines<'b>, new: &Lines<'b>) -> Tokens<'b> {
        let hasher = hashbrown::DefaultHashBuilder::default();
        let hash = |line: &[u8]| std::hash::BuildHasher::hash_one(&hasher, line);
        let mut tokens = Tokens {
            old: *old,
            new: *new,
            before: Vec::with_capacity(old.len()),
            after: Vec::with_capacity(new.len()),
        };
        // Room for every line a token of its own (a rewrite), as growing
        // would hold the old and the new table at once: room no token
        // takes is never touched, so never resident.
        let mut table: HashTable<u32> = HashTable::with_capacity(old.len() + new.len());
        let line_of = |t: u32| token_line(old, new, t);
        for (is_new, lines) in [(false, old), (true, new)] {
            let side = if is_new { old.len() } else { 0 };
            for i in 0..lines.len() {
                let line = lines.raw(i);
                let token = match table.find(hash(line), |&t| line_of(t) == line) {
                    Some(&t) => t,
                    None => {
                        let t = u32::try_from(side + i).unwrap_or(u32::MAX);
                        table.insert_unique(hash(line), t, |&t| hash(line_of(t)));
                        t
                    }
                };
                if is_new {
                    tokens.after.push(Token(token));
                } else {
                    tokens.before.push(Token(token));
                }
            }
        }
        tokens
    }

    /// The histogram diff of the two sides (on [`Tokens::narrowed`] ones),
    /// with git's indent heuristic on each token's line.
    fn diff(&self) -> Diff {
        let (before, after, count) = self.narrowed();
        let mut diff = Diff::default();
        diff.compute_with(Algorithm::Histogram, &before, &after, count);
        drop((before, after));
        self.postprocess(diff)
    }

    /// git's indent heuristic, which compares lines of one side: on the
    /// true tokens.
    fn postprocess(&self, mut diff: Diff) -> Diff {
        let indent = |t: Token| IndentLevel::for_ascii_line(token_line(&self.old, &self.new, t.0).iter().copied(), 8);
        diff.postprocess_with(&self.before, &self.after, IndentHeuristic::new(indent));
        diff
    }

    /// Both sides for the histogram, numbered `0..S + 3`: the tokens the
    /// two sides share between their common ends, `0..S`; every other
    /// token of the old side `S`, of the new side `S + 1`; the common
    /// ends `S + 2`. A line on one side only matches nothing, and the
    /// ends are matched whatever they hold, so the histogram finds the
    /// same diff; but it keeps a 12-byte bucket per token number: for a
    /// rewrite of 100,000 lines 2.4 MB, for a change in a long file as
    /// many buckets as the file has lines, where 4 bytes a line copied
    /// and the buckets of the changed lines do.
    fn narrowed(&self) -> (Vec<Token>, Vec<Token>, u32) {
        let (before, after) = (&self.before, &self.after);
        let head = before.iter().zip(after).take_while(|(a, b)| a == b).count();
        let tail = before[head..].iter().rev().zip(after[head..].iter().rev()).take_while(|(a, b)| a == b).count();
        let (old_middle, new_middle) = (head..before.len() - tail, head..after.len() - tail);
        // A bit per old line's number: on the old side's middle, then in
        // both middles. (Only old lines' numbers can be on both sides.)
        let words = self.old.len().div_ceil(64);
        let mut in_old = vec![0u64; words];
        let set = |bits: &mut [u64], t: Token| {
            if let Some(word) = bits.get_mut(t.0 as usize / 64) {
                *word |= 1 << (t.0 % 64);
            }
        };
        let has = |bits: &[u64], t: Token| bits.get(t.0 as usize / 64).is_some_and(|w| w >> (t.0 % 64) & 1 == 1);
        for &t in &before[old_middle.clone()] {
            set(&mut in_old, t);
        }
        let mut shared = vec![0u64; words];
        for &t in &after[new_middle.clone()] {
            if has(&in_old, t) {
                set(&mut shared, t);
            }
        }
        drop(in_old);
        let mut ranks = Vec::with_capacity(words);
        let mut count = 0u32;
        for word in &shared {
            ranks.push(count);
            count += word.count_ones();
        }
        let number = |t: Token, stand_in: u32| {
            let (word, bit) = (t.0 as usize / 64, t.0 % 64);
            match (shared.get(word), ranks.get(word)) {
                (Some(&w), Some(&rank)) if w >> bit & 1 == 1 => Token(rank + (w & ((1 << bit) - 1)).count_ones()),
                _ => Token(stand_in),
            }
        };
        let side = |tokens: &[Token], middle: std::ops::Range<usize>, stand_in: u32| -> Vec<Token> {
            let end = Token(count + 2);
            let mut out = Vec::with_capacity(tokens.len());
            out.extend(std::iter::repeat_n(end, middle.start));
            out.extend(tokens[middle.clone()].iter().map(|&t| number(t, stand_in)));
            out.extend(std::iter::repeat_n(end, tokens.len() - middle.end));
            out
        };
        (side(before, old_middle, count), side(after, new_middle, count + 1), count + 3)
    }
}

/// The bytes of token `t`'s line.
fn token_line<'b>(old: &Lines<'b>, new: &Lines<'b>, t: u32) -> &'b [u8] {
    match (t as usize).checked_sub(old.len()) {
        None => old.raw(t as usize),
        Some(i) => new.raw(i),
    }
}

fn count(lines: &Lines<'_>) -> u32 {
    u32::try_from(lines.len()).unwrap_or(u32::MAX)
}

/// git's default function lines (a line starting with a letter, `_` or
/// `$`), found once each: hunks come in order, so the search above a hunk
/// starts where the last one stopped.
#[derive(Default)]
struct FunctionLines {
    scanned: usize,
    last: Option<usize>,
}

impl FunctionLines {
    /// The last function line above line `at` of `old`, cut to 80 bytes
    /// (git's limit) and trimmed.
    fn before(&mut self, old: &Lines<'_>, at: usize) -> String {
        while self.scanned < at {
            if old.raw(self.scanned).first().is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b'$') {
                self.last = Some(self.scanned);
            }
            self.scanned += 1;
        }
        let Some(found) = self.last else { return String::new() };
        let text = old.raw(found);
        let text = String::from_utf8_lossy(&text[..text.len().min(80)]);
        text.trim_end_matches('\u{FFFD}').trim_end().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewritten_file_is_three_runs_and_reads_back_line_by_line() {
        let old: String = (0..1000).map(|i| format!("old {i}\n")).collect();
        let new: String = (0..999).map(|i| format!("new {i}\n")).chain(["last".to_string()]).collect();
        let (ob, nb) = (bounds(old.as_bytes()), bounds(new.as_bytes()));
        let hunks = hunks(&Lines::new(old.as_bytes(), &ob), &Lines::new(new.as_bytes(), &nb));
        let [h] = hunks.as_slice() else { panic!("one hunk: {hunks:?}") };
        assert_eq!((h.runs.len(), h.len()), (2, 2000));
        let l = h.line(999).expect("line 999");
        assert_eq!((l.kind(), l.old_no(), l.new_no(), l.no_newline()), (LineKind::Removed, Some(1000), None, false));
        let l = h.line(1999).expect("the last line");
        assert_eq!((l.kind(), l.old_no(), l.new_no(), l.no_newline()), (LineKind::Added, None, Some(1000), true));
        assert!(!h.line(1998).expect("line 1998").no_newline());
        assert_eq!(h.line(2000), None);
        assert_eq!(h.lines().count(), 2000);
    }

    fn show(old: &str, new: &str) -> Vec<String> {
        let (old_bounds, new_bounds) = (bounds(old.as_bytes()), bounds(new.as_bytes()));
        let (old, new) = (Lines::new(old.as_bytes(), &old_bounds), Lines::new(new.as_bytes(), &new_bounds));
        let mut out = Vec::new();
        for h in hunks(&old, &new) {
            out.push(format!("@@ -{},{} +{},{} @@ {}", h.old_start, h.old_lines, h.new_start, h.new_lines, h.context));
            for l in h.lines() {
                let (mark, text) = match l.kind() {
                    LineKind::Context => (' ', new.text(l.new_no().unwrap_or(0) as usize - 1)),
                    LineKind::Removed => ('-', old.text(l.old_no().unwrap_or(0) as usize - 1)),
                    LineKind::Added => ('+', new.text(l.new_no().unwrap_or(0) as usize - 1)),
                };
                out.push(format!("{mark}{}{}", String::from_utf8_lossy(text), if l.no_newline() { " ⏎̸" } else { "" }));
            }
        }
        out
    }

    fn numbered(n: usize) -> String {
        (1..=n).map(|i| format!("line {i}\n")).collect()
    }

    #[test]
    fn a_changed_line_comes_with_three_lines_of_context() {
        let old = numbered(10);
        let new = old.replace("line 5\n", "line five\n");
        assert_eq!(
            show(&old, &new),
            [
                "@@ -2,7 +2,7 @@ line 1",
                " line 2",
                " line 3",
                " line 4",
                "-line 5",
                "+line five",
                " line 6",
                " line 7",
                " line 8"
            ]
        );
    }

    #[test]
    fn changes_close_together_share_a_hunk_and_far_ones_do_not() {
        let old = numbered(40);
        // As `git diff`: six lines between two changes still join them.
        let headers =
            |new: &str| -> Vec<String> { show(&old, new).into_iter().filter(|l| l.starts_with("@@")).collect() };
        let near = old.replace("line 5\n", "x\n").replace("line 12\n", "y\n");
        assert_eq!(headers(&near), ["@@ -2,14 +2,14 @@ line 1"]);
        let far = old.replace("line 5\n", "x\n").replace("line 13\n", "y\n");
        assert_eq!(headers(&far), ["@@ -2,7 +2,7 @@ line 1", "@@ -10,7 +10,7 @@ line 9"]);
    }

    #[test]
    fn new_and_deleted_files_count_from_zero_on_their_empty_side() {
        assert_eq!(show("", "a\nb\n"), ["@@ -0,0 +1,2 @@ ", "+a", "+b"]);
        assert_eq!(show("a\n", ""), ["@@ -1,1 +0,0 @@ ", "-a"]);
    }

    #[test]
    fn a_missing_final_newline_is_a_change_and_is_marked() {
        assert_eq!(show("a\nb", "a\nb\n"), ["@@ -1,2 +1,2 @@ ", " a", "-b ⏎̸", "+b"]);
        assert_eq!(show("a\nb", "a\nb"), Vec::<String>::new());
    }

    #[test]
    fn the_function_line_is_the_last_one_starting_with_a_letter_above_the_hunk() {
        let old = "int main(void)\n{\n\tint a;\n\tint b;\n\tint c;\n\tint d;\n\treturn 0;\n}\n";
        let new = old.replace("int d;", "int e;");
        assert_eq!(show(old, &new)[0], "@@ -3,6 +3,6 @@ int main(void)");
        let long = format!("{}\n\ta\n\tb\n\tc\n\td\n\te\n", "f".repeat(100));
        let header = &show(&long, &long.replace("\te", "\tE"))[0];
        assert_eq!(header, &format!("@@ -3,4 +3,4 @@ {}", "f".repeat(80)));
    }

    #[test]
    fn crlf_lines_keep_their_text_without_the_ending() {
        let (old, new) = ("a\r\nb\r\n", "a\r\nc\r\n");
        assert_eq!(show(old, new), ["@@ -1,2 +1,2 @@ ", " a", "-b", "+c"]);
    }

    /// Applies `hunks` to `old`: the lines of `new` if they are right.
    fn apply(old: &Lines<'_>, new: &Lines<'_>, hunks: &[TextHunk]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut next_old = 0usize;
        for h in hunks {
            // Unchanged lines up to the hunk, then the hunk's own.
            let first_old = h.lines().find_map(|l| l.old_no()).map_or(h.old_start as usize, |n| n as usize - 1);
            while next_old < first_old {
                out.push(old.raw(next_old).to_vec());
                next_old += 1;
            }
            let (mut olds, mut news) = (0, 0);
            for l in h.lines() {
                match l.kind() {
                    LineKind::Context => {
                        assert_eq!(old.raw(next_old), new.raw(l.new_no().unwrap_or(0) as usize - 1), "context differs");
                        out.push(old.raw(next_old).to_vec());
                        next_old += 1;
                        (olds, news) = (olds + 1, news + 1);
                    }
                    LineKind::Removed => {
                        assert_eq!(l.old_no(), Some(next_old as u32 + 1), "removed lines in order");
                        next_old += 1;
                        olds += 1;
                    }
                    LineKind::Added => {
                        out.push(new.raw(l.new_no().unwrap_or(0) as usize - 1).to_vec());
                        news += 1;
                    }
                }
            }
            assert_eq!((olds, news), (h.old_lines, h.new_lines), "header counts");
        }
        while next_old < old.len() {
            out.push(old.raw(next_old).to_vec());
            next_old += 1;
        }
        out
    }

    fn text_of(lines: &[u8]) -> Vec<u8> {
        lines.iter().map(|&b| if b == 9 { b'\n' } else { b'a' + b % 4 }).collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any two files (few distinct lines, so that they share many):
        /// the hunks turn the old one into the new one exactly, and their
        /// headers count their lines.
        #[test]
        fn hunks_turn_the_old_file_into_the_new(
            old in proptest::collection::vec(0u8..10, 0..200),
            new in proptest::collection::vec(0u8..10, 0..200),
        ) {
            let (old, new) = (text_of(&old), text_of(&new));
            let (ob, nb) = (bounds(&old), bounds(&new));
            let (o, n) = (Lines::new(&old, &ob), Lines::new(&new, &nb));
            let hunks = hunks(&o, &n);
            let rebuilt: Vec<u8> = apply(&o, &n, &hunks).concat();
            proptest::prop_assert_eq!(rebuilt, new.clone());
            proptest::prop_assert_eq!(hunks.is_empty(), old == new);
        }

        /// The histogram on the narrowed sides (lines of one side only
        /// folded into one stand-in a side, the common ends into one
        /// more) finds the same changes, the indent heuristic applied, as
        /// on the sides themselves.
        #[test]
        fn narrowing_the_sides_changes_no_hunk(
            head in proptest::collection::vec(0u8..32, 0..20),
            old in proptest::collection::vec(0u8..24, 0..200),
            new in proptest::collection::vec(8u8..32, 0..200),
            tail in proptest::collection::vec(0u8..32, 0..20),
        ) {
            // Lines 0-7 only old, 24-31 only new, 8-23 on either, between
            // common ends that may hold any of them.
            let text = |ids: &[u8]| -> Vec<u8> {
                [&head[..], ids, &tail[..]].concat().iter().flat_map(|i| format!("l{i}\n").into_bytes()).collect()
            };
            let (old, new) = (text(&old), text(&new));
            let (ob, nb) = (bounds(&old), bounds(&new));
            let tokens = Tokens::of(&Lines::new(&old, &ob), &Lines::new(&new, &nb));
            let mut plain = Diff::default();
            let numbers = u32::try_from(tokens.before.len() + tokens.after.len()).unwrap_or(u32::MAX);
            plain.compute_with(Algorithm::Histogram, &tokens.before, &tokens.after, numbers);
            let plain: Vec<_> = tokens.postprocess(plain).hunks().collect();
            let narrowed: Vec<_> = tokens.diff().hunks().collect();
            proptest::prop_assert_eq!(narrowed, plain);
        }
    }
}
