//! Warm-up: paying for loading the sets and linking grammars on a
//! background thread, before the first highlighted screen needs them.

use syntect::parsing::ParseState;

use super::sets::{find_theme, syntax_set, DEFAULT_THEME};
use super::FileHighlighter;

/// Loads the syntax set and the default theme, and links the grammars most
/// diffs need, so the first highlighted screen does not pay for it. Meant
/// for a background thread at start-up; harmless to call more than once.
pub fn warm_up() {
    let _ = find_theme(DEFAULT_THEME);
    let set = syntax_set();
    for name in ["C", "Rust", "Python"] {
        if let Some(syntax) = set.find_syntax_by_name(name) {
            let _ = ParseState::new(syntax).parse_line("x\n", set);
        }
    }
}

/// Loads the syntax set and `theme`, and links the grammar of the file at
/// `path` (by its name), so that a highlighter made for it soon after does
/// not pay for that: for a thread started while the diff is computed.
pub fn warm_up_for(path: &str, theme: &str) {
    let mut h = FileHighlighter::new(path, "", theme);
    h.set_caching(false);
    let _ = h.highlight(&["x"], 0..1);
}
