//! Layout facts that both the state (paging, the diff's width) and the
//! views (drawing) need, so the state does not depend on the views.

/// The diff screen's files sidebar, when the terminal is wide enough.
pub const SIDEBAR_WIDTH: u16 = 32;
/// The smallest terminal the views fit.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

/// The diff screen shows its files sidebar from this many columns.
const SIDEBAR_FROM_WIDTH: u16 = 100;
/// The queue screen puts the detail pane beside the list (not below it)
/// from this many columns.
const DETAIL_BESIDE_FROM_WIDTH: u16 = 140;

/// Whether a screen this wide shows the diff's files sidebar.
pub fn has_sidebar(width: u16) -> bool {
    width >= SIDEBAR_FROM_WIDTH
}

/// Whether a screen this wide shows the detail pane beside the queue list.
pub fn detail_beside_list(width: u16) -> bool {
    width >= DETAIL_BESIDE_FROM_WIDTH
}

/// A `w` × `h` rectangle in the middle of `area` (smaller if it must be).
pub fn centered(area: ratatui::layout::Rect, w: u16, h: u16) -> ratatui::layout::Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    ratatui::layout::Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}
