//! Where a point of a file sits by its grammar: in a string, a comment, an
//! identifier or other code. The same Greek letter is a word in a string
//! and a homoglyph attack in a name; the risk judge needs to know which.

use syntect::parsing::{ParseState, ScopeStack};

use super::sets::syntax_set;
use super::syntax::syntax_for;
use crate::model::Place;

/// Lines parsed at most to place a point; past them a point is "code".
const MAX_LINES: usize = 20_000;
/// Characters of a line parsed at most (as the highlighter caps them).
const MAX_LINE_CHARS: usize = super::MAX_HIGHLIGHT_CHARS;

/// The place of each `(line, column)` (1-based, columns in characters) of
/// `text`, the file at `path`. A file without a grammar is prose.
pub fn places(path: &str, text: &str, points: &[(u32, u32)]) -> Vec<Place> {
    let first = text.lines().next().unwrap_or("");
    let syntax = syntax_for(path, first);
    if syntax.name == "Plain Text" {
        return vec![Place::Prose; points.len()];
    }
    let last = points.iter().map(|(l, _)| *l as usize).max().unwrap_or(0);
    let mut out = vec![Place::Code; points.len()];
    if last == 0 || last > MAX_LINES {
        return out;
    }
    let set = syntax_set();
    let mut state = ParseState::new(syntax);
    for (index, line) in text.lines().enumerate().take(last) {
        let number = index + 1;
        let cap = line.char_indices().nth(MAX_LINE_CHARS).map_or(line.len(), |(at, _)| at);
        let mut fed = line[..cap].to_string();
        fed.push('\n');
        let Ok(ops) = state.parse_line(&fed, set) else {
            // A grammar error: start over, and leave this line's points as code.
            state = ParseState::new(syntax);
            continue;
        };
        for (k, (_, column)) in points.iter().enumerate().filter(|(_, (l, _))| *l as usize == number) {
            let at = line.char_indices().nth((*column as usize).saturating_sub(1)).map_or(line.len(), |(b, _)| b);
            if at > cap {
                continue;
            }
            // The scope stack in force at the point's byte.
            let mut stack = ScopeStack::new();
            for (offset, op) in &ops {
                if *offset > at {
                    break;
                }
                if stack.apply(op).is_err() {
                    break;
                }
            }
            out[k] = place_of(&stack, line, at);
        }
    }
    out
}

fn place_of(stack: &ScopeStack, line: &str, at: usize) -> Place {
    let names: Vec<String> = stack.as_slice().iter().map(|s| s.build_string()).collect();
    if names.iter().any(|n| n.starts_with("comment")) {
        return Place::Comment;
    }
    if names.iter().any(|n| n.starts_with("string")) {
        return Place::String;
    }
    // Code: an identifier when the point touches a word.
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let before = line[..at].chars().next_back().is_some_and(word);
    let here_or_after = line[at..].chars().take(2).any(word);
    if before || here_or_after {
        Place::Identifier
    } else {
        Place::Code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_comments_and_names_are_told_apart() {
        let code = "# a comment with μ\nlabel = \"{:.3f} μs\"\nκey = 1\nx = 2  # μ\n";
        let found = places("bench.py", code, &[(1, 18), (2, 17), (3, 1), (4, 10)]);
        assert_eq!(found, [Place::Comment, Place::String, Place::Identifier, Place::Comment]);
    }

    #[test]
    fn a_file_without_a_grammar_is_prose() {
        assert_eq!(places("data/words.unknownext", "тестkey\n", &[(1, 1)]), [Place::Prose]);
    }
}
