//! Where a branch's own changes begin. The main line owns its whole
//! history. A maintenance branch owns what landed since it became its own
//! branch: walking its first-parent line back from the tip, it stops at the
//! first commit that is also on the first-parent line of the main line or
//! of an older maintenance branch (where it forked), or that carries a
//! release tag of an older series (where it left that series, even when
//! that branch is gone). Forward merges do not move that point, as the
//! merge base does: a branch merged into the main line has the main line's
//! newest merge as its merge base, not where it began.

use std::collections::{HashMap, HashSet};

use git2::{DescribeFormatOptions, DescribeOptions, Oid, Sort};

use super::{Range, Repo, RepoError, Result};

/// What deciding a branch's start needs besides the branch.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The main line.
    pub default_branch: String,
    /// Every watched branch (the main line too).
    pub watched: Vec<String>,
    /// Configured start points by branch (`[branches.start]`): a revision.
    pub starts: HashMap<String, String>,
}

/// Commit times on first-parent lines are close to ordered, not strictly:
/// another line is read this far past the commit being checked.
const CLOCK_SLACK: i64 = 86_400;

/// The series a name belongs to: `3.11`, `v3.11.2`, `8.3.x` and
/// `openssl-3.0` give `(3, 11)`, `(3, 11)`, `(8, 3)` and `(3, 0)`.
pub fn series(name: &str) -> Option<(u64, u64)> {
    let bytes = name.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at].is_ascii_digit() && (at == 0 || !bytes[at - 1].is_ascii_digit()) {
            let rest = &name[at..];
            let mut parts = rest.split('.');
            let major = parts.next().and_then(|p| p.parse().ok());
            let minor = parts.next().map(|p| p.chars().take_while(char::is_ascii_digit).collect::<String>());
            if let (Some(major), Some(minor)) = (major, minor.and_then(|m| m.parse().ok())) {
                return Some((major, minor));
            }
        }
        at += 1;
    }
    None
}

/// A first-parent line read lazily, newest first, remembering what it read.
struct Line<'r> {
    repo: &'r Repo,
    walk: git2::Revwalk<'r>,
    seen: HashSet<Oid>,
    /// The next commit and its time, read ahead.
    next: Option<(Oid, i64)>,
}

impl<'r> Line<'r> {
    fn new(repo: &'r Repo, tip: Oid) -> Result<Self> {
        let walking = |e| repo.err("walk a branch's first parents", e);
        let mut walk = repo.git.revwalk().map_err(walking)?;
        walk.simplify_first_parent().map_err(walking)?;
        walk.set_sorting(Sort::NONE).map_err(walking)?;
        walk.push(tip).map_err(walking)?;
        let mut line = Line { repo, walk, seen: HashSet::new(), next: None };
        line.next = line.read()?;
        Ok(line)
    }

    fn read(&mut self) -> Result<Option<(Oid, i64)>> {
        let Some(oid) = self.walk.next() else { return Ok(None) };
        let oid = oid.map_err(|e| self.repo.err("walk a branch's first parents", e))?;
        Ok(Some((oid, self.repo.commit_time(oid)?)))
    }

    /// Reads every commit at least as new as `time` (less the slack).
    fn read_back_to(&mut self, time: i64) -> Result<()> {
        while let Some((oid, at)) = self.next {
            if at < time - CLOCK_SLACK {
                break;
            }
            self.seen.insert(oid);
            self.next = self.read()?;
        }
        Ok(())
    }
}

