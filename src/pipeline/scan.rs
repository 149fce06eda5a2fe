//! The facts the risk signals judge, read from the repository: what each
//! change adds (payloads in binaries, encoded blobs and hidden characters in
//! text), whether anything in the tree mentions an added binary, how its
//! author stands, and how a backport drifted. Content scans are cached per
//! commit in the store, like file lists.

use std::collections::{HashMap, HashSet};

use super::compile_check::{self, Compiler, Compiling};
use crate::config::Config;
use crate::inspect::{self, BinaryRule};
use crate::model::{ContentFinding, ContentKind, ContentScan, Place};
use crate::model::{FileChange, FileDiff, FileStatus, LineKind};
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
/// Check programs compiled per change (each compile may take seconds).
const COMPILES_PER_CHANGE: usize = 16;

/// How a scan reads a change.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// The compiler for edited check programs (`None`: they are not
    /// compiled; `off` says why).
    pub compiler: Option<Compiler>,
    pub off: &'static str,
}

impl ScanOptions {
    /// As the config says (`risk.compile_checks`), with `cc` from the PATH.
    pub fn from_config(config: &Config) -> ScanOptions {
        if !config.risk.compile_checks {
            return ScanOptions { compiler: None, off: "risk.compile_checks is off" };
        }
        match Compiler::find() {
            Some(cc) => ScanOptions { compiler: Some(cc), off: "" },
            None => ScanOptions { compiler: None, off: "no C compiler (cc) on the PATH" },
        }
    }

    /// Whether check programs are compiled.
    pub fn compiles(&self) -> bool {
        self.compiler.is_some()
    }

    fn compiling(&self) -> Compiling<'_> {
        match &self.compiler {
            Some(cc) => Compiling::With(cc),
            None => Compiling::Off(if self.off.is_empty() { "compile checks are off" } else { self.off }),
        }
    }
}

/// Scans many commits, spread over the machine's cores.
pub fn scan_many(
    repo: &Repo,
    shas: &[String],
    options: &ScanOptions,
) -> Result<HashMap<String, ContentScan>, RepoError> {
    per_commit(repo, shas, |repo, sha| scan_commit(repo, sha, options))
}

/// Each commit's file list, content scan and patch-id from one diff of
/// it: what [`Repo::files_and_patch_id`] and [`scan_commit`] give, diffing
/// each commit once; spread over the machine's cores.
#[allow(clippy::type_complexity)]
pub fn files_and_scans_many(
    repo: &Repo,
    shas: &[String],
    options: &ScanOptions,
) -> Result<HashMap<String, (Vec<FileChange>, ContentScan, Option<String>)>, RepoError> {
    per_commit(repo, shas, |repo, sha| {
        let (changes, files, patch_id) = repo.files_and_diff(sha)?;
        Ok((changes, scan_files(repo, sha, &files, options)?, patch_id))
    })
}

/// `work` for each commit, the commits cut into one part per core (a
/// panicking part costs its commits their answer, nothing more).
fn per_commit<T: Send>(
    repo: &Repo,
    shas: &[String],
    work: impl Fn(&Repo, &str) -> Result<T, RepoError> + Sync,
) -> Result<HashMap<String, T>, RepoError> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if shas.len() < 16 || threads < 2 {
        return shas.iter().map(|s| Ok((s.clone(), work(repo, s)?))).collect();
    }
    let chunk = shas.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = shas
            .chunks(chunk)
            .map(|part| {
                let repo = repo.reopen();
                let work = &work;
                scope.spawn(move || -> Result<Vec<(String, T)>, RepoError> {
                    let repo = repo?;
                    part.iter().map(|s| Ok((s.clone(), work(&repo, s)?))).collect()
                })
            })
            .collect();
        let mut all = HashMap::with_capacity(shas.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => all.extend(part?),
                Err(_) => tracing::warn!("a content scan worker panicked"),
            }
        }
        Ok(all)
    })
}

/// What one commit adds.
pub fn scan_commit(repo: &Repo, sha: &str, options: &ScanOptions) -> Result<ContentScan, RepoError> {
    scan_files(repo, sha, &repo.diff(sha, &[])?, options)
}

