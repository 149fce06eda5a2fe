//! UI-independent rendering of repository content: sanitizing untrusted
//! text, the colour themes every view draws with, and the styled lines
//! (highlighted diffs, hex rows) that the terminal printer and the TUI both
//! draw.

pub mod ansi;
pub mod diff;
pub mod fit;
pub mod hex;
pub mod highlight;
pub mod invisible;
pub mod markdown;
pub mod sanitize;
pub mod theme;

use theme::Color;

/// How a piece of text looks; `None` colours mean "the terminal's default".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    pub fg: Option<Color>,
    pub bg: Option<Color>,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underline: bool,
    pub reverse: bool,
}

impl Style {
    pub fn fg(color: Color) -> Style {
        Style { fg: Some(color), ..Style::default() }
    }

    pub fn on(self, color: Color) -> Style {
        Style { bg: Some(color), ..self }
    }
}

/// Text with one style. The text is already sanitized: it holds no
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub style: Style,
}

impl Span {
    pub fn new(text: impl Into<String>, style: Style) -> Span {
        Span { text: text.into(), style }
    }

    pub fn plain(text: impl Into<String>) -> Span {
        Span { text: text.into(), style: Style::default() }
    }
}

/// One rendered line.
pub type StyledLine = Vec<Span>;
