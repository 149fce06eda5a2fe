//! Every command the TUI knows, in one table: its name (used by the
//! config's `[keys]`), what it does (shown by the help overlay) and where
//! it applies. The keymap and the help are both built from this table, so
//! the help always lists the live bindings.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::KeyList;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    /// Everywhere (unless a screen binds the key itself).
    Global,
    Queue,
    Diff,
    Hex,
    Release,
    People,
    Blast,
    Trends,
    Binaries,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Queue => "Queue and detail",
            Context::Diff => "Diff view",
            Context::Hex => "Hex view",
            Context::Release => "Release checklist",
            Context::People => "People",
            Context::Blast => "Blast radius",
            Context::Trends => "Trends",
            Context::Binaries => "Binaries",
        }
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Back,
    Help,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    FocusNext,
    Open,
    Filter,
    Search,
    NextMatch,
    PrevMatch,
    Sort,
    History,
    Sync,
    Approve,
    Concern,
    OpenBrowser,
    CopySha,
    CopyUrl,
    ToggleLayout,
    NextHunk,
    PrevHunk,
    NextFile,
    PrevFile,
    Collapse,
    FirstFinding,
    Hex,
    Goto,
    SwitchSide,
    Decompress,
    Drift,
    Release,
    VerifyArchive,
    People,
    Trends,
    NextBranch,
    PrevBranch,
    Binaries,
}

/// One row of the command table.
pub struct Command {
    pub action: Action,
    pub name: &'static str,
    pub doc: &'static str,
    pub contexts: &'static [Context],
    pub keys: &'static [&'static str],
}

use Context::{Binaries, Blast, Diff, Global, Hex, People, Queue, Release, Trends};

