//! Syntax highlighting of file contents, lazily and a screen at a time.
//!
//! Grammars and themes are bat's, through `two-face` on top of `syntect`.
//! Nothing is loaded until first use: the syntax set and theme set sit in
//! [`OnceLock`]s, and syntect itself links a grammar's contexts only when a
//! file of that language is first parsed. Call [`warm_up`] from a
//! background thread to pay that cost before the first diff is drawn.
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

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use syntect::highlighting::{Color as SynColor, FontStyle, Highlighter, Style as SynStyle, Theme, ThemeSet};
use syntect::parsing::{BasicScopeStackOp, ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use two_face::theme::LazyThemeSet;

use super::sanitize::{is_revealed, sanitize_line};
use super::theme::Color;
use super::{Span, Style, StyledLine};

/// The theme used when none is configured or the configured one is unknown
/// (bat's default for dark terminals).
pub const DEFAULT_THEME: &str = "Monokai Extended";

/// A suggested theme for light terminals.
pub const DEFAULT_LIGHT_THEME: &str = "Monokai Extended Light";

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

/// Styled lines kept per file.
pub const CACHE_LINES: usize = 4096;

/// Bytes of styled text kept per file, whichever limit is reached first.
pub const CACHE_BYTES: usize = 32 << 20;

/// `.tmTheme` files shipped in the binary, by name: add a file under
/// `themes/` and a `("Name", include_str!("../../themes/Name.tmTheme"))`
/// entry here.
const EMBEDDED_TM_THEMES: &[(&str, &str)] = &[("Rearview Audit", include_str!("../../themes/rearview-audit.tmTheme"))];

const BASH: &str = "Bourne Again Shell (bash)";

/// File names bat's syntax set does not know, mapped to the closest grammar.
/// These tables are consulted before bat's own lists.
const NAME_ALIASES: &[(&str, &str)] = &[("configure.ac", BASH), ("configure.in", BASH), ("aclocal.m4", BASH)];

/// Extensions bat's syntax set does not know, or maps to a grammar that is
/// seldom right: Autoconf/m4 sources are mostly shell with `#` comments,
/// which the bash grammar reads well; `.h` would be Objective-C (the last
/// grammar claiming it) and is far more often C.
const EXTENSION_ALIASES: &[(&str, &str)] = &[("h", "C"), ("m4", BASH), ("ac", BASH)];

/// File name prefixes for variants such as `Dockerfile.dev`.
const PREFIX_ALIASES: &[(&str, &str)] =
    &[("Dockerfile", "Dockerfile"), ("Containerfile", "Dockerfile"), ("Makefile", "Makefile")];

// ---------------------------------------------------------------------------
// Assets

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
static BUILTIN_THEMES: OnceLock<LazyThemeSet> = OnceLock::new();
static EMBEDDED_THEMES: OnceLock<BTreeMap<String, Arc<Theme>>> = OnceLock::new();
static USER_THEMES: RwLock<BTreeMap<String, Arc<Theme>>> = RwLock::new(BTreeMap::new());
static FALLBACK_THEME: OnceLock<Theme> = OnceLock::new();

/// bat's syntax set (the variant whose grammars expect a trailing newline),
/// loaded on first use.
pub fn syntax_set() -> &'static SyntaxSet {
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

fn builtin_themes() -> &'static LazyThemeSet {
    // Themes stay compressed until one is asked for by name.
    BUILTIN_THEMES.get_or_init(|| LazyThemeSet::from(two_face::theme::extra()))
}

fn embedded_themes() -> &'static BTreeMap<String, Arc<Theme>> {
    EMBEDDED_THEMES.get_or_init(|| {
        EMBEDDED_TM_THEMES
            .iter()
            .filter_map(|(name, text)| {
                // Tested to parse; a broken one is left out rather than fatal.
                let theme = ThemeSet::load_from_reader(&mut io::Cursor::new(text.as_bytes())).ok()?;
                Some((name.to_string(), Arc::new(theme)))
            })
            .collect()
    })
}

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

