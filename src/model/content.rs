//! What the pipeline reads in a change's content, as facts for the risk
//! judge: findings in added lines and blobs, where each one sits, and what
//! kind of build or CI edit each build file saw. Cached per commit.

use serde::{Deserialize, Serialize};

/// The version of the scanning rules: a cached scan made under other rules
/// is made again (6: decompressed streams, check programs, build classes).
pub const SCAN_RULES: u32 = 6;

/// Something found in a change's added content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentFinding {
    pub kind: ContentKind,
    pub path: String,
    #[serde(default)]
    pub line: Option<u32>,
    #[serde(default)]
    pub column: Option<u32>,
    #[serde(default)]
    pub offset: Option<u64>,
    /// What it is, already sanitized: `ELF header`, `U+202E RLO`, …
    pub detail: String,
    /// Where it sits, which decides how much it matters.
    #[serde(default)]
    pub place: Place,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    /// An executable header, a shebang or dropper commands inside a binary
    /// (or inside what a compressed binary decompresses to).
    Payload,
    /// A compressed "test file" that decompresses to incompressible bytes:
    /// encrypted, or compressed again, not test data.
    Incompressible,
    /// A compressed binary that expands past the floor at more than the
    /// ratio cap: decompressing stopped, the rest was not scanned.
    DecompressionBomb,
    /// A compressed binary whose decompression stopped at the size or time
    /// cap: the rest was not scanned.
    DecompressionCut,
    /// A long base64 or hex run added to a text file.
    Encoded,
    /// A long encoded run that is the value of a secret's key (`secure:`,
    /// `*_token`): an encrypted secret, not a payload.
    Secret,
    /// A bidi control, a zero-width or a control character.
    Hidden,
    /// Another invisible (default-ignorable) character: a variation
    /// selector outside an emoji, a Hangul filler, a tag character.
    Invisible,
    /// A run of invisible characters, the way payloads hide in "empty" strings.
    HiddenRun,
    /// A word mixing Latin with Cyrillic or Greek letters.
    Confusable,
    /// A path holding bidi, invisible or control characters.
    HostilePath,
    /// A symlink whose target is absolute or leaves the tree.
    Symlink,
    /// A build-time check program edited (detail: which check).
    FeatureTest,
    /// A check program that compiled before the change and no longer does
    /// (detail: the compiler's first error).
    FeatureTestBroken,
}

/// Where a finding sits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// Source code, scope unknown.
    #[default]
    Code,
    /// An identifier (a name the code binds or calls).
    Identifier,
    /// A string literal.
    String,
    /// A comment.
    Comment,
    /// A prose or data file (Markdown, reStructuredText, text, CSV, …).
    Prose,
    /// The first character of a file (where a BOM belongs).
    FileStart,
    /// A binary's raw bytes.
    Binary,
    /// What a compressed binary decompresses to.
    Decompressed,
    /// A file's name.
    Path,
}

/// What kind of edit a build or CI file saw: it decides the severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildClass {
    /// Only action or image versions moved (`uses: actions/x@v3 → @v4`).
    PinBump,
    /// Packaging metadata (`setup.cfg`, `pyproject.toml`, `setup.py` fields).
    Metadata,
    /// Other CI configuration (names, matrices, triggers without PR code).
    CiConfig,
    /// Developer tooling that builders do not run (a plain Makefile, a Dockerfile).
    Tooling,
    /// A command a CI job already ran, changed or dropped (its arguments,
    /// its versions).
    CiScriptEdit,
    /// Code a packager runs at build time (`setup.py` calling out, `build.rs`).
    BuildCode,
    /// A command a CI job did not run before (`run:`, `script:`), or one
    /// that fetches and runs code.
    CiScript,
    /// A workflow's token permissions.
    CiPermissions,
    /// A workflow's use of secrets.
    CiSecrets,
    /// `pull_request_target`/`workflow_run` with a checkout of the PR's code.
    DangerousTrigger,
    /// Untrusted `${{ github.event.* }}` text interpolated into a script.
    UntrustedInput,
    /// Autotools inputs, CMake logic, meson, linker scripts.
    BuildLogic,
}

/// A build or CI file's edit, classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildEdit {
    pub path: String,
    pub class: BuildClass,
    /// The line that decided it, when one did.
    #[serde(default)]
    pub line: Option<u32>,
    /// Why, sanitized: the step, the key, the pattern matched.
    pub detail: String,
}

/// What the pipeline read in a change's content (cached per commit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentScan {
    /// The [`SCAN_RULES`] it was made under.
    pub rules: u32,
    pub findings: Vec<ContentFinding>,
    /// Binary files added or changed that no text file of the tree names.
    pub unmentioned: Vec<String>,
    /// Build and CI files changed, each with its strongest class.
    #[serde(default)]
    pub build: Vec<BuildEdit>,
    /// Whether edited check programs were compiled (a compiler was found
    /// and `risk.compile_checks` allowed it).
    #[serde(default)]
    pub compiled: bool,
}

impl ContentScan {
    /// Whether this scan stands for a scan made now, compiling or not:
    /// only its check findings depend on that.
    pub fn fits(&self, compiling: bool) -> bool {
        self.compiled == compiling
            || !self
                .findings
                .iter()
                .any(|f| matches!(f.kind, ContentKind::FeatureTest | ContentKind::FeatureTestBroken))
    }
}