/// The command table: defaults, in the order the help shows them.
pub const COMMANDS: &[Command] = &[
    Command { action: Action::Down, name: "down", doc: "move down", contexts: &[Global], keys: &["j", "down"] },
    Command { action: Action::Up, name: "up", doc: "move up", contexts: &[Global], keys: &["k", "up"] },
    Command {
        action: Action::PageDown,
        name: "page_down",
        doc: "half a page down",
        contexts: &[Global],
        keys: &["ctrl-d", "pagedown"],
    },
    Command {
        action: Action::PageUp,
        name: "page_up",
        doc: "half a page up",
        contexts: &[Global],
        keys: &["ctrl-u", "pageup"],
    },
    Command { action: Action::Top, name: "top", doc: "go to the top", contexts: &[Global], keys: &["g", "home"] },
    Command {
        action: Action::Bottom,
        name: "bottom",
        doc: "go to the bottom",
        contexts: &[Global],
        keys: &["G", "end"],
    },
    Command {
        action: Action::Back,
        name: "back",
        doc: "close / go back (quits from the queue)",
        contexts: &[Global],
        keys: &["q", "esc"],
    },
    Command { action: Action::Quit, name: "quit", doc: "quit rearview", contexts: &[Global], keys: &["ctrl-c"] },
    Command { action: Action::Help, name: "help", doc: "this help", contexts: &[Global], keys: &["?"] },
    Command {
        action: Action::Sync,
        name: "sync",
        doc: "sync with GitHub in the background",
        contexts: &[Global],
        keys: &["r"],
    },
    Command {
        action: Action::Approve,
        name: "approve",
        doc: "approve the change after merge",
        contexts: &[Global],
        keys: &["a"],
    },
    Command { action: Action::Concern, name: "concern", doc: "raise a concern", contexts: &[Global], keys: &["c"] },
    Command {
        action: Action::OpenBrowser,
        name: "open_browser",
        doc: "open the pull request or commit in the browser",
        contexts: &[Global],
        keys: &["o"],
    },
    Command {
        action: Action::CopySha,
        name: "copy_sha",
        doc: "copy the commit SHA (OSC 52)",
        contexts: &[Global],
        keys: &["y"],
    },
    Command {
        action: Action::CopyUrl,
        name: "copy_url",
        doc: "copy the pull request or commit URL (OSC 52)",
        contexts: &[Global],
        keys: &["Y"],
    },
    Command {
        action: Action::Open,
        name: "open",
        doc: "open: a change's diff, a blast radius, a binary in hex",
        contexts: &[Queue, People, Blast, Binaries],
        keys: &["enter"],
    },
    Command {
        action: Action::FocusNext,
        name: "focus_next",
        doc: "switch pane",
        contexts: &[Queue, Diff],
        keys: &["tab"],
    },
    Command {
        action: Action::Filter,
        name: "filter",
        doc: "filter by verdict, kind, branch, author, path",
        contexts: &[Queue],
        keys: &["f"],
    },
    Command {
        action: Action::Search,
        name: "search",
        doc: "search (fuzzy over titles in the queue; text in a diff)",
        contexts: &[Queue, Diff],
        keys: &["/"],
    },
    Command {
        action: Action::NextMatch,
        name: "next_match",
        doc: "next search match (next finding in hex)",
        contexts: &[Diff, Hex],
        keys: &["n"],
    },
    Command {
        action: Action::PrevMatch,
        name: "prev_match",
        doc: "previous search match (previous finding in hex)",
        contexts: &[Diff, Hex],
        keys: &["N"],
    },
    Command {
        action: Action::Sort,
        name: "sort",
        doc: "sort by risk, age, branch, author",
        contexts: &[Queue],
        keys: &["S"],
    },
    Command {
        action: Action::History,
        name: "history",
        doc: "whole history / back to the window since the latest release (queue.since)",
        contexts: &[Queue],
        keys: &["H"],
    },
    Command {
        action: Action::ToggleLayout,
        name: "toggle_layout",
        doc: "unified / side by side",
        contexts: &[Diff],
        keys: &["s"],
    },
    Command { action: Action::NextHunk, name: "next_hunk", doc: "next hunk", contexts: &[Diff], keys: &["]"] },
    Command { action: Action::PrevHunk, name: "prev_hunk", doc: "previous hunk", contexts: &[Diff], keys: &["["] },
    Command { action: Action::NextFile, name: "next_file", doc: "next file", contexts: &[Diff], keys: &["}"] },
    Command { action: Action::PrevFile, name: "prev_file", doc: "previous file", contexts: &[Diff], keys: &["{"] },
    Command {
        action: Action::Collapse,
        name: "collapse",
        doc: "collapse / expand the current file",
        contexts: &[Diff],
        keys: &["space"],
    },
    Command {
        action: Action::FirstFinding,
        name: "first_finding",
        doc: "jump to the first hidden character or payload finding",
        contexts: &[Diff, Hex],
        keys: &["!"],
    },
    Command {
        action: Action::Release,
        name: "release",
        doc: "release checklist of the selected change's branch since its last tag",
        contexts: &[Queue],
        keys: &["R"],
    },
    Command {
        action: Action::People,
        name: "people",
        doc: "people: who holds the commit bit, dormant accounts, fast escalations",
        contexts: &[Queue],
        keys: &["P"],
    },
    Command {
        action: Action::Trends,
        name: "trends",
        doc: "trends: review debt per month and area, and the areas with one maintainer or none",
        contexts: &[Queue],
        keys: &["T"],
    },
    Command {
        action: Action::NextBranch,
        name: "next_branch",
        doc: "the chart's next branch",
        contexts: &[Trends],
        keys: &["]", "tab"],
    },
    Command {
        action: Action::PrevBranch,
        name: "prev_branch",
        doc: "the chart's previous branch",
        contexts: &[Trends],
        keys: &["[", "backtab"],
    },
    Command {
        action: Action::Binaries,
        name: "binaries",
        doc: "binaries: every binary file of the main line, hidden payloads and unexplained ones first",
        contexts: &[Queue],
        keys: &["B"],
    },
    Command {
        action: Action::VerifyArchive,
        name: "verify_archive",
        doc: "verify a release archive (tar, tar.gz, tar.xz, tar.bz2, zip) against the tag",
        contexts: &[Release],
        keys: &["A"],
    },
    Command {
        action: Action::Drift,
        name: "drift",
        doc: "a backport's drift only: what it changes beyond its original",
        contexts: &[Diff],
        keys: &["d"],
    },
    Command {
        action: Action::Hex,
        name: "hex",
        doc: "hex view of the file (a binary, or a long line whole)",
        contexts: &[Queue, Diff, Binaries],
        keys: &["x"],
    },
    Command {
        action: Action::Goto,
        name: "goto",
        doc: "go to a byte offset (decimal or 0x hex)",
        contexts: &[Hex],
        keys: &[":"],
    },
    Command {
        action: Action::SwitchSide,
        name: "switch_side",
        doc: "old / new blob of a modified binary",
        contexts: &[Hex],
        keys: &["s"],
    },
    Command {
        action: Action::Decompress,
        name: "decompress",
        doc: "raw bytes / what a compressed blob decompresses to",
        contexts: &[Hex],
        keys: &["z"],
    },
];

