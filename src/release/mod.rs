//! Release verification: does a release archive hold exactly the tree at
//! its tag? The xz-utils backdoor's trigger was never in git: it was a
//! modified `build-to-host.m4` inside the release tarball. [`verify`] reads
//! the archive once, as a stream (nothing is extracted to disk), strips its
//! top directory, and compares every entry with the tag's tree: a file is
//! hashed as a git blob while it is read, so a matching file costs one pass
//! and no blob read. Only what a differing file's report needs is kept (the
//! first [`CONTENT_CAP`] bytes of each side).
//!
//! Archives are hostile input: traversal and absolute paths, links,
//! devices, duplicates, non-UTF-8 names and decompression bombs are each a
//! [`Finding`]; none is followed. The result is plain data for the CLI's
//! reports ([`report`]) and the TUI.
//!
//! Here: the options, the result types and [`verify`]; `archive` reads the
//! formats, `compare` judges each entry against the tag's tree (read by
//! `repo::tree`), `names` checks entry names, `content` keeps what a
//! differing file's finding shows.

pub mod archive;
mod compare;
mod content;
mod names;
pub mod report;
mod zipdir;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::inspect;
use crate::model::FileDiff;
use crate::paths::glob_match;
use crate::repo::{Repo, RepoError};
pub use archive::Format;
use archive::{Archive, Consumed};
use compare::State;
use names::lossy;

/// Files a release process generates (`make dist`, autoreconf, gettext,
/// doc builds): reported as "generated", and allowed when only the archive
/// has them. Globs over the path inside the archive; `*` matches any run of
/// characters, slashes included.
pub const DEFAULT_GENERATED: &[&str] = &[
    "configure",
    "*/configure",
    "Makefile.in",
    "*/Makefile.in",
    "aclocal.m4",
    "config.h.in",
    "*/config.h.in",
    "*.gmo",
    "doc/*.html",
    "doc/*.info",
    "PKG-INFO",
];

/// Files a release archive may leave out (besides the tag's
/// `export-ignore` attributes): repository plumbing.
pub const DEFAULT_ALLOWED_MISSING: &[&str] = &[
    ".gitignore",
    "*/.gitignore",
    ".gitattributes",
    "*/.gitattributes",
    ".gitmodules",
    ".mailmap",
    ".github/*",
    ".gitlab-ci.yml",
];

/// Bytes of each side of a differing file kept for its report.
pub const CONTENT_CAP: usize = 256 * 1024;
/// Diff lines kept per file.
pub const DIFF_LINES_CAP: usize = 2000;
/// Diff lines kept for the whole report; later findings keep none.
const REPORT_LINES_CAP: usize = 50_000;
/// Bytes of a binary kept for its summary (type, entropy).
const HEX_HEAD: usize = 16 * 1024;
/// The ratio check starts once this much has come out of an entry (small
/// files of zeros compress well and are no bomb): the content scan's floor.
const RATIO_FLOOR: u64 = inspect::RATIO_FLOOR;
/// A tag blob larger than this is not read for a report.
const BLOB_READ_CAP: u64 = 64 << 20;
/// Progress is reported at least this often (uncompressed bytes).
const PROGRESS_EVERY: u64 = 4 << 20;
/// Payload findings kept per file.
const FINDINGS_CAP: usize = 200;

