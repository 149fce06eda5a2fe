//! The file highlighter: one version of one file, styled lazily from
//! parser checkpoints, a screen at a time.

use std::ops::Range;

use syntect::highlighting::{Highlighter, Theme};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference};

use super::cache::{LineCache, Memo, MemoEntry, MEMO_MAX_LINE};
use super::lines::LineSource;
use super::sets::{find_theme, find_theme_exact, syntax_set, ThemeRef, DEFAULT_THEME, FALLBACK_THEME};
use super::style::{default_revealed_style, push_text, span_style, style_ops, StyleTree};
use super::syntax::syntax_for;
use crate::render::{Style, StyledLine};

/// Only this many characters of a line are highlighted; the rest of the
/// line is shown as one plain span. The parser is fed the same capped
/// prefix (as if the line ended there), so a pathological line costs at
/// most this much parsing and its tail cannot leave a string or comment
/// open for the lines below. For real code the prefix decides the state
/// anyway; for minified or generated lines the state after them may be
/// off, which only affects colours, never the text shown.
pub const MAX_HIGHLIGHT_CHARS: usize = 4096;

/// Lines between two saved parser checkpoints.
pub const CHECKPOINT_INTERVAL: usize = 128;

/// Counters, for tests and diagnostics.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HighlightStats {
    /// Lines run through the parser (styled or fast-forwarded).
    pub lines_parsed: u64,
    /// Of those, lines also styled.
    pub lines_styled: u64,
    /// Lines answered from the cache.
    pub cache_hits: u64,
    /// Lines whose parse failed and were shown plain (the parser then
    /// restarts from its initial state).
    pub parse_errors: u64,
    /// Checkpoints saved so far.
    pub checkpoints: usize,
    /// Of the styled lines, those met before in the same parser state and
    /// taken from the memo rather than parsed again.
    pub memo_hits: u64,
}

/// Parser state before some line.
#[derive(Clone)]
struct Checkpoint {
    parse: ParseState,
    stack: ScopeStack,
}

/// Parser state before line `pos`.
struct Cursor {
    pos: usize,
    state: Checkpoint,
}

/// Highlights one version of one file on demand. The caller must pass the
/// same lines to every call (a new version needs a new highlighter).
///
/// Not `Send` (oniguruma's match regions inside syntect's parse state are
/// raw pointers): to keep a UI responsive on a huge file, either build the
/// highlighter on a worker thread and send back the [`StyledLine`]s, or
/// call [`FileHighlighter::prefetch`] in idle slices.
pub struct FileHighlighter {
    syntax: &'static SyntaxReference,
    theme: ThemeRef,
    theme_name: String,
    theme_fell_back: bool,
    revealed: Style,
    fast_forward: bool,
    /// `checkpoints[k]`: the state before line `k * CHECKPOINT_INTERVAL`;
    /// always contiguous from line 0.
    checkpoints: Vec<Checkpoint>,
    /// Where the last request stopped, to continue a scroll downwards.
    cursor: Option<Cursor>,
    cache: LineCache,
    /// Off for a reader that asks for each line once, in order (streaming
    /// a diff): then nothing is kept, neither styled lines in the cache nor
    /// checkpoints (one per 128 lines: megabytes over a long side).
    caching: bool,
    stats: HighlightStats,
    /// Reused buffer for the text given to the parser.
    buf: String,
    /// The theme's style for each scope path met.
    styles: StyleTree,
    memo: Memo,
    /// Lines after which to record the parser state, and what was recorded.
    record: Range<usize>,
    states: Vec<(usize, Option<String>)>,
}

