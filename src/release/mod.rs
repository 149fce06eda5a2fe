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

pub mod archive;
pub mod report;
mod tree;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use git2::{DiffOptions, Oid, Patch, Repository};
use serde::Serialize;
use sha1::{Digest, Sha1};

use crate::inspect::{self, BinaryRule};
use crate::model::{DiffLine, FileDiff, FileStatus, Hunk, LineKind};
use crate::paths::glob_match;
use crate::render::hex;
use crate::repo::{Repo, RepoError};
pub use archive::Format;
use archive::{Archive, Consumed, Entry, EntryKind, Flow};
use tree::{TagTree, MODE_EXECUTABLE, MODE_SUBMODULE, MODE_SYMLINK};

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
/// files of zeros compress well and are no bomb).
const RATIO_FLOOR: u64 = 16 << 20;
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
            max_ratio: 200,
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
    #[error("git could not {doing}: {source}")]
    Git { doing: String, source: git2::Error },
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
    let git = Repository::open(repo.git_dir())
        .map_err(|source| Error::Git { doing: "open the repository".into(), source })?;
    drop(repo);
    let object = git.find_object(oid, None).map_err(|source| Error::Git { doing: format!("read `{tag}`"), source })?;
    let commit = object.peel_to_commit().ok().map(|c| c.id().to_string());
    let tree = object.peel_to_tree().map_err(|_| Error::NotATree { tag: tag.to_string() })?;
    let reader = Archive::open(archive)?;
    let tag_tree = TagTree::read(&git, &tree)?;
    let mut state = State {
        git: &git,
        tree: tag_tree,
        options,
        archive: archive.to_path_buf(),
        format: reader.format,
        top: Top::Unknown,
        seen: HashSet::new(),
        links: HashMap::new(),
        oids: HashMap::new(),
        findings: Vec::new(),
        entries: 0,
        files: 0,
        matched: 0,
        bytes: 0,
        complete: true,
        kept_lines: 0,
        buf: vec![0; 64 * 1024],
        progress,
        archive_size: reader.file_size,
        reported: 0,
        archive_commit: None,
    };
    if reader.format == Format::Zip {
        for name in reader.zip_duplicates()? {
            let detail = "the zip's central directory has this name more than once: only the last copy was read and compared; another extractor may take another";
            state.push(FindingKind::Duplicate, &lossy(&name), false, detail);
        }
    }
    let consumed = Consumed::default();
    reader.read(&consumed, &mut |entry, consumed| state.entry(entry, consumed))?;
    Ok(state.finish(tag, commit))
}

enum Top {
    Unknown,
    Prefix(Vec<u8>),
    NoPrefix,
}

enum PathProblem {
    Absolute,
    Traversal,
}

