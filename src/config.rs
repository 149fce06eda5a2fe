//! The config file: watched branches, people, risk rules. Unknown keys are
//! errors, so a typo never silently changes a verdict.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::RiskKind;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source} (fix the file or pass --config PATH)")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config {path} line {line}: {message}")]
    Parse { path: PathBuf, line: usize, message: String },
    #[error("config {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("config {path} is {what}: pass --config PATH naming a TOML file of at most 1 MiB")]
    NotAFile { path: PathBuf, what: String },
}

/// A config larger than this is no config (`--config /dev/zero`).
const MAX_CONFIG_BYTES: u64 = 1 << 20;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub branches: Branches,
    #[serde(default)]
    pub people: People,
    #[serde(default)]
    pub risk: Risk,
    #[serde(default)]
    pub ui: Ui,
    #[serde(default)]
    pub github: GitHub,
    #[serde(default)]
    pub review: ReviewRules,
    #[serde(default)]
    pub backport: Backport,
    #[serde(default)]
    pub queue: QueueWindow,
    #[serde(default)]
    pub release: ReleaseKeys,
    #[serde(default)]
    pub coverage: CoverageConfig,
    #[serde(default)]
    pub binaries: Binaries,
    /// TUI key bindings: action name → a key or a list of keys (each
    /// replaces that action's default keys).
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, KeyList>,
    /// Where this config was read, for messages about it (`[keys]` is
    /// checked by the TUI, long after parsing).
    #[serde(skip)]
    pub source: Option<Source>,
}

/// The file a config came from and the line of each `[keys]` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    pub key_lines: std::collections::BTreeMap<String, usize>,
}

/// One key (`"ctrl-d"`) or several (`["j", "down"]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeyList::One(k) => vec![k.as_str()],
            KeyList::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitHub {
    /// API base URL (GitHub Enterprise: `https://HOST/api/v3`).
    #[serde(default = "default_api")]
    pub api: String,
    /// `owner/name` (default: from the `upstream` or `origin` remote URL).
    pub repository: Option<String>,
    /// A shell command that prints a token, tried after GITHUB_TOKEN,
    /// GH_TOKEN and `gh auth token`.
    pub token_command: Option<String>,
    /// Requests in flight at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Seconds a request may take, its body included.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// The first wait before retrying a failed request, in milliseconds;
    /// it doubles per retry (with jitter).
    #[serde(default = "default_backoff")]
    pub backoff_ms: u64,
    /// Which API a sync reads through: `graphql` (pages of pull requests
    /// with their reviews) or `rest` (a request per pull request).
    #[serde(default)]
    pub bulk_reads: BulkReads,
}

/// The API a sync's bulk reads go through; writes always use REST.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BulkReads {
    #[default]
    Graphql,
    Rest,
}

impl Default for GitHub {
    fn default() -> Self {
        GitHub {
            api: default_api(),
            repository: None,
            token_command: None,
            concurrency: default_concurrency(),
            timeout_secs: default_timeout(),
            backoff_ms: default_backoff(),
            bulk_reads: BulkReads::default(),
        }
    }
}

fn default_api() -> String {
    "https://api.github.com".into()
}

fn default_concurrency() -> usize {
    8
}

fn default_timeout() -> u64 {
    30
}

fn default_backoff() -> u64 {
    250
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRules {
    /// Count "merged by someone other than the author" as an approval
    /// (OpenSSF Scorecard does; rearview does not unless asked).
    #[serde(default)]
    pub merged_by_counts: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ui {
    /// A built-in theme (`default`, `light`, `ansi16`) or `NAME` for
    /// `$XDG_CONFIG_HOME/rearview/themes/NAME.toml`.
    pub theme: Option<String>,
    /// The syntax highlighting theme (a syntect / bat theme name).
    pub syntax_theme: Option<String>,
    /// Open diffs side by side.
    #[serde(default)]
    pub side_by_side: bool,
}

/// Which history the TUI's queue opens on (`[queue]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueWindow {
    /// `since = "release"` (the default: since the main line's latest
    /// release tag), `"all"`, a date (`"2026-01-31"`), a span (`"90 days"`,
    /// `"12 weeks"`) or a revision (`"v3.14.0"`).
    #[serde(default)]
    pub since: Since,
}

/// Where the queue's window starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Since {
    /// The main line's latest release tag (everything when it has none).
    #[default]
    Release,
    /// The whole history.
    All,
    /// A day, as seconds since the epoch at its midnight (UTC).
    Date(i64),
    /// The last this many days.
    Days(u32),
    /// A tag, branch or commit: the changes that landed after it.
    Revision(String),
}

