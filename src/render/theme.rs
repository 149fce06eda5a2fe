//! UI themes: TOML files in `themes/` (embedded) or the user's config dir.
//! Colours are terminal colour names or `#rrggbb`, so every view (the
//! table now, the TUI later) maps them to its own output.

use serde::Deserialize;

use crate::model::{ChangeKind, Verdict};

/// The themes shipped in the binary, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("ansi16", include_str!("../../themes/ansi16.toml")),
];

/// A colour: one of the 16 terminal colours, or true colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// 0–7 normal, 8–15 bright.
    Indexed(u8),
    Rgb(u8, u8, u8),
}

const NAMES: [&str; 8] = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

impl Color {
    pub fn parse(text: &str) -> Option<Color> {
        let text = text.trim();
        if let Some(hex) = text.strip_prefix('#') {
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            return Some(Color::Rgb(channel(0)?, channel(2)?, channel(4)?));
        }
        let (base, offset) = match text.strip_prefix("bright-") {
            Some(rest) => (rest, 8),
            None => (text, 0),
        };
        NAMES.iter().position(|n| *n == base).map(|i| Color::Indexed(i as u8 + offset))
    }

    /// The SGR sequence that sets this as the foreground colour.
    pub fn ansi_fg(self) -> String {
        match self {
            Color::Indexed(i) if i < 8 => format!("\x1b[{}m", 30 + i),
            Color::Indexed(i) => format!("\x1b[{}m", 90 + (i - 8)),
            Color::Rgb(r, g, b) => format!("\x1b[38;2;{r};{g};{b}m"),
        }
    }
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Color::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a colour (use black, red, green, yellow, blue, magenta, cyan, white, their bright- forms, or #rrggbb)"
            ))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub name: String,
    pub verdict: VerdictColors,
    pub kind: KindColors,
    pub text: TextColors,
    /// The TUI's chrome (optional: defaults suit dark terminals).
    #[serde(default)]
    pub ui: UiColors,
    /// Diff backgrounds (optional).
    #[serde(default)]
    pub diff: DiffColors,
    /// The hex view's byte categories (optional: hexyl's colours).
    #[serde(default)]
    pub hex: HexColors,
}

/// The hex view's colours: each byte by its category (as hexyl colours
/// them), changed bytes and payload findings (drawn bold and reversed, so
/// they stand out without colour too).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HexColors {
    pub null: Color,
    pub printable: Color,
    pub whitespace: Color,
    /// Other ASCII: control characters and DEL.
    pub other: Color,
    pub non_ascii: Color,
    pub changed: Color,
    pub finding: Color,
}

impl Default for HexColors {
    /// hexyl's colours in terms of the 16 terminal colours.
    fn default() -> Self {
        HexColors {
            null: Color::Indexed(8),
            printable: Color::Indexed(6),
            whitespace: Color::Indexed(2),
            other: Color::Indexed(5),
            non_ascii: Color::Indexed(3),
            changed: Color::Indexed(9),
            finding: Color::Indexed(13),
        }
    }
}

/// The TUI's own colours.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiColors {
    /// Titles of focused panes, key hints, links.
    pub accent: Color,
    /// Background of the selected row.
    pub selection: Color,
    /// Pane borders.
    pub border: Color,
    /// The status bar's background.
    pub status: Color,
    /// Search matches.
    pub search: Color,
    /// Risk and payload warnings.
    pub warning: Color,
    /// Draw truecolor (`#rrggbb`) from syntax themes as the nearest of the
    /// 16 terminal colours, for terminals without truecolor.
    pub sixteen_colors: bool,
}

impl Default for UiColors {
    fn default() -> Self {
        UiColors {
            accent: Color::Indexed(14),
            selection: Color::Rgb(0x26, 0x3a, 0x52),
            border: Color::Indexed(8),
            status: Color::Rgb(0x1f, 0x24, 0x2c),
            search: Color::Indexed(11),
            warning: Color::Indexed(9),
            sixteen_colors: false,
        }
    }
}

/// Backgrounds of added and removed lines, and of the words that changed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiffColors {
    pub added: Color,
    pub removed: Color,
    pub added_word: Color,
    pub removed_word: Color,
}