/// How to verify.
#[derive(Debug, Clone)]
pub struct Options {
    /// Globs of generated files (see [`DEFAULT_GENERATED`]). `*.m4` files
    /// other than `aclocal.m4` are never generated, whatever matches.
    pub generated: Vec<String>,
    /// Globs of tag files the archive may leave out.
    pub allowed_missing: Vec<String>,
    /// Most bytes the archive may expand to, in all.
    pub max_size: u64,
    /// Most an entry (or the whole stream) may expand: uncompressed bytes
    /// per compressed byte, checked past 16 MiB.
    pub max_ratio: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            generated: DEFAULT_GENERATED.iter().map(|s| s.to_string()).collect(),
            allowed_missing: DEFAULT_ALLOWED_MISSING.iter().map(|s| s.to_string()).collect(),
            max_size: 4 << 30,
            max_ratio: inspect::MAX_RATIO,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the archive {path}: {source} (check the path)")]
    Open { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a tar, tar.gz, tar.xz, tar.bz2 or zip archive (it starts with {magic}): pass the release archive itself")]
    UnknownFormat { path: PathBuf, magic: String },
    #[error("cannot read the archive {path} ({format}): {why}: it is corrupt, truncated or not what its format says; download it again")]
    Corrupt { path: PathBuf, format: &'static str, why: String },
    #[error("`{tag}` names no commit or tree: pass a release tag (see `git tag`)")]
    NotATree { tag: String },
    #[error("verification cancelled")]
    Cancelled,
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A file in the archive that the tag does not have.
    OnlyInArchive,
    /// A file of the tag that the archive does not have.
    OnlyInTag,
    /// A file in both, with other contents (or another type).
    Different,
    /// Same contents; the executable bit differs.
    ModeChanged,
    /// A name with a `..` component: an extractor could write outside.
    PathTraversal,
    /// A name starting at `/` (or a drive letter).
    AbsolutePath,
    /// A symbolic link the tag does not have (never followed).
    Symlink,
    /// A hard link (never followed).
    Hardlink,
    /// A device, FIFO or sparse file.
    SpecialFile,
    /// A name that appears more than once.
    Duplicate,
    /// `git archive` made the archive from another commit than the tag's
    /// (information: the files are compared all the same).
    OtherCommit,
    /// A name that is not UTF-8 (shown lossily).
    NonUtf8Name,
    /// An entry outside the archive's top directory.
    OutsideTopDirectory,
    /// The entries share no top directory (compared as they are).
    NoTopDirectory,
    /// Reading stopped: the archive expands beyond `max_size`.
    SizeLimit,
    /// Reading stopped (or an entry was skipped): it expands more than
    /// `max_ratio` (a decompression bomb).
    CompressionRatio,
    /// Another extractor would read other files: a zip whose local headers
    /// disagree with its central directory, data after a tar's end marker
    /// or after a compressed stream's end.
    ParserDifferential,
    /// Two names that are one file on a case-insensitive or normalizing
    /// filesystem (macOS, Windows): one extracted file replaces the other.
    NameCollision,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::OnlyInArchive => "only_in_archive",
            FindingKind::OnlyInTag => "only_in_tag",
            FindingKind::Different => "different",
            FindingKind::ModeChanged => "mode_changed",
            FindingKind::PathTraversal => "path_traversal",
            FindingKind::AbsolutePath => "absolute_path",
            FindingKind::Symlink => "symlink",
            FindingKind::Hardlink => "hardlink",
            FindingKind::SpecialFile => "special_file",
            FindingKind::Duplicate => "duplicate",
            FindingKind::OtherCommit => "other_commit",
            FindingKind::NonUtf8Name => "non_utf8_name",
            FindingKind::OutsideTopDirectory => "outside_top_directory",
            FindingKind::NoTopDirectory => "no_top_directory",
            FindingKind::SizeLimit => "size_limit",
            FindingKind::CompressionRatio => "compression_ratio",
            FindingKind::ParserDifferential => "parser_differential",
            FindingKind::NameCollision => "name_collision",
        }
    }

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::OnlyInArchive => "only in archive",
            FindingKind::OnlyInTag => "only in tag",
            FindingKind::Different => "different",
            FindingKind::ModeChanged => "mode changed",
            FindingKind::PathTraversal => "path traversal",
            FindingKind::AbsolutePath => "absolute path",
            FindingKind::Symlink => "symbolic link",
            FindingKind::Hardlink => "hard link",
            FindingKind::SpecialFile => "special file",
            FindingKind::Duplicate => "duplicate entry",
            FindingKind::OtherCommit => "other commit",
            FindingKind::NonUtf8Name => "non-UTF-8 name",
            FindingKind::OutsideTopDirectory => "outside the top directory",
            FindingKind::NoTopDirectory => "no top directory",
            FindingKind::SizeLimit => "size limit",
            FindingKind::CompressionRatio => "compression ratio",
            FindingKind::ParserDifferential => "parser differential",
            FindingKind::NameCollision => "name collision",
        }
    }
}

/// One side of a binary file, for its hex summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinarySide {
    pub size: u64,
    /// The first bytes (up to 16 KiB).
    pub head: Vec<u8>,
    /// Payload findings (`inspect::scan_payloads`) in the bytes scanned.
    pub findings: Vec<inspect::Finding>,
    /// Bytes the scan covered (the whole file, or the first bytes kept).
    pub scanned: u64,
}

/// What a finding shows of the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Content {
    #[default]
    None,
    /// Text: the diff from the tag's file to the archive's (an added file
    /// for one only in the archive). Its text is raw: sanitize to show.
    Diff(Box<FileDiff>),
    /// Binary: each side's summary and the first differing offset.
    Binary { tag: Option<BinarySide>, archive: Option<BinarySide>, first_change: Option<u64> },
}