impl TryFrom<String> for Since {
    type Error = String;

    fn try_from(text: String) -> Result<Since, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(
                "queue.since is empty: write \"release\", \"all\", a date (2026-01-31), a span (90 days) or a tag"
                    .into(),
            );
        }
        match text {
            "release" => return Ok(Since::Release),
            "all" => return Ok(Since::All),
            _ => {}
        }
        if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Since::Date(day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()));
        }
        let mut words = text.split_whitespace();
        if let (Some(number), Some(unit), None) = (words.next(), words.next(), words.next()) {
            let days_per = match unit.trim_end_matches('s') {
                "day" => Some(1),
                "week" => Some(7),
                "month" => Some(30),
                "year" => Some(365),
                _ => None,
            };
            if let Some(days_per) = days_per {
                return match number.parse::<u32>() {
                    Ok(n) if n > 0 => Ok(Since::Days(n.saturating_mul(days_per))),
                    _ => Err(format!("queue.since = \"{text}\": the span needs a whole number above 0 (\"90 days\")")),
                };
            }
        }
        Ok(Since::Revision(text.to_string()))
    }
}

/// `[coverage]`: the areas `rearview coverage` and `trends` report on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageConfig {
    /// `[[coverage.areas]]`: instead of CODEOWNERS or the top-level
    /// directories; the last that matches a path wins.
    #[serde(default)]
    pub areas: Vec<CoverageArea>,
}

/// An area: a glob (`*` matches across `/`) or a directory, and a name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageArea {
    pub path: String,
    pub name: Option<String>,
}

/// `[release]`: the keys that vouch for release tags' signatures. Paths
/// are relative to the config file's directory, or absolute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseKeys {
    /// Armored OpenPGP public keys (`gpg --export --armor KEYID > keys.asc`).
    pub keyring: Option<PathBuf>,
    /// git's `gpg.ssh.allowedSignersFile` format: `principals [options] key`.
    pub allowed_signers: Option<PathBuf>,
}

