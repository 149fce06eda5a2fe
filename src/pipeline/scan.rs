//! The facts the risk signals judge, read from the repository: what each
//! change adds (payloads in binaries, encoded blobs and hidden characters in
//! text), whether anything in the tree mentions an added binary, how its
//! author stands, and how a backport drifted. Content scans are cached per
//! commit in the store, like file lists.

use std::collections::{HashMap, HashSet};

use crate::inspect::{self, BinaryRule};
use crate::model::{ContentFinding, ContentKind, ContentScan, Place};
use crate::model::{FileDiff, FileStatus, LineKind};
use crate::render::sanitize;
use crate::repo::{Repo, RepoError};
use crate::triage::risk::Novelty;
use crate::triage::Landed;

/// How much of a binary the payload scan reads.
const BLOB_SCAN_LIMIT: usize = 16 << 20;
/// Text blobs larger than this are not searched for mentions.
const MENTION_BLOB_LIMIT: usize = 1 << 20;
/// A base64 or hex run at least this long is worth a look.
const ENCODED_RUN: usize = 160;
/// Findings kept per file (the rest are the same story).
const PER_FILE: usize = 20;

/// Scans many commits, spread over the machine's cores.
pub fn scan_many(repo: &Repo, shas: &[String]) -> Result<HashMap<String, ContentScan>, RepoError> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if shas.len() < 16 || threads < 2 {
        return shas.iter().map(|s| Ok((s.clone(), scan_commit(repo, s)?))).collect();
    }
    let chunk = shas.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = shas
            .chunks(chunk)
            .map(|part| {
                let repo = repo.reopen();
                scope.spawn(move || -> Result<Vec<(String, ContentScan)>, RepoError> {
                    let repo = repo?;
                    part.iter().map(|s| Ok((s.clone(), scan_commit(&repo, s)?))).collect()
                })
            })
            .collect();
        let mut all = HashMap::with_capacity(shas.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => all.extend(part?),
                // A panicking scan costs its commits their scan, nothing more.
                Err(_) => tracing::warn!("a content scan worker panicked"),
            }
        }
        Ok(all)
    })
}

/// What one commit adds.
pub fn scan_commit(repo: &Repo, sha: &str) -> Result<ContentScan, RepoError> {
    let files = repo.diff(sha, &[])?;
    let mut scan = ContentScan { rules: crate::model::SCAN_RULES, ..ContentScan::default() };
    let mut binaries = Vec::new();
    for file in &files {
        if !file.binary && inspect::build::path_class(file.path()).is_some() {
            let text = |id: &Option<String>| -> Result<Option<String>, RepoError> {
                let Some(id) = id else { return Ok(None) };
                Ok(Some(String::from_utf8_lossy(&repo.blob(id)?).into_owned()))
            };
            let (old, new) = (text(&file.old_blob)?, text(&file.new_blob)?);
            scan.build.extend(inspect::build::classify(file, old.as_deref(), new.as_deref()));
        }
        if file.status == FileStatus::Deleted {
            continue;
        }
        let before = scan.findings.len();
        if file.binary {
            if let Some(id) = &file.new_blob {
                scan_blob(repo, file.path(), id, &mut scan.findings)?;
                binaries.push(file.path().to_string());
            }
        } else {
            scan_text(file, &mut scan.findings);
        }
        scan.findings.truncate(before + PER_FILE);
    }
    if !binaries.is_empty() {
        scan.unmentioned = unmentioned(repo, sha, &binaries)?;
    }
    Ok(scan)
}

fn scan_blob(repo: &Repo, path: &str, id: &str, out: &mut Vec<ContentFinding>) -> Result<(), RepoError> {
    let data = repo.blob(id)?;
    let head = &data[..data.len().min(BLOB_SCAN_LIMIT)];
    let found = inspect::scan_payloads(head, 0);
    let own = inspect::file_type(&head[..head.len().min(4096)]);
    for f in inspect::suspicious(&found, own.as_ref()) {
        out.push(ContentFinding {
            kind: ContentKind::Payload,
            path: sanitize::sanitize_line(path),
            line: None,
            column: None,
            offset: Some(f.offset),
            detail: sanitize::sanitize_line(&format!("{}: {}", f.kind.label(), clip(&f.detail, 80))),
            place: Place::Binary,
        });
    }
    // A compressed "test file" is read again for what it decompresses to.
    if let Some(format) = inspect::Compression::of(&head[..head.len().min(4096)]) {
        let unpacked = super::decompressed::scan(format, &data[..]);
        out.extend(super::decompressed::content_findings(path, &unpacked));
    }
    Ok(())
}

