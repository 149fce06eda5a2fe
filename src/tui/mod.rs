//! The terminal workstation: a tokio loop over terminal events, job
//! reports and a tick; `app::App::update` changes the state, `view::draw`
//! draws it, `jobs` does the work. The terminal is restored on exit, on
//! error and on panic.

pub mod app;
pub mod doc;
pub mod find;
pub mod help;
pub mod keymap;
pub mod layout;
pub mod lines;
pub mod style;
pub mod view;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use crossterm::terminal::{disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use futures_util::StreamExt as _;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use crate::jobs::{JobContext, Jobs};
use app::{App, Effect, Msg, Session};
use keymap::Keymap;
use style::Styles;

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(transparent)]
    Keymap(#[from] keymap::KeymapError),
    #[error("the terminal failed: {0} (is this an interactive terminal?)")]
    Terminal(#[from] std::io::Error),
}

/// What the TUI needs to start.
pub struct Options {
    pub jobs: JobContext,
    /// Colour unless `NO_COLOR` or `--color never`.
    pub color: bool,
    /// Where the last selection and filter are kept.
    pub session: Option<PathBuf>,
}

/// The session file beside a store.
pub fn session_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".session.json");
    db.with_file_name(name)
}

fn load_session(path: Option<&Path>) -> Session {
    let text = path.and_then(|p| std::fs::read_to_string(p).ok());
    // A damaged session file only costs the remembered selection.
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

fn save_session(path: Option<&Path>, session: &Session) {
    let Some(path) = path else { return };
    match serde_json::to_string_pretty(session) {
        Ok(text) => {
            if let Err(e) = crate::paths::write_private(path, text.as_bytes()) {
                tracing::warn!("cannot save the session to {}: {e}", path.display());
            }
        }
        Err(e) => tracing::warn!("cannot encode the session: {e}"),
    }
}

/// Puts the terminal back: cooked mode, main screen, cursor, no mouse.
fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(std::io::stdout(), DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
}

/// Restores the terminal when dropped (errors, early returns).
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

pub fn run(options: Options) -> Result<(), TuiError> {
    let keymap = Keymap::for_config(&options.jobs.config)?;
    let styles = Styles::new(options.jobs.theme.clone(), options.color);
    let session = load_session(options.session.as_deref());
    let side_by_side = options.jobs.config.ui.side_by_side;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;

    // A panic restores the terminal before its message is printed.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    enable_raw_mode()?;
    let _guard = Guard;
    execute!(std::io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    // One write per frame: a large buffer, flushed by ratatui after each draw.
    let out = std::io::BufWriter::with_capacity(1 << 18, std::io::stdout());
    let mut terminal = Terminal::new(CrosstermBackend::new(out))?;
    terminal.clear()?;

    let app = App::new(keymap, styles, session, side_by_side);
    let outcome = runtime.block_on(event_loop(&mut terminal, app, options.jobs, options.session.as_deref()));
    drop(terminal);
    // Don't wait for renders nobody will see.
    runtime.shutdown_timeout(Duration::from_millis(200));
    outcome
}

async fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<std::io::BufWriter<std::io::Stdout>>>,
    mut app: App,
    ctx: JobContext,
    session: Option<&Path>,
) -> Result<(), TuiError> {
    let (tx, mut reports) = tokio::sync::mpsc::unbounded_channel();
    let jobs = Jobs::new(ctx, tx, tokio::runtime::Handle::current());
    let size = terminal.size()?;
    app.update(Msg::Resize(size.width, size.height));
    app.update(Msg::Tick(chrono::Utc::now().timestamp()));
    let mut pending = app.start();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        for effect in pending.drain(..) {
            match effect {
                Effect::Job(job) => jobs.submit(job),
                Effect::OpenUrl(url) => {
                    if let Err(e) = open_url(&url) {
                        app.notify(e, true);
                    }
                }
                Effect::Copy(text) => copy(&text),
                Effect::SaveSession(s) => save_session(session, &s),
                Effect::Quit => return Ok(()),
            }
        }
        jobs.set_diff_demand(app.diff_demand());
        // Terminals that know synchronized updates show the frame at once.
        crossterm::queue!(terminal.backend_mut(), crossterm::terminal::BeginSynchronizedUpdate)?;
        terminal.draw(|frame| view::draw(frame, &app))?;
        crossterm::execute!(terminal.backend_mut(), crossterm::terminal::EndSynchronizedUpdate)?;
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Mouse(mouse))) => Msg::Mouse(mouse),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(TuiError::Terminal(e)),
                None => return Ok(()),
            },
            Some(report) = reports.recv() => Msg::Report(Box::new(report)),
            _ = tick.tick() => Msg::Tick(chrono::Utc::now().timestamp()),
        };
        pending = app.update(msg);
        // Take what else has arrived before drawing again (a streaming
        // diff sends many pieces).
        for _ in 0..64 {
            match reports.try_recv() {
                Ok(report) => pending.extend(app.update(Msg::Report(Box::new(report)))),
                Err(_) => break,
            }
        }
    }
}

/// Opens a URL with `$BROWSER`, `open` (macOS) or `xdg-open`, detached.
fn open_url(url: &str) -> Result<(), String> {
    let opener = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty()).unwrap_or_else(|| {
        if cfg!(target_os = "macos") {
            "open".into()
        } else {
            "xdg-open".into()
        }
    });
    std::process::Command::new(&opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("cannot open a browser with `{opener}`: {e} (set $BROWSER)"))
}

/// Copies through the terminal (OSC 52), which works over ssh too.
fn copy(text: &str) {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout();
    let _ = write!(out, "\x1b]52;c;{encoded}\x07");
    let _ = out.flush();
}

/// Logs go to a file (never the terminal): `$XDG_STATE_HOME/rearview/rearview.log`.
pub fn init_logging(verbose: bool) -> Option<PathBuf> {
    let dir = crate::paths::state_dir()?;
    let path = dir.join("rearview.log");
    // The log names repositories and reviews: the owner's only, as the store.
    let file = crate::paths::open_private(&path, std::fs::OpenOptions::new().create(true).append(true)).ok()?;
    let level = if verbose { tracing::Level::DEBUG } else { tracing::Level::INFO };
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .finish();
    tracing::subscriber::set_global_default(subscriber).ok()?;
    Some(path)
}
