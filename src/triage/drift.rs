//! Backport drift: what a backport changes that its original did not, like
//! `git range-diff` for one commit. Hunks are compared by what they change
//! (their removed and added lines), not by where: line numbers and context
//! differ between branches, and a conflict resolved by moving code is not
//! drift. Pure: it gets both diffs.

use crate::model::{FileDiff, Hunk, LineKind};

/// The difference between a backport and its original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interdiff {
    /// Hunks the backport has and the original does not: (path, hunk).
    pub only_backport: Vec<(String, Hunk)>,
    /// Hunks of the original the backport left out.
    pub only_original: Vec<(String, Hunk)>,
    /// Hunks changed between them: (path, original's, backport's).
    pub changed: Vec<(String, Hunk, Hunk)>,
    /// Identical hunks under another path (a file renamed on one branch):
    /// not drift, counted for the record.
    pub moved: usize,
    /// Binary files whose new content differs: (path, original's blob, backport's blob).
    pub binaries: Vec<(String, Option<String>, Option<String>)>,
}

impl Interdiff {
    /// How many hunks (and binaries) differ.
    pub fn size(&self) -> usize {
        self.only_backport.len() + self.only_original.len() + self.changed.len() + self.binaries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.size() == 0
    }

    /// One line for reports: "2 hunks only in the backport, 1 changed".
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "none: every hunk matches the original".into();
        }
        let mut parts = Vec::new();
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        if !self.only_backport.is_empty() {
            parts.push(format!("{} only in the backport", plural(self.only_backport.len(), "hunk")));
        }
        if !self.only_original.is_empty() {
            parts.push(format!("{} of the original missing", plural(self.only_original.len(), "hunk")));
        }
        if !self.changed.is_empty() {
            parts.push(format!("{} changed", plural(self.changed.len(), "hunk")));
        }
        if !self.binaries.is_empty() {
            parts.push(format!("{} with other content", plural(self.binaries.len(), "binary")));
        }
        parts.join(", ")
    }
}

/// The drift as files to render: one per section and path, titled
/// (`only in the backport`, `only in the original`, `changed: original`,
/// `changed: backport`).
pub fn sections(d: &Interdiff) -> Vec<(String, FileDiff)> {
    let file = |path: &str, hunks: Vec<Hunk>| FileDiff {
        old_path: Some(path.to_string()),
        new_path: Some(path.to_string()),
        status: crate::model::FileStatus::Modified,
        similarity: None,
        old_mode: 0o100644,
        new_mode: 0o100644,
        binary: false,
        old_blob: None,
        new_blob: None,
        hunks,
    };
    let mut out = Vec::new();
    for (title, list) in [("only in the backport", &d.only_backport), ("only in the original", &d.only_original)] {
        for (path, hunk) in list {
            out.push((title.to_string(), file(path, vec![hunk.clone()])));
        }
    }
    for (path, original, backport) in &d.changed {
        out.push(("changed: the original's hunk".to_string(), file(path, vec![original.clone()])));
        out.push(("changed: the backport's hunk".to_string(), file(path, vec![backport.clone()])));
    }
    out
}

/// What a hunk changes: its removed and added lines, in order.
fn key(hunk: &Hunk) -> Vec<(bool, &str)> {
    hunk.lines
        .iter()
        .filter(|l| l.kind != LineKind::Context)
        .map(|l| (l.kind == LineKind::Added, l.text.trim_end()))
        .collect()
}

struct Side<'a> {
    path: String,
    hunk: &'a Hunk,
    key: Vec<(bool, &'a str)>,
    used: bool,
}

fn sides(diff: &[FileDiff]) -> Vec<Side<'_>> {
    diff.iter()
        .filter(|f| !f.binary)
        .flat_map(|f| {
            f.hunks.iter().map(move |h| Side { path: f.path().to_string(), hunk: h, key: key(h), used: false })
        })
        .collect()
}