impl Repo {
    /// The range that holds `branch`'s own changes, with where it starts
    /// (see the module's rule; a configured start wins).
    pub fn branch_range(&self, branch: &str, scope: &Scope) -> Result<Range> {
        let tip = self.branch_tip(branch)?;
        if branch == scope.default_branch {
            return Ok(Range { base: None, tip, branch: branch.to_string(), since: None });
        }
        if let Some(start) = scope.starts.get(branch) {
            let base = self.resolve(start).map_err(|_| RepoError::Unknown {
                what: "start revision (config [branches.start])",
                name: format!("{branch} = {start}"),
                repo: self.display(),
            })?;
            return Ok(Range { base: Some(base), tip, branch: branch.to_string(), since: Some(start.clone()) });
        }
        let own = series(branch);
        let mut lines = vec![Line::new(self, self.branch_tip(&scope.default_branch)?)?];
        for other in &scope.watched {
            let older = matches!((series(other), own), (Some(theirs), Some(ours)) if theirs < ours);
            if other != branch && other != &scope.default_branch && older {
                lines.push(Line::new(self, self.branch_tip(other)?)?);
            }
        }
        let older_tags: HashSet<Oid> = match own {
            Some(ours) => self
                .tags_by_commit()?
                .into_iter()
                .filter(|(_, names)| names.iter().any(|n| series(n).is_some_and(|theirs| theirs < ours)))
                .map(|(oid, _)| oid)
                .collect(),
            None => HashSet::new(),
        };
        let mut mine = Line::new(self, tip)?;
        let mut base = None;
        while let Some((oid, time)) = mine.next {
            for line in &mut lines {
                line.read_back_to(time)?;
            }
            if older_tags.contains(&oid) || lines.iter().any(|l| l.seen.contains(&oid)) {
                base = Some(oid);
                break;
            }
            mine.next = mine.read()?;
        }
        let since = base.map(|b| self.describe(b));
        Ok(Range { base, tip, branch: branch.to_string(), since })
    }

    /// Every tag's commit (tags of trees and blobs left out), with its names.
    pub(super) fn tags_by_commit(&self) -> Result<HashMap<Oid, Vec<String>>> {
        let failed = |what: String| move |source| RepoError::Failed { what, source };
        let mut tags: HashMap<Oid, Vec<String>> = HashMap::new();
        let names = self.git.tag_names(None).map_err(failed("cannot list tags".into()))?;
        for name in names.iter().flatten().flatten() {
            let reading = || failed(format!("cannot read tag {name}"));
            let object = self.git.revparse_single(&format!("refs/tags/{name}")).map_err(reading())?;
            match object.peel_to_commit() {
                Ok(commit) => tags.entry(commit.id()).or_default().push(name.to_string()),
                // A tag of a tree or a blob marks no point of a branch.
                Err(e) if matches!(e.class(), git2::ErrorClass::Object | git2::ErrorClass::Invalid) => {}
                Err(e) => return Err(reading()(e)),
            }
        }
        Ok(tags)
    }

    /// A commit as a person names it: its tag, else the nearest tag and the
    /// distance (`v3.12.0-1-g2e554627b`), else its short sha.
    fn describe(&self, oid: Oid) -> String {
        let described = self.git.find_commit(oid).ok().and_then(|c| {
            let mut options = DescribeOptions::new();
            options.describe_tags();
            let found = c.as_object().describe(&options).ok()?;
            found.format(Some(DescribeFormatOptions::new().abbreviated_size(10))).ok()
        });
        described.unwrap_or_else(|| crate::model::short_sha(&oid.to_string()).to_string())
    }

    pub(super) fn commit_time(&self, oid: Oid) -> Result<i64> {
        let commit = self.git.find_commit(oid).map_err(|e| self.err(&format!("read commit {oid}"), e))?;
        let time = commit.committer().when().seconds();
        Ok(time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_of_branch_and_tag_names() {
        assert_eq!(series("3.11"), Some((3, 11)));
        assert_eq!(series("v3.10.0"), Some((3, 10)));
        assert_eq!(series("8.3.x"), Some((8, 3)));
        assert_eq!(series("openssl-3.0"), Some((3, 0)));
        assert_eq!(series("maintenance/1.26.x"), Some((1, 26)));
        assert_eq!(series("v4.0.0a0"), Some((4, 0)));
        assert_eq!(series("main"), None);
        assert_eq!(series("release-7"), None);
    }
}
