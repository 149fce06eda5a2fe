//! Build-time check programs: the small C programs CMake, autoconf and
//! meson compile to decide whether a feature is turned on. One stray
//! character in one of them (xz-utils 5.6, Landlock, 2024) makes the check
//! fail and the feature silently off. This module finds the checks of a
//! build file with their line spans and program text, and which of them an
//! edit touched; [`refusal`] says whether a program may be compiled at all.
//! Pure: the caller hands in the texts and the diff.

mod autoconf;
mod cmake;
mod guard;
mod meson;

pub use guard::refusal;

use crate::model::{FileDiff, LineKind};

/// Build files larger than this are not searched for checks.
const MAX_TEXT: usize = 2 << 20;

/// The language a check program is compiled as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    C,
    Cxx,
}

impl Lang {
    /// The compiler's `-x` value.
    pub fn flag(self) -> &'static str {
        match self {
            Lang::C => "c",
            Lang::Cxx => "c++",
        }
    }
}

/// One build-time check found in a build file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Which check, as written: `check_c_source_compiles HAVE_LINUX_LANDLOCK`
    /// (repository text: sanitize before showing it).
    pub name: String,
    /// Its first line (1-based).
    pub line: u32,
    /// The lines (inclusive, 1-based) that make its program: the call, and
    /// a variable definition it reads.
    pub spans: Vec<(u32, u32)>,
    /// The program the build compiles, when it is written in the file.
    pub program: Option<String>,
    pub lang: Lang,
}

impl Check {
    fn covers(&self, line: u32) -> bool {
        self.spans.iter().any(|(a, b)| (*a..=*b).contains(&line))
    }
}

/// A check an edit touched, with its program on each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub name: String,
    /// Its first line on the new side (`None`: the edit removed it).
    pub line: Option<u32>,
    /// The program before the edit (`None`: none written, or a new check).
    pub before: Option<String>,
    /// The program after the edit (`None`: none written, or removed).
    pub after: Option<String>,
    /// Whether the check exists on each side.
    pub existed: bool,
    pub exists: bool,
    pub lang: Lang,
}

/// Which build language a path is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    CMake,
    Autoconf,
    Meson,
}

/// The syntax of a build file that can hold check programs.
pub fn syntax(path: &str) -> Option<Syntax> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name == "cmakelists.txt" || name.ends_with(".cmake") {
        Some(Syntax::CMake)
    } else if matches!(name.as_str(), "configure.ac" | "configure.in" | "aclocal.m4") || name.ends_with(".m4") {
        Some(Syntax::Autoconf)
    } else if name == "meson.build" {
        Some(Syntax::Meson)
    } else {
        None
    }
}

/// Every check in `text`, in file order.
pub fn checks(syntax: Syntax, text: &str) -> Vec<Check> {
    if text.len() > MAX_TEXT {
        return Vec::new();
    }
    let src = Src::new(text);
    match syntax {
        Syntax::CMake => cmake::checks(&src),
        Syntax::Autoconf => autoconf::checks(&src),
        Syntax::Meson => meson::checks(&src),
    }
}

/// The checks whose lines `file`'s edit added to or removed from, paired
/// across the two sides; `old_text`/`new_text`: the file on each side.
pub fn edited(file: &FileDiff, old_text: Option<&str>, new_text: Option<&str>) -> Vec<Edited> {
    let Some(syntax) = syntax(file.path()) else { return Vec::new() };
    let old = checks(syntax, old_text.unwrap_or(""));
    let new = checks(syntax, new_text.unwrap_or(""));
    let lines = file.hunks.iter().flat_map(|h| &h.lines);
    let removed: Vec<u32> = lines.clone().filter(|l| l.kind == LineKind::Removed).filter_map(|l| l.old_no).collect();
    let added: Vec<u32> = lines.filter(|l| l.kind == LineKind::Added).filter_map(|l| l.new_no).collect();
    let pairs = pair(file, &old, &new);
    let mut out: Vec<Edited> = Vec::new();
    let mut done_new = vec![false; new.len()];
    for (i, o) in old.iter().enumerate() {
        let partner = pairs.iter().find(|(a, _)| *a == i).map(|(_, b)| *b);
        let touched =
            removed.iter().any(|l| o.covers(*l)) || partner.is_some_and(|n| added.iter().any(|l| new[n].covers(*l)));
        if !touched {
            continue;
        }
        let n = partner.map(|n| &new[n]);
        if let Some(p) = partner {
            done_new[p] = true;
        }
        out.push(Edited {
            name: n.map_or(&o.name, |n| &n.name).clone(),
            line: n.map(|n| n.line),
            before: o.program.clone(),
            after: n.and_then(|n| n.program.clone()),
            existed: true,
            exists: n.is_some(),
            lang: n.map_or(o.lang, |n| n.lang),
        });
    }
    for (j, n) in new.iter().enumerate() {
        if done_new[j] || !added.iter().any(|l| n.covers(*l)) {
            continue;
        }
        let partner = pairs.iter().find(|(_, b)| *b == j).map(|(a, _)| &old[*a]);
        out.push(Edited {
            name: n.name.clone(),
            line: Some(n.line),
            before: partner.and_then(|o| o.program.clone()),
            after: n.program.clone(),
            existed: partner.is_some(),
            exists: true,
            lang: n.lang,
        });
    }
    out.sort_by_key(|e| e.line.unwrap_or(0));
    out
}

