//! Pairing a piece's lines into rows: context lines, and the removed and
//! added lines of a change block side by side, their changed words marked.

use super::words::{overlay, WordScratch};
use super::Palette;
use crate::model::{LineKind, LineRef};
use crate::render::StyledLine;

/// One displayed pairing: a context line, or a removed and/or added line.
pub(super) struct Row {
    pub(super) old: Option<(u32, StyledLine)>,
    pub(super) new: Option<(u32, StyledLine)>,
    pub(super) kind: RowKind,
    pub(super) no_newline: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum RowKind {
    Context,
    Change,
}

/// Pairs removed and added lines of each change block, marking the words
/// that changed between the two lines of a pair.
pub(super) fn pair_rows(
    lines: &[LineRef<'_>],
    old: Vec<StyledLine>,
    new: Vec<StyledLine>,
    palette: &Palette,
    words: &mut WordScratch,
) -> Vec<Row> {
    let mut old = old.into_iter();
    let mut new = new.into_iter();
    let mut rows = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if line.kind == LineKind::Context {
            let text = old.next().unwrap_or_default();
            new.next();
            rows.push(Row {
                old: line.old_no.map(|n| (n, text.clone())),
                new: line.new_no.map(|n| (n, text)),
                kind: RowKind::Context,
                no_newline: line.no_newline,
            });
            i += 1;
            continue;
        }
        let removed: Vec<&LineRef<'_>> = lines[i..].iter().take_while(|l| l.kind == LineKind::Removed).collect();
        let added: Vec<&LineRef<'_>> =
            lines[i + removed.len()..].iter().take_while(|l| l.kind == LineKind::Added).collect();
        let mut removed_text: Vec<StyledLine> = removed.iter().map(|_| old.next().unwrap_or_default()).collect();
        let mut added_text: Vec<StyledLine> = added.iter().map(|_| new.next().unwrap_or_default()).collect();
        let pairs = removed.len().max(added.len());
        for k in 0..pairs {
            let mut left = removed_text.get_mut(k).map(std::mem::take);
            let mut right = added_text.get_mut(k).map(std::mem::take);
            if let (Some(l), Some(r)) = (&left, &right) {
                let (lw, rw) = words.changes(l, r);
                left = left.map(|l| overlay(l, &lw, palette.removed_bg, palette.removed_word_bg));
                right = right.map(|r| overlay(r, &rw, palette.added_bg, palette.added_word_bg));
            } else {
                left = left.map(|l| overlay(l, &[], palette.removed_bg, palette.removed_word_bg));
                right = right.map(|r| overlay(r, &[], palette.added_bg, palette.added_word_bg));
            }
            let no_newline = removed.get(k).is_some_and(|l| l.no_newline) || added.get(k).is_some_and(|l| l.no_newline);
            rows.push(Row {
                old: left.map(|t| (removed.get(k).and_then(|l| l.old_no).unwrap_or(0), t)),
                new: right.map(|t| (added.get(k).and_then(|l| l.new_no).unwrap_or(0), t)),
                kind: RowKind::Change,
                no_newline,
            });
        }
        i += removed.len() + added.len();
        if removed.is_empty() && added.is_empty() {
            i += 1;
        }
    }
    rows
}