impl Config {
    /// A path the config names, made absolute against the config file's
    /// directory (as written when the config came from no file).
    pub fn resolve_path(&self, path: &Path) -> PathBuf {
        match self.source.as_ref().and_then(|s| s.path.parent()) {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_path_buf(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branches {
    /// The main line (default: the remote's HEAD, else `main`/`master`).
    pub default: Option<String>,
    /// Branch name patterns to watch (`*` matches anything). Default: the
    /// main line plus every branch named like a maintenance branch.
    pub watch: Option<Vec<String>>,
    /// Where a maintenance branch's own changes begin (a revision), by
    /// branch, when the rule in the README finds the wrong point.
    #[serde(default)]
    pub start: std::collections::HashMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct People {
    /// Logins treated as core developers in addition to the forge's
    /// OWNER/MEMBER/COLLABORATOR association.
    #[serde(default)]
    pub core_developers: Vec<String>,
    /// Accounts whose approvals never count (logins ending in `[bot]` are
    /// always bots).
    #[serde(default = "default_bots")]
    pub bots: Vec<String>,
}

impl Default for People {
    fn default() -> Self {
        People { core_developers: Vec::new(), bots: default_bots() }
    }
}

fn default_bots() -> Vec<String> {
    ["miss-islington", "bedevere-bot", "bedevere-app"].map(String::from).to_vec()
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    /// Security-sensitive paths, each with its reason and weight.
    #[serde(default)]
    pub paths: Vec<PathRule>,
    /// Score weight per signal kind (`embedded_payload = 40`, …), over the defaults.
    #[serde(default)]
    pub weights: std::collections::BTreeMap<String, u32>,
    /// More build or CI file globs, beside the built-in ones.
    #[serde(default)]
    pub build_globs: Vec<String>,
    /// A change is large beyond this many changed lines…
    #[serde(default = "default_large_lines")]
    pub large_lines: u32,
    /// …or this many files.
    #[serde(default = "default_large_files")]
    pub large_files: u32,
    /// An author's change after this many days without one is unusual.
    #[serde(default = "default_dormancy")]
    pub dormancy_days: u32,
    /// Compile an edited build-time check program before and after the
    /// change (syntax only, sandboxed) with `cc` from the PATH, to tell an
    /// edit from a check that can no longer succeed.
    #[serde(default = "default_compile_checks")]
    pub compile_checks: bool,
}

impl Default for Risk {
    fn default() -> Self {
        Risk {
            paths: Vec::new(),
            weights: Default::default(),
            build_globs: Vec::new(),
            large_lines: default_large_lines(),
            large_files: default_large_files(),
            dormancy_days: default_dormancy(),
            compile_checks: default_compile_checks(),
        }
    }
}

impl Risk {
    /// A signal kind's weight in the score.
    pub fn weight(&self, kind: RiskKind) -> u32 {
        self.weights.get(kind.as_str()).copied().unwrap_or_else(|| default_weight(kind))
    }
}

/// A kind's default weight in the score (config `[risk.weights]` overrides).
fn default_weight(kind: RiskKind) -> u32 {
    match kind {
        RiskKind::EmbeddedPayload => 40,
        RiskKind::FeatureTest => 35,
        RiskKind::HiddenCharacters => 30,
        RiskKind::SuspiciousSymlink => 25,
        RiskKind::BinaryWithoutProvenance => 25,
        RiskKind::BuildSystem => 20,
        RiskKind::SecuritySensitivePath => 15,
        RiskKind::BackportDrift => 15,
        RiskKind::BinaryFile => 10,
        RiskKind::StaleApproval => 10,
        RiskKind::UnusualAuthor => 10,
        RiskKind::LargeChange => 5,
        RiskKind::SelfMerged => 5,
    }
}

fn default_large_lines() -> u32 {
    1000
}

fn default_large_files() -> u32 {
    50
}

fn default_dormancy() -> u32 {
    180
}

fn default_compile_checks() -> bool {
    true
}

/// `[binaries]`: where binary files come from, when the tree cannot say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binaries {
    /// `[[binaries.upstream]]`: the first entry whose glob matches a
    /// binary's path names its source.
    #[serde(default)]
    pub upstream: Vec<Upstream>,
}

/// Binaries matching `glob` come from `source` (a URL or a description).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    pub glob: String,
    pub source: String,
}

impl Upstream {
    /// Whether the binary at `path` (from the tree's root) matches.
    pub fn matches(&self, path: &str) -> bool {
        crate::paths::glob_match(&self.glob, path)
    }

    /// Why the entry cannot be used, if it cannot.
    fn problem(&self) -> Option<String> {
        let glob = &self.glob;
        if glob.trim().is_empty() {
            return Some("has an empty glob".into());
        }
        if let Some(c) = glob.chars().find(|c| matches!(c, '[' | ']' | '{' | '}' | '!' | '\\')) {
            return Some(format!(
                "glob `{glob}` uses `{c}`, which rearview's globs do not have: `*` matches any run of characters (slashes included) and `?` one character"
            ));
        }
        if glob.starts_with('/') || glob.starts_with("./") {
            return Some(format!(
                "glob `{glob}` must be relative to the repository's root, without a leading `/` or `./`"
            ));
        }
        if self.source.trim().is_empty() {
            return Some(format!("glob `{glob}` has an empty source: give a URL or a description"));
        }
        None
    }
}

/// A path pattern that makes a change riskier, and why.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRule {
    pub glob: String,
    pub reason: String,
    #[serde(default = "default_path_weight")]
    pub weight: u32,
}

fn default_path_weight() -> u32 {
    15
}

/// `[backport]`: how this project names a backport's original, beyond the
/// conventions rearview reads by itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backport {
    /// `[[backport.patterns]]`, tried in order before the built-in ones.
    #[serde(default)]
    pub patterns: Vec<BackportPattern>,
}

/// A regex over the whole commit message whose named group `pr` or `sha`
/// names the original (`^` is the message's start; `(?m)` for any line).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackportPattern {
    pub regex: String,
}

