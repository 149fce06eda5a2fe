//! Syntax highlighting of file contents, lazily and a screen at a time.
//!
//! Grammars and themes are bat's, through `two-face` on top of `syntect`,
//! plus the user's own themes, which the caller reads and hands to
//! [`register_user_themes`]: nothing here reads a file. Nothing is loaded
//! until first use: the syntax set and theme set sit in
//! [`OnceLock`](std::sync::OnceLock)s, and syntect itself links a grammar's
//! contexts only when a file of that language is first parsed. Call
//! [`warm_up`] from a background thread to pay that cost before the first
//! diff is drawn.
//!
//! A [`FileHighlighter`] serves one version of one file. Highlighting a line
//! needs the parser state left by the line above, so the highlighter keeps
//! a checkpoint (parse state and scope stack) every
//! [`CHECKPOINT_INTERVAL`] lines as it goes, and resumes from the nearest
//! one (or from where the previous request stopped) instead of starting
//! over from the top. Lines skipped on the way to a requested range are
//! only parsed, not styled, which is cheaper. Styled lines are cached, so
//! redrawing a screen costs nothing.
//!
//! Every span's text passes through [`sanitize`](crate::render::sanitize):
//! tabs become spaces, and control, bidi and zero-width characters come out
//! as visible tokens (`␛`, `⟨U+202E RLO⟩`) in spans of their own, styled
//! with [`FileHighlighter::revealed_style`] so they stand out from code.

mod cache;
mod highlighter;
mod lines;
mod scopes;
mod sets;
mod style;
mod syntax;
mod warm_up;

pub use cache::{CACHE_BYTES, CACHE_LINES};
pub use highlighter::{FileHighlighter, HighlightStats, CHECKPOINT_INTERVAL, MAX_HIGHLIGHT_CHARS};
pub use lines::LineSource;
pub use scopes::places;
pub use sets::{
    register_user_themes, resolve_theme, syntax_set, theme_names, ThemeFile, UnknownTheme, UserThemes,
    DEFAULT_LIGHT_THEME, DEFAULT_THEME,
};
pub use syntax::syntax_for;
pub use warm_up::{warm_up, warm_up_for};