fn scan_text(file: &FileDiff, out: &mut Vec<ContentFinding>) {
    let path = sanitize::sanitize_line(file.path());
    let place = if is_prose(file.path()) { Place::Prose } else { Place::Code };
    for line in file.hunks.iter().flat_map(|h| &h.lines).filter(|l| l.kind == LineKind::Added) {
        let number = line.new_no.unwrap_or(0);
        for f in sanitize::findings(&line.text, number as usize, number == 1) {
            let detail = match f.kind {
                sanitize::FindingKind::MixedScript => {
                    format!(
                        "identifier `{}` mixes Latin with Cyrillic or Greek letters",
                        sanitize::sanitize_line(&f.what)
                    )
                }
                sanitize::FindingKind::Control => format!("control character {} (U+{:04X})", f.what, f.code_point),
                _ => format!("U+{:04X} {}", f.code_point, f.what),
            };
            let kind = match f.kind {
                sanitize::FindingKind::MixedScript => ContentKind::Confusable,
                _ => ContentKind::Hidden,
            };
            out.push(ContentFinding {
                kind,
                path: path.clone(),
                line: Some(number),
                column: u32::try_from(f.column).ok(),
                offset: None,
                detail,
                place,
            });
        }
        if let Some((column, len, what)) = encoded_run(&line.text) {
            out.push(ContentFinding {
                kind: ContentKind::Encoded,
                path: path.clone(),
                line: Some(number),
                column: Some(column),
                offset: None,
                detail: format!("a {len}-character {what} run"),
                place,
            });
        }
    }
}

/// Prose and data files: text a reader reads, not code a machine runs.
fn is_prose(path: &str) -> bool {
    let lower = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(ext, "md" | "markdown" | "rst" | "txt" | "adoc" | "csv" | "tsv" | "po" | "pot" | "html" | "htm" | "tex")
        || matches!(lower.as_str(), "readme" | "changes" | "changelog" | "news" | "authors" | "contributors")
        || path.starts_with("docs/")
        || path.starts_with("doc/")
        || path.contains("/changes/")
        || path.starts_with("CHANGES/")
}

