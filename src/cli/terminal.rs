//! The one question the CLI asks its terminal: how wide is it.

/// Columns to lay out for: the `requested` width (at least `min`), else
/// the terminal's when stdout is one, else 120.
pub fn width(requested: Option<usize>, min: usize) -> usize {
    use std::io::IsTerminal;
    if let Some(w) = requested {
        return w.clamp(min, 1000);
    }
    if std::io::stdout().is_terminal() {
        if let Ok((cols, _)) = crossterm::terminal::size() {
            return usize::from(cols).max(min);
        }
    }
    120
}
