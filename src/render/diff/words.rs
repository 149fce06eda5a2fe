//! Word-level change marking: which words of a paired removed and added
//! line differ, and the stronger background laid on them.

use crate::render::theme::Color;
use crate::render::{Span, StyledLine};

/// `[start, end)` character positions in a line.
pub type CharRanges = Vec<(usize, usize)>;

/// Character ranges that differ between two lines, by words: runs of
/// letters/digits/`_`, runs of spaces, and single other characters.
pub fn word_changes(old: &str, new: &str) -> (CharRanges, CharRanges) {
    WordScratch::default().compare(old, new)
}

/// What marking the changed words of a pair needs, kept from pair to pair
/// so that a long change block does not allocate it for every line.
#[derive(Default)]
pub(super) struct WordScratch {
    old_text: String,
    new_text: String,
    a: Vec<Token>,
    b: Vec<Token>,
    lcs: Vec<u32>,
    keep: Vec<bool>,
}

impl WordScratch {
    /// [`word_changes`] between two styled lines' text.
    pub(super) fn changes(&mut self, old: &StyledLine, new: &StyledLine) -> (CharRanges, CharRanges) {
        let (mut old_text, mut new_text) = (std::mem::take(&mut self.old_text), std::mem::take(&mut self.new_text));
        old_text.clear();
        new_text.clear();
        old.iter().for_each(|s| old_text.push_str(&s.text));
        new.iter().for_each(|s| new_text.push_str(&s.text));
        let out = self.compare(&old_text, &new_text);
        (self.old_text, self.new_text) = (old_text, new_text);
        out
    }

    fn compare(&mut self, old: &str, new: &str) -> (CharRanges, CharRanges) {
        if old == new {
            return (Vec::new(), Vec::new());
        }
        tokens(old, &mut self.a);
        tokens(new, &mut self.b);
        let (a, b) = (&self.a, &self.b);
        // Quadratic LCS: cap it; past the cap the whole line is the change.
        if a.len() * b.len() > 250_000 {
            return (Vec::new(), Vec::new());
        }
        let word_a = |i: usize| &old[a[i].bytes.0..a[i].bytes.1];
        let word_b = |j: usize| &new[b[j].bytes.0..b[j].bytes.1];
        let (n, m) = (a.len(), b.len());
        // The walk below keeps a common prefix token by token before it
        // ever reads the table, so the table covers only what follows it.
        let prefix = (0..n.min(m)).take_while(|&i| word_a(i) == word_b(i)).count();
        let (rn, rm) = (n - prefix, m - prefix);
        let lcs = &mut self.lcs;
        lcs.clear();
        lcs.resize((rn + 1) * (rm + 1), 0);
        let at = |i: usize, j: usize| (i - prefix) * (rm + 1) + (j - prefix);
        for i in (prefix..n).rev() {
            for j in (prefix..m).rev() {
                lcs[at(i, j)] = if word_a(i) == word_b(j) {
                    lcs[at(i + 1, j + 1)] + 1
                } else {
                    lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
                };
            }
        }
        // Kept tokens: the old line's first, then the new line's.
        let keep = &mut self.keep;
        keep.clear();
        keep.resize(n + m, false);
        let (mut i, mut j) = (0, 0);
        while i < n && j < m {
            if word_a(i) == word_b(j) {
                keep[i] = true;
                keep[n + j] = true;
                i += 1;
                j += 1;
            } else if lcs[at(i + 1, j)] >= lcs[at(i, j + 1)] {
                i += 1;
            } else {
                j += 1;
            }
        }
        let ranges = |toks: &[Token], keep: &[bool]| {
            let mut out: Vec<(usize, usize)> = Vec::new();
            for (t, &k) in toks.iter().zip(keep) {
                if k {
                    continue;
                }
                let (s, e) = t.chars;
                match out.last_mut() {
                    Some(last) if last.1 == s => last.1 = e,
                    _ => out.push((s, e)),
                }
            }
            out
        };
        (ranges(a, &keep[..n]), ranges(b, &keep[n..]))
    }
}

/// A word of a line: its character and byte ranges.
struct Token {
    chars: (usize, usize),
    bytes: (usize, usize),
}

