//! Finding a query in a diff's lines as less does (ignoring case unless
//! the query has a capital), within a frame on 200,000 lines: one
//! substring finder runs through the lines' text as `Lines` holds it, or,
//! for a query that ignores case, through a lower-case copy made at the
//! first such search and kept up as lines arrive.

use memchr::memmem::Finder;

use super::lines::Lines;

#[derive(Debug, Default)]
pub struct LineText {
    /// The lines folded to lower case (once a search ignored case).
    folded: Option<Buffer>,
}

/// Lines' text, each ended by `\n`, and where each starts.
#[derive(Debug, Default)]
struct Buffer {
    text: String,
    starts: Vec<usize>,
}

impl Buffer {
    fn push_folded(&mut self, text: &str) {
        let at = self.text.len();
        self.starts.push(at);
        if text.is_ascii() {
            self.text.push_str(text);
            self.text[at..].make_ascii_lowercase();
        } else {
            self.text.push_str(&text.to_lowercase());
        }
        self.text.push('\n');
    }
}

/// The line holding byte `at`.
fn line_at(starts: &[usize], at: usize) -> usize {
    starts.partition_point(|&s| s <= at).saturating_sub(1)
}

fn line<'t>(text: &'t str, starts: &[usize], index: usize) -> &'t str {
    let from = starts.get(index).copied().unwrap_or(text.len());
    let to = starts.get(index + 1).copied().unwrap_or(text.len());
    text.get(from..to).unwrap_or("")
}

/// A query ready to run.
pub struct Query {
    finder: Finder<'static>,
    fold: bool,
}

impl Query {
    /// `None` for an empty query.
    pub fn new(query: &str) -> Option<Query> {
        if query.is_empty() {
            return None;
        }
        let fold = !query.chars().any(char::is_uppercase);
        let needle = if fold { query.to_lowercase() } else { query.to_string() };
        Some(Query { finder: Finder::new(needle.as_bytes()).into_owned(), fold })
    }
}

impl LineText {
    /// Keeps the lower-case copy, when there is one, up with `lines`.
    pub fn follow(&mut self, lines: &Lines) {
        if let Some(folded) = &mut self.folded {
            while folded.starts.len() < lines.len() {
                folded.push_folded(lines.text(folded.starts.len()));
            }
        }
    }

    /// The text a query runs through, and where its lines start.
    fn haystack<'s>(&'s mut self, lines: &'s Lines, query: &Query) -> (&'s str, &'s [usize]) {
        if !query.fold {
            return lines.buffer();
        }
        if self.folded.is_none() {
            self.folded = Some(Buffer::default());
        }
        self.follow(lines);
        match &self.folded {
            Some(folded) => (&folded.text, &folded.starts),
            None => lines.buffer(),
        }
    }

    /// The lines that hold `query`, in order.
    pub fn find(&mut self, lines: &Lines, query: &Query) -> Vec<usize> {
        let (text, starts) = self.haystack(lines, query);
        let hay = text.as_bytes();
        let mut found_lines = Vec::new();
        let mut pos = 0;
        while let Some(found) = hay.get(pos..).and_then(|rest| query.finder.find(rest)) {
            let index = line_at(starts, pos + found);
            found_lines.push(index);
            // On to the next line: one entry per line.
            pos = starts.get(index + 1).copied().unwrap_or(hay.len());
        }
        found_lines
    }

    /// Whether line `index` holds `query`.
    pub fn holds(&mut self, lines: &Lines, index: usize, query: &Query) -> bool {
        let (text, starts) = self.haystack(lines, query);
        query.finder.find(line(text, starts, index).as_bytes()).is_some()
    }

    /// The bytes of the lower-case copy (0 until a search ignored case).
    pub fn held_bytes(&self) -> usize {
        self.folded.as_ref().map_or(0, |f| f.text.len() + f.starts.len() * std::mem::size_of::<usize>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    fn text(lines: &[&[&str]]) -> (Lines, LineText) {
        let mut all = Lines::default();
        for spans in lines {
            all.push(spans.iter().map(|s| (*s, Style::new())));
        }
        (all, LineText::default())
    }

    #[test]
    fn lower_case_queries_ignore_case_and_capitals_do_not() {
        let (lines, mut t) = text(&[&["  1 ", "Fn main"], &["  2 ", "fn other"], &["  3 ", "nothing"]]);
        let mut find = |q: &str| Query::new(q).map(|q| t.find(&lines, &q)).unwrap_or_default();
        assert_eq!(find("Fn"), [0]);
        assert_eq!(find("FN"), Vec::<usize>::new());
        assert_eq!(find("fn"), [0, 1]);
        assert!(Query::new("").is_none());
    }

    #[test]
    fn a_match_across_spans_counts_and_a_line_counts_once() {
        let (lines, mut t) = text(&[&["ab", "cd"], &["abab ab"], &["a", "b"]]);
        let q = Query::new("ab").expect("query");
        assert_eq!(t.find(&lines, &q), [0, 1, 2]);
        let q = Query::new("bc").expect("query");
        assert_eq!(t.find(&lines, &q), [0]);
        assert!(t.holds(&lines, 0, &q) && !t.holds(&lines, 1, &q));
        // Never across two lines.
        assert_eq!(t.find(&lines, &Query::new("db").expect("query")), Vec::<usize>::new());
    }

    #[test]
    fn non_ascii_text_folds_too() {
        let (lines, mut t) = text(&[&["ÄRGER über Ärger"], &["plain"]]);
        assert_eq!(t.find(&lines, &Query::new("ärger").expect("query")), [0]);
        assert_eq!(t.find(&lines, &Query::new("plain").expect("query")), [1]);
        assert!(t.holds(&lines, 1, &Query::new("plain").expect("query")));
    }

    #[test]
    fn the_lower_case_copy_is_made_by_the_first_search_that_ignores_case_and_follows_new_lines() {
        let (mut lines, mut t) = text(&[&["Alpha"], &["BETA"]]);
        assert_eq!(t.find(&lines, &Query::new("BETA").expect("query")), [1]);
        assert_eq!(t.held_bytes(), 0, "a search with a capital reads the lines' own text");
        assert_eq!(t.find(&lines, &Query::new("beta").expect("query")), [1]);
        assert!(t.held_bytes() > 0);
        lines.push([("more Beta", Style::new())]);
        t.follow(&lines);
        assert_eq!(t.find(&lines, &Query::new("beta").expect("query")), [1, 2]);
    }
}
