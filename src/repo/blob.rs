//! Blobs: a blob's bytes held once in memory, its size from its header,
//! a stream that reads it front to back, and `REV:PATH` lookups.

use std::path::Path;

use git2::Oid;

use super::{loose, pack, Repo, Result};

/// The contents of a blob, borrowed from libgit2.
pub struct BlobData<'r>(git2::Blob<'r>);

impl std::ops::Deref for BlobData<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.0.content()
    }
}

/// A blob read front to back ([`Repo::read_blob`]).
pub struct BlobStream<'r> {
    len: u64,
    source: Source<'r>,
}

enum Source<'r> {
    /// A loose object, or one stored whole in a pack, inflated from its
    /// file as it is read.
    Loose(Box<loose::ObjectReader>),
    /// A loose object libgit2 found (in an alternate, say), inflated as it is read.
    Stream(git2::OdbReader<'r>),
    /// A packed object, read whole, and how far it has been handed out.
    Whole(git2::Blob<'r>, usize),
}

impl BlobStream<'_> {
    /// The blob's size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Moves `n` bytes on (to the end at most) without handing them out,
    /// and says how far it went. A zlib stream has no index: a loose blob,
    /// or one stored whole in a pack, is inflated up to there and the bytes
    /// dropped (what `git cat-file | hexyl --skip` pays too); a delta, read
    /// whole already, just moves its place.
    pub fn skip(&mut self, n: u64) -> std::io::Result<u64> {
        if let Source::Whole(blob, at) = &mut self.source {
            let step = usize::try_from(n).unwrap_or(usize::MAX).min(blob.size().saturating_sub(*at));
            *at += step;
            return Ok(step as u64);
        }
        let mut buf = vec![0u8; SKIP_BUFFER];
        let mut done = 0u64;
        while done < n {
            let want = usize::try_from(n - done).unwrap_or(usize::MAX).min(buf.len());
            let read = match std::io::Read::read(self, buf.get_mut(..want).unwrap_or_default()) {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            done += read as u64;
        }
        Ok(done)
    }
}

/// Bytes inflated at a time when skipping (fits in the L2 cache).
const SKIP_BUFFER: usize = 256 << 10;

impl std::io::Read for BlobStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match &mut self.source {
            Source::Loose(reader) => reader.read(buf),
            Source::Stream(reader) => reader.read(buf),
            Source::Whole(blob, at) => {
                let rest = blob.content().get(*at..).unwrap_or_default();
                let n = rest.len().min(buf.len());
                if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
                    to.copy_from_slice(from);
                }
                *at += n;
                Ok(n)
            }
        }
    }
}