/// A key with its modifiers, as bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// The key codes that can be bound (ordered, for a stable help listing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    F(u8),
}

impl Key {
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        let code = match event.code {
            // Shift is part of the character ('G'), not a modifier.
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::F(n) => KeyCodeOrd::F(n),
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// Parses `j`, `G`, `ctrl-d`, `alt-x`, `enter`, `space`, `pagedown`, `f5`.
    pub fn parse(text: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").or_else(|| rest.strip_prefix("C-")) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").or_else(|| rest.strip_prefix("M-")) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCodeOrd::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCodeOrd::Enter,
                "esc" | "escape" => KeyCodeOrd::Esc,
                "tab" => KeyCodeOrd::Tab,
                "backtab" | "shift-tab" => KeyCodeOrd::BackTab,
                "backspace" => KeyCodeOrd::Backspace,
                "space" => KeyCodeOrd::Char(' '),
                "up" => KeyCodeOrd::Up,
                "down" => KeyCodeOrd::Down,
                "left" => KeyCodeOrd::Left,
                "right" => KeyCodeOrd::Right,
                "pageup" => KeyCodeOrd::PageUp,
                "pagedown" => KeyCodeOrd::PageDown,
                "home" => KeyCodeOrd::Home,
                "end" => KeyCodeOrd::End,
                f => {
                    let n: u8 = f.strip_prefix('f')?.parse().ok()?;
                    if !(1..=12).contains(&n) {
                        return None;
                    }
                    KeyCodeOrd::F(n)
                }
            },
        };
        Some(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::Enter => f.write_str("enter"),
            KeyCodeOrd::Esc => f.write_str("esc"),
            KeyCodeOrd::Tab => f.write_str("tab"),
            KeyCodeOrd::BackTab => f.write_str("shift-tab"),
            KeyCodeOrd::Backspace => f.write_str("backspace"),
            KeyCodeOrd::Up => f.write_str("↑"),
            KeyCodeOrd::Down => f.write_str("↓"),
            KeyCodeOrd::Left => f.write_str("←"),
            KeyCodeOrd::Right => f.write_str("→"),
            KeyCodeOrd::PageUp => f.write_str("pageup"),
            KeyCodeOrd::PageDown => f.write_str("pagedown"),
            KeyCodeOrd::Home => f.write_str("home"),
            KeyCodeOrd::End => f.write_str("end"),
            KeyCodeOrd::F(n) => write!(f, "f{n}"),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeymapError {
    #[error("config [keys]: `{0}` is not an action (the help overlay `?` lists them)")]
    UnknownAction(String),
    #[error(
        "config [keys]: `{key}` for `{action}` is not a key (use e.g. `j`, `G`, `ctrl-d`, `enter`, `space`, `f5`)"
    )]
    BadKey { action: String, key: String },
    #[error("config [keys]: `{key}` for `{action}` is already `{other}`'s key{screen}: give one of them another key")]
    Conflict { action: String, key: String, other: String, screen: String },
    /// One of the above, with the config file and line it comes from.
    #[error("config {path} line {line}: {error}", error = .error.to_string().trim_start_matches("config "))]
    At { path: std::path::PathBuf, line: usize, error: Box<KeymapError> },
}

