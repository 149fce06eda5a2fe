//! The syntax set and the theme sets (bat's, the embedded ones, and the
//! user's, handed in already read), and finding a theme by name.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock};

use syntect::highlighting::{Theme, ThemeSet};
use syntect::parsing::SyntaxSet;
use syntect::LoadingError;
use two_face::theme::LazyThemeSet;

/// The theme used when none is configured or the configured one is unknown
/// (bat's default for dark terminals).
pub const DEFAULT_THEME: &str = "Monokai Extended";

/// A suggested theme for light terminals.
pub const DEFAULT_LIGHT_THEME: &str = "Monokai Extended Light";

/// `.tmTheme` files shipped in the binary, by name: add a file under
/// `themes/` and a `("Name", include_str!("../../../themes/Name.tmTheme"))`
/// entry here.
const EMBEDDED_TM_THEMES: &[(&str, &str)] =
    &[("Rearview Audit", include_str!("../../../themes/rearview-audit.tmTheme"))];

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
static BUILTIN_THEMES: OnceLock<LazyThemeSet> = OnceLock::new();
static EMBEDDED_THEMES: OnceLock<BTreeMap<String, Arc<Theme>>> = OnceLock::new();
static USER_THEMES: RwLock<BTreeMap<String, Arc<Theme>>> = RwLock::new(BTreeMap::new());
pub(super) static FALLBACK_THEME: OnceLock<Theme> = OnceLock::new();

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

/// A user's `.tmTheme` file as the caller read it: its path (the theme
/// takes the file's stem as its name) and its bytes, or why it could not
/// be read.
#[derive(Debug)]
pub struct ThemeFile {
    pub path: PathBuf,
    pub contents: io::Result<Vec<u8>>,
}

/// What [`register_user_themes`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UserThemes {
    /// Names (file stems) of the themes now available.
    pub loaded: Vec<String>,
    /// Files that could not be read or parsed, with the reason.
    pub failed: Vec<(PathBuf, String)>,
}

/// Registers the user's `.tmTheme` files, each under its file stem, so that
/// [`FileHighlighter::new`](super::FileHighlighter::new) can use it by
/// name; a user theme overrides a built-in one of the same name. Reads no
/// files: the caller reads them (at start-up or on a config reload, never
/// while drawing) and hands them in, in the order failures are reported.
pub fn register_user_themes(files: impl IntoIterator<Item = ThemeFile>) -> UserThemes {
    let mut found = UserThemes::default();
    let mut themes = Vec::new();
    for ThemeFile { path, contents } in files {
        // A file whose name is not UTF-8 is reported for its name, whatever
        // its contents.
        let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_string) else {
            found.failed.push((path, "the file name is not UTF-8".into()));
            continue;
        };
        // A read failure is worded as syntect words its own.
        let parsed = contents
            .map_err(LoadingError::from)
            .and_then(|bytes| ThemeSet::load_from_reader(&mut io::Cursor::new(bytes)));
        match parsed {
            Ok(theme) => {
                found.loaded.push(name.clone());
                themes.push((name, Arc::new(theme)));
            }
            Err(e) => found.failed.push((path, e.to_string())),
        }
    }
    let mut user = USER_THEMES.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    user.extend(themes);
    found
}

/// Every theme name [`FileHighlighter::new`](super::FileHighlighter::new)
/// accepts, sorted.
pub fn theme_names() -> Vec<String> {
    let mut names: Vec<String> = builtin_themes().theme_names().map(str::to_string).collect();
    names.extend(EMBEDDED_TM_THEMES.iter().map(|(name, _)| name.to_string()));
    names.extend(USER_THEMES.read().unwrap_or_else(|poisoned| poisoned.into_inner()).keys().cloned());
    names.sort();
    names.dedup();
    names
}

/// A theme, shared or built in.
#[derive(Clone)]
pub(super) enum ThemeRef {
    Static(&'static Theme),
    Shared(Arc<Theme>),
}

impl ThemeRef {
    pub(super) fn get(&self) -> &Theme {
        match self {
            ThemeRef::Static(theme) => theme,
            ThemeRef::Shared(theme) => theme,
        }
    }
}

/// A theme by exact name: user themes first, then embedded, then bat's.
pub(super) fn find_theme_exact(name: &str) -> Option<ThemeRef> {
    let user = USER_THEMES.read().unwrap_or_else(|poisoned| poisoned.into_inner()).get(name).cloned();
    if let Some(theme) = user {
        return Some(ThemeRef::Shared(theme));
    }
    // Parsed only when asked for by name: the XML reader's code and the
    // parse cost memory that a bat theme never needs.
    let embedded = EMBEDDED_TM_THEMES.iter().any(|(known, _)| *known == name);
    if let Some(theme) = embedded.then(|| embedded_themes().get(name)).flatten() {
        return Some(ThemeRef::Shared(Arc::clone(theme)));
    }
    builtin_themes().get(name).map(ThemeRef::Static)
}

/// A theme by name, exact or else ignoring case.
pub(super) fn find_theme(name: &str) -> Option<ThemeRef> {
    find_theme_exact(name).or_else(|| {
        let name = theme_names().into_iter().find(|n| n.eq_ignore_ascii_case(name))?;
        find_theme_exact(&name)
    })
}

/// A `--syntax-theme` or `ui.syntax_theme` that names no theme, with the
/// names closest to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown syntax theme `{name}`: {}", suggestion(.near))]
pub struct UnknownTheme {
    pub name: String,
    /// Up to five known names, nearest first; empty when none is close.
    pub near: Vec<String>,
}

fn suggestion(near: &[String]) -> String {
    if near.is_empty() {
        format!("the themes are {}", theme_names().join(", "))
    } else {
        format!("did you mean {}?", near.join(" or "))
    }
}

/// The known theme `name` means (exact, else ignoring case), or the names
/// close to it: a typo is said, never silently drawn in another theme.
pub fn resolve_theme(name: &str) -> Result<String, UnknownTheme> {
    let names = theme_names();
    if names.iter().any(|n| n == name) {
        return Ok(name.to_string());
    }
    if let Some(n) = names.iter().find(|n| n.eq_ignore_ascii_case(name)) {
        return Ok(n.clone());
    }
    let wanted = name.to_lowercase();
    let mut near: Vec<(usize, String)> = names
        .into_iter()
        .filter_map(|n| {
            let lower = n.to_lowercase();
            let distance = strsim::levenshtein(&wanted, &lower);
            let contains = !wanted.is_empty() && (lower.contains(&wanted) || wanted.contains(&lower));
            // A third of the name may be wrong, and at least two letters.
            let close = distance <= (wanted.chars().count() / 3).max(2);
            (contains || close).then_some((if contains { 0 } else { distance }, n))
        })
        .collect();
    near.sort();
    Err(UnknownTheme { name: name.to_string(), near: near.into_iter().take(5).map(|(_, n)| n).collect() })
}

#[cfg(test)]
mod tests {
    use super::super::FileHighlighter;
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
}
