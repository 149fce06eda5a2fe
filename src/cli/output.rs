//! Standard output for every command: text or styled lines, written as they
//! come. A reader that hangs up (`| head`) ends the output quietly: the
//! command stops writing and exits as if it had finished.

use std::io::Write;

use anyhow::{Context as _, Result};

use rearview::model::{FileDiff, HunkSource};
use rearview::pipeline::printer::{LineTag, Sink};
use rearview::render::{ansi, Span, Style, StyledLine};
use rearview::repo::RepoError;

/// Lines to a writer (stdout), in colour or not.
pub struct Out<W: Write> {
    color: bool,
    writer: W,
    closed: bool,
    /// The text of the lines being written, reused.
    buf: String,
}

impl Out<std::io::StdoutLock<'static>> {
    pub fn stdout(color: bool) -> Self {
        Out::new(std::io::stdout().lock(), color)
    }
}

impl<W: Write> Out<W> {
    pub fn new(writer: W, color: bool) -> Self {
        Out { color, writer, closed: false, buf: String::new() }
    }

    /// The reader has gone: nothing more will be written.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Writes `text` and flushes it.
    pub fn text(&mut self, text: &str) -> Result<()> {
        self.write(text, true)
    }

    fn write(&mut self, text: &str, flush: bool) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        let written = self.writer.write_all(text.as_bytes());
        match written.and_then(|()| if flush { self.writer.flush() } else { Ok(()) }) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other.context("cannot write to stdout"),
        }
    }

    pub fn lines(&mut self, lines: &[StyledLine]) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        ansi::push_lines(&mut buf, lines, self.color);
        let written = self.write(&buf, false);
        self.buf = buf;
        written
    }

    pub fn line(&mut self, text: impl Into<String>, style: Style) -> Result<()> {
        self.lines(&[vec![Span::new(text, style)]])
    }
}

/// Writes `text` to stdout.
pub fn print(text: &str) -> Result<()> {
    Out::stdout(false).text(text)
}

/// The printer's lines on stdout; `section` headings for a drift's parts.
/// A write error is kept for the caller (the printer only hears "stop").
pub struct Printed<'a, W: Write> {
    pub out: &'a mut Out<W>,
    pub failed: Option<anyhow::Error>,
}

impl<'a, W: Write> Printed<'a, W> {
    pub fn new(out: &'a mut Out<W>) -> Self {
        Printed { out, failed: None }
    }

    /// The first write error, if any.
    pub fn finish(self) -> Result<()> {
        self.failed.map_or(Ok(()), Err)
    }

    fn write(&mut self, lines: &[StyledLine]) -> bool {
        if let Err(e) = self.out.lines(lines) {
            self.failed = Some(e);
        }
        self.failed.is_none() && !self.out.closed()
    }
}

impl<W: Write> Sink for Printed<'_, W> {
    fn file(&mut self, _: &FileDiff, _: &dyn HunkSource, section: Option<&str>) -> bool {
        let Some(section) = section else { return true };
        let heading = Span::new(format!("── {section} ──"), Style::fg(rearview::render::theme::Color::Indexed(6)));
        self.write(&[vec![], vec![heading]])
    }

    fn lines(&mut self, lines: Vec<(LineTag, StyledLine)>) -> bool {
        let lines: Vec<StyledLine> = lines.into_iter().map(|(_, line)| line).collect();
        self.write(&lines)
    }

    fn unreadable(&mut self, _: &str, error: RepoError) -> Result<StyledLine, RepoError> {
        Err(error)
    }
}