/// Old and new checks that are the same check (indices into each side):
/// the same name, and an unchanged line of the old one lands in the new
/// one; else the same name at the same rank among its namesakes.
fn pair(file: &FileDiff, old: &[Check], new: &[Check]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, o) in old.iter().enumerate() {
        let kept: Vec<u32> = o.spans.iter().flat_map(|(a, b)| *a..=*b).filter_map(|l| map_old(file, l)).collect();
        let found = new
            .iter()
            .enumerate()
            .find(|(j, n)| n.name == o.name && !out.iter().any(|(_, b)| b == j) && kept.iter().any(|l| n.covers(*l)));
        if let Some((j, _)) = found {
            out.push((i, j));
        }
    }
    let rank = |checks: &[Check], at: usize| checks[..at].iter().filter(|c| c.name == checks[at].name).count();
    for (i, o) in old.iter().enumerate() {
        if out.iter().any(|(a, _)| *a == i) {
            continue;
        }
        let found = new
            .iter()
            .enumerate()
            .find(|(j, n)| n.name == o.name && !out.iter().any(|(_, b)| b == j) && rank(new, *j) == rank(old, i));
        if let Some((j, _)) = found {
            out.push((i, j));
        }
    }
    out
}

/// Where an unchanged old line sits on the new side (`None`: removed).
fn map_old(file: &FileDiff, line: u32) -> Option<u32> {
    let mut shift: i64 = 0;
    for hunk in &file.hunks {
        let before = if hunk.old_lines == 0 { line <= hunk.old_start } else { line < hunk.old_start };
        if before {
            break;
        }
        if line < hunk.old_start + hunk.old_lines {
            return hunk.lines.iter().find(|l| l.kind == LineKind::Context && l.old_no == Some(line))?.new_no;
        }
        shift += i64::from(hunk.new_lines) - i64::from(hunk.old_lines);
    }
    u32::try_from(i64::from(line) + shift).ok()
}

/// A build file's text as characters, with the line each one is on.
pub(super) struct Src {
    chars: Vec<char>,
    /// The index of each line's first character.
    starts: Vec<usize>,
}