/// What [`load_user_themes`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UserThemes {
    /// Names (file stems) of the themes now available.
    pub loaded: Vec<String>,
    /// Files that could not be read or parsed, with the reason.
    pub failed: Vec<(PathBuf, String)>,
}

/// Loads every `*.tmTheme` in `dir`, each under its file stem, so that
/// [`FileHighlighter::new`] can use it by name; a user theme overrides a
/// built-in one of the same name. A missing directory loads nothing. Does
/// file I/O: call it once at start-up (or on a config reload), never while
/// drawing.
pub fn load_user_themes(dir: &Path) -> io::Result<UserThemes> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(UserThemes::default()),
        Err(e) => return Err(e),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let is_theme = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("tmTheme"));
        if is_theme && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut found = UserThemes::default();
    let mut themes = Vec::new();
    for path in paths {
        let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_string) else {
            found.failed.push((path, "the file name is not UTF-8".into()));
            continue;
        };
        match ThemeSet::get_theme(&path) {
            Ok(theme) => {
                found.loaded.push(name.clone());
                themes.push((name, Arc::new(theme)));
            }
            Err(e) => found.failed.push((path, e.to_string())),
        }
    }
    let mut user = USER_THEMES.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    user.extend(themes);
    Ok(found)
}

/// Every theme name [`FileHighlighter::new`] accepts, sorted.
pub fn theme_names() -> Vec<String> {
    let mut names: Vec<String> = builtin_themes().theme_names().map(str::to_string).collect();
    names.extend(embedded_themes().keys().cloned());
    names.extend(USER_THEMES.read().unwrap_or_else(|poisoned| poisoned.into_inner()).keys().cloned());
    names.sort();
    names.dedup();
    names
}

/// A theme, shared or built in.
#[derive(Clone)]
enum ThemeRef {
    Static(&'static Theme),
    Shared(Arc<Theme>),
}

impl ThemeRef {
    fn get(&self) -> &Theme {
        match self {
            ThemeRef::Static(theme) => theme,
            ThemeRef::Shared(theme) => theme,
        }
    }
}

/// A theme by exact name: user themes first, then embedded, then bat's.
fn find_theme_exact(name: &str) -> Option<ThemeRef> {
    let user = USER_THEMES.read().unwrap_or_else(|poisoned| poisoned.into_inner()).get(name).cloned();
    if let Some(theme) = user {
        return Some(ThemeRef::Shared(theme));
    }
    if let Some(theme) = embedded_themes().get(name) {
        return Some(ThemeRef::Shared(Arc::clone(theme)));
    }
    builtin_themes().get(name).map(ThemeRef::Static)
}

/// A theme by name, exact or else ignoring case.
fn find_theme(name: &str) -> Option<ThemeRef> {
    find_theme_exact(name).or_else(|| {
        let name = theme_names().into_iter().find(|n| n.eq_ignore_ascii_case(name))?;
        find_theme_exact(&name)
    })
}

// ---------------------------------------------------------------------------
// Syntax detection

/// The grammar for a file: by its name (`Makefile`, `CMakeLists.txt`), then
/// by its extensions, longest first (`config.h.in` tries `h.in`, then
/// `in`), then by its first line (a shebang or a mode line), else plain
/// text. `path` may include directories (`/`-separated, as git has them).
pub fn syntax_for(path: &str, first_line: &str) -> &'static SyntaxReference {
    let set = syntax_set();
    let name = path.rsplit('/').next().unwrap_or(path);
    by_file_name(set, name)
        .or_else(|| set.find_syntax_by_first_line(first_line))
        .unwrap_or_else(|| set.find_syntax_plain_text())
}