/// Something the release manager must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The path inside the archive (top directory stripped), as stored:
    /// lossy UTF-8, unsanitized (sanitize to show it).
    pub path: String,
    /// Matches a generated-file glob.
    pub generated: bool,
    /// Does not fail the verification (a generated file only in the
    /// archive, an allowed missing file, a mode change, …).
    pub allowed: bool,
    /// One line of explanation (unsanitized).
    pub detail: String,
    pub content: Content,
}

/// The result of [`verify`].
#[derive(Debug, Clone)]
pub struct Verification {
    pub tag: String,
    /// The commit the tag names (when it names one).
    pub commit: Option<String>,
    /// The commit `git archive` wrote in the archive's PAX global header.
    pub archive_commit: Option<String>,
    pub archive: PathBuf,
    pub format: Format,
    /// The top directory stripped from every entry (lossy UTF-8).
    pub top_dir: Option<String>,
    /// Entries read (directories and links included).
    pub entries: u64,
    /// Files (and symbolic links) compared.
    pub files: u64,
    /// Files identical to the tag's.
    pub matched: u64,
    /// Uncompressed bytes read.
    pub bytes: u64,
    /// The whole archive was read (no limit stopped it). When false, files
    /// only in the tag are not reported.
    pub complete: bool,
    /// Findings in archive order, then the files only in the tag by path.
    pub findings: Vec<Finding>,
}

impl Verification {
    /// Findings that fail the verification.
    pub fn failing(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.allowed)
    }

    /// Anything outside the allowed set (exit status 1).
    pub fn failed(&self) -> bool {
        self.failing().next().is_some() || !self.complete
    }
}

/// `*.m4` files are inputs to autoconf (the xz-utils backdoor was a
/// modified `m4/build-to-host.m4`): never generated, whatever the globs
/// say. `aclocal.m4` is aclocal's output.
pub fn never_generated(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".m4") && name != "aclocal.m4"
}

/// Whether `path` counts as generated under `globs`.
pub fn is_generated(path: &str, globs: &[String]) -> bool {
    !never_generated(path) && globs.iter().any(|g| glob_match(g, path))
}

/// How far a verification has come, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub entries: u64,
    /// Uncompressed bytes read.
    pub bytes: u64,
    /// Bytes of the archive file read (compare with `archive_size`).
    pub consumed: u64,
    pub archive_size: u64,
}

/// Verifies `archive` against the tree at `tag` in the repository at (or
/// containing) `repo_path`.
pub fn verify(repo_path: &Path, tag: &str, archive: &Path, options: &Options) -> Result<Verification, Error> {
    verify_with_progress(repo_path, tag, archive, options, &mut |_| true)
}

/// [`verify`], calling `progress` at every entry and every 4 MiB read;
/// when it returns false, the verification stops with [`Error::Cancelled`]
/// (a TUI's escape key).
pub fn verify_with_progress(
    repo_path: &Path,
    tag: &str,
    archive: &Path,
    options: &Options,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<Verification, Error> {
    let repo = Repo::open(repo_path)?;
    let oid = repo.resolve(tag)?;
    let peeled = repo.peel(oid, tag)?.ok_or_else(|| Error::NotATree { tag: tag.to_string() })?;
    let reader = Archive::open(archive)?;
    let tag_tree = repo.tag_tree(peeled.tree)?;
    let mut state = State::new(&repo, tag_tree, options, archive, &reader, progress);
    if reader.format == Format::Zip {
        for name in reader.zip_duplicates()? {
            let detail = "the zip's central directory has this name more than once: only the last copy was read and compared; another extractor may take another";
            state.push(FindingKind::Duplicate, &lossy(&name), false, detail);
        }
        if let Some(found) = reader.zip_layout()? {
            state.push(
                FindingKind::ParserDifferential,
                "",
                false,
                format!("at offset {}: {}", found.offset, found.detail),
            );
        }
    }
    let consumed = Consumed::default();
    let trailing = reader.read(&consumed, &mut |entry, consumed| state.entry(entry, consumed))?;
    if let Some(found) = trailing {
        state.push(FindingKind::ParserDifferential, "", false, found.detail);
    }
    Ok(state.finish(tag, peeled.commit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn m4_inputs_are_never_generated() {
        let globs: Vec<String> = vec!["*".into()];
        assert!(!is_generated("m4/build-to-host.m4", &globs));
        assert!(!is_generated("build-to-host.m4", &globs));
        assert!(is_generated("aclocal.m4", &globs));
        let defaults = Options::default().generated;
        assert!(is_generated("configure", &defaults));
        assert!(is_generated("lib/Makefile.in", &defaults));
        assert!(is_generated("po/de.gmo", &defaults));
        assert!(!is_generated("src/main.c", &defaults));
        assert!(!is_generated("m4/gettext.m4", &defaults));
    }
}