/// A checked pattern, ready to read messages.
#[derive(Debug, Clone)]
pub struct CompiledPattern(regex::Regex);

impl Backport {
    /// The patterns, compiled. [`Config::validate`] refused any that do not
    /// compile or name nothing, so none is dropped from a loaded config.
    pub fn compiled(&self) -> Vec<CompiledPattern> {
        self.patterns.iter().filter_map(|p| p.compile().ok()).collect()
    }
}

impl BackportPattern {
    /// The compiled regex, or what is wrong with it and what to do.
    fn compile(&self) -> Result<CompiledPattern, String> {
        let example = r"(?P<sha>[0-9a-f]{7,40}) or (?P<pr>[0-9]+)";
        let regex = regex::Regex::new(&self.regex).map_err(|e| {
            // The regex crate's message spans lines; its last says why.
            let text = e.to_string();
            let why = text.lines().rev().map(str::trim).find(|l| !l.is_empty()).unwrap_or("invalid").to_string();
            format!(
                "backport.patterns regex `{}` does not compile ({}); fix it (Rust regex syntax, e.g. {example})",
                self.regex,
                why.trim_start_matches("error: ")
            )
        })?;
        if !regex.capture_names().flatten().any(|n| n == "pr" || n == "sha") {
            return Err(format!(
                "backport.patterns regex `{}` has no group named `pr` or `sha`; name the original with {example}",
                self.regex
            ));
        }
        Ok(CompiledPattern(regex))
    }
}

impl crate::model::message::NamesOriginal for CompiledPattern {
    fn capture(&self, message: &str) -> Option<crate::model::message::Captured> {
        let found = self.0.captures(message)?;
        let group = |name| found.name(name).map(|m| m.as_str().to_string());
        Some(crate::model::message::Captured { pr: group("pr"), sha: group("sha") })
    }
}

/// The line of each entry of the `[keys]` table (`name = …` under
/// `[keys]`, or `keys.name = …`), for messages that name it.
fn key_lines(text: &str) -> std::collections::BTreeMap<String, usize> {
    let mut lines = std::collections::BTreeMap::new();
    let mut in_keys = false;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            in_keys = line.trim_start_matches('[').trim_end_matches(']').trim() == "keys";
            continue;
        }
        let Some((name, _)) = line.split_once('=') else { continue };
        let name = name.trim();
        let name = if in_keys { Some(name) } else { name.strip_prefix("keys.") };
        if let Some(name) = name {
            lines.entry(name.trim().trim_matches('"').to_string()).or_insert(number + 1);
        }
    }
    lines
}

