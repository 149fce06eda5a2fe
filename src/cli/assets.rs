//! Themes are read from disk here, at the edge, and handed to `render`
//! (which reads no files): the UI theme the config names, and the user's own
//! syntax themes.

use std::io;
use std::path::Path;

use rearview::config::{Config, ConfigError};
use rearview::render::highlight::ThemeFile;
use rearview::render::theme::Theme;

/// The configured theme: built in, or a file in the config dir's `themes/`.
pub fn ui_theme(config: &Config) -> Result<Theme, ConfigError> {
    let name = config.ui.theme.as_deref().unwrap_or("default");
    if let Some(theme) = Theme::builtin(name) {
        return Ok(theme);
    }
    let dir = rearview::paths::config_file().and_then(|p| p.parent().map(|d| d.join("themes")));
    let Some(path) = dir.map(|d| d.join(format!("{name}.toml"))).filter(|p| p.exists()) else {
        let builtin: Vec<&str> = rearview::render::theme::BUILTIN.iter().map(|(n, _)| *n).collect();
        return Err(ConfigError::Invalid {
            path: rearview::paths::config_file().unwrap_or_default(),
            message: format!(
                "theme `{name}` not found: use one of {} or add {name}.toml under the config directory's themes/",
                builtin.join(", ")
            ),
        });
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
    Theme::parse(&text).map_err(|e| {
        let line = e.span().map(|s| text.get(..s.start).unwrap_or(&text).matches('\n').count() + 1).unwrap_or(1);
        ConfigError::Parse { path, line, message: e.message().trim().to_string() }
    })
}

/// The syntax theme to draw with: the flag, else the config's
/// `ui.syntax_theme`, else the default; a name that matches no theme is an
/// error naming the near ones (the config file too when it came from there).
pub fn syntax_theme(flag: Option<&str>, config: &Config) -> anyhow::Result<String> {
    use rearview::render::highlight::{resolve_theme, DEFAULT_THEME};
    if let Some(name) = flag {
        return Ok(resolve_theme(name)?);
    }
    let Some(name) = config.ui.syntax_theme.as_deref() else { return Ok(DEFAULT_THEME.to_string()) };
    resolve_theme(name).map_err(|e| {
        anyhow::Error::new(ConfigError::Invalid {
            path: config.source.as_ref().map(|s| s.path.clone()).unwrap_or_default(),
            message: format!("ui.syntax_theme: {e}"),
        })
    })
}

/// The user's own `.tmTheme` files, for the commands that highlight: a
/// file that does not parse is named on stderr and left out.
pub fn load_syntax_themes() {
    use rearview::paths::user_themes_dir;
    use rearview::render::highlight::register_user_themes;
    let Some(dir) = user_themes_dir() else { return };
    let shown = |p: &Path| rearview::render::sanitize::sanitize_line(&p.display().to_string());
    match read_syntax_theme_files(&dir) {
        Ok(files) => {
            for (path, why) in register_user_themes(files).failed {
                // The parser's message may quote the file.
                let why = rearview::render::sanitize::sanitize_line(&why);
                eprintln!("rearview: skipping syntax theme {}: {why}", shown(&path));
            }
        }
        Err(e) => eprintln!("rearview: cannot read the syntax themes in {}: {e}", shown(&dir)),
    }
}

/// Every `*.tmTheme` file in `dir`, sorted by path, with its bytes or why
/// they could not be read; a missing directory has none. Public for
/// `tests/highlight.rs`, which includes this file.
pub fn read_syntax_theme_files(dir: &Path) -> io::Result<Vec<ThemeFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
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
    Ok(paths.into_iter().map(|path| ThemeFile { contents: std::fs::read(&path), path }).collect())
}
