//! Each side's highlighter on a thread of its own, answering requests for
//! styled lines in order, with a helper thread for the second half of a
//! long side.

use std::ops::Range;

use super::pieces::PIECE;
use crate::render::highlight::{FileHighlighter, LineSource};
use crate::render::StyledLine;

/// One side's highlighter, on a thread of its own when one can be started
/// (a highlighter cannot move between threads, so it lives there), so that
/// both sides of a large diff highlight at once, ahead of the layout. It
/// keeps the side's lines as they are handed to it, and answers requests
/// in order.
pub(super) struct SideHighlighter {
    kind: SideKind,
    /// Lines handed over so far.
    sent: usize,
    name: String,
    path: String,
    first: String,
    theme: String,
    /// Whether a helper was started for the second half of the side.
    helped: bool,
}

enum SideKind {
    Worker { jobs: std::sync::mpsc::Sender<Job>, results: std::sync::mpsc::Receiver<Vec<StyledLine>> },
    Local { highlighter: Box<FileHighlighter>, lines: Window, pending: std::collections::VecDeque<Range<usize>> },
}

/// Work for a side's thread.
enum Job {
    /// Style these lines, after taking these further lines of the side.
    Lines(Range<usize>, Vec<String>),
    /// A helper styles the side from this line on (see [`helper`]).
    Helper(usize, std::sync::mpsc::Receiver<HelperLines>),
}

/// Styled lines from a helper, each with the fingerprint of the parser
/// state after it (only for the first lines, where the sides may meet).
type HelperLines = Vec<(StyledLine, Option<String>)>;

/// Pieces shown before a long side gets its helper (copying the half it
/// takes costs the main thread a few milliseconds: not before the first
/// screen, nor when `| head` will have gone).
pub(super) const HELP_AFTER: usize = 3;

/// A side this long or longer gets a helper for its second half.
pub(super) const HELP_FROM: usize = 16_384;

/// Lines after a helper's start where its state is compared with the
/// side's own; past them, if the states never met, the helper is dropped.
const MEET_WITHIN: usize = 2_048;

impl SideHighlighter {
    pub(super) fn start(name: &str, path: &str, first: String, theme: &str) -> SideHighlighter {
        let (jobs, inbox) = std::sync::mpsc::channel::<Job>();
        let (done, results) = std::sync::mpsc::channel();
        let (path_owned, theme_owned, first_owned) = (path.to_string(), theme.to_string(), first.clone());
        let spawned = std::thread::Builder::new().name(name.into()).spawn(move || {
            let mut highlighter = FileHighlighter::new(&path_owned, &first_owned, &theme_owned);
            // Each line is asked for once: no cache to fill.
            highlighter.set_caching(false);
            side_worker(highlighter, inbox, done);
        });
        let kind = match spawned {
            Ok(_) => SideKind::Worker { jobs, results },
            Err(_) => {
                let mut highlighter = FileHighlighter::new(path, &first, theme);
                highlighter.set_caching(false);
                SideKind::Local {
                    highlighter: Box::new(highlighter),
                    lines: Window::default(),
                    pending: Default::default(),
                }
            }
        };
        let (name, path, theme) = (name.to_string(), path.to_string(), theme.to_string());
        SideHighlighter { kind, sent: 0, name, path, first, theme, helped: false }
    }

    /// Starts over from the side's first line: for a reader who goes back
    /// above the lines asked for before (those are dropped once styled).
    pub(super) fn restart(&mut self) {
        *self = SideHighlighter::start(&self.name, &self.path, std::mem::take(&mut self.first), &self.theme);
    }

