//! `binaries`: every binary file in a tree, with what it is (type, size,
//! entropy), what hides in it (the payload scan, inside compressed data
//! too), who brought it in and under which verdict, and what explains it
//! (text in the tree that names it, a configured upstream), most
//! concerning first.
//!
//! Costs: one pass over the tree's blobs (binary or text, by git's rule;
//! the text ones are searched for names once, all names at a time), one
//! first-parent walk for every binary's first and last change (file lists
//! from the store's per-commit cache), and each binary's scan from the
//! store's per-blob cache (what `rearview hex` keeps too).

mod provenance;

use std::collections::HashMap;

use crate::config::Config;
use crate::inspect::{self, BinaryRule, BlobFacts};
use crate::model::binary::{sort_by_concern, BinaryFile, BinaryFinding, BinaryVerdict, Concern, Provenance};
use crate::model::{Change, ContentKind, FileStatus};
use crate::render::sanitize::sanitize_line;
use crate::repo::{Oid, Repo};
use crate::store::Store;

use super::{blobfacts, decompressed, load, Error, Selection};

/// Entropy marks of a kept scan: the same as `rearview hex`, so either
/// reads what the other kept.
const MARKS: usize = 64;
/// File lists read from the cache (or computed) per step of the walk.
const WALK_STEP: usize = 2_000;

/// The inventory of one tree.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// The commit whose tree was read.
    pub commit: String,
    /// What was asked for (`main`, `v1.2`).
    pub rev: String,
    /// By concern (see [`sort_by_concern`]).
    pub files: Vec<BinaryFile>,
    /// Text files searched for names.
    pub text_files: usize,
}

/// The binaries of the tree at `rev` (default: the main line's tip).
pub fn binaries(repo: &Repo, store: &mut Store, config: &Config, rev: Option<&str>) -> Result<Inventory, Error> {
    let loaded = load(repo, store, config, &Selection { skip_drift: true, ..Selection::default() })?;
    let (rev, tip) = match rev {
        Some(rev) => (rev.to_string(), repo.resolve(rev)?),
        None => (loaded.default_branch.clone(), repo.branch_tip(&loaded.default_branch)?),
    };
    let commit = tip.to_string();

    // The tree: binaries by git's rule (a NUL in the first 8000 bytes),
    // text files kept for the name search.
    let mut files = Vec::new();
    let mut texts: Vec<(String, Oid)> = Vec::new();
    for (path, oid) in repo.tree_paths(&commit)? {
        let Some(blob) = repo.blob_by_id(oid) else { continue };
        if inspect::is_binary(&blob, BinaryRule::NulOnly) {
            files.push(BinaryFile {
                path,
                blob: oid.to_string(),
                size: blob.len() as u64,
                file_type: None,
                entropy: 0.0,
                findings: Vec::new(),
                added_by: None,
                added_in: None,
                added_at: None,
                last_changed_in: None,
                verdicts: Vec::new(),
                provenance: Provenance::default(),
                upstream: None,
                concern: Concern::Explained,
            });
        } else {
            texts.push((path, oid));
        }
    }

    for file in &mut files {
        scan(repo, store, file)?;
        file.upstream = config.binaries.upstream.iter().find(|u| u.matches(&file.path)).map(|u| u.source.clone());
    }
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let found = provenance::search(repo, &paths, &texts);
    for (file, provenance) in files.iter_mut().zip(found) {
        file.provenance = provenance;
    }
    let by_sha: HashMap<&str, &Change> = loaded.queue.changes.iter().map(|c| (c.sha.as_str(), c)).collect();
    history(repo, store, tip, &by_sha, &mut files)?;
    for file in &mut files {
        file.concern = Concern::of(file);
    }
    sort_by_concern(&mut files);
    Ok(Inventory { commit, rev, files, text_files: texts.len() })
}

