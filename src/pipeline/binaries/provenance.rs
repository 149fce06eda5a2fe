//! What in the tree explains a binary: text files that name it (its file
//! name) or its directory, and among them a README line, a Makefile rule
//! or a generator script (a script naming it on a line that writes,
//! fetches or generates). Every name is searched for at once in each text
//! file, each file read once.

use std::collections::HashMap;

use aho_corasick::AhoCorasick;

use crate::model::binary::{Naming, Provenance};
use crate::render::sanitize::sanitize_line;
use crate::repo::{Oid, Repo};

/// Text files larger than this are not searched (as the content scan's
/// mention search).
const TEXT_LIMIT: usize = 1 << 20;
/// Files listed per binary under `mentioned_by` and `directory_mentioned_by`.
const LISTED: usize = 5;
/// A naming line is clipped to this many characters.
const LINE_CHARS: usize = 120;

/// What one needle is: a binary's file name, or a directory.
enum Needle {
    Name(Vec<usize>),
    Directory(Vec<usize>),
}

/// Each binary's provenance (in the order of `paths`), from the text
/// files `texts` (path, blob).
pub fn search(repo: &Repo, paths: &[&str], texts: &[(String, Oid)]) -> Vec<Provenance> {
    let mut found = vec![Provenance::default(); paths.len()];
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut needles: Vec<(String, Needle)> = Vec::new();
    let mut add = |text: String, binary: usize, directory: bool| {
        let at = *index.entry(text.clone()).or_insert_with(|| {
            needles.push((text, if directory { Needle::Directory(Vec::new()) } else { Needle::Name(Vec::new()) }));
            needles.len() - 1
        });
        match &mut needles[at].1 {
            Needle::Name(list) | Needle::Directory(list) => list.push(binary),
        }
    };
    for (i, path) in paths.iter().enumerate() {
        let name = path.rsplit('/').next().unwrap_or(path);
        add(name.to_string(), i, false);
        // Directories two levels deep or more: `tests` alone is named
        // everywhere and explains nothing.
        if let Some((dir, _)) = path.rsplit_once('/') {
            if dir.contains('/') {
                add(dir.to_string(), i, true);
            }
        }
    }
    if needles.is_empty() {
        return found;
    }
    let Ok(matcher) = AhoCorasick::new(needles.iter().map(|(text, _)| text.as_bytes())) else { return found };
    for (path, oid) in texts {
        let Some(blob) = repo.blob_by_id(*oid) else { continue };
        let bytes: &[u8] = &blob;
        if bytes.len() > TEXT_LIMIT {
            continue;
        }
        let kind = Kind::of(path, bytes);
        // Each needle once per file for the lists; every match for the
        // naming lines until one is found.
        let mut seen = vec![false; needles.len()];
        for m in matcher.find_overlapping_iter(bytes) {
            let at = m.pattern().as_usize();
            let (text, needle) = &needles[at];
            if !bounded(bytes, m.start(), m.end(), matches!(needle, Needle::Directory(_))) {
                continue;
            }
            match needle {
                Needle::Directory(binaries) => {
                    if !seen[at] {
                        for &b in binaries {
                            push_listed(&mut found[b].directory_mentioned_by, path);
                        }
                    }
                }
                Needle::Name(binaries) => {
                    let line = line_at(bytes, m.start());
                    for &b in binaries {
                        // A name shared by binaries in several directories
                        // counts for one only when the line names no other
                        // directory than its own.
                        if binaries.len() > 1 && !names_own_dir(&line.1, paths[b], text) {
                            continue;
                        }
                        if !seen[at] {
                            push_listed(&mut found[b].mentioned_by, path);
                        }
                        let slot = match kind {
                            Kind::Readme => &mut found[b].readme,
                            Kind::Makefile => &mut found[b].makefile,
                            Kind::Script { generator } if generator || writes(&line.1) => &mut found[b].generator,
                            _ => continue,
                        };
                        if slot.is_none() {
                            *slot = Some(Naming { path: sanitize_line(path), line: line.0, text: clip(&line.1) });
                        }
                    }
                }
            }
            seen[at] = true;
        }
    }
    found
}

/// What sort of text file names a binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Readme,
    Makefile,
    /// A script; `generator` when its own name says it makes things
    /// (`gen_certs.sh`, `make_data.py`, `update-fixtures`).
    Script {
        generator: bool,
    },
    Other,
}

impl Kind {
    fn of(path: &str, bytes: &[u8]) -> Kind {
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
        if name.starts_with("readme") {
            return Kind::Readme;
        }
        if matches!(stem, "makefile" | "gnumakefile") || ext == "mk" || name.starts_with("makefile.") {
            return Kind::Makefile;
        }
        let script = matches!(
            ext,
            "py" | "sh"
                | "bash"
                | "zsh"
                | "pl"
                | "rb"
                | "js"
                | "mjs"
                | "ts"
                | "go"
                | "ps1"
                | "bat"
                | "cmd"
                | "lua"
                | "php"
        ) || bytes.starts_with(b"#!");
        if script {
            let generator = ["gen", "make", "build", "create", "update", "fetch", "download", "regen"]
                .iter()
                .any(|w| stem.starts_with(w) || stem.contains(&format!("_{w}")) || stem.contains(&format!("-{w}")));
            return Kind::Script { generator };
        }
        Kind::Other
    }
}