    /// Asks for the styled lines `range`, handing over the side's lines up
    /// to its end not handed over before (`text(from, to)` gives them).
    pub(super) fn request(&mut self, range: Range<usize>, text: impl FnOnce(usize, usize) -> Vec<String>) {
        let more = if range.end > self.sent { text(self.sent, range.end) } else { Vec::new() };
        self.sent = self.sent.max(range.end);
        match &mut self.kind {
            SideKind::Worker { jobs, .. } => {
                // A worker that died answers nothing; `receive` then gives
                // plain empty lines rather than blocking.
                let _ = jobs.send(Job::Lines(range, more));
            }
            SideKind::Local { lines, pending, .. } => {
                lines.lines.extend(more);
                pending.push_back(range);
            }
        }
    }

    /// For a long side, once: a helper thread styles its second half from
    /// a guessed parser state, while the side's own thread does the first
    /// half; the side's thread takes the helper's lines from where their
    /// states meet (and drops them if they never do).
    pub(super) fn help(&mut self, len: usize, text: impl FnOnce(usize, usize) -> Vec<String>) {
        if self.helped || len < HELP_FROM {
            return;
        }
        self.helped = true;
        let SideKind::Worker { jobs, .. } = &self.kind else { return };
        let from = len / 2;
        let lines = text(from, len);
        let (tx, rx) = std::sync::mpsc::channel();
        let (path, first, theme) = (self.path.clone(), self.first.clone(), self.theme.clone());
        let spawned = std::thread::Builder::new().name("highlight-help".into()).spawn(move || {
            helper(&path, &first, &theme, from, lines, tx);
        });
        if spawned.is_ok() {
            let _ = jobs.send(Job::Helper(from, rx));
        }
    }

    /// The answer to the oldest request not yet received.
    pub(super) fn receive(&mut self) -> Vec<StyledLine> {
        match &mut self.kind {
            SideKind::Worker { results, .. } => results.recv().unwrap_or_default(),
            SideKind::Local { highlighter, lines, pending } => match pending.pop_front() {
                Some(range) => {
                    let end = range.end;
                    let styled = highlighter.highlight(lines, range);
                    lines.forget_before(end);
                    styled
                }
                None => Vec::new(),
            },
        }
    }
}

/// The lines of a side a highlighter still needs, from `start` on,
/// indexed as in the whole side: lines are added at the end as they are
/// handed over and dropped from the front once styled, so that a long
/// side is never held whole.
#[derive(Default)]
struct Window {
    start: usize,
    lines: std::collections::VecDeque<String>,
}

impl Window {
    fn from(start: usize, lines: Vec<String>) -> Window {
        Window { start, lines: lines.into() }
    }

    /// Drops the lines before `index` (the highlighter's position: it
    /// reads only from there on when asked in order).
    fn forget_before(&mut self, index: usize) {
        let n = index.saturating_sub(self.start).min(self.lines.len());
        self.lines.drain(..n);
        self.start += n;
        if self.lines.capacity() > 4 * self.lines.len().max(PIECE) {
            self.lines.shrink_to_fit();
        }
    }
}

impl LineSource for Window {
    fn len(&self) -> usize {
        self.start + self.lines.len()
    }

    fn line(&self, index: usize) -> Option<&str> {
        self.lines.get(index.checked_sub(self.start)?).map(String::as_str)
    }
}

/// Styles a side from line `start` on, from a guessed state, sending its
/// lines in batches with the fingerprints of the first ones.
fn helper(
    path: &str,
    first: &str,
    theme: &str,
    start: usize,
    lines: Vec<String>,
    tx: std::sync::mpsc::Sender<HelperLines>,
) {
    let mut h = FileHighlighter::new(path, first, theme);
    h.set_caching(false);
    h.start_at_top(start);
    h.record_states(start..start + MEET_WITHIN);
    let mut tail = Window::from(start, lines);
    let end = tail.len();
    let mut at = start;
    while at < end {
        let to = (at + PIECE).min(end);
        let styled = h.highlight(&tail, at..to);
        tail.forget_before(to);
        let mut states = h.take_states().into_iter().peekable();
        let batch: HelperLines = styled
            .into_iter()
            .zip(at..to)
            .map(|(line, i)| {
                let state = match states.peek() {
                    Some((k, _)) if *k == i => states.next().and_then(|(_, s)| s),
                    _ => None,
                };
                (line, state)
            })
            .collect();
        if tx.send(batch).is_err() {
            return;
        }
        at = to;
    }
}

