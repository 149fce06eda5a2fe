//! The real binary in a real terminal: `rearview demo` runs in a detached
//! tmux session of a fixed size, keys go in with `tmux send-keys`, and each
//! step waits (with a deadline, never a fixed sleep) until
//! `tmux capture-pane` shows what it should. It walks the issue's route:
//! queue, the drifted backport and its diff, a search, the bidi change with
//! its hidden characters revealed, the binary test file in hex with its
//! payload findings, the help overlay, and quitting; then checks that the
//! terminal is back to normal (main screen, cursor shown, no mouse
//! reporting, cooked mode).
//!
//! tmux is required: without it the test fails and says how to install it
//! (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;
/// The demo is built before the first screen (a debug build on a busy machine).
const FIRST_SCREEN: Duration = Duration::from_secs(90);
/// Any later step.
const STEP: Duration = Duration::from_secs(20);

/// A tmux server of its own (a socket in the test's temp dir) holding one
/// session; killed when dropped, pass or fail.
struct Tmux {
    socket: PathBuf,
    target: String,
    /// rearview's log, shown when a step fails.
    log: PathBuf,
}

impl Tmux {
    fn command(&self) -> Command {
        let mut c = Command::new("tmux");
        // `-f /dev/null`: no user config changes key handling or sizes.
        c.arg("-S").arg(&self.socket).arg("-f").arg("/dev/null");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = self.command().args(args).output().expect("run tmux");
        assert!(out.status.success(), "tmux {args:?} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        out
    }

    fn start(socket: PathBuf, log: PathBuf, shell_command: &str) -> Tmux {
        let tmux = Tmux { socket, target: "rv".into(), log };
        let (w, h) = (WIDTH.to_string(), HEIGHT.to_string());
        tmux.run(&["new-session", "-d", "-s", "rv", "-x", &w, "-y", &h, shell_command]);
        // The pane stays after its command ends, so a crash is still readable.
        tmux.run(&["set-option", "-t", "rv", "remain-on-exit", "on"]);
        tmux
    }

    /// The pane's text as a reader sees it (no styling escapes).
    fn capture(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", &self.target]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn display(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", &self.target, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Named keys (`Enter`, `Escape`) or single characters.
    fn key(&self, key: &str) {
        self.run(&["send-keys", "-t", &self.target, key]);
    }

    /// Literal text, typed.
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.target, "-l", text]);
    }

    /// Polls the pane until `ok` holds on a settled screen (two captures
    /// alike, so a frame caught half drawn does not count); fails with the
    /// last screen after `within`.
    fn wait_for(&self, what: &str, within: Duration, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + within;
        let mut previous = String::new();
        loop {
            let screen = self.capture();
            if screen == previous && ok(&screen) {
                return screen;
            }
            previous = screen;
            if Instant::now() >= deadline {
                let log = self.log_tail();
                panic!("timed out after {within:?} waiting for {what}; the pane shows:\n{previous}\n{log}");
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn wait_text(&self, text: &str, within: Duration) -> String {
        self.wait_for(&format!("`{text}`"), within, |s| s.contains(text))
    }

    fn log_tail(&self) -> String {
        match std::fs::read_to_string(&self.log) {
            Ok(text) => {
                let lines: Vec<&str> = text.lines().collect();
                format!(
                    "rearview's log ({}):\n{}",
                    self.log.display(),
                    lines[lines.len().saturating_sub(30)..].join("\n")
                )
            }
            Err(e) => format!("no log at {}: {e}", self.log.display()),
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").output();
    }
}

/// A path as one `sh` word.
fn sh_quote(path: &Path) -> String {
    shell_word(path.to_str().expect("temp paths are UTF-8"))
}

fn require_tmux() {
    let found = Command::new("tmux").arg("-V").output();
    match found {
        Ok(out) if out.status.success() => {}
        _ => panic!(
            "tmux is required for the end-to-end TUI test and was not found: install it \
             (`apt-get install tmux`, `brew install tmux`; .ci/run installs it)"
        ),
    }
}

/// The first line of the screen: on the queue screen, the queue pane's title.
fn first_line(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

fn on_queue(screen: &str) -> bool {
    first_line(screen).starts_with("┌ Queue ")
}

/// The queue's detail pane is about this change (its title starts the pane).
fn detail_shows(screen: &str, title: &str) -> bool {
    on_queue(screen) && screen.lines().nth(1).is_some_and(|l| l.contains(title))
}

/// The diff screen's title no longer says it is rendering.
fn diff_complete(screen: &str) -> bool {
    !first_line(screen).contains("so far")
}

/// Control characters that would have reached the terminal had the app
/// not revealed them (tmux keeps C0/C1 controls it does not act on out of
/// the grid, but bidi and zero-width characters would be stored as text).
fn hidden_characters(screen: &str) -> Vec<char> {
    screen
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
        })
        .collect()
}

fn assert_nothing_hidden(screen: &str, step: &str) {
    let found = hidden_characters(screen);
    assert!(found.is_empty(), "{step}: raw control or invisible characters reached the pane: {found:?}\n{screen}");
}

#[test]
fn demo_walkthrough_in_tmux() {
    require_tmux();
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path();
    for sub in ["home", "data", "state", "config"] {
        std::fs::create_dir_all(home.join(sub)).expect("create an XDG dir");
    }
    let demo = home.join("demo");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rearview"));
    // After the TUI: its exit status, and whether the tty is still raw.
    let script = format!(
        "env -u NO_COLOR -u REARVIEW_GITHUB_API -u GITHUB_TOKEN -u GH_TOKEN USER=e2e-reviewer HOME={home} XDG_DATA_HOME={data} XDG_STATE_HOME={state} \
         XDG_CONFIG_HOME={config} {bin} demo --dir {demo}; echo RV_EXIT=$?; \
         if stty -a | grep -q -- -icanon; then echo RV_TTY=raw; else echo RV_TTY=cooked; fi; sleep 120",
        home = sh_quote(&home.join("home")),
        data = sh_quote(&home.join("data")),
        state = sh_quote(&home.join("state")),
        config = sh_quote(&home.join("config")),
        bin = sh_quote(&bin),
        demo = sh_quote(&demo),
    );
    let log = home.join("state/rearview/rearview.log");
    let tmux = Tmux::start(home.join("tmux.sock"), log, &format!("sh -c {}", shell_word(&script)));

    // 1. The queue: pending changes, the status bar's counts.
    let screen = tmux.wait_for("the queue with its detail pane", FIRST_SCREEN, |s| {
        on_queue(s) && s.contains("Detail") && s.contains("unreviewed")
    });
    assert!(first_line(&screen).contains("pending"), "default filter is pending:\n{screen}");
    assert_eq!(tmux.display("#{alternate_on}"), "1", "the TUI runs on the alternate screen");
    assert_eq!(tmux.display("#{window_width}x#{window_height}"), format!("{WIDTH}x{HEIGHT}"));
    // The demo has no release on its main line: the queue is its whole
    // history, and H (the window key) says so rather than reloading.
    assert!(!first_line(&screen).contains("H: whole history"), "no window:\n{screen}");
    tmux.key("H");
    tmux.wait_text("already shows the whole history", STEP);

    // 2. The drifted backport, by fuzzy search over titles.
    tmux.key("/");
    tmux.wait_for("the search prompt", STEP, |s| s.lines().last().is_some_and(|l| l.starts_with('/')));
    tmux.type_text("combining");
    tmux.key("Enter");
    let drifted = "Reject identifiers that start with a combining";
    let screen = tmux.wait_for("the drifted backport alone in the queue", STEP, |s| {
        detail_shows(s, drifted)
            && first_line(s).contains("/combining")
            && !s.lines().last().unwrap_or("").starts_with('/')
    });
    let row = screen.lines().nth(1).expect("a queue row");
    assert!(row.contains("PARTLY") && row.contains('↯') && row.contains("#140"), "the backport's row: {row}");
    assert!(screen.contains("patch-id differs"), "the detail pane explains the drift:\n{screen}");

    // 3. Its diff, and a search in it.
    tmux.key("Enter");
    let screen = tmux.wait_for("the backport's whole diff", STEP, |s| {
        s.contains("modified: Parser/tokenizer.c") && s.contains("int is_combining_mark(int c);") && diff_complete(s)
    });
    assert!(first_line(&screen).contains(drifted), "the diff's title names the change:\n{screen}");
    assert!(screen.contains("+#include <stdlib.h>"), "the drift itself is in the diff:\n{screen}");
    tmux.key("/");
    tmux.wait_for("the diff's search prompt", STEP, |s| s.lines().last().is_some_and(|l| l.starts_with('/')));
    tmux.type_text("combining");
    tmux.key("Enter");
    let screen = tmux.wait_text("lines match", STEP);
    assert!(screen.contains("2 lines match `combining`"), "both changed lines match:\n{screen}");

    // 4. Back to the queue; the bidi change (reviewed, so under the "all" filter).
    tmux.key("q");
    tmux.wait_for("the queue again", STEP, |s| detail_shows(s, drifted));
    tmux.key("q"); // clears the search
    tmux.wait_for("the queue without a search", STEP, |s| on_queue(s) && !first_line(s).contains("/combining"));
    tmux.key("f");
    tmux.wait_text("status  ‹ pending ›", STEP);
    tmux.key("Right");
    tmux.wait_text("status  ‹ all ›", STEP);
    tmux.key("Enter");
    tmux.wait_for("the queue filtered by `all`", STEP, |s| first_line(s).contains("· all ·"));
    tmux.key("/");
    tmux.wait_for("the search prompt", STEP, |s| s.lines().last().is_some_and(|l| l.starts_with('/')));
    tmux.type_text("permission checks");
    tmux.key("Enter");
    let bidi = "Add a helper for permission checks";
    tmux.wait_for("the bidi change selected", STEP, |s| detail_shows(s, bidi));
    tmux.key("Enter");
    // The diff streams in: wait for the whole of it, not just its header.
    let screen = tmux.wait_for("the bidi change's whole diff", STEP, |s| {
        s.contains("added: Lib/access.py") && s.contains("admin only") && diff_complete(s)
    });
    assert!(screen.contains("⟨U+202E RLO⟩"), "the right-to-left override is revealed:\n{screen}");
    assert!(screen.contains("⟨U+2066 LRI⟩") && screen.contains("⟨U+2069 PDI⟩"), "isolates revealed:\n{screen}");
    assert_nothing_hidden(&screen, "the bidi change's diff");

    // 5. The binary test file in hex: its payload findings.
    tmux.key("q");
    tmux.wait_for("the queue again", STEP, |s| detail_shows(s, bidi));
    tmux.key("q"); // clears the search
    tmux.wait_for("the queue without a search", STEP, |s| on_queue(s) && !first_line(s).contains("/permission"));
    tmux.key("/");
    tmux.wait_for("the search prompt", STEP, |s| s.lines().last().is_some_and(|l| l.starts_with('/')));
    tmux.type_text("corrupt lzma2");
    tmux.key("Enter");
    let xz = "Add test files for corrupt LZMA2 streams";
    tmux.wait_for("the binary test files selected", STEP, |s| detail_shows(s, xz));
    tmux.key("x");
    let screen = tmux.wait_for("the hex view with its findings", STEP, |s| {
        s.contains("payload finding") && s.contains("ELF header")
    });
    assert!(first_line(&screen).contains("bad-3-corrupt_lzma2.xz"), "the file with the payload:\n{screen}");
    assert!(screen.contains("XZ compressed data"), "the file type:\n{screen}");
    let elf = screen.lines().find(|l| l.contains("ELF header")).expect("the ELF finding's line");
    assert!(elf.contains("00000345"), "the ELF header's offset: {elf}");
    assert!(screen.contains("00000000  fd 37 7a 58 5a 00"), "hex rows from the start:\n{screen}");
    assert_nothing_hidden(&screen, "the hex view");

    // 6. Help lists the live bindings, the hex view's right after the
    //    global ones; any other key closes it.
    tmux.key("?");
    let docs = ["go to a byte offset", "old / new blob of a modified binary", "this help", "move down"];
    let screen = tmux.wait_for("the help overlay", STEP, |s| s.contains("Help ·") && s.contains("Hex view"));
    for doc in docs {
        assert!(screen.contains(doc), "help lists `{doc}`:\n{screen}");
    }
    tmux.key("Escape");
    tmux.wait_for("the help closed", STEP, |s| !s.contains("Help ·") && s.contains("payload finding"));

    // 7. q goes back where x was pressed: the queue.
    tmux.key("q");
    tmux.wait_for("the queue", STEP, |s| detail_shows(s, xz));

    // 8. Approve it: recorded in the outbox, queued (the demo has no remote),
    //    and the queue shows it approved after merge.
    tmux.key("a");
    tmux.wait_text("Approve after merge", STEP);
    tmux.type_text("Read the payload scan.");
    tmux.wait_text("Read the payload scan.", STEP);
    tmux.key("Enter");
    let screen = tmux.wait_text("queued (demo, no remote)", STEP);
    assert!(!screen.contains("Approve after merge"), "the dialog closed:\n{screen}");
    let screen = tmux.wait_for("the change approved after merge", STEP, |s| {
        s.lines().any(|row| row.contains("AFTER") && row.contains("#124"))
    });
    assert!(screen.contains("outbox 1"), "the outbox holds it:\n{screen}");
    assert!(screen.contains("ledger #1: approval by e2e-reviewer"), "the detail names the approval:\n{screen}");

    // 9. P lists people; enter opens the first one's blast radius, enter
    //    there a change's diff, and each q comes back one screen.
    tmux.key("P");
    let screen =
        tmux.wait_for("the people screen", FIRST_SCREEN, |s| s.contains("People ") && s.contains("privileged"));
    assert_nothing_hidden(&screen, "people");
    tmux.key("Enter");
    let screen =
        tmux.wait_for("a blast radius", FIRST_SCREEN, |s| s.contains("Blast radius") && s.contains("Changes by risk"));
    assert!(
        screen.contains("releases"),
        "the affected releases lead:
{screen}"
    );
    tmux.key("Enter");
    tmux.wait_for("the change's diff", STEP, |s| !s.contains("Changes by risk") && !s.contains("People "));
    tmux.key("q");
    tmux.wait_for("the blast radius again", STEP, |s| s.contains("Changes by risk"));
    tmux.key("q");
    tmux.wait_for("the people again", STEP, |s| s.contains("People ") && !s.contains("Changes by risk"));
    tmux.key("q");
    tmux.wait_for("the queue", STEP, |s| detail_shows(s, xz));

    // 10. T charts review debt per month and area, with the areas that
    //     have a single maintainer; ] charts the next branch; q comes back.
    tmux.key("T");
    let screen = tmux.wait_for("the trends screen", FIRST_SCREEN, |s| {
        s.contains("Review debt") && s.contains("Areas") && s.contains("1 single-maintainer")
    });
    assert_nothing_hidden(&screen, "trends");
    assert!(screen.contains("main (1/2)"), "the main line is charted first:\n{screen}");
    tmux.key("]");
    tmux.wait_for("the next branch", STEP, |s| s.contains("3.12 (2/2)"));
    tmux.key("q");
    tmux.wait_for("the queue", STEP, |s| detail_shows(s, xz));

    // 11. B lists the binaries, the payload first; enter opens its hex
    //     view, and each q comes back one screen.
    tmux.key("B");
    let screen = tmux.wait_for("the binaries screen", FIRST_SCREEN, |s| {
        s.contains("Binaries ") && s.contains("with payloads") && s.contains("bad-3-corrupt_lzma2.xz")
    });
    assert_nothing_hidden(&screen, "binaries");
    tmux.key("Enter");
    tmux.wait_for("the payload's hex view", FIRST_SCREEN, |s| {
        !s.contains("with payloads") && s.contains("ELF header") && s.contains("00000000")
    });
    tmux.key("q");
    tmux.wait_for("the binaries again", STEP, |s| s.contains("with payloads"));
    tmux.key("q");
    tmux.wait_for("the queue", STEP, |s| detail_shows(s, xz));

    // 12. q clears the search, q quits.
    tmux.key("q");
    tmux.wait_for("the queue without a search", STEP, |s| on_queue(s) && !first_line(s).contains("/corrupt"));
    tmux.key("q");
    let screen = tmux.wait_for("the shell after rearview exits", STEP, |s| s.contains("RV_TTY="));
    assert!(screen.contains("RV_EXIT=0"), "rearview exits with status 0:\n{screen}");
    assert!(screen.contains("RV_TTY=cooked"), "the tty is back in cooked mode:\n{screen}");
    assert!(!screen.contains("Queue ") && !screen.contains("Detail"), "the TUI's screen is gone:\n{screen}");
    assert_eq!(tmux.display("#{alternate_on}"), "0", "the alternate screen is left");
    assert_eq!(tmux.display("#{cursor_flag}"), "1", "the cursor is shown again");
    assert_eq!(tmux.display("#{mouse_any_flag}"), "0", "mouse reporting is off");
    assert_private(&home.join("data/rearview"));
    assert_private(&home.join("state/rearview"));
}

/// Every file rearview left under `dir` is its owner's only (0600), and
/// `dir` too (0700): the store, its session and queue snapshot, the log.
#[cfg(unix)]
fn assert_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
    assert_eq!(mode(dir), 0o700, "{} is 0700", dir.display());
    let entries = std::fs::read_dir(dir).expect("list a state directory");
    let names: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    assert!(!names.is_empty(), "rearview wrote into {}", dir.display());
    for path in names.iter().filter(|p| p.is_file()) {
        assert_eq!(mode(path), 0o600, "{} is 0600 (all: {names:?})", path.display());
    }
}

/// `text` as one `sh` word.
fn shell_word(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