impl KeymapError {
    /// The `[keys]` entry the error is about.
    fn action(&self) -> Option<&str> {
        match self {
            KeymapError::UnknownAction(action)
            | KeymapError::BadKey { action, .. }
            | KeymapError::Conflict { action, .. } => Some(action),
            KeymapError::At { .. } => None,
        }
    }
}

/// The live bindings: defaults with the config's `[keys]` over them.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<(Context, Key), Action>,
    keys: BTreeMap<&'static str, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Self {
        // The defaults are tested to parse.
        Keymap::new(&BTreeMap::new()).unwrap_or(Keymap { bindings: BTreeMap::new(), keys: BTreeMap::new() })
    }
}

impl Keymap {
    /// The bindings of a config: an error names the config's file and
    /// the line of the `[keys]` entry.
    pub fn for_config(config: &crate::config::Config) -> Result<Keymap, KeymapError> {
        Keymap::new(&config.keys).map_err(|error| {
            let Some(source) = &config.source else { return error };
            match error.action().and_then(|a| source.key_lines.get(a)) {
                Some(&line) => KeymapError::At { path: source.path.clone(), line, error: Box::new(error) },
                None => error,
            }
        })
    }

    pub fn new(overrides: &BTreeMap<String, KeyList>) -> Result<Keymap, KeymapError> {
        for name in overrides.keys() {
            if !COMMANDS.iter().any(|c| c.name == name) {
                return Err(KeymapError::UnknownAction(name.clone()));
            }
        }
        let mut bindings = BTreeMap::new();
        let mut keys_of = BTreeMap::new();
        for command in COMMANDS {
            let texts: Vec<&str> = match overrides.get(command.name) {
                Some(list) => list.keys(),
                None => command.keys.to_vec(),
            };
            let mut keys = Vec::new();
            for text in texts {
                let key = Key::parse(text)
                    .ok_or_else(|| KeymapError::BadKey { action: command.name.into(), key: text.into() })?;
                keys.push(key);
                for context in command.contexts {
                    bindings.insert((*context, key), command.action);
                }
            }
            keys_of.insert(command.name, keys);
        }
        check_conflicts(overrides, &keys_of)?;
        Ok(Keymap { bindings, keys: keys_of })
    }

    /// The action of a key on a screen: the screen's own binding, else a
    /// global one.
    pub fn action(&self, context: Context, key: Key) -> Option<Action> {
        self.bindings.get(&(context, key)).or_else(|| self.bindings.get(&(Context::Global, key))).copied()
    }

    /// The keys bound to a command, as the help shows them.
    pub fn keys_text(&self, name: &str) -> String {
        let keys = self.keys.get(name).map(Vec::as_slice).unwrap_or(&[]);
        keys.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(" ")
    }

    /// The first key of an action, for hints (`?` for help).
    pub fn hint(&self, action: Action) -> String {
        COMMANDS
            .iter()
            .find(|c| c.action == action)
            .and_then(|c| self.keys.get(c.name))
            .and_then(|keys| keys.first())
            .map(|k| k.to_string())
            .unwrap_or_else(|| "—".into())
    }
}

