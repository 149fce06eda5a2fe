//! Where rearview keeps its files (the XDG base directories) and the one
//! glob matcher every module uses for branch, path and file patterns.

use std::path::{Path, PathBuf};

/// `$XDG_CONFIG_HOME/rearview/config.toml`, or `~/.config/…`.
pub fn config_file() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("rearview").join("config.toml"))
}

/// An XDG base directory: the variable if set to an absolute path, else
/// `$HOME/<fallback>`.
pub fn xdg_dir(var: &str, fallback: &str) -> Option<PathBuf> {
    match std::env::var_os(var).map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => Some(dir),
        _ => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(fallback)),
    }
}

/// Shell-style matching where `*` matches any run of characters (slashes
/// included) and `?` any one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    // ASCII (nearly every path): compare bytes, no allocation.
    if pattern.is_ascii() && text.is_ascii() {
        return glob_match_units(pattern.as_bytes(), text.as_bytes(), b'*', b'?');
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_match_units(&p, &t, '*', '?')
}

fn glob_match_units<T: PartialEq + Copy>(p: &[T], t: &[T], star: T, any: T) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == any || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == star {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((s, matched)) = backtrack {
            pi = s + 1;
            ti = matched + 1;
            backtrack = Some((s, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == star)
}

/// Where users put their own `.tmTheme` files:
/// `$XDG_CONFIG_HOME/rearview/themes/` (or `~/.config/rearview/themes/`).
pub fn user_themes_dir() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("rearview").join("themes"))
}

/// `$XDG_STATE_HOME/rearview/`: the log.
pub fn state_dir() -> Option<PathBuf> {
    xdg_dir("XDG_STATE_HOME", ".local/state").map(|d| d.join("rearview"))
}

/// Where the demo goes without `--dir`.
pub fn demo_dir() -> PathBuf {
    xdg_dir("XDG_DATA_HOME", ".local/share")
        .map(|d| d.join("rearview").join("demo"))
        .unwrap_or_else(|| std::env::temp_dir().join("rearview-demo"))
}

/// The file in a git directory that marks it as a demo `rearview demo`
/// built (and may rebuild).
pub const DEMO_MARKER: &str = "rearview-demo";

/// Whether a git directory is one `rearview demo` built.
pub fn is_demo(git_dir: &Path) -> bool {
    git_dir.join(DEMO_MARKER).exists()
}

/// The default store of a repository: one file per repository under
/// `$XDG_DATA_HOME/rearview/`, named after it and its path.
pub fn default_store(git_dir: &Path, repo_name: &str) -> Option<PathBuf> {
    let base = xdg_dir("XDG_DATA_HOME", ".local/share")?;
    let safe: String = repo_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(40)
        .collect();
    let hash = fnv1a(git_dir.to_string_lossy().as_bytes());
    Some(base.join("rearview").join(format!("{safe}-{hash:016x}.sqlite3")))
}

/// Creates `dir` and its missing parents readable by their owner only
/// (0700): what rearview keeps says who reviewed what. Existing
/// directories are left as they are.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens `path` as `options` say, readable by its owner only: a new file
/// is created 0600 (its directory 0700) and an existing one narrowed to
/// 0600, so a file an older version left 0644 is fixed on the next write.
pub fn open_private(path: &Path, options: &mut std::fs::OpenOptions) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(file)
}

/// Writes `bytes` to `path` (replacing it) as an owner-only file.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = open_private(path, std::fs::OpenOptions::new().write(true).create(true).truncate(true))?;
    file.write_all(bytes)
}

/// Replaces `path` with `bytes` at once: written to a hidden sibling
/// (owner-only) and renamed over it, so no reader sees a half-written file.
pub fn replace_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().ok_or_else(|| std::io::Error::other("the path names no file"))?;
    let mut hidden = std::ffi::OsString::from(".");
    hidden.push(name);
    hidden.push(format!(".{}.tmp", std::process::id()));
    let temp = path.with_file_name(hidden);
    let written = write_private(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// FNV-1a: a stable, dependency-free hash for naming files.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("3.*", "3.12"));
        assert!(glob_match("*.m4", "m4/build-to-host.m4"));
        assert!(glob_match("release/*", "release/1.0"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(!glob_match("3.*", "main"));
        assert!(glob_match("*", ""));
        assert!(glob_match("**x", "aax"));
        assert!(glob_match("Doc/*.rst", "Doc/café.rst"), "non-ASCII paths");
        assert!(glob_match("caf?", "café"), "? is one character, not one byte");
        assert!(!glob_match("caf?", "cafés"));
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_0600_in_0700_directories() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().expect("temp dir");
        let file = root.path().join("a/b/state.json");
        write_private(&file, b"{}").expect("write");
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        // A file left world-readable is narrowed when written again.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write_private(&file, b"{\"x\":1}").expect("rewrite");
        assert_eq!(mode(&file), 0o600);
        assert_eq!(std::fs::read(&file).expect("read"), b"{\"x\":1}");
        let log = root.path().join("log/rearview.log");
        open_private(&log, std::fs::OpenOptions::new().create(true).append(true)).expect("open");
        assert_eq!(mode(&log), 0o600);
    }
}
