//! Finding a query in a diff's lines as less does (ignoring case unless
//! the query has a capital), within a frame on 200,000 lines: each line's
//! text is kept as it arrives, as shown and folded to lower case, in two
//! buffers that one substring finder runs through.

use memchr::memmem::Finder;
use ratatui::text::Line;

#[derive(Debug, Default)]
pub struct LineText {
    shown: Buffer,
    folded: Buffer,
}

/// Lines' text, each ended by `\n`, and where each starts.
#[derive(Debug, Default)]
struct Buffer {
    text: String,
    starts: Vec<usize>,
}

impl Buffer {
    fn push(&mut self, text: &str) {
        self.starts.push(self.text.len());
        self.text.push_str(text);
        self.text.push('\n');
    }

    /// The line holding byte `at`.
    fn line_at(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at).saturating_sub(1)
    }

    fn line(&self, index: usize) -> &str {
        let from = self.starts.get(index).copied().unwrap_or(self.text.len());
        let to = self.starts.get(index + 1).copied().unwrap_or(self.text.len());
        self.text.get(from..to).unwrap_or("")
    }
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
    pub fn push(&mut self, line: &Line<'_>) {
        let from = self.shown.text.len();
        self.shown.starts.push(from);
        for span in &line.spans {
            // A line's text never holds a newline (it is sanitized), so
            // a match never spans two lines.
            self.shown.text.push_str(&span.content);
        }
        self.shown.text.push('\n');
        let text = &self.shown.text[from..];
        if text.is_ascii() {
            let at = self.folded.text.len();
            self.folded.push(&text[..text.len() - 1]);
            self.folded.text[at..].make_ascii_lowercase();
        } else {
            self.folded.push(&text[..text.len() - 1].to_lowercase());
        }
    }

    pub fn len(&self) -> usize {
        self.shown.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn buffer(&self, query: &Query) -> &Buffer {
        if query.fold {
            &self.folded
        } else {
            &self.shown
        }
    }

    /// The lines that hold `query`, in order.
    pub fn find(&self, query: &Query) -> Vec<usize> {
        let buffer = self.buffer(query);
        let hay = buffer.text.as_bytes();
        let mut lines = Vec::new();
        let mut pos = 0;
        while let Some(found) = hay.get(pos..).and_then(|rest| query.finder.find(rest)) {
            let line = buffer.line_at(pos + found);
            lines.push(line);
            // On to the next line: one entry per line.
            pos = buffer.starts.get(line + 1).copied().unwrap_or(hay.len());
        }
        lines
    }

    /// Whether line `index` holds `query`.
    pub fn holds(&self, index: usize, query: &Query) -> bool {
        query.finder.find(self.buffer(query).line(index).as_bytes()).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::text::Span;

    fn text(lines: &[&[&str]]) -> LineText {
        let mut t = LineText::default();
        for spans in lines {
            t.push(&Line::from(spans.iter().map(|s| Span::raw(s.to_string())).collect::<Vec<_>>()));
        }
        t
    }

    #[test]
    fn lower_case_queries_ignore_case_and_capitals_do_not() {
        let t = text(&[&["  1 ", "Fn main"], &["  2 ", "fn other"], &["  3 ", "nothing"]]);
        let find = |q: &str| Query::new(q).map(|q| t.find(&q)).unwrap_or_default();
        assert_eq!(find("fn"), [0, 1]);
        assert_eq!(find("Fn"), [0]);
        assert_eq!(find("FN"), Vec::<usize>::new());
        assert!(Query::new("").is_none());
    }

    #[test]
    fn a_match_across_spans_counts_and_a_line_counts_once() {
        let t = text(&[&["ab", "cd"], &["abab ab"], &["a", "b"]]);
        let q = Query::new("ab").expect("query");
        assert_eq!(t.find(&q), [0, 1, 2]);
        let q = Query::new("bc").expect("query");
        assert_eq!(t.find(&q), [0]);
        assert!(t.holds(0, &q) && !t.holds(1, &q));
        // Never across two lines.
        assert_eq!(t.find(&Query::new("db").expect("query")), Vec::<usize>::new());
    }

    #[test]
    fn non_ascii_text_folds_too() {
        let t = text(&[&["ÄRGER über Ärger"], &["plain"]]);
        assert_eq!(t.find(&Query::new("ärger").expect("query")), [0]);
        assert_eq!(t.find(&Query::new("plain").expect("query")), [1]);
        assert!(t.holds(1, &Query::new("plain").expect("query")));
    }
}