/// Refuses a `[keys]` key that another action already answers to where
/// the overridden action is used: on the same screen, or everywhere and on
/// a screen (the screen's binding would hide the other). The defaults'
/// own layering (a screen's key over a global one) is by design.
fn check_conflicts(
    overrides: &BTreeMap<String, KeyList>,
    keys_of: &BTreeMap<&'static str, Vec<Key>>,
) -> Result<(), KeymapError> {
    for mine in COMMANDS.iter().filter(|c| overrides.contains_key(c.name)) {
        for key in keys_of.get(mine.name).map(Vec::as_slice).unwrap_or(&[]) {
            for other in COMMANDS.iter().filter(|c| c.action != mine.action) {
                if !keys_of.get(other.name).is_some_and(|keys| keys.contains(key)) {
                    continue;
                }
                let shared = mine.contexts.iter().find(|m| {
                    other.contexts.iter().any(|o| o == *m || *o == Context::Global || **m == Context::Global)
                });
                if let Some(context) = shared {
                    let screen = match context {
                        Context::Global => String::new(),
                        c => format!(" in the {}", c.title().to_lowercase()),
                    };
                    return Err(KeymapError::Conflict {
                        action: mine.name.into(),
                        key: key.to_string(),
                        other: other.name.into(),
                        screen,
                    });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_default_given_again_in_the_config_is_no_conflict() {
        for command in COMMANDS {
            let keys = command.keys.iter().map(|k| k.to_string()).collect();
            let over = BTreeMap::from([(command.name.to_string(), KeyList::Many(keys))]);
            assert!(Keymap::new(&over).is_ok(), "{}: {:?}", command.name, Keymap::new(&over).err());
        }
    }

    #[test]
    fn a_key_another_action_answers_to_is_refused() {
        let over = BTreeMap::from([("down".to_string(), KeyList::One("q".into()))]);
        let err = Keymap::new(&over).expect_err("q is back's key");
        assert_eq!(
            err.to_string(),
            "config [keys]: `q` for `down` is already `back`'s key: give one of them another key"
        );
        let both = BTreeMap::from([
            ("down".to_string(), KeyList::One("x".into())),
            ("up".to_string(), KeyList::One("x".into())),
        ]);
        assert!(matches!(Keymap::new(&both), Err(KeymapError::Conflict { .. })), "two overrides on one key");
    }

    #[test]
    fn a_config_error_names_its_file_and_line() {
        let text = "[ui]\nside_by_side = false\n\n[keys]\nup = \"k\"\ndown = \"ctrl-zz\"\n";
        let config = crate::config::Config::parse(text, std::path::Path::new("/tmp/c.toml")).expect("parses");
        let err = Keymap::for_config(&config).expect_err("bad key");
        assert_eq!(
            err.to_string(),
            "config /tmp/c.toml line 6: [keys]: `ctrl-zz` for `down` is not a key (use e.g. `j`, `G`, `ctrl-d`, `enter`, `space`, `f5`)"
        );
    }

    #[test]
    fn every_default_key_parses_and_names_are_unique() {
        let mut names = std::collections::HashSet::new();
        for c in COMMANDS {
            assert!(names.insert(c.name), "duplicate {}", c.name);
            for k in c.keys {
                assert!(Key::parse(k).is_some(), "{} {k}", c.name);
            }
        }
        let map = Keymap::new(&BTreeMap::new()).expect("defaults");
        assert_eq!(map.action(Context::Diff, Key::parse("j").expect("j")), Some(Action::Down));
        assert_eq!(map.action(Context::Diff, Key::parse("s").expect("s")), Some(Action::ToggleLayout));
        assert_eq!(map.action(Context::Hex, Key::parse("s").expect("s")), Some(Action::SwitchSide));
        assert_eq!(map.action(Context::Queue, Key::parse("s").expect("s")), None);
    }

    #[test]
    fn overrides_replace_defaults_and_bad_ones_are_named() {
        let mut over = BTreeMap::new();
        over.insert("down".to_string(), KeyList::Many(vec!["ctrl-n".into(), "down".into()]));
        let map = Keymap::new(&over).expect("valid");
        assert_eq!(map.action(Context::Queue, Key::parse("ctrl-n").expect("key")), Some(Action::Down));
        assert_eq!(map.action(Context::Queue, Key::parse("j").expect("key")), None);
        assert_eq!(map.keys_text("down"), "ctrl-n ↓");

        over.insert("dwon".to_string(), KeyList::One("x".into()));
        assert_eq!(Keymap::new(&over).expect_err("typo"), KeymapError::UnknownAction("dwon".into()));
        let mut bad = BTreeMap::new();
        bad.insert("up".to_string(), KeyList::One("ctrl-".into()));
        assert!(matches!(Keymap::new(&bad), Err(KeymapError::BadKey { .. })));
    }

    #[test]
    fn key_text_round_trips() {
        for text in ["j", "G", "ctrl-d", "alt-x", "enter", "space", "pagedown", "f5", "?", "]"] {
            let key = Key::parse(text).expect(text);
            assert_eq!(Key::parse(&key.to_string().replace('↓', "down")), Some(key), "{text}");
        }
    }
}