impl Config {
    /// Loads the config: an explicit path must exist; the default path
    /// (`$XDG_CONFIG_HOME/rearview/config.toml`) may be absent.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit {
            Some(path) => Config::from_file(path),
            None => match crate::paths::config_file() {
                Some(path) if path.exists() => Config::from_file(&path),
                _ => Ok(Config::default()),
            },
        }
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        use std::io::Read as _;
        let read_err = |source| ConfigError::Read { path: path.to_path_buf(), source };
        let not_a_file = |what: String| ConfigError::NotAFile { path: path.to_path_buf(), what };
        // Checked before opening: opening a FIFO blocks until a writer comes.
        let meta = std::fs::metadata(path).map_err(read_err)?;
        if !meta.is_file() {
            return Err(not_a_file(if meta.is_dir() { "a directory".into() } else { "not a regular file".into() }));
        }
        let file = std::fs::File::open(path).map_err(read_err)?;
        // Read one byte past the cap: a file that grew since is caught too.
        let mut bytes = Vec::new();
        file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes).map_err(read_err)?;
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            return Err(not_a_file("larger than 1 MiB".into()));
        }
        let text = String::from_utf8(bytes)
            .map_err(|e| read_err(std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error())))?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text.get(..s.start).unwrap_or(text).matches('\n').count() + 1).unwrap_or(1);
            ConfigError::Parse { path: path.to_path_buf(), line, message: e.message().trim().to_string() }
        })?;
        config.validate(path)?;
        let mut config = config;
        config.source = Some(Source { path: path.to_path_buf(), key_lines: key_lines(text) });
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: path.to_path_buf(), message };
        if let Some(watch) = &self.branches.watch {
            if watch.iter().any(|w| w.trim().is_empty()) {
                return Err(invalid("branches.watch has an empty pattern".into()));
            }
        }
        if self.github.concurrency == 0 || self.github.concurrency > 64 {
            return Err(invalid(format!("github.concurrency must be 1 to 64, not {}", self.github.concurrency)));
        }
        if self.github.timeout_secs == 0 {
            return Err(invalid("github.timeout_secs must be at least 1".into()));
        }
        if let Some(repo) = &self.github.repository {
            if crate::model::RepoSlug::parse(repo).is_none() {
                return Err(invalid(format!("github.repository `{repo}` is not `owner/name`")));
            }
        }
        if let Some(kind) = self.risk.weights.keys().find(|k| RiskKind::parse(k).is_none()) {
            let names: Vec<&str> = RiskKind::ALL.iter().map(|k| k.as_str()).collect();
            return Err(invalid(format!("risk.weights: `{kind}` is not a signal (use one of {})", names.join(", "))));
        }
        if let Some(rule) = self.risk.paths.iter().find(|r| r.glob.trim().is_empty()) {
            return Err(invalid(format!("risk.paths entry `{}` has an empty glob", rule.reason)));
        }
        for pattern in &self.backport.patterns {
            pattern.compile().map_err(invalid)?;
        }
        if let Some(area) = self.coverage.areas.iter().find(|a| a.path.trim().is_empty()) {
            let name = area.name.as_deref().unwrap_or("(unnamed)");
            return Err(invalid(format!(
                "coverage.areas entry `{name}` has an empty path: give it a glob or directory"
            )));
        }
        for (i, upstream) in self.binaries.upstream.iter().enumerate() {
            if let Some(problem) = upstream.problem() {
                return Err(invalid(format!("[[binaries.upstream]] entry {}: {problem}", i + 1)));
            }
        }
        Ok(())
    }

    /// Whether an account is a core developer by configuration (the forge's
    /// association is the other way).
    pub fn is_core_developer(&self, login: &str) -> bool {
        self.people.core_developers.iter().any(|c| c.eq_ignore_ascii_case(login))
    }

    /// Whether an account is a bot whose approval does not count.
    pub fn is_bot(&self, login: &str) -> bool {
        login.ends_with("[bot]") || self.people.bots.iter().any(|b| b.eq_ignore_ascii_case(login))
    }

    /// Whether `name` is watched under this config, given the main line.
    pub fn watches(&self, name: &str, default_branch: &str) -> bool {
        match &self.branches.watch {
            Some(patterns) => patterns.iter().any(|p| crate::paths::glob_match(p, name)),
            None => name == default_branch || is_maintenance_branch(name),
        }
    }
}

