//! Comparing each archive entry with the tag's tree as the archive is
//! read: path checks, the top directory, links, duplicates, blob hashing
//! while reading, the size and ratio limits, and the findings they make.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use super::archive::{Archive, Consumed, Entry, EntryKind, Flow};
use super::content::{binary_note, executable_payload, Scanner, Side};
use super::names::{collision_detail, components, escapes, fold, lossy, PathProblem, Top};
use super::{
    is_generated, never_generated, Content, Error, Finding, FindingKind, Format, Options, Progress, Verification,
    CONTENT_CAP, PROGRESS_EVERY, RATIO_FLOOR,
};
use crate::paths::glob_match;
use crate::repo::tree::{TagTree, TreeFile, MODE_EXECUTABLE, MODE_SUBMODULE, MODE_SYMLINK};
use crate::repo::{Oid, Repo};

/// Outcome of reading an entry's bytes.
struct Read {
    bytes: u64,
    stopped: bool,
}

pub(super) struct State<'a> {
    pub(super) repo: &'a Repo,
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
    pub(super) kept_lines: usize,
    buf: Vec<u8>,
    progress: &'a mut dyn FnMut(&Progress) -> bool,
    archive_size: u64,
    /// `bytes` when progress was last reported.
    reported: u64,
    archive_commit: Option<String>,
    /// Declared sizes and compressed sizes of the zip entries so far.
    declared: u64,
    packed: u64,
    /// Names folded for collisions (see `names::fold`): the tag's, then the
    /// archive's as they come.
    tag_folded: Option<HashMap<String, String>>,
    folded: HashMap<String, String>,
}

impl<'a> State<'a> {
    pub(super) fn new(
        repo: &'a Repo,
        tree: TagTree,
        options: &'a Options,
        archive: &Path,
        reader: &Archive,
        progress: &'a mut dyn FnMut(&Progress) -> bool,
    ) -> Self {
        State {
            repo,
            tree,
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
            declared: 0,
            packed: 0,
            tag_folded: None,
            folded: HashMap::new(),
        }
    }
}

impl State<'_> {
    pub(super) fn push(&mut self, kind: FindingKind, path: &str, allowed: bool, detail: impl Into<String>) {
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
            // Per entry once 16 MiB came out of it; for the whole archive
            // once 16 MiB came out in all (a bomb spread over many entries).
            if n > RATIO_FLOOR || self.bytes > RATIO_FLOOR {
                let packed = entry.compressed_size.unwrap_or_else(|| consumed.get().saturating_sub(start)).max(1);
                let total_packed = consumed.get().max(1);
                let entry_bomb = n > RATIO_FLOOR && n / packed > self.options.max_ratio;
                if entry_bomb || self.bytes / total_packed > self.options.max_ratio {
                    self.complete = false;
                    // The decoder reads ahead: a small count is a bound.
                    let from = if packed < 64 * 1024 {
                        "under 64 KiB of the archive".to_string()
                    } else {
                        format!("about {packed} bytes of the archive")
                    };
                    let detail = if entry_bomb {
                        format!(
                            "reading stopped: {n} bytes came out of {from}, more than {}:1 (--max-ratio): a decompression bomb; the rest was not compared",
                            self.options.max_ratio
                        )
                    } else {
                        format!(
                            "reading stopped: {} bytes came out of the first {total_packed} bytes of the archive, more than {}:1 (--max-ratio): a decompression bomb spread over its entries; the rest was not compared",
                            self.bytes, self.options.max_ratio
                        )
                    };
                    self.push(FindingKind::CompressionRatio, name, false, detail);
                    break Ok(Read { bytes: n, stopped: true });
                }
            }
        };
        self.buf = buf;
        result
    }

    pub(super) fn entry(&mut self, mut entry: Entry<'_>, consumed: &Consumed) -> Result<Flow, Error> {
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
            // The declared sizes of the whole archive so far, from the first
            // entry on: a bomb spread over many small entries.
            self.declared = self.declared.saturating_add(entry.size);
            self.packed = self.packed.saturating_add(packed);
            if self.declared > RATIO_FLOOR && self.declared / self.packed.max(1) > self.options.max_ratio {
                self.complete = false;
                let detail = format!(
                    "reading stopped: the entries up to this one declare {} bytes from {} compressed, more than {}:1 (--max-ratio): a decompression bomb spread over its entries; the rest was not read",
                    self.declared, self.packed, self.options.max_ratio
                );
                self.push(FindingKind::CompressionRatio, &raw_name, false, detail);
                return Ok(Flow::Stop);
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
        if std::str::from_utf8(&rel).is_ok() {
            self.collision(&path);
        }
        let tag = self.tree.files.get(&rel).copied();
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

    /// A name that is another on case-insensitive or normalizing
    /// filesystems: the tag's, or one earlier in the archive.
    fn collision(&mut self, path: &str) {
        let key = fold(path);
        let tree = &self.tree;
        let tag = self.tag_folded.get_or_insert_with(|| {
            let mut map = HashMap::new();
            for name in tree.files.keys().filter_map(|k| std::str::from_utf8(k).ok()) {
                map.entry(fold(name)).or_insert_with(|| name.to_string());
            }
            map
        });
        let other = match tag.get(&key) {
            Some(t) if t != path => Some((t.clone(), "the tag's")),
            _ => match self.folded.get(&key) {
                Some(a) if a != path => Some((a.clone(), "the archive's earlier")),
                _ => None,
            },
        };
        self.folded.entry(key).or_insert_with(|| path.to_string());
        if let Some((other, whose)) = other {
            let detail = collision_detail(path, &other, whose);
            self.push(FindingKind::NameCollision, path, false, detail);
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

    fn symlink(&mut self, path: &str, rel: &[u8], target: &[u8], tag: Option<&TreeFile>) {
        let tag_target =
            tag.filter(|t| t.mode == MODE_SYMLINK).and_then(|t| self.repo.blob_by_id(t.oid).map(|b| b.to_vec()));
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
        tag: Option<&TreeFile>,
        consumed: &Consumed,
    ) -> Result<Flow, Error> {
        let tag_blob = tag.filter(|t| t.mode != MODE_SYMLINK && t.mode != MODE_SUBMODULE);
        let tag_size = tag_blob.and_then(|t| self.repo.object_size(t.oid));
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

    pub(super) fn attach(&mut self, content: Content) {
        if let Some(last) = self.findings.last_mut() {
            last.content = content;
        }
    }

    pub(super) fn finish(mut self, tag: &str, commit: Option<String>) -> Verification {
        if self.complete {
            let mut missing: Vec<(String, i32)> = self
                .tree
                .files
                .iter()
                .filter(|(p, _)| !self.seen.contains(*p))
                .map(|(p, f)| (lossy(p), f.mode))
                .collect();
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