/// The first long run of base64 or hex in a line: (column, length, which).
fn encoded_run(text: &str) -> Option<(u32, usize, &'static str)> {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_');
    let mut start = None;
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().copied().chain(std::iter::once(' ')).enumerate() {
        match (is_b64(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let run = &chars[s..i];
                if run.len() >= ENCODED_RUN {
                    let hex_only = run.iter().all(|c| c.is_ascii_hexdigit());
                    let digits = run.iter().filter(|c| c.is_ascii_digit()).count();
                    let letters = run.iter().filter(|c| c.is_ascii_alphabetic()).count();
                    // Real encodings mix digits and letters; `=====` or a word
                    // repeated does not.
                    if digits > run.len() / 20 && letters > run.len() / 5 {
                        let what = if hex_only { "hex" } else { "base64" };
                        return Some((u32::try_from(s + 1).unwrap_or(u32::MAX), run.len(), what));
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
    None
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

/// The binaries (of `paths`) whose file name no text file of the tree at
/// `sha` mentions.
fn unmentioned(repo: &Repo, sha: &str, paths: &[String]) -> Result<Vec<String>, RepoError> {
    let mut wanted: HashMap<String, Vec<&String>> = HashMap::new();
    for path in paths {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        wanted.entry(name).or_default().push(path);
    }
    let own: HashSet<&str> = paths.iter().map(String::as_str).collect();
    let mut found: HashSet<String> = HashSet::new();
    let blobs = repo.tree_blobs(sha, &own)?;
    for id in blobs {
        if found.len() == wanted.len() {
            break;
        }
        let Some(blob) = repo.blob_by_id(id) else { continue };
        let bytes: &[u8] = &blob;
        if bytes.len() > MENTION_BLOB_LIMIT || inspect::is_binary(bytes, BinaryRule::NulOnly) {
            continue;
        }
        for name in wanted.keys() {
            if !found.contains(name) && contains(bytes, name.as_bytes()) {
                found.insert(name.clone());
            }
        }
    }
    let mut out: Vec<String> = wanted
        .into_iter()
        .filter(|(name, _)| !found.contains(name))
        .flat_map(|(_, paths)| paths.into_iter().cloned())
        .collect();
    out.sort();
    Ok(out)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Each change's author against the history examined: a first change
/// (once a quarter of the examined time span lies before it, so that the
/// oldest authors are not all "new"), back after a dormancy, or in a
/// top-level directory new to an established author.
pub fn novelty(changes: &[Landed], dormancy_days: u32) -> HashMap<String, Vec<Novelty>> {
    const ESTABLISHED: usize = 5;
    let mut order: Vec<&Landed> = changes.iter().collect();
    order.sort_by_key(|c| c.commit.time);
    let (Some(first), Some(last)) = (order.first(), order.last()) else { return HashMap::new() };
    let settled = first.commit.time + (last.commit.time - first.commit.time) / 4;
    let examined = order.len();
    // email → (last time, changes so far, top-level dirs touched)
    let mut seen: HashMap<String, (i64, usize, HashSet<String>)> = HashMap::new();
    let mut out: HashMap<String, Vec<Novelty>> = HashMap::new();
    for c in order {
        let email = c.commit.author.email.to_ascii_lowercase();
        let dirs: HashSet<String> =
            c.files.iter().filter_map(|f| f.path.split_once('/').map(|(d, _)| d.to_string())).collect();
        let mut found = Vec::new();
        match seen.get(&email) {
            None if c.commit.time > settled => found.push(Novelty::FirstChange { examined }),
            None => {}
            Some((last, count, known)) => {
                let days = (c.commit.time - last) / 86_400;
                if days >= i64::from(dormancy_days) {
                    found.push(Novelty::Dormant { days });
                }
                if *count >= ESTABLISHED {
                    let mut new: Vec<&String> = dirs.iter().filter(|d| !known.contains(*d)).collect();
                    new.sort();
                    if let Some(dir) = new.first() {
                        found.push(Novelty::NewDirectory { dir: dir.to_string() });
                    }
                }
            }
        }
        if !found.is_empty() {
            out.insert(c.commit.sha.clone(), found);
        }
        let entry = seen.entry(email).or_insert((c.commit.time, 0, HashSet::new()));
        entry.0 = c.commit.time;
        entry.1 += 1;
        entry.2.extend(dirs);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_encoded_runs_are_found_and_words_are_not() {
        let blob =
            "QmFzZTY0IGVuY29kZWQgcGF5bG9hZCBoaWRkZW4gaW4gYSB0ZXN0IGZpbGUgdGhhdCBubyBvbmUgcmVhZHMgYXQgYWxsLCByZWFsbHkg\
                    bm8gb25lLCBldmVyIGF0IGFsbCBpbiB0aGUgd2hvbGUgd29ybGQgYXQgYWxsIDEyMzQ1Njc4OTA=";
        let line = format!("payload = \"{blob}\"");
        let (column, len, what) = encoded_run(&line).expect("found");
        assert_eq!((column, what), (12, "base64"));
        assert!(len >= ENCODED_RUN);
        assert_eq!(encoded_run(&"=".repeat(300)), None, "no digits or letters: a rule line");
        assert_eq!(encoded_run(&"abcdefgh".repeat(40)), None, "no digits");
        assert_eq!(encoded_run("short 0123456789abcdef"), None);
        let hex_line = "0123456789abcdef".repeat(12);
        assert_eq!(encoded_run(&hex_line).map(|r| r.2), Some("hex"));
    }

    #[test]
    fn contains_finds_bytes() {
        assert!(contains(b"see data/blob.bin for the input", b"blob.bin"));
        assert!(!contains(b"nothing here", b"blob.bin"));
        assert!(!contains(b"x", b""));
    }
}