fn by_file_name<'a>(set: &'a SyntaxSet, name: &str) -> Option<&'a SyntaxReference> {
    if name.is_empty() {
        return None;
    }
    let alias = |table: &[(&str, &str)], key: &str| {
        table.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).and_then(|(_, syntax)| set.find_syntax_by_name(syntax))
    };
    if let Some(syntax) = alias(NAME_ALIASES, name).or_else(|| set.find_syntax_by_extension(name)) {
        return Some(syntax);
    }
    for (i, _) in name.match_indices('.') {
        let ext = &name[i + 1..];
        if ext.is_empty() {
            continue;
        }
        if let Some(syntax) = alias(EXTENSION_ALIASES, ext).or_else(|| set.find_syntax_by_extension(ext)) {
            return Some(syntax);
        }
    }
    PREFIX_ALIASES
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .and_then(|(_, syntax)| set.find_syntax_by_name(syntax))
}

// ---------------------------------------------------------------------------
// Lines

/// The lines of one file version, without their line terminators (a
/// trailing `\n` is tolerated and ignored).
pub trait LineSource {
    fn len(&self) -> usize;
    fn line(&self, index: usize) -> Option<&str>;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl LineSource for [&str] {
    fn len(&self) -> usize {
        <[&str]>::len(self)
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).copied()
    }
}

impl LineSource for [String] {
    fn len(&self) -> usize {
        <[String]>::len(self)
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).map(String::as_str)
    }
}

/// `&[&str]` itself, so a slice can be passed as `&dyn LineSource`.
impl LineSource for &[&str] {
    fn len(&self) -> usize {
        <[&str]>::len(self)
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).copied()
    }
}

impl LineSource for &[String] {
    fn len(&self) -> usize {
        <[String]>::len(self)
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).map(String::as_str)
    }
}

impl LineSource for Vec<&str> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).copied()
    }
}

impl LineSource for Vec<String> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).map(String::as_str)
    }
}

impl<const N: usize> LineSource for [&str; N] {
    fn len(&self) -> usize {
        N
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.get(index).copied()
    }
}

// ---------------------------------------------------------------------------
// The highlighter

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

/// A bounded map of styled lines, evicted oldest first.
#[derive(Default)]
struct LineCache {
    lines: HashMap<usize, StyledLine>,
    order: VecDeque<usize>,
    bytes: usize,
}

fn line_bytes(line: &StyledLine) -> usize {
    line.iter().map(|s| s.text.len() + std::mem::size_of::<Span>()).sum()
}

impl LineCache {
    fn get(&self, index: usize) -> Option<&StyledLine> {
        self.lines.get(&index)
    }

    fn insert(&mut self, index: usize, line: StyledLine) {
        self.bytes += line_bytes(&line);
        match self.lines.insert(index, line) {
            Some(old) => self.bytes = self.bytes.saturating_sub(line_bytes(&old)),
            None => self.order.push_back(index),
        }
        while self.lines.len() > CACHE_LINES || (self.bytes > CACHE_BYTES && self.lines.len() > 1) {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(old) = self.lines.remove(&oldest) {
                self.bytes = self.bytes.saturating_sub(line_bytes(&old));
            }
        }
    }

    fn clear(&mut self) {
        *self = LineCache::default();
    }
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
    /// Off for a reader that asks for each line once (streaming a diff):
    /// then nothing is copied into the cache.
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