/// The words of `text`, into `out`.
fn tokens(text: &str, out: &mut Vec<Token>) {
    let class = |c: char| {
        let word = if c.is_ascii() { c.is_ascii_alphanumeric() || c == '_' } else { c.is_alphanumeric() };
        let space = if c.is_ascii() { c.is_ascii_whitespace() || c == '\u{b}' } else { c.is_whitespace() };
        if word {
            0
        } else if space {
            1
        } else {
            2
        }
    };
    out.clear();
    let mut last_class = None;
    for (index, (byte, c)) in text.char_indices().enumerate() {
        let k = class(c);
        let end = byte + c.len_utf8();
        match out.last_mut() {
            Some(t) if k != 2 && last_class == Some(k) => {
                t.chars.1 = index + 1;
                t.bytes.1 = end;
            }
            _ => out.push(Token { chars: (index, index + 1), bytes: (byte, end) }),
        }
        last_class = Some(k);
    }
}

/// Puts a background on a whole line, a stronger one on `ranges` (chars,
/// sorted, as [`word_changes`] gives them).
pub(super) fn overlay(line: StyledLine, ranges: &[(usize, usize)], bg: Color, strong: Color) -> StyledLine {
    let mut out: StyledLine = Vec::with_capacity(line.len() + 2 * ranges.len());
    let mut pos = 0;
    // The first range that does not end before `pos`.
    let mut next = 0;
    for span in line {
        if span.text.is_empty() {
            continue;
        }
        let chars = if span.text.is_ascii() { span.text.len() } else { span.text.chars().count() };
        while next < ranges.len() && ranges[next].1 <= pos {
            next += 1;
        }
        // Most spans lie wholly inside or outside the changed words: they
        // keep their text.
        let whole = match ranges.get(next) {
            None => Some(false),
            Some(&(s, _)) if s >= pos + chars => Some(false),
            Some(&(s, e)) if s <= pos && e >= pos + chars => Some(true),
            Some(_) => None,
        };
        if let Some(is_strong) = whole {
            let style = span.style.on(if is_strong { strong } else { bg });
            out.push(Span { text: span.text, style });
            pos += chars;
            continue;
        }
        let text = span.text.as_str();
        let mut from = 0;
        let mut current_strong = None;
        for (byte, _) in text.char_indices() {
            while next < ranges.len() && ranges[next].1 <= pos {
                next += 1;
            }
            let is_strong = ranges.get(next).is_some_and(|&(s, e)| pos >= s && pos < e);
            if current_strong != Some(is_strong) && byte > from {
                let b = if current_strong == Some(true) { strong } else { bg };
                out.push(Span::new(&text[from..byte], span.style.on(b)));
                from = byte;
            }
            current_strong = Some(is_strong);
            pos += 1;
        }
        if from < text.len() {
            let b = if current_strong == Some(true) { strong } else { bg };
            out.push(Span::new(&text[from..], span.style.on(b)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_changes_mark_only_what_changed() {
        let (old, new) = word_changes("let total = count + 1;", "let total = count + 2;");
        assert_eq!(old, [(20, 21)]);
        assert_eq!(new, [(20, 21)]);
        let (old, new) = word_changes("return x", "return y if x else z");
        assert_eq!(old, Vec::<(usize, usize)>::new(), "x is kept");
        assert!(!new.is_empty());
        assert_eq!(word_changes("", ""), (vec![], vec![]));
    }

    #[test]
    fn overlay_splits_spans_at_word_boundaries() {
        let line = vec![Span::plain("abc"), Span::plain("def")];
        let out = overlay(line, &[(2, 4)], Color::Indexed(1), Color::Indexed(2));
        let texts: Vec<(&str, Option<Color>)> = out.iter().map(|s| (s.text.as_str(), s.style.bg)).collect();
        assert_eq!(
            texts,
            [
                ("ab", Some(Color::Indexed(1))),
                ("c", Some(Color::Indexed(2))),
                ("d", Some(Color::Indexed(2))),
                ("ef", Some(Color::Indexed(1)))
            ]
        );
    }
}