/// What a side's thread knows of its helper.
struct Helping {
    start: usize,
    rx: std::sync::mpsc::Receiver<HelperLines>,
    /// Helper lines received and not yet used, from line `first`.
    buffer: std::collections::VecDeque<(StyledLine, Option<String>)>,
    first: usize,
    /// From this line on, the helper's lines are the side's.
    met: Option<usize>,
}

impl Helping {
    /// The helper's line `i` (receiving as needed), if it still has it.
    fn line(&mut self, i: usize) -> Option<&(StyledLine, Option<String>)> {
        if i < self.first {
            return None;
        }
        while self.first + self.buffer.len() <= i {
            let batch = self.rx.recv().ok()?;
            self.buffer.extend(batch);
        }
        self.buffer.get(i - self.first)
    }

    /// Takes the helper's line `i`, dropping the ones before it.
    fn take(&mut self, i: usize) -> Option<StyledLine> {
        self.line(i)?;
        while self.first < i {
            self.buffer.pop_front();
            self.first += 1;
        }
        self.first += 1;
        self.buffer.pop_front().map(|(line, _)| line)
    }
}

/// A side's thread: answers requests in order, with its own highlighter
/// or, past where their states meet, with a helper's lines.
fn side_worker(
    mut highlighter: FileHighlighter,
    inbox: std::sync::mpsc::Receiver<Job>,
    done: std::sync::mpsc::Sender<Vec<StyledLine>>,
) {
    let mut lines = Window::default();
    let mut helping: Option<Helping> = None;
    // Ends when the renderer drops its sender.
    for job in inbox {
        let range = match job {
            Job::Helper(start, rx) => {
                helping = Some(Helping { start, rx, buffer: Default::default(), first: start, met: None });
                continue;
            }
            Job::Lines(range, more) => {
                lines.lines.extend(more);
                range
            }
        };
        let mut out = Vec::with_capacity(range.len());
        let mut i = range.start;
        while i < range.end {
            if let Some(help) = helping.as_mut().filter(|h| h.met.is_some_and(|m| i >= m)) {
                if let Some(line) = help.take(i) {
                    out.push(line);
                    i += 1;
                    continue;
                }
            }
            // Compare states where the helper may meet this side.
            let window = helping.as_ref().filter(|h| h.met.is_none()).map(|h| h.start..h.start + MEET_WITHIN);
            let comparing = window.as_ref().is_some_and(|w| i < w.end && range.end > w.start);
            if let Some(w) = window.as_ref().filter(|_| comparing) {
                highlighter.record_states(w.clone());
            }
            let mut styled = highlighter.highlight(&lines, i..range.end);
            // Its own highlighter stands at the range's end: it never reads
            // a line above it again (a helper's lines take over from there).
            lines.forget_before(range.end);
            if comparing {
                highlighter.record_states(0..0);
                let mut met = None;
                if let Some(help) = helping.as_mut() {
                    for (k, state) in highlighter.take_states() {
                        let Some(state) = state else { continue };
                        if help.line(k).and_then(|(_, s)| s.as_ref()) == Some(&state) {
                            met = Some(k + 1);
                            break;
                        }
                    }
                    help.met = met;
                }
                match met {
                    Some(m) if m < range.end => {
                        styled.truncate(m - i);
                        out.extend(styled);
                        i = m;
                        continue;
                    }
                    _ => {}
                }
                if met.is_none() && window.is_some_and(|w| range.end >= w.end) {
                    // They never met: drop the helper.
                    helping = None;
                }
            }
            out.extend(styled);
            i = range.end;
        }
        if done.send(out).is_err() {
            break;
        }
    }
}
