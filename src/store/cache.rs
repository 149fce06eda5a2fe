//! Caches of what git computed per commit: file lists, patch-ids and
//! content scans, so a second listing does no diffing; and each blob's
//! whole scan for its hex view.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use super::{sql_err, Result, Store, StoreError};
use crate::model::{ContentScan, FileChange};

/// Each author's commit times, oldest first, by lower-cased email.
pub type AuthorTimes = HashMap<String, Vec<i64>>;

impl Store {
    /// Cached file lists of the given commits (absent when never computed).
    pub fn cached_files(&self, shas: &[String]) -> Result<HashMap<String, Vec<FileChange>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT files FROM commit_cache WHERE sha = ?1 AND files IS NOT NULL")
            .map_err(sql_err(&self.path, "prepare a cache read"))?;
        let mut out = HashMap::new();
        for sha in shas {
            let json: Option<String> =
                stmt.query_row([sha], |r| r.get(0)).optional().map_err(sql_err(&self.path, "read the cache"))?;
            // A cache entry that does not decode is recomputed, not trusted.
            if let Some(files) = json.and_then(|j| serde_json::from_str(&j).ok()) {
                out.insert(sha.clone(), files);
            }
        }
        Ok(out)
    }

    pub fn cache_files(&mut self, files: &HashMap<String, Vec<FileChange>>) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        for (sha, list) in files {
            let json = serde_json::to_string(list).map_err(|e| StoreError::Decode {
                path: self.path.clone(),
                what: format!("the files of {sha}"),
                detail: e.to_string(),
            })?;
            tx.execute(
                "INSERT INTO commit_cache (sha, files) VALUES (?1, ?2) ON CONFLICT (sha) DO UPDATE SET files = excluded.files",
                params![sha, json],
            )
            .map_err(sql_err(&self.path, "write the cache"))?;
        }
        tx.commit().map_err(sql_err(&self.path, "commit the cache"))
    }

    pub fn cached_patch_ids(&self, shas: &[String]) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT patch_id FROM commit_cache WHERE sha = ?1 AND patch_id IS NOT NULL")
            .map_err(sql_err(&self.path, "prepare a cache read"))?;
        let mut out = HashMap::new();
        for sha in shas {
            let id: Option<String> =
                stmt.query_row([sha], |r| r.get(0)).optional().map_err(sql_err(&self.path, "read the cache"))?;
            if let Some(id) = id {
                out.insert(sha.clone(), id);
            }
        }
        Ok(out)
    }

    pub fn cache_patch_ids(&mut self, ids: &HashMap<String, String>) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        for (sha, id) in ids {
            tx.execute(
                "INSERT INTO commit_cache (sha, patch_id) VALUES (?1, ?2)
                 ON CONFLICT (sha) DO UPDATE SET patch_id = excluded.patch_id",
                params![sha, id],
            )
            .map_err(sql_err(&self.path, "write the cache"))?;
        }
        tx.commit().map_err(sql_err(&self.path, "commit the cache"))
    }

    /// Cached content scans of the given commits (absent when never made).
    pub fn cached_scans(&self, shas: &[String]) -> Result<HashMap<String, ContentScan>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT scan FROM commit_cache WHERE sha = ?1 AND scan IS NOT NULL")
            .map_err(sql_err(&self.path, "prepare a cache read"))?;
        let mut out = HashMap::new();
        for sha in shas {
            let json: Option<String> =
                stmt.query_row([sha], |r| r.get(0)).optional().map_err(sql_err(&self.path, "read the cache"))?;
            // A scan this build cannot read, or made under other rules, is
            // made again.
            let scan: Option<ContentScan> = json.and_then(|j| serde_json::from_str(&j).ok());
            if let Some(scan) = scan.filter(|s| s.rules == crate::model::SCAN_RULES) {
                out.insert(sha.clone(), scan);
            }
        }
        Ok(out)
    }

    pub fn cache_scans(&mut self, scans: &HashMap<String, ContentScan>) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql_err(&self.path, "start a transaction"))?;
        for (sha, scan) in scans {
            let json = serde_json::to_string(scan).unwrap_or_else(|_| "{}".into());
            tx.execute(
                "INSERT INTO commit_cache (sha, scan) VALUES (?1, ?2)
                 ON CONFLICT (sha) DO UPDATE SET scan = excluded.scan",
                params![sha, json],
            )
            .map_err(sql_err(&self.path, "write the cache"))?;
        }
        tx.commit().map_err(sql_err(&self.path, "commit the cache"))
    }

    /// The cached author history: the tips it was read from, and each
    /// author's commit times (absent when never read or unreadable).
    pub fn author_history(&self) -> Result<Option<(Vec<String>, AuthorTimes)>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row("SELECT tips, times FROM author_history WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(sql_err(&self.path, "read the author history"))?;
        // A row this build cannot read is read again from git.
        Ok(row.and_then(|(tips, times)| Some((serde_json::from_str(&tips).ok()?, serde_json::from_str(&times).ok()?))))
    }

    pub fn cache_author_history(&mut self, tips: &[String], times: &AuthorTimes) -> Result<()> {
        let decode = |what: &str, e: serde_json::Error| StoreError::Decode {
            path: self.path.clone(),
            what: what.to_string(),
            detail: e.to_string(),
        };
        let tips = serde_json::to_string(tips).map_err(|e| decode("the history's tips", e))?;
        let times = serde_json::to_string(times).map_err(|e| decode("the author history", e))?;
        self.conn
            .execute(
                "INSERT INTO author_history (id, tips, times) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET tips = excluded.tips, times = excluded.times",
                params![tips, times],
            )
            .map_err(sql_err(&self.path, "write the author history"))?;
        Ok(())
    }

    /// A blob's cached scan: the scanner version it was made with and its
    /// facts as JSON, as stored (the caller decodes and checks them); absent
    /// when never made, or when the row does not even hold a version and a
    /// text (it is then made again and written over).
    pub fn blob_scan(&self, blob: &str) -> Result<Option<(i64, String)>> {
        let row = self
            .conn
            .query_row("SELECT version, facts FROM blob_scans WHERE blob = ?1", [blob], |r| {
                Ok(r.get::<_, i64>(0).ok().zip(r.get::<_, String>(1).ok()))
            })
            .optional()
            .map_err(sql_err(&self.path, "read a blob's cached scan"))?;
        Ok(row.flatten())
    }

    /// Keeps a blob's scan (JSON made by the caller), over any older one.
    pub fn cache_blob_scan(&mut self, blob: &str, version: i64, facts: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO blob_scans (blob, version, facts) VALUES (?1, ?2, ?3)
                 ON CONFLICT (blob) DO UPDATE SET version = excluded.version, facts = excluded.facts",
                params![blob, version, facts],
            )
            .map_err(sql_err(&self.path, "write a blob's scan"))?;
        Ok(())
    }
}