/// The components of an entry name, without empty and `.` ones.
fn components(name: &[u8]) -> Result<Vec<&[u8]>, PathProblem> {
    let drive = name.len() >= 2 && name[0].is_ascii_alphabetic() && name[1] == b':';
    if name.starts_with(b"/") || name.starts_with(b"\\") || drive {
        return Err(PathProblem::Absolute);
    }
    // Backslashes separate on Windows: `..\` climbs there too.
    if name.split(|b| *b == b'/' || *b == b'\\').any(|c| c == b"..") {
        return Err(PathProblem::Traversal);
    }
    Ok(name.split(|b| *b == b'/').filter(|c| !c.is_empty() && *c != b".").collect())
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Outcome of reading an entry's bytes.
struct Read {
    bytes: u64,
    stopped: bool,
}

/// Finds payloads in a stream, 1 MiB at a time with an overlap.
struct Scanner {
    window: Vec<u8>,
    offset: u64,
    findings: Vec<inspect::Finding>,
    scanned: u64,
}

const SCAN_CHUNK: usize = 1 << 20;
const SCAN_OVERLAP: usize = 4096;

impl Scanner {
    fn new() -> Scanner {
        Scanner { window: Vec::new(), offset: 0, findings: Vec::new(), scanned: 0 }
    }

    fn push(&mut self, data: &[u8]) {
        self.window.extend_from_slice(data);
        self.scanned += data.len() as u64;
        if self.window.len() >= SCAN_CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for f in inspect::scan_payloads(&self.window, self.offset) {
            if self.findings.len() < FINDINGS_CAP
                && !self.findings.iter().any(|g| g.offset == f.offset && g.kind == f.kind)
            {
                self.findings.push(f);
            }
        }
        let keep = self.window.len().min(SCAN_OVERLAP);
        let cut = self.window.len() - keep;
        self.window.drain(..cut);
        self.offset += cut as u64;
    }

    fn finish(mut self) -> (Vec<inspect::Finding>, u64) {
        if !self.window.is_empty() {
            self.flush();
        }
        self.findings.sort_by_key(|f| f.offset);
        (self.findings, self.scanned)
    }
}

/// A truncated text head ends at its last full line.
fn whole_lines(data: &[u8], truncated: bool) -> &[u8] {
    if !truncated {
        return data;
    }
    match data.iter().rposition(|b| *b == b'\n') {
        Some(at) => &data[..=at],
        None => data,
    }
}

/// `; binary: ELF executable…` for a binary's detail line.
fn binary_note(content: &Content) -> String {
    match content {
        Content::Binary { archive: Some(side), .. } => {
            let own = inspect::file_type(&side.head);
            let kind = own.map_or("data", |t| t.description);
            let found = inspect::suspicious(&side.findings, own.as_ref()).len();
            match found {
                0 => format!("; binary: {kind}"),
                1 => format!("; binary: {kind}, 1 payload finding"),
                n => format!("; binary: {kind}, {n} payload findings"),
            }
        }
        _ => String::new(),
    }
}

fn executable_payload(side: &Option<BinarySide>) -> bool {
    side.as_ref().is_some_and(|s| {
        let own = inspect::file_type(&s.head);
        inspect::suspicious(&s.findings, own.as_ref()).iter().any(|f| f.kind.is_executable())
            || own.is_some_and(|t| t.is_executable())
    })
}

struct State<'a> {
    git: &'a Repository,
    tree: TagTree,
    options: &'a Options,
    archive: PathBuf,
    format: Format,
    top: Top,
    /// Normalized paths of the non-directory entries read so far.
    seen: HashSet<Vec<u8>>,
    /// Symbolic links read so far (path, target).
    links: HashMap<Vec<u8>, Vec<u8>>,
    /// Blob ids of the files read so far (for hard links to them).
    oids: HashMap<Vec<u8>, Oid>,
    findings: Vec<Finding>,
    entries: u64,
    files: u64,
    matched: u64,
    bytes: u64,
    complete: bool,
    kept_lines: usize,
    buf: Vec<u8>,
    progress: &'a mut dyn FnMut(&Progress) -> bool,
    archive_size: u64,
    /// `bytes` when progress was last reported.
    reported: u64,
    archive_commit: Option<String>,
}