    /// Whether styled lines are kept for redraws (on by default).
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
        if pos % CHECKPOINT_INTERVAL == 0 && self.checkpoints.len() == pos / CHECKPOINT_INTERVAL {
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

/// Styles one parsed line: the text between two scope operations takes
/// the style of the scope path there. `None` when the scope stack rejects
/// an operation.
#[allow(clippy::too_many_arguments)]
fn style_ops(
    styles: &mut StyleTree,
    highlighter: &Highlighter<'_>,
    stack: &mut ScopeStack,
    nodes: &mut Vec<u32>,
    ops: &[(usize, ScopeStackOp)],
    buf: &str,
    parts: &LineParts<'_>,
    revealed: Style,
) -> Option<StyledLine> {
    let head_len = parts.head.len();
    let mut spans = StyledLine::new();
    let mut pos = 0;
    let segment = |spans: &mut StyledLine, from: usize, to: usize, style: Style| {
        // Drop the newline added for the parser.
        let to = to.min(head_len);
        if from < to {
            push_text(spans, &buf[from..to], style, revealed);
        }
    };
    for (end, op) in ops {
        let end = (*end).clamp(pos, buf.len());
        segment(&mut spans, pos, end, styles.style(nodes));
        pos = end;
        let mut failed = false;
        stack
            .apply_with_hook(op, |basic, path| match basic {
                BasicScopeStackOp::Push(_) => {
                    let parent = nodes.last().copied().unwrap_or(0);
                    nodes.push(styles.child(highlighter, parent, path));
                }
                BasicScopeStackOp::Pop => {
                    if nodes.len() > 1 {
                        nodes.pop();
                    } else {
                        failed = true;
                    }
                }
            })
            .ok()?;
        if failed {
            return None;
        }
    }
    segment(&mut spans, pos, buf.len(), styles.style(nodes));
    push_text(&mut spans, &parts.content[head_len..], Style::default(), revealed);
    Some(spans)
}

/// The style of every scope path met so far, each computed once: node 0
/// is the empty path; pushing a scope on a node leads to its child.
struct StyleTree {
    styles: Vec<Style>,
    children: HashMap<(u32, Scope), u32>,
}

impl StyleTree {
    fn new(default: Style) -> StyleTree {
        StyleTree { styles: vec![default], children: HashMap::new() }
    }

    fn style(&self, nodes: &[u32]) -> Style {
        let node = nodes.last().copied().unwrap_or(0) as usize;
        self.styles.get(node).copied().unwrap_or_default()
    }

    /// The node of `path`, whose parent node is `parent`.
    fn child(&mut self, highlighter: &Highlighter<'_>, parent: u32, path: &[Scope]) -> u32 {
        let Some(&scope) = path.last() else { return 0 };
        if let Some(&node) = self.children.get(&(parent, scope)) {
            return node;
        }
        let node = u32::try_from(self.styles.len()).unwrap_or(u32::MAX);
        self.styles.push(span_style(highlighter.style_for_stack(path)));
        self.children.insert((parent, scope), node);
        node
    }

    /// The nodes of every prefix of a stack (the root first).
    fn path_nodes(&mut self, highlighter: &Highlighter<'_>, stack: &ScopeStack) -> Vec<u32> {
        let path = stack.as_slice();
        let mut nodes = Vec::with_capacity(path.len() + 1);
        nodes.push(0);
        for i in 0..path.len() {
            let parent = nodes.last().copied().unwrap_or(0);
            nodes.push(self.child(highlighter, parent, &path[..=i]));
        }
        nodes
    }
}

/// Lines longer than this are not memoized (they seldom repeat).
const MEMO_MAX_LINE: usize = 256;

/// Memoized lines at most; the memo starts over when full.
const MEMO_LINES: usize = 8192;

/// A line styled before, in a given parser state, and the state after it.
struct MemoEntry {
    parse: ParseState,
    stack: ScopeStack,
    line: StyledLine,
    parse_after: ParseState,
    stack_after: ScopeStack,
    nodes_after: Vec<u32>,
}

/// Styled lines by text and parser state: a line met again in the same
/// state (a blank line, a closing brace, a repeated statement) parses to
/// the same scopes, so it is not parsed again.
#[derive(Default)]
struct Memo {
    lines: HashMap<String, Vec<MemoEntry>>,
    len: usize,
    /// Hits since the memo last started over.
    hits: usize,
    /// Lines still to go without memoizing, after a memo that filled up
    /// with few hits (a file of unique lines).
    resting: usize,
    /// How long the next rest is: it doubles with each fruitless round,
    /// so that a file of unique lines soon costs the memo nothing.
    rest: usize,
}

impl Memo {
    fn get(&mut self, line: &str, parse: &ParseState, stack: &ScopeStack) -> Option<&MemoEntry> {
        if self.len == 0 {
            return None;
        }
        let hit = self.lines.get(line)?.iter().find(|e| e.parse == *parse && e.stack == *stack)?;
        self.hits += 1;
        Some(hit)
    }

    /// Whether a line parsed now should be memoized.
    fn wanted(&mut self) -> bool {
        if self.resting > 0 {
            self.resting -= 1;
            return false;
        }
        true
    }

    fn insert(&mut self, line: &str, entry: MemoEntry) {
        if self.len >= MEMO_LINES {
            // Rest a while when hardly any line came back, longer each time.
            if self.hits < MEMO_LINES / 16 {
                self.rest = (self.rest * 2).clamp(4 * MEMO_LINES, 256 * MEMO_LINES);
                self.resting = self.rest;
            } else {
                self.rest = 0;
            }
            self.clear();
        }
        let variants = self.lines.entry(line.to_string()).or_default();
        if variants.len() >= 4 {
            variants.remove(0);
            self.len -= 1;
        }
        variants.push(entry);
        self.len += 1;
    }

    fn clear(&mut self) {
        self.lines.clear();
        self.len = 0;
        self.hits = 0;
    }
}

/// A line split for highlighting.
struct LineParts<'a> {
    /// The line without its `\n`.
    content: &'a str,
    /// What the parser sees: the content without a trailing `\r`, capped
    /// at [`MAX_HIGHLIGHT_CHARS`] characters. A prefix of `content`.
    head: &'a str,
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

/// Reverse video in bright magenta, like the UI theme's `revealed` colour.
fn default_revealed_style() -> Style {
    Style { fg: Some(Color::Indexed(13)), reverse: true, bold: true, ..Style::default() }
}

/// A syntect style as ours: foreground and font style only; the diff
/// renderer supplies backgrounds.
fn span_style(style: SynStyle) -> Style {
    Style {
        fg: map_color(style.foreground),
        bg: None,
        bold: style.font_style.contains(FontStyle::BOLD),
        italic: style.font_style.contains(FontStyle::ITALIC),
        underline: style.font_style.contains(FontStyle::UNDERLINE),
        ..Style::default()
    }
}

/// True colour, except for bat's terminal themes (`ansi`, `base16`,
/// `base16-256`), which encode a palette index in red with alpha 0, and
/// "the terminal's default" as alpha 1.
fn map_color(c: SynColor) -> Option<Color> {
    match c.a {
        0 if c.r < 16 => Some(Color::Indexed(c.r)),
        0 => {
            let (r, g, b) = xterm_rgb(c.r);
            Some(Color::Rgb(r, g, b))
        }
        1 => None,
        _ => Some(Color::Rgb(c.r, c.g, c.b)),
    }
}

/// The RGB value of an xterm 256-colour palette entry above 15.
fn xterm_rgb(index: u8) -> (u8, u8, u8) {
    if index >= 232 {
        let v = 8 + 10 * (index - 232);
        return (v, v, v);
    }
    let i = index.saturating_sub(16);
    let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
    (level(i / 36), level((i / 6) % 6), level(i % 6))
}

/// Appends `text` in `style`, sanitized: runs of ordinary text (tabs
/// expanded) keep `style`; each run of hidden characters becomes its own
/// span of revealed tokens in `revealed`.
fn push_text(spans: &mut StyledLine, text: &str, style: Style, revealed: Style) {
    let hidden = is_revealed;
    let mut rest = text;
    while !rest.is_empty() {
        let Some(start) = rest.find(hidden) else {
            push_span(spans, sanitize_line(rest), style);
            return;
        };
        let end = rest[start..].find(|c: char| !hidden(c)).map_or(rest.len(), |i| start + i);
        push_span(spans, sanitize_line(&rest[..start]), style);
        push_span(spans, sanitize_line(&rest[start..end]), revealed);
        rest = &rest[end..];
    }
}

/// Appends a span, merging it into the last one when they look the same.
fn push_span(spans: &mut StyledLine, text: String, style: Style) {
    if text.is_empty() {
        return;
    }
    match spans.last_mut() {
        Some(last) if last.style == style => last.text.push_str(&text),
        _ => spans.push(Span::new(text, style)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_themes_parse() {
        assert_eq!(embedded_themes().len(), EMBEDDED_TM_THEMES.len());
        for (name, _) in EMBEDDED_TM_THEMES {
            assert!(!FileHighlighter::new("x.rs", "", name).theme_fell_back(), "{name}");
        }
        assert!(find_theme_exact(DEFAULT_THEME).is_some());
        assert!(find_theme_exact(DEFAULT_LIGHT_THEME).is_some());
    }

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
    fn terminal_palette_colours() {
        assert_eq!(map_color(SynColor { r: 1, g: 0, b: 0, a: 0 }), Some(Color::Indexed(1)));
        assert_eq!(map_color(SynColor { r: 7, g: 0, b: 0, a: 1 }), None);
        assert_eq!(map_color(SynColor { r: 16, g: 0, b: 0, a: 0 }), Some(Color::Rgb(0, 0, 0)));
        assert_eq!(map_color(SynColor { r: 196, g: 0, b: 0, a: 0 }), Some(Color::Rgb(255, 0, 0)));
        assert_eq!(map_color(SynColor { r: 255, g: 0, b: 0, a: 0 }), Some(Color::Rgb(238, 238, 238)));
        assert_eq!(map_color(SynColor { r: 9, g: 8, b: 7, a: 255 }), Some(Color::Rgb(9, 8, 7)));
    }

    #[test]
    fn segments_split_revealed_runs() {
        let revealed = default_revealed_style();
        let code = Style::fg(Color::Rgb(1, 2, 3));
        let mut spans = StyledLine::new();
        push_text(&mut spans, "a\tb\u{1b}\u{202E}c", code, revealed);
        push_text(&mut spans, "d", code, revealed);
        assert_eq!(spans, vec![Span::new("a    b", code), Span::new("␛⟨U+202E RLO⟩", revealed), Span::new("cd", code)]);
    }

    #[test]
    fn the_cache_is_bounded() {
        let mut cache = LineCache::default();
        for i in 0..CACHE_LINES + 10 {
            cache.insert(i, vec![Span::plain("x")]);
        }
        assert_eq!(cache.lines.len(), CACHE_LINES);
        assert!(cache.get(0).is_none());
        assert!(cache.get(CACHE_LINES + 9).is_some());
        let huge = "x".repeat(CACHE_BYTES / 2 + 1);
        cache.insert(1, vec![Span::plain(huge.clone())]);
        cache.insert(2, vec![Span::plain(huge)]);
        assert!(cache.bytes <= CACHE_BYTES);
        assert!(cache.get(2).is_some());
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

    #[test]
    fn a_memo_that_finds_nothing_rests_longer_each_round_and_wakes_on_hits() {
        let syntax = syntax_set().find_syntax_plain_text();
        let entry = || MemoEntry {
            parse: ParseState::new(syntax),
            stack: ScopeStack::new(),
            line: StyledLine::new(),
            parse_after: ParseState::new(syntax),
            stack_after: ScopeStack::new(),
            nodes_after: vec![0],
        };
        let mut memo = Memo::default();
        let mut key = 0;
        // Fills the memo with unique lines (each `hits` times met again).
        let mut round = |memo: &mut Memo, hits: usize| {
            while memo.resting > 0 {
                assert!(!memo.wanted());
            }
            while memo.len < MEMO_LINES {
                assert!(memo.wanted());
                key += 1;
                memo.insert(&key.to_string(), entry());
            }
            let (parse, stack) = (ParseState::new(syntax), ScopeStack::new());
            for _ in 0..hits {
                assert!(memo.get(&key.to_string(), &parse, &stack).is_some());
            }
            key += 1;
            memo.insert(&key.to_string(), entry());
            memo.resting
        };
        assert_eq!(round(&mut memo, 0), 4 * MEMO_LINES);
        assert_eq!(round(&mut memo, 0), 8 * MEMO_LINES);
        assert_eq!(round(&mut memo, 0), 16 * MEMO_LINES);
        // A round where lines came back: no rest, and the next starts short.
        assert_eq!(round(&mut memo, MEMO_LINES), 0);
        assert_eq!(round(&mut memo, 0), 4 * MEMO_LINES);
    }
}