/// Type, entropy and payload findings: from the store when a scan of the
/// blob was kept, else one pass over it (then kept); a compressed blob is
/// also decompressed (bounded) and what comes out scanned.
fn scan(repo: &Repo, store: &mut Store, file: &mut BinaryFile) -> Result<(), Error> {
    let id = file.blob.clone();
    let facts = match blobfacts::cached(store, &id, file.size, MARKS)? {
        Some(facts) => facts,
        None => {
            let read = repo.read_blob(&id, |stream| stream.scan(MARKS, |_, _| {}))?;
            let facts =
                read.map_err(|source| Error::Blob { id: id.clone(), path: sanitize_line(&file.path), source })?;
            blobfacts::remember(store, &id, MARKS, &facts)?;
            facts
        }
    };
    let own = facts.file_type();
    file.file_type = own.as_ref().map(|t| t.description.to_string());
    file.entropy = facts.overall_entropy;
    file.findings = findings(&facts, own.as_ref());
    if let Some(format) = inspect::Compression::of(&facts.head) {
        let blob = repo.blob(&id)?;
        let unpacked = decompressed::scan(format, &blob[..]);
        for f in decompressed::content_findings(&file.path, &unpacked) {
            file.findings.push(BinaryFinding {
                offset: f.offset.unwrap_or(0),
                kind: kind_label(f.kind).to_string(),
                detail: f.detail,
                inside: Some(format.name().to_string()),
            });
        }
    }
    Ok(())
}

/// The findings worth a look (not the file's own header), as the content
/// scan words them.
fn findings(facts: &BlobFacts, own: Option<&inspect::FileType>) -> Vec<BinaryFinding> {
    inspect::suspicious(&facts.findings, own)
        .into_iter()
        .map(|f| BinaryFinding {
            offset: f.offset,
            kind: f.kind.label().to_string(),
            detail: sanitize_line(&f.detail),
            inside: None,
        })
        .collect()
}

fn kind_label(kind: ContentKind) -> &'static str {
    match kind {
        ContentKind::Payload => "payload",
        ContentKind::Incompressible => "incompressible",
        ContentKind::DecompressionBomb => "decompression bomb",
        ContentKind::DecompressionCut => "decompression cut",
        _ => "finding",
    }
}

/// Each binary's first change at its path (following renames back) and
/// last change, from one first-parent walk back from `tip`, newest first:
/// the walk stops once every binary's first change is found. File lists
/// come from the store's cache, computed (and kept) for commits it lacks.
fn history(
    repo: &Repo,
    store: &mut Store,
    tip: Oid,
    by_sha: &HashMap<&str, &Change>,
    files: &mut [BinaryFile],
) -> Result<(), Error> {
    // The name each binary had at the point of the walk.
    let mut tracked: HashMap<String, usize> = files.iter().enumerate().map(|(i, f)| (f.path.clone(), i)).collect();
    let commits = repo.walk_back_to(tip, None, usize::MAX)?;
    for step in commits.chunks(WALK_STEP) {
        if tracked.is_empty() {
            break;
        }
        let shas: Vec<String> = step.iter().map(|c| c.sha.clone()).collect();
        let lists = super::file_lists(repo, store, &shas)?;
        for commit in step {
            let Some(list) = lists.get(&commit.sha) else { continue };
            let change = by_sha.get(commit.sha.as_str());
            for touched in list {
                let Some(&i) = tracked.get(&touched.path) else { continue };
                let file = &mut files[i];
                if file.last_changed_in.is_none() {
                    file.last_changed_in = Some(commit.sha.clone());
                }
                let added = matches!(touched.status, FileStatus::Added | FileStatus::Copied);
                if let Some(change) = change {
                    file.verdicts.push(BinaryVerdict { sha: commit.sha.clone(), verdict: change.verdict, added });
                }
                tracked.remove(&touched.path);
                match (&touched.old_path, touched.status) {
                    (Some(old), FileStatus::Renamed) => {
                        tracked.insert(old.clone(), i);
                    }
                    _ if added => {
                        file.added_in = Some(commit.sha.clone());
                        file.added_by = Some(change.map_or(commit.author.name.clone(), |c| c.author.clone()));
                        file.added_at = Some(commit.time);
                    }
                    _ => {
                        tracked.insert(touched.path.clone(), i);
                    }
                }
            }
        }
    }
    Ok(())
}