impl State<'_> {
    fn push(&mut self, kind: FindingKind, path: &str, allowed: bool, detail: impl Into<String>) {
        let generated = matches!(kind, FindingKind::OnlyInArchive | FindingKind::Different | FindingKind::ModeChanged)
            && is_generated(path, &self.options.generated);
        self.findings.push(Finding {
            kind,
            path: path.to_string(),
            generated,
            allowed,
            detail: detail.into(),
            content: Content::None,
        });
    }

    /// Tells the caller how far it is; false: stop.
    fn report(&mut self, consumed: &Consumed) -> bool {
        self.reported = self.bytes;
        let now = Progress {
            entries: self.entries,
            bytes: self.bytes,
            consumed: consumed.get(),
            archive_size: self.archive_size,
        };
        (self.progress)(&now)
    }

    fn corrupt(&self, why: impl std::fmt::Display) -> Error {
        Error::Corrupt { path: self.archive.clone(), format: self.format.as_str(), why: why.to_string() }
    }

    /// Reads an entry's bytes through `sink`, enforcing the size and ratio
    /// limits; a breach is a finding and stops the reading.
    fn consume(
        &mut self,
        name: &str,
        entry: &mut Entry<'_>,
        consumed: &Consumed,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<Read, Error> {
        let start = consumed.get();
        let mut buf = std::mem::take(&mut self.buf);
        let mut n: u64 = 0;
        let result = loop {
            let got = match entry.reader.read(&mut buf) {
                Ok(0) => break Ok(Read { bytes: n, stopped: false }),
                Ok(got) => got,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    break Err(self.corrupt(format!("reading {}: {e}", crate::render::sanitize::sanitize_line(name))))
                }
            };
            n += got as u64;
            self.bytes += got as u64;
            sink(&buf[..got]);
            if self.bytes - self.reported >= PROGRESS_EVERY && !self.report(consumed) {
                break Err(Error::Cancelled);
            }
            if self.bytes > self.options.max_size {
                self.complete = false;
                let detail = format!(
                    "reading stopped: the archive expands beyond {} bytes (--max-size); the rest was not compared",
                    self.options.max_size
                );
                self.push(FindingKind::SizeLimit, name, false, detail);
                break Ok(Read { bytes: n, stopped: true });
            }
            if n > RATIO_FLOOR {
                let packed = entry.compressed_size.unwrap_or_else(|| consumed.get().saturating_sub(start)).max(1);
                let total_packed = consumed.get().max(1);
                if n / packed > self.options.max_ratio || self.bytes / total_packed > self.options.max_ratio {
                    self.complete = false;
                    // The decoder reads ahead: a small count is a bound.
                    let from = if packed < 64 * 1024 {
                        "under 64 KiB of the archive".to_string()
                    } else {
                        format!("about {packed} bytes of the archive")
                    };
                    let detail = format!(
                        "reading stopped: {n} bytes came out of {from}, more than {}:1 (--max-ratio): a decompression bomb; the rest was not compared",
                        self.options.max_ratio
                    );
                    self.push(FindingKind::CompressionRatio, name, false, detail);
                    break Ok(Read { bytes: n, stopped: true });
                }
            }
        };
        self.buf = buf;
        result
    }

    fn entry(&mut self, mut entry: Entry<'_>, consumed: &Consumed) -> Result<Flow, Error> {
        if let EntryKind::GlobalHeader { comment } = &entry.kind {
            let text = String::from_utf8_lossy(comment).trim().to_string();
            if text.len() == 40 && text.chars().all(|c| c.is_ascii_hexdigit()) {
                self.archive_commit = Some(text.to_ascii_lowercase());
            }
            return Ok(Flow::Continue);
        }
        self.entries += 1;
        if !self.report(consumed) {
            return Err(Error::Cancelled);
        }
        let raw_name = lossy(&entry.name);
        let flow = |read: Read| if read.stopped { Flow::Stop } else { Flow::Continue };

        // Declared sizes first: a bomb is refused before it is read.
        if entry.size > self.options.max_size {
            self.complete = false;
            let detail =
                format!("declares {} bytes, beyond --max-size {}: not read", entry.size, self.options.max_size);
            self.push(FindingKind::SizeLimit, &raw_name, false, detail);
            // A zip entry can be skipped; a tar stream cannot without
            // decompressing it.
            return Ok(if entry.compressed_size.is_some() { Flow::Continue } else { Flow::Stop });
        }
        if let Some(packed) = entry.compressed_size {
            if entry.size > RATIO_FLOOR && entry.size / packed.max(1) > self.options.max_ratio {
                self.complete = false;
                let detail = format!(
                    "declares {} bytes from {packed} compressed, more than {}:1 (--max-ratio): a decompression bomb; not read",
                    entry.size, self.options.max_ratio
                );
                self.push(FindingKind::CompressionRatio, &raw_name, false, detail);
                return Ok(Flow::Continue);
            }
        }

        let parts = match components(&entry.name) {
            Ok(parts) => parts.into_iter().map(<[u8]>::to_vec).collect::<Vec<_>>(),
            Err(problem) => {
                let (kind, detail) = match problem {
                    PathProblem::Absolute => (
                        FindingKind::AbsolutePath,
                        "absolute path: an extractor could write anywhere; not extracted, not compared",
                    ),
                    PathProblem::Traversal => (
                        FindingKind::PathTraversal,
                        "`..` in the path: an extractor could write outside its directory; not extracted, not compared",
                    ),
                };
                self.push(kind, &raw_name, false, detail);
                let read = self.consume(&raw_name, &mut entry, consumed, &mut |_| {})?;
                return Ok(flow(read));
            }
        };
        let is_dir = entry.kind == EntryKind::Dir;
        if let Top::Unknown = self.top {
            match parts.first() {
                Some(first) if (parts.len() > 1 || is_dir) && !self.tree.top_names.contains(first) => {
                    self.top = Top::Prefix(first.clone());
                }
                Some(_) => self.top = Top::NoPrefix,
                None => {}
            }
        }
        let rel: Vec<u8> = match &self.top {
            Top::Prefix(prefix) if parts.first() == Some(prefix) => parts[1..].join(&b'/'),
            Top::Prefix(prefix) => {
                let detail = format!("not under the archive's top directory `{}/`: not compared", lossy(prefix));
                self.push(FindingKind::OutsideTopDirectory, &raw_name, false, detail);
                let read = self.consume(&raw_name, &mut entry, consumed, &mut |_| {})?;
                return Ok(flow(read));
            }
            _ => parts.join(&b'/'),
        };
        let path = lossy(&rel);
        // Below a link the archive made: an extractor writes through it.
        let mut at = 0;
        while let Some(slash) = rel[at..].iter().position(|b| *b == b'/') {
            let parent = &rel[..at + slash];
            if let Some(target) = self.links.get(parent).map(|t| lossy(t)) {
                let detail = format!(
                    "below `{}`, a symbolic link to `{target}` earlier in the archive: an extractor would write through it; not compared",
                    lossy(parent)
                );
                self.push(FindingKind::PathTraversal, &path, false, detail);
                let read = self.consume(&path, &mut entry, consumed, &mut |_| {})?;
                return Ok(flow(read));
            }
            at += slash + 1;
        }
        if rel.is_empty() || is_dir {
            let read = self.consume(&path, &mut entry, consumed, &mut |_| {})?;
            return Ok(flow(read));
        }
        if std::str::from_utf8(&entry.name).is_err() {
            let in_tag = self.tree.files.contains_key(&rel);
            let detail = if in_tag {
                "the name is not UTF-8 (shown with U+FFFD); the tag has the same bytes"
            } else {
                "the name is not UTF-8 (shown with U+FFFD): it may show as another name"
            };
            self.push(FindingKind::NonUtf8Name, &path, in_tag, detail);
        }
        if !self.seen.insert(rel.clone()) {
            self.push(
                FindingKind::Duplicate,
                &path,
                false,
                "appears more than once: extractors keep the last copy, which is what is compared next",
            );
        }
        let tag = self.tree.files.get_mut(&rel).map(|t| {
            t.seen = true;
            t.clone()
        });
        match entry.kind.clone() {
            EntryKind::Dir | EntryKind::GlobalHeader { .. } => Ok(Flow::Continue),
            EntryKind::Special { what } => {
                self.push(FindingKind::SpecialFile, &path, false, format!("{what}: not extracted, not compared"));
                let read = self.consume(&path, &mut entry, consumed, &mut |_| {})?;
                Ok(flow(read))
            }
            EntryKind::Hardlink { target } => {
                let read = self.consume(&path, &mut entry, consumed, &mut |_| {})?;
                // `make dist` links equal files; one whose target was read
                // in the archive and equals the tag's file is no news.
                let linked = self.relative(&target).and_then(|t| self.oids.get(&t).copied());
                let tag_oid =
                    tag.as_ref().filter(|t| t.mode != MODE_SYMLINK && t.mode != MODE_SUBMODULE).map(|t| t.oid);
                let (allowed, detail) = match (linked, tag_oid) {
                    (Some(oid), Some(tagged)) if oid == tagged => {
                        self.files += 1;
                        self.matched += 1;
                        (true, format!("hard link to `{}`; the same contents as the tag's file", lossy(&target)))
                    }
                    (Some(_), Some(_)) => (
                        false,
                        format!("hard link to `{}`, whose contents differ from the tag's file here", lossy(&target)),
                    ),
                    (Some(_), None) => (false, format!("hard link to `{}`; not in the tag", lossy(&target))),
                    (None, _) => {
                        (false, format!("hard link to `{}`, not a file read before it: not followed", lossy(&target)))
                    }
                };
                self.push(FindingKind::Hardlink, &path, allowed, detail);
                Ok(flow(read))
            }
            EntryKind::Symlink { target } => {
                let read = self.consume(&path, &mut entry, consumed, &mut |_| {})?;
                self.symlink(&path, &rel, &target, tag.as_ref());
                self.links.insert(rel.clone(), target);
                Ok(flow(read))
            }
            EntryKind::File { mode } => self.file(&path, &rel, &mut entry, mode, tag.as_ref(), consumed),
        }
    }

    /// An archive name as a path inside the tree (top directory stripped),
    /// if it is one.
    fn relative(&self, name: &[u8]) -> Option<Vec<u8>> {
        let parts = components(name).ok()?;
        let parts = match &self.top {
            Top::Prefix(prefix) if parts.first() == Some(&prefix.as_slice()) => &parts[1..],
            Top::Prefix(_) => return None,
            _ => &parts[..],
        };
        Some(parts.join(&b'/'))
    }

    fn symlink(&mut self, path: &str, rel: &[u8], target: &[u8], tag: Option<&tree::TagFile>) {
        let tag_target = tag
            .filter(|t| t.mode == MODE_SYMLINK)
            .and_then(|t| self.git.find_blob(t.oid).ok().map(|b| b.content().to_vec()));
        self.files += 1;
        if tag_target.as_deref() == Some(target) {
            self.matched += 1;
            return;
        }
        let mut detail = format!("→ `{}` (not followed)", lossy(target));
        if escapes(rel, target) {
            detail.push_str("; it points outside the tree");
        }
        match (tag, tag_target) {
            (None, _) => detail.push_str("; not in the tag"),
            (Some(_), Some(t)) => detail.push_str(&format!("; the tag's link points to `{}`", lossy(&t))),
            (Some(_), None) => detail.push_str("; the tag has a file here"),
        }
        self.push(FindingKind::Symlink, path, false, detail);
    }

    fn file(
        &mut self,
        path: &str,
        rel: &[u8],
        entry: &mut Entry<'_>,
        mode: Option<u32>,
        tag: Option<&tree::TagFile>,
        consumed: &Consumed,
    ) -> Result<Flow, Error> {
        let tag_blob = tag.filter(|t| t.mode != MODE_SYMLINK && t.mode != MODE_SUBMODULE);
        let tag_size = tag_blob.and_then(|t| self.git.odb().ok()?.read_header(t.oid).ok()).map(|(size, _)| size as u64);
        let declared = entry.size;
        let mut hasher = Sha1::new();
        hasher.update(format!("blob {declared}\0").as_bytes());
        let mut head: Vec<u8> = Vec::new();
        // The whole file is scanned for payloads when it cannot match.
        let mut scanner = (tag_size != Some(declared)).then(Scanner::new);
        let read = self.consume(path, entry, consumed, &mut |chunk| {
            hasher.update(chunk);
            if head.len() < CONTENT_CAP {
                let take = chunk.len().min(CONTENT_CAP - head.len());
                head.extend_from_slice(&chunk[..take]);
            }
            if let Some(s) = scanner.as_mut() {
                s.push(chunk);
            }
        })?;
        if read.stopped {
            return Ok(Flow::Stop);
        }
        self.files += 1;
        let oid = Oid::from_bytes(&hasher.finalize()).ok().filter(|_| read.bytes == declared);
        if let Some(oid) = oid {
            self.oids.insert(rel.to_vec(), oid);
        }
        let same = oid.is_some_and(|oid| tag_blob.is_some_and(|t| t.oid == oid));
        let archive = Side { head, size: read.bytes, scan: scanner.map(Scanner::finish) };
        match tag {
            Some(t) if same => {
                self.matched += 1;
                if let Some(mode) = mode {
                    let (archive_x, tag_x) = (mode & 0o111 != 0, t.mode == MODE_EXECUTABLE);
                    if archive_x != tag_x {
                        let detail = if archive_x {
                            "same contents; executable in the archive, not in the tag"
                        } else {
                            "same contents; executable in the tag, not in the archive"
                        };
                        self.push(FindingKind::ModeChanged, path, true, detail);
                    }
                }
            }
            None => {
                let content = self.content(path, None, Some(archive));
                let generated = is_generated(path, &self.options.generated);
                let payload = matches!(&content, Content::Binary { archive, .. } if executable_payload(archive));
                let mut detail = format!("{} bytes, not in the tag", read.bytes);
                detail.push_str(&binary_note(&content));
                if never_generated(path) {
                    detail.push_str("; an autoconf macro file (*.m4) is never taken as generated");
                } else if generated && payload {
                    detail.push_str("; generated, but it holds an executable");
                } else if generated {
                    detail.push_str("; generated by the release process (allowed)");
                }
                self.push(FindingKind::OnlyInArchive, path, generated && !payload, detail);
                self.attach(content);
            }
            Some(t) => {
                let detail = if t.mode == MODE_SYMLINK {
                    "the tag has a symbolic link here; the archive a file".to_string()
                } else if t.mode == MODE_SUBMODULE {
                    "the tag has a submodule here; the archive a file".to_string()
                } else if read.bytes != declared {
                    format!("the entry declares {declared} bytes and holds {}", read.bytes)
                } else {
                    match tag_size {
                        Some(size) if size != read.bytes => {
                            format!("{} bytes in the archive, {size} in the tag", read.bytes)
                        }
                        _ => format!("{} bytes in both; the contents differ", read.bytes),
                    }
                };
                let tag_side = tag_blob.and_then(|t| self.tag_side(t.oid, tag_size));
                let content = self.content(path, tag_side, Some(archive));
                let detail = detail + &binary_note(&content);
                self.push(FindingKind::Different, path, false, detail);
                self.attach(content);
            }
        }
        Ok(Flow::Continue)
    }

    fn attach(&mut self, content: Content) {
        if let Some(last) = self.findings.last_mut() {
            last.content = content;
        }
    }

    /// The first bytes of a tag blob (not read past [`BLOB_READ_CAP`]).
    fn tag_side(&self, oid: Oid, size: Option<u64>) -> Option<Side> {
        if size.is_some_and(|s| s > BLOB_READ_CAP) {
            return None;
        }
        let blob = self.git.find_blob(oid).ok()?;
        let data = blob.content();
        let head = data[..data.len().min(CONTENT_CAP)].to_vec();
        let scan = Some((inspect::scan_payloads(&head, 0), head.len() as u64));
        Some(Side { head, size: data.len() as u64, scan })
    }

    /// A diff for text, hex summaries for binaries.
    fn content(&mut self, path: &str, tag: Option<Side>, archive: Option<Side>) -> Content {
        let truncated = |s: &Side| (s.head.len() as u64) < s.size;
        // NUL in git's first 8000 bytes, or not UTF-8 (a cut at the end of a
        // truncated head is not counted).
        let is_binary =
            |s: &Side| inspect::is_binary(&s.head, BinaryRule::NulOrInvalidUtf8 { truncated: truncated(s) });
        let binary = [&tag, &archive].iter().any(|s| s.as_ref().is_some_and(is_binary));
        if binary {
            let first_change = match (&tag, &archive) {
                (Some(t), Some(a)) => hex::changed_ranges(&t.head, &a.head).first().map(|r| r.start),
                _ => None,
            };
            let side = |s: Option<Side>| {
                s.map(|s| {
                    let (findings, scanned) =
                        s.scan.unwrap_or_else(|| (inspect::scan_payloads(&s.head, 0), s.head.len() as u64));
                    let mut head = s.head;
                    head.truncate(HEX_HEAD);
                    BinarySide { size: s.size, head, findings, scanned }
                })
            };
            return Content::Binary { tag: side(tag), archive: side(archive), first_change };
        }
        if self.kept_lines >= REPORT_LINES_CAP {
            return Content::None;
        }
        let old = tag.as_ref().map(|s| whole_lines(&s.head, truncated(s)));
        let new = archive.as_ref().map(|s| whole_lines(&s.head, truncated(s)));
        match file_diff(path, old, new) {
            Some(diff) => {
                self.kept_lines += diff.hunks.iter().map(|h| h.lines.len()).sum::<usize>();
                Content::Diff(Box::new(diff))
            }
            None => Content::None,
        }
    }

    fn finish(mut self, tag: &str, commit: Option<String>) -> Verification {
        if self.complete {
            let mut missing: Vec<(String, i32)> =
                self.tree.files.iter().filter(|(_, f)| !f.seen).map(|(p, f)| (lossy(p), f.mode)).collect();
            missing.sort();
            for (path, mode) in missing {
                let exported = self.tree.export_ignore.iter().any(|g| glob_match(g, &path));
                let allowed_glob = self.options.allowed_missing.iter().any(|g| glob_match(g, &path));
                let (allowed, detail) = if mode == MODE_SUBMODULE {
                    (true, "a submodule: archives made by `git archive` leave these out")
                } else if exported {
                    (true, "marked export-ignore in the tag's .gitattributes")
                } else if allowed_glob {
                    (true, "repository plumbing the archive may leave out")
                } else {
                    (false, "in the tag, not in the archive")
                };
                self.push(FindingKind::OnlyInTag, &path, allowed, detail);
            }
        }
        if let (Some(made_from), Some(tagged)) = (&self.archive_commit, &commit) {
            if made_from != tagged {
                let detail = format!(
                    "`git archive` made this archive from commit {made_from}; {tag} is commit {tagged} (the files are compared all the same)"
                );
                self.push(FindingKind::OtherCommit, "", true, detail);
            }
        }
        let top_dir = match &self.top {
            Top::Prefix(p) => Some(lossy(p)),
            _ => None,
        };
        if matches!(self.top, Top::NoPrefix) {
            self.push(
                FindingKind::NoTopDirectory,
                "",
                true,
                "the entries share no top directory (e.g. `name-1.2.3/`): paths were compared as they are",
            );
        }
        Verification {
            tag: tag.to_string(),
            commit,
            archive_commit: self.archive_commit,
            archive: self.archive,
            format: self.format,
            top_dir,
            entries: self.entries,
            files: self.files,
            matched: self.matched,
            bytes: self.bytes,
            complete: self.complete,
            findings: self.findings,
        }
    }
}

