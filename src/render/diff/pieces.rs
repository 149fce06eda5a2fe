//! Cutting a hunk into pieces: the lines shown at once, with change blocks
//! sliced so that removed lines stay beside their replacements.

use std::ops::Range;

use crate::model::LineKind;

/// The line indices of a piece: a run of context lines, or a slice of a
/// change block (removed lines, then the added lines beside them). Two
/// ranges, not a list: a 200,000-line hunk costs nothing per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PieceLines {
    pub(super) context: bool,
    /// The context run, or the removed lines.
    pub(super) first: Range<usize>,
    /// The added lines (empty for context).
    pub(super) added: Range<usize>,
}

impl PieceLines {
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.first.len() + self.added.len()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = usize> {
        self.first.clone().chain(self.added.clone())
    }

    /// The piece's lines on the old side (context or removed), in order.
    pub(super) fn old_side(&self) -> Range<usize> {
        self.first.clone()
    }

    /// The piece's lines on the new side (context or added), in order.
    pub(super) fn new_side(&self) -> Range<usize> {
        if self.context {
            self.first.clone()
        } else {
            self.added.clone()
        }
    }
}

/// Part of a hunk shown at once: its hunk, its lines, and the ranges of
/// the old and new side sequences they hold.
pub(super) struct Piece {
    pub(super) hunk: usize,
    pub(super) lines: PieceLines,
    pub(super) old: Range<usize>,
    pub(super) new: Range<usize>,
}

/// How many lines of each side a piece holds at most.
pub(super) const PIECE: usize = 200;

/// The same for a file's first two pieces: small, so that its first
/// screen waits on as little highlighting as can fill it, and `| head` on
/// little more; the pieces after them double up to [`PIECE`].
pub(super) const FIRST_PIECE: usize = 32;

/// A hunk of `count` lines cut into pieces of line indices: runs of
/// context, and change blocks (removed lines, then added lines) cut into
/// aligned slices; the first two pieces hold at most `first` lines a
/// side, the next ones twice as many as the one before, up to [`PIECE`].
pub(super) fn pieces(count: usize, kind: impl Fn(usize) -> LineKind, first: usize) -> Vec<PieceLines> {
    let mut out = Vec::new();
    let mut caps = std::iter::once(first).chain(std::iter::successors(Some(first), |c| Some((c * 2).min(PIECE))));
    let mut cap = caps.next().unwrap_or(PIECE);
    let mut i = 0;
    while i < count {
        if kind(i) == LineKind::Context {
            let run = (i..count).take_while(|&k| kind(k) == LineKind::Context).take(cap).count();
            out.push(PieceLines { context: true, first: i..i + run, added: i..i });
            i += run;
            cap = caps.next().unwrap_or(PIECE);
            continue;
        }
        let removed = (i..count).take_while(|&k| kind(k) == LineKind::Removed).count();
        let added = (i + removed..count).take_while(|&k| kind(k) == LineKind::Added).count();
        let (mut r, mut a) = (0, 0);
        while r < removed || a < added {
            let (take_r, take_a) = (cap.min(removed - r), cap.min(added - a));
            out.push(PieceLines {
                context: false,
                first: i + r..i + r + take_r,
                added: i + removed + a..i + removed + a + take_a,
            });
            (r, a) = (r + take_r, a + take_a);
            cap = caps.next().unwrap_or(PIECE);
        }
        i += removed + added;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DiffLine;

    #[test]
    fn long_change_blocks_come_in_aligned_slices() {
        let line = |kind| DiffLine { kind, old_no: None, new_no: None, text: String::new(), no_newline: false };
        let mut lines = vec![line(LineKind::Context)];
        lines.extend((0..450).map(|_| line(LineKind::Removed)));
        lines.extend((0..300).map(|_| line(LineKind::Added)));
        lines.push(line(LineKind::Context));
        let cut = pieces(lines.len(), |i| lines[i].kind, PIECE);
        let sizes: Vec<usize> = cut.iter().map(PieceLines::len).collect();
        assert_eq!(sizes, [1, 400, 300, 50, 1]);
        // Two small first pieces, then doubling ones.
        let small = pieces(lines.len() - 1, |i| lines[i + 1].kind, 40);
        let sizes: Vec<usize> = small.iter().map(PieceLines::len).collect();
        assert_eq!(sizes, [80, 80, 160, 300, 130, 1]);
        // Every line exactly once, either way.
        for (cut, count) in [(cut, lines.len()), (small, lines.len() - 1)] {
            let mut all: Vec<usize> = cut.iter().flat_map(PieceLines::iter).collect();
            all.sort_unstable();
            assert_eq!(all, (0..count).collect::<Vec<_>>());
        }
    }
}