impl Repo {
    /// A blob's bytes, held once in memory (libgit2's copy, not another).
    pub fn blob(&self, id: &str) -> Result<BlobData<'_>> {
        let oid = Oid::from_str(id).map_err(|e| self.err(&format!("parse blob id {id}"), e))?;
        let blob = self.git.find_blob(oid).map_err(|_| self.unknown("blob", id))?;
        Ok(BlobData(blob))
    }

    /// The blob `oid`'s bytes, if the repository has it.
    pub fn blob_by_id(&self, oid: Oid) -> Option<BlobData<'_>> {
        self.git.find_blob(oid).ok().map(BlobData)
    }

    /// An object's size, from its header (a loose blob is not inflated), if
    /// the repository has it.
    pub fn object_size(&self, oid: Oid) -> Option<u64> {
        let (size, _) = self.git.odb().ok()?.read_header(oid).ok()?;
        Some(size as u64)
    }

    /// A blob's size, from its header: a loose blob is not inflated.
    pub fn blob_size(&self, id: &str) -> Result<u64> {
        let oid = Oid::from_str(id).map_err(|e| self.err(&format!("parse blob id {id}"), e))?;
        let odb = self.git.odb().map_err(|e| self.err("open the object database", e))?;
        let (size, _) = odb.read_header(oid).map_err(|_| self.unknown("blob", id))?;
        Ok(size as u64)
    }

    /// Hands `read` the blob as a stream, front to back: a loose blob, or
    /// one stored whole in a pack, is inflated piece by piece from its file
    /// (libgit2's stream serves a loose one in an alternate); a delta in a
    /// pack (libgit2 has no stream for packs) is read whole first and then
    /// handed out from memory.
    pub fn read_blob<T>(&self, id: &str, read: impl FnOnce(BlobStream<'_>) -> T) -> Result<T> {
        let oid = Oid::from_str(id).map_err(|e| self.err(&format!("parse blob id {id}"), e))?;
        let objects = self.git.commondir().join("objects");
        let found = loose::open(&objects, &oid.to_string())
            .or_else(|| <&[u8; 20]>::try_from(oid.as_bytes()).ok().and_then(|raw| pack::open(&objects, raw)));
        if let Some((reader, len)) = found {
            return Ok(read(BlobStream { len, source: Source::Loose(Box::new(reader)) }));
        }
        let odb = self.git.odb().map_err(|e| self.err("open the object database", e))?;
        let stream = match odb.reader(oid) {
            Ok((reader, len, git2::ObjectType::Blob)) => BlobStream { len: len as u64, source: Source::Stream(reader) },
            Ok(_) => return Err(self.unknown("blob", id)),
            Err(_) => {
                let blob = self.git.find_blob(oid).map_err(|_| self.unknown("blob", id))?;
                BlobStream { len: blob.size() as u64, source: Source::Whole(blob, 0) }
            }
        };
        Ok(read(stream))
    }

    /// `REV:PATH` → the blob's id. The path is bytes, as git stores it: a
    /// name that is not UTF-8 can still be named (from the shell, `$'\xe9'`).
    pub fn blob_at(&self, spec: &std::ffi::OsStr) -> Result<String> {
        let shown = spec.to_string_lossy();
        let spec_bytes = spec.as_encoded_bytes();
        let split = spec_bytes.iter().position(|b| *b == b':').map(|at| spec_bytes.split_at(at));
        // Through the tree entry: looking the blob up would inflate it.
        if let Some((rev, path)) =
            split.map(|(rev, path)| (rev, &path[1..])).filter(|(r, p)| !r.is_empty() && !p.is_empty())
        {
            let rev = std::str::from_utf8(rev).map_err(|_| self.unknown("revision", &String::from_utf8_lossy(rev)))?;
            let tree = self.git.revparse_single(rev).and_then(|o| o.peel_to_tree());
            let entry = tree.map_err(|_| self.unknown("revision", rev))?.get_path(&path_of(path));
            let entry = entry.map_err(|_| self.unknown("blob", &shown))?;
            match entry.kind() {
                Some(git2::ObjectType::Blob) => {}
                Some(git2::ObjectType::Commit) => {
                    let kind = format!("a submodule (at {})", crate::model::short_sha(&entry.id().to_string()));
                    let hint = "run hex in the submodule's own repository";
                    return Err(self.wrong_kind(&shown, kind, "a file", hint));
                }
                kind => {
                    let hint = "name a file in it (`git ls-tree REV:PATH` lists them)";
                    return Err(self.wrong_kind(&shown, super::kind_name(kind, &entry.id()), "a file", hint));
                }
            }
            return Ok(entry.id().to_string());
        }
        let spec = spec.to_str().ok_or_else(|| self.unknown("blob", &shown))?;
        let object = self.git.revparse_single(spec).map_err(|_| self.unknown("blob", spec))?;
        let blob = object.peel_to_blob().map_err(|_| {
            let hint = "pass REV:PATH of a file or a blob's sha";
            self.wrong_kind(spec, super::kind_name(object.kind(), &object.id()), "a file", hint)
        })?;
        Ok(blob.id().to_string())
    }
}

/// A path in a tree from its bytes.
#[cfg(unix)]
fn path_of(bytes: &[u8]) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    Path::new(std::ffi::OsStr::from_bytes(bytes)).to_path_buf()
}

/// A path in a tree from its bytes (elsewhere, paths are UTF-8).
#[cfg(not(unix))]
fn path_of(bytes: &[u8]) -> std::path::PathBuf {
    std::path::PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}