/// One side of a file as read: its first bytes, size and payload scan.
struct Side {
    head: Vec<u8>,
    size: u64,
    scan: Option<(Vec<inspect::Finding>, u64)>,
}

/// A link at `rel` to `target` leaves the tree (absolute, or more `..`
/// than directories above it).
fn escapes(rel: &[u8], target: &[u8]) -> bool {
    if target.starts_with(b"/") || target.starts_with(b"\\") {
        return true;
    }
    let mut depth: i64 = rel.split(|b| *b == b'/').count() as i64 - 1;
    for part in target.split(|b| *b == b'/' || *b == b'\\') {
        match part {
            b"" | b"." => {}
            b".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

/// The diff of two texts as the model, at most [`DIFF_LINES_CAP`] lines.
fn file_diff(path: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> Option<FileDiff> {
    let mut opts = DiffOptions::new();
    opts.context_lines(3).force_text(true);
    let p = Path::new(path);
    let patch = Patch::from_buffers(old.unwrap_or(b""), Some(p), new.unwrap_or(b""), Some(p), Some(&mut opts)).ok()?;
    let mut hunks = Vec::new();
    let mut kept = 0usize;
    'hunks: for h in 0..patch.num_hunks() {
        let (hunk, count) = patch.hunk(h).ok()?;
        let header = String::from_utf8_lossy(hunk.header()).into_owned();
        let context = header.rsplit("@@").next().unwrap_or("").trim().to_string();
        let mut lines: Vec<DiffLine> = Vec::new();
        for l in 0..count {
            let line = patch.line_in_hunk(h, l).ok()?;
            let kind = match line.origin() {
                '+' => LineKind::Added,
                '-' => LineKind::Removed,
                ' ' => LineKind::Context,
                '<' | '>' | '=' => {
                    if let Some(last) = lines.last_mut() {
                        last.no_newline = true;
                    }
                    continue;
                }
                _ => continue,
            };
            if kept >= DIFF_LINES_CAP {
                hunks.push(Hunk {
                    old_start: hunk.old_start(),
                    old_lines: hunk.old_lines(),
                    new_start: hunk.new_start(),
                    new_lines: hunk.new_lines(),
                    context,
                    lines,
                });
                break 'hunks;
            }
            let mut text = line.content();
            if let Some(rest) = text.strip_suffix(b"\n") {
                text = rest;
            }
            lines.push(DiffLine {
                kind,
                old_no: line.old_lineno(),
                new_no: line.new_lineno(),
                text: lossy(text),
                no_newline: false,
            });
            kept += 1;
        }
        hunks.push(Hunk {
            old_start: hunk.old_start(),
            old_lines: hunk.old_lines(),
            new_start: hunk.new_start(),
            new_lines: hunk.new_lines(),
            context,
            lines,
        });
    }
    let status = match (old, new) {
        (None, _) => FileStatus::Added,
        (_, None) => FileStatus::Deleted,
        _ => FileStatus::Modified,
    };
    Some(FileDiff {
        old_path: old.map(|_| path.to_string()),
        new_path: new.map(|_| path.to_string()),
        status,
        similarity: None,
        old_mode: 0,
        new_mode: 0,
        binary: false,
        old_blob: None,
        new_blob: None,
        hunks,
    })
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

    #[test]
    fn paths_are_checked() {
        assert!(matches!(components(b"/etc/passwd"), Err(PathProblem::Absolute)));
        assert!(matches!(components(b"C:\\x"), Err(PathProblem::Absolute)));
        assert!(matches!(components(b"a/../../x"), Err(PathProblem::Traversal)));
        assert!(matches!(components(b"a\\..\\x"), Err(PathProblem::Traversal)));
        let ok = components(b"./q-1.0//src/./a.c").ok().unwrap_or_default();
        assert_eq!(ok, vec![b"q-1.0".as_slice(), b"src", b"a.c"]);
    }

    #[test]
    fn links_that_leave_the_tree() {
        assert!(escapes(b"a/link", b"../../etc/passwd"));
        assert!(escapes(b"link", b"/etc/passwd"));
        assert!(!escapes(b"a/link", b"../b/file"));
        assert!(escapes(b"link", b".."));
        assert!(!escapes(b"a/b/link", b"../x/../y"));
    }
}
