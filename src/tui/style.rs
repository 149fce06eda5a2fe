//! The theme in ratatui's terms, and rendered lines turned into widgets'
//! lines. With colour off (`NO_COLOR`), only bold, dim, reverse and
//! underline remain; with a 16-colour theme, truecolor becomes the nearest
//! of the 16 terminal colours.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::model::{ChangeKind, Verdict};
use crate::render::theme::{self, Theme};
use crate::render::{self, StyledLine};

/// How colours are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    True,
    Sixteen,
    Off,
}

/// The UI's styles, derived once from the theme.
#[derive(Debug, Clone)]
pub struct Styles {
    pub mode: ColorMode,
    pub theme: Theme,
}

impl Styles {
    pub fn new(theme: Theme, color: bool) -> Styles {
        let mode = match (color, theme.ui.sixteen_colors) {
            (false, _) => ColorMode::Off,
            (true, true) => ColorMode::Sixteen,
            (true, false) => ColorMode::True,
        };
        Styles { mode, theme }
    }

    pub fn color(&self, c: theme::Color) -> Option<Color> {
        match (self.mode, c) {
            (ColorMode::Off, _) => None,
            (_, theme::Color::Indexed(i)) => Some(Color::Indexed(i)),
            (ColorMode::Sixteen, theme::Color::Rgb(r, g, b)) => Some(Color::Indexed(nearest16(r, g, b))),
            (ColorMode::True, theme::Color::Rgb(r, g, b)) => Some(Color::Rgb(r, g, b)),
        }
    }

    pub fn fg(&self, c: theme::Color) -> Style {
        match self.color(c) {
            Some(c) => Style::new().fg(c),
            None => Style::new(),
        }
    }

    pub fn bg(&self, c: theme::Color) -> Style {
        match self.color(c) {
            Some(c) => Style::new().bg(c),
            None => Style::new(),
        }
    }

    pub fn verdict(&self, v: Verdict) -> Style {
        self.fg(self.theme.verdict(v)).add_modifier(Modifier::BOLD)
    }

    pub fn kind(&self, k: ChangeKind) -> Style {
        self.fg(self.theme.kind(k))
    }

    pub fn dim(&self) -> Style {
        match self.mode {
            ColorMode::Off => Style::new().add_modifier(Modifier::DIM),
            _ => self.fg(self.theme.text.dim),
        }
    }

    pub fn accent(&self) -> Style {
        self.fg(self.theme.ui.accent)
    }

    pub fn border(&self) -> Style {
        self.fg(self.theme.ui.border)
    }

    pub fn warning(&self) -> Style {
        self.fg(self.theme.ui.warning).add_modifier(Modifier::BOLD)
    }

    pub fn selection(&self) -> Style {
        match self.mode {
            ColorMode::Off => Style::new().add_modifier(Modifier::REVERSED),
            _ => self.bg(self.theme.ui.selection).add_modifier(Modifier::BOLD),
        }
    }

    pub fn status(&self) -> Style {
        match self.mode {
            ColorMode::Off => Style::new().add_modifier(Modifier::REVERSED),
            _ => self.bg(self.theme.ui.status),
        }
    }

    pub fn search(&self) -> Style {
        match self.color(self.theme.ui.search) {
            Some(c) => Style::new().bg(c).fg(Color::Black),
            None => Style::new().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED),
        }
    }

    /// A rendered style in ratatui's terms.
    pub fn style(&self, s: render::Style) -> Style {
        let mut out = Style::new();
        if let Some(c) = s.fg.and_then(|c| self.color(c)) {
            out = out.fg(c);
        }
        if let Some(c) = s.bg.and_then(|c| self.color(c)) {
            out = out.bg(c);
        }
        let mut m = Modifier::empty();
        if s.bold {
            m |= Modifier::BOLD;
        }
        if s.dim {
            m |= Modifier::DIM;
        }
        if s.italic {
            m |= Modifier::ITALIC;
        }
        if s.underline {
            m |= Modifier::UNDERLINED;
        }
        if s.reverse {
            m |= Modifier::REVERSED;
        }
        // Without colour, added and removed lines must still differ.
        if self.mode == ColorMode::Off && s.bg.is_some() {
            m |= Modifier::BOLD;
        }
        out.add_modifier(m)
    }

    /// A rendered (already sanitized) line as a widget line.
    pub fn line(&self, line: StyledLine) -> Line<'static> {
        Line::from(line.into_iter().map(|s| Span::styled(s.text, self.style(s.style))).collect::<Vec<_>>())
    }
}

/// The nearest of the 16 terminal colours (xterm's default palette).
pub fn nearest16(r: u8, g: u8, b: u8) -> u8 {
    const PALETTE: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    let distance = |(pr, pg, pb): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(r, pr) + d(g, pg) + d(b, pb)
    };
    (0..16u8).min_by_key(|&i| distance(PALETTE[usize::from(i)])).unwrap_or(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truecolor_maps_to_the_nearest_of_sixteen() {
        assert_eq!(nearest16(250, 10, 10), 9);
        assert_eq!(nearest16(10, 10, 10), 0);
        assert_eq!(nearest16(0x0f, 0x3a, 0x1d), 0);
        assert_eq!(nearest16(250, 250, 250), 15);
        assert_eq!(nearest16(230, 230, 230), 7);
        let styles = Styles::new(Theme::builtin("ansi16").expect("ansi16"), true);
        assert_eq!(styles.color(theme::Color::Rgb(250, 10, 10)), Some(Color::Indexed(9)));
        let off = Styles::new(Theme::default(), false);
        assert_eq!(off.color(theme::Color::Indexed(1)), None);
    }
}