/// Whether a line of a script writes, fetches or generates a file.
fn writes(line: &str) -> bool {
    static WRITES: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = WRITES.get_or_init(|| {
        regex::Regex::new(
            r#"(?i)(open\([^)]*["'][wax]b?\+?["']|\bwrite|\bsave|\bdump|tofile|to_file|>\s*\S|\s-o\s|--output|\bgenerat|\bcreate|\bcurl\b|\bwget\b|urlretrieve|\bdownload|\bopenssl\b)"#,
        )
        .ok()
    });
    re.as_ref().is_some_and(|re| re.is_match(line))
}

/// Whether the match at `start..end` stands alone: not inside a longer
/// name (`xsample.bin`, `sample.bin2`, `tests/data_old` for `tests/data`).
fn bounded(bytes: &[u8], start: usize, end: usize, directory: bool) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let before_ok = start == 0 || bytes.get(start - 1).is_none_or(|&b| !(word(b) || (b == b'.' && !directory)));
    let after_ok = match bytes.get(end) {
        None => true,
        Some(&b) if word(b) => false,
        // `tests/data/other.bin` names another file, not the directory.
        Some(b'/') if directory => bytes.get(end + 1).is_none_or(|&n| !(word(n) || n == b'.')),
        // `sample.bin.gz` is another file; `sample.bin.` ends a sentence.
        Some(b'.') => bytes.get(end + 1).is_none_or(|&n| !word(n)),
        Some(_) => true,
    };
    before_ok && after_ok
}

/// The line (1-based number, text) holding byte `at`.
fn line_at(bytes: &[u8], at: usize) -> (u32, String) {
    let start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let end = bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| at + p);
    let number = memchr::memchr_iter(b'\n', &bytes[..start]).count() + 1;
    (u32::try_from(number).unwrap_or(u32::MAX), String::from_utf8_lossy(&bytes[start..end]).into_owned())
}

/// Whether `line`, which names `name`, names it under `path`'s directory
/// or under no directory at all.
fn names_own_dir(line: &str, path: &str, name: &str) -> bool {
    let dir = path.strip_suffix(name).unwrap_or("");
    line.match_indices(name).any(|(at, _)| {
        let before = &line[..at];
        let written = before.rsplit([' ', '"', '\'', '(', '`', '=', ',', '[', '<', '\t']).next().unwrap_or("");
        written.is_empty() || dir.ends_with(written.trim_start_matches("./"))
    })
}

fn push_listed(list: &mut Vec<String>, path: &str) {
    let path = sanitize_line(path);
    if list.len() < LISTED && !list.contains(&path) {
        list.push(path);
    }
}

fn clip(line: &str) -> String {
    crate::report::clip(&sanitize_line(line.trim()), LINE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stand_alone() {
        let text = b"see data/sample.bin, not xsample.bin or sample.bin2 or sample.bin.gz.";
        let at = |s: &str| text.windows(s.len()).position(|w| w == s.as_bytes()).expect("present");
        assert!(bounded(text, 9, 19, false), "after a slash, before a comma");
        let x = at("xsample.bin") + 1;
        assert!(!bounded(text, x, x + 10, false));
        let two = at("sample.bin2");
        assert!(!bounded(text, two, two + 10, false));
        let gz = at("sample.bin.gz");
        assert!(!bounded(text, gz, gz + 10, false));
        assert!(bounded(b"end: sample.bin.", 5, 15, false), "a sentence's full stop");
        let dir = b"in tests/data/ and tests/data/other.bin";
        assert!(bounded(dir, 3, 13, true), "the directory itself");
        assert!(!bounded(dir, 19, 29, true), "a path to another file in it");
    }

    #[test]
    fn kinds_of_files() {
        assert_eq!(Kind::of("README.md", b""), Kind::Readme);
        assert_eq!(Kind::of("tests/data/Makefile", b""), Kind::Makefile);
        assert_eq!(Kind::of("build/rules.mk", b""), Kind::Makefile);
        assert_eq!(Kind::of("tools/gen_certs.sh", b""), Kind::Script { generator: true });
        assert_eq!(Kind::of("tests/test_io.py", b""), Kind::Script { generator: false });
        assert_eq!(Kind::of("bin/refresh", b"#!/bin/sh\n"), Kind::Script { generator: false });
        assert_eq!(Kind::of("docs/index.rst", b""), Kind::Other);
    }

    #[test]
    fn writing_lines() {
        assert!(writes("with open('tests/data/blob.bin', 'wb') as f:"));
        assert!(writes("head -c 100 /dev/urandom > tests/data/blob.bin"));
        assert!(writes("curl -L https://example.org/x.whl"));
        assert!(!writes("with open('tests/data/blob.bin', 'rb') as f:"));
        assert!(!writes("DATA = 'tests/data/blob.bin'"));
    }

    #[test]
    fn a_shared_name_counts_where_its_directory_is_written() {
        assert!(names_own_dir("load('a/icon.png')", "a/icon.png", "icon.png"));
        assert!(!names_own_dir("load('b/icon.png')", "a/icon.png", "icon.png"));
        assert!(names_own_dir("icon.png is the logo", "a/icon.png", "icon.png"));
    }
}
