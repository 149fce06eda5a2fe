//! The queue's `/` search: which changes a query finds, and how well, so
//! the best matches come first. The query is matched ignoring case; the
//! fuzzy part is helix's matcher (`nucleo-matcher`), which scores
//! contiguous runs and word starts above scattered letters.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::model::Change;

/// How well a change matches a query; lower sorts first. Changes of equal
/// quality keep the queue's order (the sort is stable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Quality {
    /// The whole query in the title at the start of a word (`ImgBot` in
    /// `Bump ImgBot config`).
    WordStart,
    /// The whole query elsewhere in the title (`imgbot` in `reimgbotify`),
    /// or a prefix of the PR number or the sha, or a part of the author.
    Substring,
    /// The query's letters in order but apart (`i-m-g-b-o-t` in
    /// `Improve message building for robots`): the matcher's best score
    /// first.
    Scattered(std::cmp::Reverse<u32>),
}

/// A query ready to rank changes.
pub struct Search {
    /// Lower case, trimmed.
    query: String,
    pattern: Pattern,
    matcher: Matcher,
    chars: Vec<char>,
}

impl Search {
    /// `None` for a query of only blanks: it finds everything.
    pub fn new(query: &str) -> Option<Search> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return None;
        }
        let pattern = Pattern::new(&query, CaseMatching::Ignore, Normalization::Smart, AtomKind::Fuzzy);
        Some(Search { query, pattern, matcher: Matcher::new(Config::DEFAULT), chars: Vec::new() })
    }

    /// How well `change` matches; `None` when it does not.
    pub fn rank(&mut self, change: &Change) -> Option<Quality> {
        let title = change.title.to_lowercase();
        if let Some(quality) = substring_quality(&title, &self.query) {
            return Some(quality);
        }
        let number = self.query.trim_start_matches('#');
        let identifier = change.pr.is_some_and(|n| !number.is_empty() && n.to_string().starts_with(number))
            || change.sha.starts_with(&self.query)
            || change.author.to_lowercase().contains(&self.query);
        if identifier {
            return Some(Quality::Substring);
        }
        let score = self.pattern.score(Utf32Str::new(&change.title, &mut self.chars), &mut self.matcher)?;
        Some(Quality::Scattered(std::cmp::Reverse(score)))
    }
}

/// Where the whole query stands in the (lower-cased) title, if it does.
fn substring_quality(title: &str, query: &str) -> Option<Quality> {
    let mut found = None;
    for (at, _) in title.match_indices(query) {
        let word_start =
            title.get(..at).and_then(|before| before.chars().next_back()).is_none_or(|c| !c.is_alphanumeric());
        if word_start {
            return Some(Quality::WordStart);
        }
        found = Some(Quality::Substring);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titled(title: &str, n: u64) -> Change {
        let mut change = crate::model::sample::change();
        change.title = title.into();
        change.pr = Some(n);
        change.sha = n.to_string().repeat(10);
        change.author = "Someone".into();
        change
    }

    /// The queue's order in, the search's order out (a stable sort by
    /// quality, as `refilter` does).
    fn ranked(query: &str, titles: &[&str]) -> Vec<String> {
        let changes: Vec<Change> = titles.iter().zip(1000..).map(|(t, n)| titled(t, n)).collect();
        let mut search = Search::new(query).expect("a query");
        let mut found: Vec<(Quality, &Change)> =
            changes.iter().filter_map(|c| search.rank(c).map(|q| (q, c))).collect();
        found.sort_by_key(|(q, _)| *q);
        found.into_iter().map(|(_, c)| c.title.clone()).collect()
    }

    #[test]
    fn exact_matches_come_before_scattered_letters_and_ties_keep_the_queue_order() {
        let order = ranked(
            "ImgBot",
            &[
                "Improve message building for robots",
                "Improve message building",
                "Bump ImgBot config",
                "Reimgbotify the icons",
                "imgbot: optimize images",
                "Unrelated change",
            ],
        );
        assert_eq!(
            order,
            [
                "Bump ImgBot config",
                "imgbot: optimize images",
                "Reimgbotify the icons",
                "Improve message building for robots",
            ],
            "`Improve message building` has no o or t after its b: no match"
        );
    }

    #[test]
    fn contiguous_letters_score_above_scattered_ones() {
        let order = ranked("msgbuild", &["make some great builds", "Fix msg-building loops"]);
        assert_eq!(order, ["Fix msg-building loops", "make some great builds"]);
    }

    #[test]
    fn numbers_shas_and_authors_are_found_too_and_blank_queries_find_everything() {
        assert_eq!(ranked("#1001", &["one", "two"]), ["two"]);
        assert_eq!(ranked("someone", &["one"]), ["one"]);
        assert_eq!(ranked("10001000", &["one", "two"]), ["one"]);
        assert!(Search::new("  ").is_none());
        assert_eq!(ranked("#", &["one"]), Vec::<String>::new(), "a lone # is no PR number");
    }
}