pub fn interdiff(original: &[FileDiff], backport: &[FileDiff]) -> Interdiff {
    let mut out = Interdiff::default();
    let mut orig = sides(original);
    let mut back = sides(backport);

    // 1. The same change in the same file; 2. the same change elsewhere.
    for same_path in [true, false] {
        for o in orig.iter_mut().filter(|o| !o.used) {
            if let Some(b) = back.iter_mut().find(|b| !b.used && b.key == o.key && (!same_path || b.path == o.path)) {
                o.used = true;
                b.used = true;
                if !same_path {
                    out.moved += 1;
                }
            }
        }
    }
    // 3. Changed: what is left in one file, paired when the two hunks share
    //    a changed line (the same edit, adjusted).
    for o in orig.iter_mut().filter(|o| !o.used) {
        let shares = |b: &Side| b.path == o.path && b.key.iter().any(|line| o.key.contains(line));
        if let Some(b) = back.iter_mut().find(|b| !b.used && shares(b)) {
            o.used = true;
            b.used = true;
            out.changed.push((o.path.clone(), o.hunk.clone(), b.hunk.clone()));
        }
    }
    out.only_original = orig.iter().filter(|o| !o.used).map(|o| (o.path.clone(), o.hunk.clone())).collect();
    out.only_backport = back.iter().filter(|b| !b.used).map(|b| (b.path.clone(), b.hunk.clone())).collect();

    // Binaries compare by their new content.
    for b in backport.iter().filter(|f| f.binary) {
        let same = original.iter().any(|o| o.binary && o.new_blob == b.new_blob);
        if !same {
            let theirs = original.iter().find(|o| o.binary && o.path() == b.path()).and_then(|o| o.new_blob.clone());
            out.binaries.push((b.path().to_string(), theirs, b.new_blob.clone()));
        }
    }
    for o in original.iter().filter(|f| f.binary) {
        if !backport.iter().any(|b| b.binary && (b.new_blob == o.new_blob || b.path() == o.path())) {
            out.binaries.push((o.path().to_string(), o.new_blob.clone(), None));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DiffLine, FileStatus};

    fn line(kind: LineKind, text: &str) -> DiffLine {
        DiffLine { kind, old_no: None, new_no: None, text: text.into(), no_newline: false }
    }

    fn hunk(start: u32, lines: &[(char, &str)]) -> Hunk {
        let lines = lines
            .iter()
            .map(|(k, t)| {
                let kind = match k {
                    '+' => LineKind::Added,
                    '-' => LineKind::Removed,
                    _ => LineKind::Context,
                };
                line(kind, t)
            })
            .collect();
        Hunk { old_start: start, old_lines: 3, new_start: start, new_lines: 3, context: String::new(), lines }
    }

    fn file(path: &str, hunks: Vec<Hunk>) -> FileDiff {
        FileDiff {
            old_path: Some(path.into()),
            new_path: Some(path.into()),
            status: FileStatus::Modified,
            similarity: None,
            old_mode: 0o100644,
            new_mode: 0o100644,
            binary: false,
            old_blob: None,
            new_blob: None,
            hunks,
        }
    }

    fn fix() -> Hunk {
        hunk(10, &[(' ', "if x:"), ('-', "    return 1"), ('+', "    return 2"), (' ', "end")])
    }

    #[test]
    fn a_clean_backport_has_no_drift_even_with_other_line_numbers_and_context() {
        let original = vec![file("a.py", vec![fix()])];
        let mut moved = hunk(200, &[(' ', "while y:"), ('-', "    return 1"), ('+', "    return 2")]);
        moved.old_start = 200;
        let backport = vec![file("a.py", vec![moved])];
        let d = interdiff(&original, &backport);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(d.summary(), "none: every hunk matches the original");
    }

    #[test]
    fn a_renamed_file_is_not_drift() {
        let original = vec![file("Lib/new_name.py", vec![fix()])];
        let backport = vec![file("Lib/old_name.py", vec![fix()])];
        let d = interdiff(&original, &backport);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(d.moved, 1);
    }

    #[test]
    fn an_extra_hunk_and_an_adjusted_one_are_drift() {
        let original = vec![file("a.py", vec![fix()])];
        let adjusted = hunk(10, &[('-', "    return 1"), ('+', "    return 2"), ('+', "    os.system(cmd)")]);
        let extra = hunk(50, &[('+', "import os")]);
        let backport = vec![file("a.py", vec![adjusted, extra])];
        let d = interdiff(&original, &backport);
        assert_eq!(d.changed.len(), 1, "{d:?}");
        assert_eq!(d.only_backport.len(), 1);
        assert!(d.only_original.is_empty());
        assert_eq!(d.size(), 2);
        assert_eq!(d.summary(), "1 hunk only in the backport, 1 hunk changed");
    }

    #[test]
    fn a_hunk_left_out_of_the_backport_is_reported() {
        let original = vec![file("a.py", vec![fix(), hunk(90, &[('+', "check()")])])];
        let backport = vec![file("a.py", vec![fix()])];
        let d = interdiff(&original, &backport);
        assert_eq!(d.only_original.len(), 1);
        assert_eq!(d.summary(), "1 hunk of the original missing");
    }

    #[test]
    fn binaries_compare_by_content() {
        let mut o = file("t.xz", Vec::new());
        o.binary = true;
        o.new_blob = Some("aaa".into());
        let mut same = o.clone();
        same.new_path = Some("tests/t.xz".into());
        assert!(interdiff(&[o.clone()], &[same]).is_empty(), "same blob elsewhere");
        let mut other = o.clone();
        other.new_blob = Some("bbb".into());
        let d = interdiff(&[o], &[other]);
        assert_eq!(d.binaries, vec![("t.xz".to_string(), Some("aaa".to_string()), Some("bbb".to_string()))]);
    }
}