/// What the commit `sha` adds, from its diff `files`.
fn scan_files(repo: &Repo, sha: &str, files: &[FileDiff], options: &ScanOptions) -> Result<ContentScan, RepoError> {
    let mut scan =
        ContentScan { rules: crate::model::SCAN_RULES, compiled: options.compiles(), ..ContentScan::default() };
    let mut binaries = Vec::new();
    let mut budget = COMPILES_PER_CHANGE;
    for file in files {
        if !file.binary && inspect::build::path_class(file.path()).is_some() {
            let text = |id: &Option<String>| -> Result<Option<String>, RepoError> {
                let Some(id) = id else { return Ok(None) };
                Ok(Some(String::from_utf8_lossy(&repo.blob(id)?).into_owned()))
            };
            let (old, new) = (text(&file.old_blob)?, text(&file.new_blob)?);
            scan.build.extend(inspect::build::classify(file, old.as_deref(), new.as_deref()));
            let compiling = options.compiling();
            for edit in inspect::feature_test::edited(file, old.as_deref(), new.as_deref()).iter().take(PER_FILE) {
                let (kind, detail) = compile_check::judge(edit, &compiling, &mut budget);
                scan.findings.push(ContentFinding {
                    kind,
                    path: sanitize::sanitize_line(file.path()),
                    line: edit.line,
                    column: None,
                    offset: None,
                    detail: sanitize::sanitize_line(&detail),
                    place: Place::Code,
                });
            }
        }
        if file.status == FileStatus::Deleted {
            continue;
        }
        let before = scan.findings.len();
        scan.findings.extend(path_findings(repo, file)?);
        if file.binary {
            if let Some(id) = &file.new_blob {
                scan_blob(repo, file.path(), id, &mut scan.findings)?;
                binaries.push(file.path().to_string());
            }
        } else {
            scan_text(repo, file, &mut scan.findings)?;
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

fn scan_text(repo: &Repo, file: &FileDiff, out: &mut Vec<ContentFinding>) -> Result<(), RepoError> {
    let path = sanitize::sanitize_line(file.path());
    let place = if is_prose(file.path()) { Place::Prose } else { Place::Code };
    let first = out.len();
    // The line above each one on the new side (a YAML key can hold its
    // value on the next line: `secure: >-`).
    let mut above: Option<&str> = None;
    for line in file.hunks.iter().flat_map(|h| &h.lines) {
        if line.kind == LineKind::Removed {
            continue;
        }
        let previous = above.replace(&line.text);
        if line.kind != LineKind::Added {
            continue;
        }
        let number = line.new_no.unwrap_or(0);
        for f in sanitize::findings(&line.text, number as usize, number == 1) {
            use sanitize::FindingKind;
            let (kind, detail) = match f.kind {
                FindingKind::MixedScript => (
                    ContentKind::Confusable,
                    format!("`{}` mixes Latin with Cyrillic or Greek letters", sanitize::sanitize_line(&f.what)),
                ),
                FindingKind::Control => {
                    (ContentKind::Hidden, format!("control character {} (U+{:04X})", f.what, f.code_point))
                }
                FindingKind::InvisibleRun => (ContentKind::HiddenRun, f.what.clone()),
                FindingKind::Bidi => (ContentKind::Hidden, format!("U+{:04X} {}", f.code_point, f.what)),
                FindingKind::Invisible if is_zero_width(f.code_point) => {
                    (ContentKind::Hidden, format!("U+{:04X} {}", f.code_point, f.what))
                }
                FindingKind::Invisible => (ContentKind::Invisible, format!("U+{:04X} {}", f.code_point, f.what)),
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
            let before: String = line.text.chars().take(column.saturating_sub(1) as usize).collect();
            // Alone on its line, but for quotes, a list dash or a comment mark.
            let alone = before.trim_matches(['"', '\'', ' ', '-', '#', '/']).is_empty();
            let key = secret_key(&before).or_else(|| {
                let above = previous.filter(|_| alone)?;
                secret_key(above.trim_end().trim_end_matches(['>', '|', '-', '+']))
            });
            let (kind, detail) = match key {
                Some(key) => (ContentKind::Secret, format!("a {len}-character {what} value of `{key}`")),
                None => (ContentKind::Encoded, format!("a {len}-character {what} run")),
            };
            out.push(ContentFinding {
                kind,
                path: path.clone(),
                line: Some(number),
                column: Some(column),
                offset: None,
                detail,
                place,
            });
        }
    }
    // Where in the code each character finding sits, by the file's grammar.
    let placed = |f: &ContentFinding| {
        matches!(
            f.kind,
            ContentKind::Hidden | ContentKind::Invisible | ContentKind::HiddenRun | ContentKind::Confusable
        )
    };
    if place == Place::Code && out[first..].iter().any(placed) {
        if let Some(id) = &file.new_blob {
            let text = String::from_utf8_lossy(&repo.blob(id)?).into_owned();
            let points: Vec<(u32, u32)> =
                out[first..].iter().map(|f| (f.line.unwrap_or(0), f.column.unwrap_or(1))).collect();
            let places = crate::render::highlight::places(file.path(), &text, &points);
            for (f, found) in out[first..].iter_mut().zip(places) {
                if placed(f) {
                    f.place = found;
                }
            }
        }
    }
    Ok(())
}

/// A path that hides or reorders characters, and a symlink that leaves the
/// tree: both deceive before any content is read.
fn path_findings(repo: &Repo, file: &FileDiff) -> Result<Vec<ContentFinding>, RepoError> {
    let path = file.path();
    let mut out = Vec::new();
    let finding = |kind, detail: String, place| ContentFinding {
        kind,
        path: sanitize::sanitize_line(path),
        line: None,
        column: None,
        offset: None,
        detail,
        place,
    };
    let mut hidden: Vec<String> = Vec::new();
    crate::render::invisible::each_char(path, |_, c, is_hidden| {
        if is_hidden && hidden.len() < 4 {
            hidden.push(sanitize::sanitize_line(&c.to_string()));
        }
    });
    if !hidden.is_empty() {
        out.push(finding(ContentKind::HostilePath, hidden.join(" "), Place::Path));
    }
    const SYMLINK: u32 = 0o120000;
    if file.new_mode == SYMLINK {
        if let Some(id) = &file.new_blob {
            let target = String::from_utf8_lossy(&repo.blob(id)?).into_owned();
            if leaves_tree(path, &target) {
                out.push(finding(ContentKind::Symlink, format!("`{}`", sanitize::sanitize_line(&target)), Place::Path));
            }
        }
    }
    Ok(out)
}

/// Whether a symlink at `path` pointing at `target` reaches outside the
/// repository: an absolute target, or more `..` than the link is deep.
fn leaves_tree(path: &str, target: &str) -> bool {
    if target.starts_with('/') || target.starts_with('~') || target.contains(":\\") || target.starts_with('\\') {
        return true;
    }
    let mut depth = path.matches('/').count() as i64;
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
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

/// Zero-width characters: they split or join words unseen.
fn is_zero_width(code_point: u32) -> bool {
    matches!(code_point, 0x200B..=0x200D | 0x2060 | 0xFEFF | 0x180E)
}

/// The key an encoded value is assigned to, when it names a secret
/// (`secure:`, `api_token =`, `"password":`): an encrypted secret, not a
/// payload.
fn secret_key(before: &str) -> Option<String> {
    static KEY: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let key = KEY.get_or_init(|| {
        regex::Regex::new(
            r#"(?i)([a-z0-9_.-]*(?:secure|token|secret|password|passwd|api_?key|private_?key|signature|credentials?))["']?\s*[:=]\s*["']?$"#,
        )
        .ok()
    });
    let found = key.as_ref()?.captures(before.trim_end())?;
    Some(sanitize::sanitize_line(found.get(1)?.as_str()))
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

/// Each change's author against the project's whole history (`history`:
/// each author's commit times, oldest first): their first change anywhere,
/// back after a dormancy, or an established author's first change in a
/// top-level directory (among the changes examined).
pub fn novelty(
    changes: &[Landed],
    history: &HashMap<String, Vec<i64>>,
    dormancy_days: u32,
) -> HashMap<String, Vec<Novelty>> {
    const ESTABLISHED: usize = 5;
    // In a project's first few commits everyone is new: no news.
    const SETTLING: usize = 5;
    let mut all_times: Vec<i64> = history.values().flatten().copied().collect();
    all_times.sort_unstable();
    let mut order: Vec<&Landed> = changes.iter().collect();
    order.sort_by_key(|c| c.commit.time);
    // email → top-level dirs touched in the examined changes so far
    let mut dirs_seen: HashMap<String, HashSet<String>> = HashMap::new();
    let mut out: HashMap<String, Vec<Novelty>> = HashMap::new();
    for c in order {
        let email = c.commit.author.email.to_ascii_lowercase();
        let times = history.get(&email).map(Vec::as_slice).unwrap_or_default();
        // Their commits that landed before this one, anywhere in history.
        let earlier = times.partition_point(|t| *t < c.commit.time);
        let dirs: HashSet<String> =
            c.files.iter().filter_map(|f| f.path.split_once('/').map(|(d, _)| d.to_string())).collect();
        let mut found = Vec::new();
        if earlier == 0 && all_times.partition_point(|t| *t < c.commit.time) >= SETTLING {
            found.push(Novelty::FirstChange { examined: history.values().map(Vec::len).sum() });
        } else if earlier > 0 {
            let days = (c.commit.time - times[earlier - 1]) / 86_400;
            if days >= i64::from(dormancy_days) {
                found.push(Novelty::Dormant { days });
            }
            let known = dirs_seen.get(&email);
            if earlier >= ESTABLISHED {
                if let Some(known) = known {
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
        dirs_seen.entry(email).or_default().extend(dirs);
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
    fn encoded_values_of_secret_keys_are_secrets() {
        assert_eq!(secret_key("    - secure: \"").as_deref(), Some("secure"));
        assert_eq!(secret_key("PYPI_API_TOKEN = '").as_deref(), Some("PYPI_API_TOKEN"));
        assert_eq!(secret_key("  \"password\": \"").as_deref(), Some("password"));
        assert_eq!(secret_key("payload = \""), None);
        assert_eq!(secret_key("data: "), None);
    }

    #[test]
    fn symlinks_that_leave_the_tree_are_told_from_those_inside() {
        assert!(leaves_tree("tests/passwd", "/etc/passwd"));
        assert!(leaves_tree("tests/data/x", "../../../etc/shadow"));
        assert!(leaves_tree("link", ".."));
        assert!(!leaves_tree("tests/data/x", "../fixtures/x"));
        assert!(!leaves_tree("docs/latest", "v2"));
        assert!(!leaves_tree("a/b/c", "../../d"));
    }

    #[test]
    fn contains_finds_bytes() {
        assert!(contains(b"see data/blob.bin for the input", b"blob.bin"));
        assert!(!contains(b"nothing here", b"blob.bin"));
        assert!(!contains(b"x", b""));
    }
}
