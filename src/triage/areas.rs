//! The areas of a tree, and which area a path is in: config areas
//! (`[[coverage.areas]]`), else CODEOWNERS entries, else the top-level
//! directories. Each path is in exactly one area: as in CODEOWNERS, the
//! last matching area wins; a path no area matches is in `(unmatched)`.
//! Pure: the pipeline hands in the tree's names and the CODEOWNERS text.

use std::collections::HashMap;

use super::codeowners::Codeowners;
use crate::config::CoverageArea;
use crate::model::coverage::AreaSource;
use crate::paths::glob_match;

/// The area of the files at the tree's root, by directories.
pub const ROOT: &str = "/";
/// The area of paths that no configured area or CODEOWNERS rule matches.
pub const UNMATCHED: &str = "(unmatched)";

/// One area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaDef {
    /// `Lib/`, `/` (root files), a CODEOWNERS pattern, a config glob.
    pub path: String,
    pub name: Option<String>,
    /// A CODEOWNERS entry's owners.
    pub owners: Vec<String>,
}

/// The areas, and which one each path is in (remembered per path: the
/// same files come back change after change).
#[derive(Debug, Clone)]
pub struct AreaMap {
    pub source: AreaSource,
    pub areas: Vec<AreaDef>,
    /// The CODEOWNERS file, when the repository has one.
    pub codeowners: Option<Codeowners>,
    known: HashMap<String, usize>,
}

impl AreaMap {
    /// The areas for a tree whose root holds `top` (name, is a directory),
    /// given the config's areas and the repository's CODEOWNERS.
    pub fn new(config_areas: &[CoverageArea], codeowners: Option<Codeowners>, top: &[(String, bool)]) -> AreaMap {
        let (source, areas) = if !config_areas.is_empty() {
            let areas =
                config_areas.iter().map(|a| AreaDef { path: a.path.clone(), name: a.name.clone(), owners: Vec::new() });
            (AreaSource::Config, areas.collect())
        } else if let Some(c) = &codeowners {
            let areas =
                c.rules.iter().map(|r| AreaDef { path: r.pattern.clone(), name: None, owners: r.owners.clone() });
            (AreaSource::Codeowners, areas.collect())
        } else {
            let mut dirs: Vec<&str> = top.iter().filter(|(_, dir)| *dir).map(|(n, _)| n.as_str()).collect();
            dirs.sort_unstable();
            let mut areas: Vec<AreaDef> =
                dirs.iter().map(|d| AreaDef { path: format!("{d}/"), name: None, owners: Vec::new() }).collect();
            if top.iter().any(|(_, dir)| !dir) {
                areas.push(AreaDef { path: ROOT.into(), name: None, owners: Vec::new() });
            }
            (AreaSource::Directories, areas)
        };
        AreaMap { source, areas, codeowners, known: HashMap::new() }
    }

    /// The area `path` is in; an area is added for a directory the tree no
    /// longer has, and `(unmatched)` for a path no area matches.
    pub fn area_of(&mut self, path: &str) -> usize {
        if let Some(&i) = self.known.get(path) {
            return i;
        }
        let found = match self.source {
            AreaSource::Directories => {
                let name = match path.split_once('/') {
                    Some((dir, _)) => format!("{dir}/"),
                    None => ROOT.to_string(),
                };
                self.position_or_add(&name)
            }
            AreaSource::Codeowners => {
                let rule = self.codeowners.as_ref().and_then(|c| c.rule_of(path));
                match rule {
                    Some(i) => i,
                    None => self.position_or_add(UNMATCHED),
                }
            }
            AreaSource::Config => match self.areas.iter().rposition(|a| config_match(&a.path, path)) {
                Some(i) => i,
                None => self.position_or_add(UNMATCHED),
            },
        };
        self.known.insert(path.to_string(), found);
        found
    }

    fn position_or_add(&mut self, path: &str) -> usize {
        if let Some(i) = self.areas.iter().position(|a| a.path == path && a.name.is_none()) {
            return i;
        }
        self.areas.push(AreaDef { path: path.to_string(), name: None, owners: Vec::new() });
        self.areas.len() - 1
    }

    /// Who CODEOWNERS says owns `path` (nobody without the file).
    pub fn owners_of(&self, path: &str) -> &[String] {
        self.codeowners.as_ref().map_or(&[], |c| c.owners_of(path))
    }
}

/// A config area's `path`: a glob (`*` matches across `/`), or a
/// directory (`docs/`, `docs`) and everything under it.
pub fn config_match(area: &str, path: &str) -> bool {
    if glob_match(area, path) {
        return true;
    }
    let dir = area.trim_end_matches('/');
    !dir.is_empty() && !area.contains(['*', '?']) && path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::codeowners::parse;

    fn top() -> Vec<(String, bool)> {
        vec![("src".into(), true), ("docs".into(), true), ("README.md".into(), false)]
    }

    #[test]
    fn by_default_each_top_level_directory_is_an_area_and_root_files_are_one() {
        let mut map = AreaMap::new(&[], None, &top());
        let paths: Vec<&str> = map.areas.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(paths, ["docs/", "src/", "/"]);
        assert_eq!(map.area_of("src/a/b.rs"), 1);
        assert_eq!(map.area_of("README.md"), 2);
        // A directory deleted since still gets its area.
        let gone = map.area_of("old/x.c");
        assert_eq!(map.areas[gone].path, "old/");
    }

    #[test]
    fn codeowners_entries_are_the_areas_and_the_last_match_wins() {
        let c = parse("CODEOWNERS", "/src/ @core\n*.md @docs\n").expect("parses");
        let mut map = AreaMap::new(&[], Some(c), &top());
        assert_eq!(map.source, AreaSource::Codeowners);
        assert_eq!(map.area_of("src/readme.md"), 1, "the later *.md wins over /src/");
        assert_eq!(map.area_of("src/lib.rs"), 0);
        let other = map.area_of("Makefile");
        assert_eq!(map.areas[other].path, UNMATCHED);
        assert_eq!(map.areas[0].owners, ["@core"]);
    }

    #[test]
    fn config_areas_win_over_codeowners_and_match_globs_or_directories() {
        let areas = vec![
            CoverageArea { path: "src".into(), name: Some("code".into()) },
            CoverageArea { path: "src/parser/*".into(), name: Some("parser".into()) },
        ];
        let c = parse("CODEOWNERS", "* @everyone\n").expect("parses");
        let mut map = AreaMap::new(&areas, Some(c), &top());
        assert_eq!(map.source, AreaSource::Config);
        assert_eq!(map.area_of("src/parser/deep/x.rs"), 1);
        assert_eq!(map.area_of("src/lib.rs"), 0);
        let other = map.area_of("srcx/lib.rs");
        assert_eq!(map.areas[other].path, UNMATCHED);
        assert_eq!(map.owners_of("src/lib.rs"), ["@everyone"]);
    }
}