/// Whether a branch name looks like a maintenance branch (the default
/// watch list): a version `3.12`, `v5.6`, `8.3.x`, `v3.10.x`, `7.x`; a
/// versioned product `openssl-3.0`, `OpenSSL_1_1_1-stable`; or a name under
/// `release/`, `release-`, `stable/`, `maint/`, `maint-`, `maintenance/`.
/// Other names with a `/` are not: bots and people file their own branches
/// under a path (`patchback/backports/3.11/…`, `feature/3.12`).
pub fn is_maintenance_branch(name: &str) -> bool {
    const PREFIXES: [&str; 6] = ["release/", "release-", "stable/", "maint/", "maint-", "maintenance/"];
    if PREFIXES.iter().any(|p| name.strip_prefix(p).is_some_and(|rest| !rest.is_empty())) {
        return true;
    }
    if name.contains('/') {
        return false;
    }
    if is_version(name) {
        return true;
    }
    // `openssl-3.0`: a product name, then its version.
    if let Some((product, version)) = name.rsplit_once('-') {
        if is_product(product) && is_version(version) {
            return true;
        }
    }
    // `OpenSSL_1_1_1-stable`: a version written with underscores.
    if let Some(product) = name.strip_suffix("-stable") {
        let parts: Vec<&str> = product.split('_').collect();
        let numbers = parts.iter().rev().take_while(|p| is_number(p)).count();
        return numbers >= 2 && numbers < parts.len() && is_product(&parts[..parts.len() - numbers].join("_"));
    }
    false
}

/// `3.12`, `v5.6`, `2.7.18`, `8.3.x`, `7.x`: two parts or more, all numbers
/// but the last, which may be `x` (or `y`, as in Linux's `6.1.y`).
fn is_version(text: &str) -> bool {
    let text = text.strip_prefix('v').unwrap_or(text);
    let parts: Vec<&str> = text.split('.').collect();
    let Some((last, leading)) = parts.split_last() else { return false };
    !leading.is_empty() && leading.iter().all(|p| is_number(p)) && (is_number(last) || matches!(*last, "x" | "y"))
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit())
}