impl std::fmt::Debug for FileHighlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileHighlighter")
            .field("syntax", &self.syntax.name)
            .field("theme", &self.theme_name)
            .field("theme_fell_back", &self.theme_fell_back)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl FileHighlighter {
    /// A highlighter for the file at `path` whose first line is
    /// `first_line` (see [`syntax_for`]), drawn with the theme called
    /// `theme`. An unknown theme falls back to [`DEFAULT_THEME`]; see
    /// [`FileHighlighter::theme_fell_back`].
    pub fn new(path: &str, first_line: &str, theme: &str) -> FileHighlighter {
        FileHighlighter::with_syntax(syntax_for(path, first_line), theme)
    }

    /// A highlighter with an explicit grammar.
    pub fn with_syntax(syntax: &'static SyntaxReference, theme: &str) -> FileHighlighter {
        let (theme_ref, theme_name, fell_back) = match find_theme(theme) {
            Some(found) => (found, theme.to_string(), false),
            None => match find_theme_exact(DEFAULT_THEME) {
                Some(default) => (default, DEFAULT_THEME.to_string(), true),
                // Unreachable with bat's theme set, but never fatal.
                None => (ThemeRef::Static(FALLBACK_THEME.get_or_init(Theme::default)), "default".to_string(), true),
            },
        };
        let default_style = span_style(Highlighter::new(theme_ref.get()).get_default());
        FileHighlighter {
            syntax,
            styles: StyleTree::new(default_style),
            memo: Memo::default(),
            record: 0..0,
            states: Vec::new(),
            theme: theme_ref,
            theme_name,
            theme_fell_back: fell_back,
            revealed: default_revealed_style(),
            fast_forward: true,
            checkpoints: vec![Checkpoint { parse: ParseState::new(syntax), stack: ScopeStack::new() }],
            cursor: None,
            cache: LineCache::default(),
            caching: true,
            stats: HighlightStats { checkpoints: 1, ..HighlightStats::default() },
            buf: String::new(),
        }
    }

    /// The grammar's name ("Rust", "Plain Text", …).
    pub fn syntax_name(&self) -> &str {
        &self.syntax.name
    }

    /// The theme in use (the default's name after a fallback).
    pub fn theme_name(&self) -> &str {
        &self.theme_name
    }

    /// Whether the requested theme was unknown and [`DEFAULT_THEME`] is
    /// used instead.
    pub fn theme_fell_back(&self) -> bool {
        self.theme_fell_back
    }

    /// The style of revealed hidden characters.
    pub fn revealed_style(&self) -> Style {
        self.revealed
    }

    /// Draws revealed hidden characters with `style` (e.g. the UI theme's
    /// `text.revealed` colour). Clears the cache.
    pub fn set_revealed_style(&mut self, style: Style) {
        if style != self.revealed {
            self.revealed = style;
            self.cache.clear();
            self.memo.clear();
        }
    }

    /// Whether lines skipped on the way to a requested range are only
    /// parsed (the default) rather than parsed and styled into the cache.
    pub fn set_fast_forward(&mut self, on: bool) {
        self.fast_forward = on;
    }

    pub fn stats(&self) -> HighlightStats {
        self.stats
    }

    /// Guesses the parser state before line `pos` without parsing the
    /// lines above: the state at the top of a file after a blank line. For
    /// a helper that styles the second half of a long file while another
    /// highlighter does the first: its lines are right from the first line
    /// where the two highlighters' states meet (see [`Self::record_states`]).
    pub fn start_at_top(&mut self, pos: usize) {
        let mut state = self.initial_state();
        self.parse_only(&mut state, "");
        self.cursor = Some(Cursor { pos, state });
    }

    /// From now on, records a fingerprint of the parser state after each
    /// line of `lines` that is styled: two highlighters of the same file
    /// whose fingerprints after a line are equal style every later line
    /// alike. `None` for a state that cannot be compared (it holds a regex
    /// capture).
    pub fn record_states(&mut self, lines: Range<usize>) {
        self.record = lines;
    }

    /// The fingerprints recorded since the last call, by line.
    pub fn take_states(&mut self) -> Vec<(usize, Option<String>)> {
        std::mem::take(&mut self.states)
    }

    /// Whether styled lines and parser checkpoints are kept for redraws
    /// and jumps (on by default). Off, lines must be asked for in order.
    pub fn set_caching(&mut self, on: bool) {
        self.caching = on;
        if !on {
            self.cache.clear();
        }
    }

    /// The styled lines `range` (clipped to the file). Only the lines above
    /// the range that have never been parsed are parsed, from the nearest
    /// checkpoint; cached lines cost nothing.
    pub fn highlight(&mut self, lines: &dyn LineSource, range: Range<usize>) -> Vec<StyledLine> {
        let end = range.end.min(lines.len());
        let start = range.start.min(end);
        let mut out = Vec::with_capacity(end - start);
        let mut first_missing = end;
        for index in start..end {
            match self.cache.get(index) {
                Some(line) => out.push(line.clone()),
                None => {
                    first_missing = index;
                    break;
                }
            }
        }
        self.stats.cache_hits += (first_missing - start) as u64;
        if first_missing == end {
            return out;
        }
        let mut cursor = self.cursor_at(lines, first_missing);
        self.style_run(lines, &mut cursor, end, Some(&mut out));
        self.cursor = Some(cursor);
        out
    }

    /// Parses ahead of the furthest checkpoint without styling, for idle
    /// time: at most about `max_lines` lines (rounded up to whole
    /// checkpoint intervals), so that a later jump deep into the file only
    /// parses from a nearby checkpoint. Returns the lines parsed; 0 once
    /// checkpoints cover the whole file.
    pub fn prefetch(&mut self, lines: &dyn LineSource, max_lines: usize) -> usize {
        // A streaming highlighter keeps no checkpoints: nothing to build.
        if !self.caching {
            return 0;
        }
        let len = lines.len();
        let from = self.checkpoints.len().saturating_sub(1) * CHECKPOINT_INTERVAL;
        // The next checkpoint to save would sit at or past the end.
        if self.checkpoints.len() * CHECKPOINT_INTERVAL >= len {
            return 0;
        }
        let intervals = max_lines.div_ceil(CHECKPOINT_INTERVAL).max(1);
        let until = (from + intervals * CHECKPOINT_INTERVAL).min(len);
        let Some(start) = self.checkpoints.last().cloned() else { return 0 };
        let mut state = start;
        for pos in from..until {
            self.save_checkpoint(pos, &state.parse, &state.stack);
            self.parse_only(&mut state, lines.line(pos).unwrap_or(""));
        }
        self.save_checkpoint(until, &state.parse, &state.stack);
        until - from
    }

    /// The parser state before line `target`, from the last request's end
    /// or the nearest checkpoint, whichever is closer.
    fn cursor_at(&mut self, lines: &dyn LineSource, target: usize) -> Cursor {
        let last = self.checkpoints.len().saturating_sub(1);
        let k = (target / CHECKPOINT_INTERVAL).min(last);
        let mut cursor = match self.cursor.take() {
            Some(c) if c.pos <= target && c.pos >= k * CHECKPOINT_INTERVAL => c,
            _ => match self.checkpoints.get(k) {
                Some(state) => Cursor { pos: k * CHECKPOINT_INTERVAL, state: state.clone() },
                None => Cursor { pos: 0, state: self.initial_state() },
            },
        };
        if self.fast_forward {
            while cursor.pos < target {
                self.save_checkpoint(cursor.pos, &cursor.state.parse, &cursor.state.stack);
                let line = lines.line(cursor.pos).unwrap_or("");
                self.parse_only(&mut cursor.state, line);
                cursor.pos += 1;
            }
        } else {
            self.style_run(lines, &mut cursor, target, None);
        }
        cursor
    }

    fn initial_state(&self) -> Checkpoint {
        Checkpoint { parse: ParseState::new(self.syntax), stack: ScopeStack::new() }
    }

    fn save_checkpoint(&mut self, pos: usize, parse: &ParseState, stack: &ScopeStack) {
        if self.caching
            && pos.is_multiple_of(CHECKPOINT_INTERVAL)
            && self.checkpoints.len() == pos / CHECKPOINT_INTERVAL
        {
            self.checkpoints.push(Checkpoint { parse: parse.clone(), stack: stack.clone() });
            self.stats.checkpoints = self.checkpoints.len();
        }
    }

    /// Advances the parser over one line without styling it.
    fn parse_only(&mut self, state: &mut Checkpoint, line: &str) {
        self.stats.lines_parsed += 1;
        let parts = LineParts::split(line);
        fill_parser_input(&mut self.buf, parts.head);
        let ok = match state.parse.parse_line(&self.buf, syntax_set()) {
            Ok(ops) => ops.iter().all(|(_, op)| state.stack.apply(op).is_ok()),
            Err(_) => false,
        };
        if !ok {
            self.stats.parse_errors += 1;
            *state = self.initial_state();
        }
    }

    /// Styles lines `cursor.pos..end` into the cache (and `out`), leaving
    /// `cursor` before line `end`.
    fn style_run(
        &mut self,
        lines: &dyn LineSource,
        cursor: &mut Cursor,
        end: usize,
        mut out: Option<&mut Vec<StyledLine>>,
    ) {
        if cursor.pos >= end {
            return;
        }
        let theme = self.theme.clone();
        let highlighter = Highlighter::new(theme.get());
        let mut parse = cursor.state.parse.clone();
        let mut stack = std::mem::take(&mut cursor.state.stack);
        let mut nodes = self.styles.path_nodes(&highlighter, &stack);
        while cursor.pos < end {
            self.save_checkpoint(cursor.pos, &parse, &stack);
            let line = lines.line(cursor.pos).unwrap_or("");
            let styled = self.style_line(&highlighter, &mut parse, &mut stack, &mut nodes, line);
            if self.record.contains(&cursor.pos) {
                self.states.push((cursor.pos, fingerprint(&parse, &stack)));
            }
            match (out.as_deref_mut(), self.caching) {
                (Some(out), true) => {
                    out.push(styled.clone());
                    self.cache.insert(cursor.pos, styled);
                }
                (Some(out), false) => out.push(styled),
                (None, true) => self.cache.insert(cursor.pos, styled),
                (None, false) => {}
            }
            cursor.pos += 1;
        }
        cursor.state = Checkpoint { parse, stack };
    }

    /// Parses and styles one line (or takes it from the memo of lines seen
    /// before in the same parser state).
    fn style_line(
        &mut self,
        highlighter: &Highlighter<'_>,
        parse: &mut ParseState,
        stack: &mut ScopeStack,
        nodes: &mut Vec<u32>,
        line: &str,
    ) -> StyledLine {
        self.stats.lines_parsed += 1;
        self.stats.lines_styled += 1;
        if let Some(hit) = self.memo.get(line, parse, stack) {
            self.stats.memo_hits += 1;
            *parse = hit.parse_after.clone();
            *stack = hit.stack_after.clone();
            nodes.clone_from(&hit.nodes_after);
            return hit.line.clone();
        }
        let before = (line.len() <= MEMO_MAX_LINE && self.memo.wanted()).then(|| (parse.clone(), stack.clone()));
        let parts = LineParts::split(line);
        fill_parser_input(&mut self.buf, parts.head);
        let styled = match parse.parse_line(&self.buf, syntax_set()) {
            Ok(ops) => style_ops(&mut self.styles, highlighter, stack, nodes, &ops, &self.buf, &parts, self.revealed),
            Err(_) => None,
        };
        match styled {
            Some(spans) => {
                if let Some((parse_before, stack_before)) = before {
                    self.memo.insert(
                        line,
                        MemoEntry {
                            parse: parse_before,
                            stack: stack_before,
                            line: spans.clone(),
                            parse_after: parse.clone(),
                            stack_after: stack.clone(),
                            nodes_after: nodes.clone(),
                        },
                    );
                }
                spans
            }
            None => {
                // The parser or the scope stack rejected the line: show it
                // plain and start over from the initial state.
                self.stats.parse_errors += 1;
                *parse = ParseState::new(self.syntax);
                *stack = ScopeStack::new();
                nodes.clear();
                nodes.push(0);
                let mut spans = StyledLine::new();
                push_text(&mut spans, parts.content, Style::default(), self.revealed);
                spans
            }
        }
    }
}