impl Src {
    fn new(text: &str) -> Src {
        let chars: Vec<char> = text.chars().collect();
        let mut starts = vec![0];
        starts.extend(chars.iter().enumerate().filter(|(_, c)| **c == '\n').map(|(i, _)| i + 1));
        Src { chars, starts }
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    /// The 1-based line of character `i`.
    fn line(&self, i: usize) -> u32 {
        let index = self.starts.partition_point(|s| *s <= i);
        u32::try_from(index.max(1)).unwrap_or(u32::MAX)
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.chars.get(from..to.min(self.len())).map(|c| c.iter().collect()).unwrap_or_default()
    }

    fn starts_with(&self, i: usize, what: &str) -> bool {
        (i..).zip(what.chars()).all(|(at, c)| self.at(at) == Some(c))
    }

    /// The identifier starting at `i` (`[A-Za-z_][A-Za-z0-9_]*`), if one
    /// starts there and not in the middle of a longer word.
    fn word(&self, i: usize) -> Option<String> {
        let first = self.at(i)?;
        if !(first.is_ascii_alphabetic() || first == '_') {
            return None;
        }
        if i > 0 && self.at(i - 1).is_some_and(|p| p.is_ascii_alphanumeric() || p == '_') {
            return None;
        }
        let end = (i..self.len()).find(|j| self.at(*j).is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_')));
        Some(self.text(i, end.unwrap_or(self.len())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DiffLine, Hunk};

    /// The diff from `old` to `new` (one hunk, every line, by a plain LCS).
    pub(super) fn diff(path: &str, old: &str, new: &str) -> FileDiff {
        let a: Vec<&str> = old.lines().collect();
        let b: Vec<&str> = new.lines().collect();
        let mut table = vec![vec![0u32; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                table[i][j] = if a[i] == b[j] { table[i + 1][j + 1] + 1 } else { table[i + 1][j].max(table[i][j + 1]) };
            }
        }
        let (mut i, mut j, mut lines) = (0, 0, Vec::new());
        let line = |kind, old_no: Option<usize>, new_no: Option<usize>, text: &str| DiffLine {
            kind,
            old_no: old_no.map(|n| n as u32 + 1),
            new_no: new_no.map(|n| n as u32 + 1),
            text: text.to_string(),
            no_newline: false,
        };
        while i < a.len() || j < b.len() {
            if i < a.len() && j < b.len() && a[i] == b[j] {
                lines.push(line(LineKind::Context, Some(i), Some(j), a[i]));
                i += 1;
                j += 1;
            } else if j < b.len() && (i == a.len() || table[i][j + 1] >= table[i + 1][j]) {
                lines.push(line(LineKind::Added, None, Some(j), b[j]));
                j += 1;
            } else {
                lines.push(line(LineKind::Removed, Some(i), None, a[i]));
                i += 1;
            }
        }
        let hunk = Hunk {
            old_start: 1,
            old_lines: a.len() as u32,
            new_start: 1,
            new_lines: b.len() as u32,
            context: String::new(),
            lines,
        };
        crate::model::sample::modified(path, vec![hunk])
    }

    const CMAKE: &str = "project(x C)\n\
include(CheckCSourceCompiles)\n\
check_include_file(unistd.h HAVE_UNISTD_H)\n\
check_c_source_compiles(\"\n    #include <linux/landlock.h>\n    int main(void) { return 0; }\n    \"\n    HAVE_LINUX_LANDLOCK)\n\
add_executable(x main.c)\n";

    #[test]
    fn an_edit_inside_a_check_is_found_with_both_programs() {
        let new = CMAKE.replace("    #include <linux/landlock.h>\n", "    #include <linux/landlock.h>\n.\n");
        let found = edited(&diff("CMakeLists.txt", CMAKE, &new), Some(CMAKE), Some(&new));
        assert_eq!(found.len(), 1, "{found:#?}");
        let e = &found[0];
        assert_eq!(e.name, "check_c_source_compiles HAVE_LINUX_LANDLOCK");
        assert_eq!(e.line, Some(4));
        assert!(e.before.as_deref().is_some_and(|p| !p.contains("\n.\n")));
        assert!(e.after.as_deref().is_some_and(|p| p.contains("\n.\n")));
        assert!(e.existed && e.exists);
    }

    #[test]
    fn edits_outside_checks_and_in_other_files_are_not() {
        let new = CMAKE.replace("add_executable(x main.c)", "add_executable(x main.c util.c)");
        assert!(edited(&diff("CMakeLists.txt", CMAKE, &new), Some(CMAKE), Some(&new)).is_empty());
        assert!(edited(&diff("src/main.c", CMAKE, &new), Some(CMAKE), Some(&new)).is_empty());
    }

    #[test]
    fn a_check_added_before_another_does_not_pair_them_wrongly() {
        let new = CMAKE.replace(
            "check_include_file(unistd.h HAVE_UNISTD_H)\n",
            "check_include_file(unistd.h HAVE_UNISTD_H)\ncheck_include_file(poll.h HAVE_POLL_H)\n",
        );
        let found = edited(&diff("CMakeLists.txt", CMAKE, &new), Some(CMAKE), Some(&new));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].name, "check_include_file HAVE_POLL_H");
        assert!(!found[0].existed && found[0].before.is_none());

        let gone = edited(&diff("CMakeLists.txt", &new, CMAKE), Some(&new), Some(CMAKE));
        assert_eq!((gone.len(), gone[0].exists, gone[0].line), (1, false, None), "{gone:#?}");
    }

    #[test]
    fn lines_map_through_hunks() {
        let new = format!("# a comment\n{CMAKE}");
        let d = diff("CMakeLists.txt", CMAKE, &new);
        assert_eq!(map_old(&d, 1), Some(2));
        let removed = CMAKE.replace("project(x C)\n", "");
        assert_eq!(map_old(&diff("CMakeLists.txt", CMAKE, &removed), 1), None);
        assert_eq!(syntax("cmake/Checks.cmake"), Some(Syntax::CMake));
        assert_eq!(syntax("m4/ax_pthread.m4"), Some(Syntax::Autoconf));
        assert_eq!(syntax("src/meson.build"), Some(Syntax::Meson));
        assert_eq!(syntax("Makefile.am"), None);
    }
}