/// A product's name: starts with a letter; letters, digits, `_`, `-`.
fn is_product(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_since_reads_release_all_dates_spans_and_revisions() {
        let since = |text: &str| Config::parse(&format!("[queue]\nsince = \"{text}\"\n"), Path::new("c.toml"));
        assert_eq!(Config::default().queue.since, Since::Release, "the latest release by default");
        assert_eq!(since("all").expect("valid").queue.since, Since::All);
        assert_eq!(since("2026-01-31").expect("valid").queue.since, Since::Date(1_769_817_600));
        assert_eq!(since("90 days").expect("valid").queue.since, Since::Days(90));
        assert_eq!(since("2 weeks").expect("valid").queue.since, Since::Days(14));
        assert_eq!(since("v3.14.0").expect("valid").queue.since, Since::Revision("v3.14.0".into()));
        let bad = since("0 days").expect_err("a zero span is refused").to_string();
        assert!(bad.contains("queue.since") && bad.contains("90 days"), "{bad}");
    }

    #[test]
    fn full_config_parses() {
        let text = r#"
[branches]
default = "main"
watch = ["main", "3.*"]

[people]
core_developers = ["alice"]
bots = ["miss-islington"]

[[risk.paths]]
glob = "*.m4"
reason = "autotools macro"
weight = 3
"#;
        let c = Config::parse(text, Path::new("c.toml")).expect("valid config");
        assert_eq!(c.branches.default.as_deref(), Some("main"));
        assert!(c.watches("3.12", "main"));
        assert!(!c.watches("feature", "main"));
        assert_eq!(c.risk.paths[0].weight, 3);
        assert!(c.is_bot("miss-islington"));
        assert!(c.is_bot("dependabot[bot]"));
        assert!(!c.is_bot("alice"));
        assert!(c.risk.compile_checks, "check programs are compiled unless the config says not to");
        let off = Config::parse("[risk]\ncompile_checks = false\n", Path::new("c.toml")).expect("valid config");
        assert!(!off.risk.compile_checks);
        assert_eq!(off.risk.weight(RiskKind::FeatureTest), 35);
    }

    #[test]
    fn unknown_key_names_the_key_and_line() {
        let text = "[branches]\ndefault = \"main\"\nwatched = [\"x\"]\n";
        let err = Config::parse(text, Path::new("/etc/c.toml")).expect_err("unknown key");
        let msg = err.to_string();
        assert!(msg.contains("/etc/c.toml line 3"), "{msg}");
        assert!(msg.contains("watched"), "{msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
    }

    #[test]
    fn backport_patterns_are_checked_when_the_config_loads() {
        let good = "[[backport.patterns]]\nregex = '^\\[backport (?P<sha>[0-9a-f]{7,40})\\]'\n\n[[backport.patterns]]\nregex = 'was #(?P<pr>[0-9]+)'\n";
        let c = Config::parse(good, Path::new("c.toml")).expect("valid patterns");
        assert_eq!(c.backport.compiled().len(), 2);

        let bad = "[[backport.patterns]]\nregex = '(?P<sha>[0-9a-f'\n";
        let msg = Config::parse(bad, Path::new("c.toml")).expect_err("does not compile").to_string();
        assert!(msg.starts_with("config c.toml: backport.patterns regex `(?P<sha>[0-9a-f`"), "{msg}");
        assert!(msg.contains("does not compile") && msg.contains("fix it"), "{msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");

        let unnamed = "[[backport.patterns]]\nregex = '^\\[backport ([0-9a-f]+)\\]'\n";
        let msg = Config::parse(unnamed, Path::new("c.toml")).expect_err("no group").to_string();
        assert!(msg.contains("has no group named `pr` or `sha`"), "{msg}");
        assert!(msg.contains("(?P<sha>"), "says what to write: {msg}");

        let typo = "[[backport.patterns]]\nregexp = 'x'\n";
        assert!(Config::parse(typo, Path::new("c.toml")).is_err(), "unknown keys are errors");
    }

    #[test]
    fn maintenance_branch_names() {
        let watched = [
            "3.12",
            "8.3.x",
            "v3.10.x",
            "7.x",
            "v5.6",
            "2.7.18",
            "maintenance/1.26.x",
            "release/1.0",
            "release-2024",
            "stable/6.1",
            "maint-3.4",
            "maint/x",
            "openssl-3.0",
            "linux-6.1.y",
            "OpenSSL_1_1_1-stable",
        ];
        for yes in watched {
            assert!(is_maintenance_branch(yes), "{yes} is watched");
        }
        let not_watched = [
            "main",
            "master",
            "3",
            "v5",
            "x",
            "3.x.1",
            "feature/3.12",
            "dependabot/pip/aiohttp-3.9.0",
            "dependabot/github_actions/actions/checkout-4.1",
            "patchback/backports/3.11/36a2567d96903007a2b6ff6c10af9392767bfe0f/pr-10910",
            "copilot/fix-pytest-3.12",
            "release/",
            "maintenance/",
            "v.1",
            "1..2",
            "-3.0",
            "3-3.0",
            "fix-stall",
            "Dreamsorcerer-patch-1",
            "stable",
            "1_1-stable",
        ];
        for no in not_watched {
            assert!(!is_maintenance_branch(no), "{no} is not watched");
        }
    }

    #[test]
    fn syntax_error_names_the_line() {
        let err = Config::parse("\n\n[people\n", Path::new("c.toml")).expect_err("bad toml");
        assert!(err.to_string().starts_with("config c.toml line 3:"), "{err}");
    }

    #[test]
    fn default_watch_is_main_line_plus_maintenance_branches() {
        let c = Config::default();
        assert!(c.watches("main", "main"));
        assert!(c.watches("3.12", "main"));
        assert!(c.watches("release/2.0", "main"));
        assert!(c.watches("8.3.x", "main"));
        assert!(!c.watches("feature-x", "main"));
        assert!(!c.watches("patchback/backports/3.11/abc/pr-1", "main"));
    }
}