impl Default for DiffColors {
    fn default() -> Self {
        DiffColors {
            added: Color::Rgb(0x0f, 0x3a, 0x1d),
            removed: Color::Rgb(0x4a, 0x14, 0x14),
            added_word: Color::Rgb(0x1f, 0x6f, 0x3a),
            removed_word: Color::Rgb(0x8f, 0x25, 0x25),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictColors {
    pub reviewed: Color,
    pub approved_after_merge: Color,
    pub partly_reviewed: Color,
    pub unreviewed: Color,
    pub concern_raised: Color,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindColors {
    pub merge: Color,
    pub backport: Color,
    pub direct_push: Color,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextColors {
    pub dim: Color,
    pub revealed: Color,
}

impl Theme {
    pub fn parse(text: &str) -> Result<Theme, toml::de::Error> {
        toml::from_str(text)
    }

    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Option<Theme> {
        BUILTIN.iter().find(|(n, _)| *n == name).and_then(|(_, text)| Theme::parse(text).ok())
    }

    pub fn verdict(&self, v: Verdict) -> Color {
        match v {
            Verdict::Reviewed => self.verdict.reviewed,
            Verdict::ApprovedAfterMerge => self.verdict.approved_after_merge,
            Verdict::PartlyReviewed => self.verdict.partly_reviewed,
            Verdict::Unreviewed => self.verdict.unreviewed,
            Verdict::ConcernRaised => self.verdict.concern_raised,
        }
    }

    pub fn kind(&self, k: ChangeKind) -> Color {
        match k {
            ChangeKind::Merge => self.kind.merge,
            ChangeKind::Backport => self.kind.backport,
            ChangeKind::DirectPush => self.kind.direct_push,
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        // The embedded default is tested to parse; this fallback only
        // guards a broken build from panicking.
        Theme::builtin("default").unwrap_or(Theme {
            name: "plain".into(),
            verdict: VerdictColors {
                reviewed: Color::Indexed(2),
                approved_after_merge: Color::Indexed(6),
                partly_reviewed: Color::Indexed(3),
                unreviewed: Color::Indexed(9),
                concern_raised: Color::Indexed(5),
            },
            kind: KindColors {
                merge: Color::Indexed(4),
                backport: Color::Indexed(14),
                direct_push: Color::Indexed(11),
            },
            text: TextColors { dim: Color::Indexed(8), revealed: Color::Indexed(13) },
            ui: UiColors::default(),
            diff: DiffColors::default(),
            hex: HexColors::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse() {
        for (name, text) in BUILTIN {
            let theme = Theme::parse(text).unwrap_or_else(|e| panic!("theme {name}: {e}"));
            assert_eq!(theme.name, *name);
        }
    }

    #[test]
    fn colours() {
        assert_eq!(Color::parse("red"), Some(Color::Indexed(1)));
        assert_eq!(Color::parse("bright-black"), Some(Color::Indexed(8)));
        assert_eq!(Color::parse("#1a7f37"), Some(Color::Rgb(0x1a, 0x7f, 0x37)));
        assert_eq!(Color::parse("#12345"), None);
        assert_eq!(Color::parse("purple"), None);
        assert_eq!(Color::Indexed(9).ansi_fg(), "\x1b[91m");
        assert_eq!(Color::Rgb(1, 2, 3).ansi_fg(), "\x1b[38;2;1;2;3m");
    }

    #[test]
    fn an_older_theme_without_hex_colours_loads() {
        // An older theme file, without [hex], still loads.
        let text = include_str!("../../themes/default.toml");
        let old = text.split("[hex]").next().unwrap_or(text);
        assert_eq!(Theme::parse(old).map(|t| t.hex), Ok(HexColors::default()));
        let light = Theme::builtin("light").map(|t| t.hex);
        assert!(light.is_some_and(|h| h != HexColors::default()), "light has its own");
    }

    #[test]
    fn a_bad_colour_is_named() {
        let text = include_str!("../../themes/default.toml").replace("\"green\"", "\"grene\"");
        let err = Theme::parse(&text).expect_err("bad colour");
        assert!(err.to_string().contains("`grene` is not a colour"), "{err}");
    }
}