/// The parser state as text, equal for equal states; `None` when it holds
/// a regex capture (compared by address, not content).
fn fingerprint(parse: &ParseState, stack: &ScopeStack) -> Option<String> {
    let text = format!("{parse:?}|{stack:?}");
    (!text.contains("captures: Some")).then_some(text)
}

/// A line split for highlighting.
pub(super) struct LineParts<'a> {
    /// The line without its `\n`.
    pub(super) content: &'a str,
    /// What the parser sees: the content without a trailing `\r`, capped
    /// at [`MAX_HIGHLIGHT_CHARS`] characters. A prefix of `content`.
    pub(super) head: &'a str,
}

impl<'a> LineParts<'a> {
    fn split(line: &'a str) -> LineParts<'a> {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let code = content.strip_suffix('\r').unwrap_or(content);
        let cap = code.char_indices().nth(MAX_HIGHLIGHT_CHARS).map_or(code.len(), |(i, _)| i);
        LineParts { content, head: &code[..cap] }
    }
}

fn fill_parser_input(buf: &mut String, head: &str) {
    buf.clear();
    buf.push_str(head);
    buf.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_capped_on_a_character_boundary() {
        let long = "é".repeat(MAX_HIGHLIGHT_CHARS + 5);
        let parts = LineParts::split(&long);
        assert_eq!(parts.head.chars().count(), MAX_HIGHLIGHT_CHARS);
        assert_eq!(parts.content, long);
        let parts = LineParts::split("code\r\n");
        assert_eq!((parts.content, parts.head), ("code\r", "code"));
        let parts = LineParts::split("");
        assert_eq!((parts.content, parts.head), ("", ""));
    }

    #[test]
    fn prefetch_builds_checkpoints_in_idle_steps() {
        let lines: Vec<String> = (0..1_000).map(|i| format!("int v{i} = {i}; /* {i} */")).collect();
        let mut h = FileHighlighter::new("x.c", "", DEFAULT_THEME);
        let mut steps = 0;
        while h.prefetch(&lines, 200) > 0 {
            steps += 1;
        }
        assert_eq!(steps, 4, "256 lines a step, until a checkpoint would pass the end");
        assert_eq!(h.stats().checkpoints, 1_000 / CHECKPOINT_INTERVAL + 1);
        assert_eq!(h.stats().lines_styled, 0);
        let before = h.stats().lines_parsed;
        let jumped = h.highlight(&lines, 990..1_000);
        assert!(h.stats().lines_parsed - before <= CHECKPOINT_INTERVAL as u64);
        let mut full = FileHighlighter::new("x.c", "", DEFAULT_THEME);
        assert_eq!(full.highlight(&lines, 0..1_000)[990..], jumped[..]);
    }
}
