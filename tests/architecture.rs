//! The layering of ../shared/DESIGN.md (and the README's architecture
//! section), written as a test: it reads `src/` and fails on a cycle between
//! top-level modules, on a dependency the table does not allow, on an outside
//! crate used outside its layer, and on a source file over 800 lines of code
//! before its tests. Each failure names the file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each top-level module may use. `cli` is the binary (`src/main.rs`
/// and `src/cli/`); it sits on top and may use every library module.
const LAYERS: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("paths", &["model"]),
    ("config", &["model", "paths"]),
    ("inspect", &["model"]),
    ("repo", &["model", "config", "paths", "inspect"]),
    ("render", &["model", "inspect"]),
    ("triage", &["model", "config", "paths", "inspect"]),
    ("store", &["model", "paths"]),
    ("forge", &["model", "config", "paths", "store"]),
    ("release", &["model", "config", "paths", "repo", "inspect", "render"]),
    ("report", &["model", "render"]),
    (
        "pipeline",
        &["model", "paths", "config", "repo", "inspect", "render", "triage", "store", "forge", "release", "report"],
    ),
    (
        "jobs",
        &[
            "pipeline", "model", "paths", "config", "repo", "inspect", "render", "triage", "store", "forge", "release",
            "report",
        ],
    ),
    ("tui", &["jobs", "report", "render", "config", "paths", "model"]),
    (
        "cli",
        &[
            "tui", "jobs", "pipeline", "report", "release", "forge", "store", "triage", "render", "inspect", "repo",
            "config", "paths", "model",
        ],
    ),
];

/// Outside crates that belong to exactly one layer.
const OWNED_CRATES: &[(&str, &str)] = &[
    ("git2", "repo"),
    ("pgp", "repo"),
    ("ssh_key", "repo"),
    ("rusqlite", "store"),
    ("octocrab", "forge"),
    ("ratatui", "tui"),
    ("crossterm", "tui"),
];

/// The one place outside `tui` that may ask the terminal for its width.
const TERMINAL_SIZE_HELPER: &str = "src/cli/terminal.rs";

const MAX_LINES_OF_CODE: usize = 800;

/// One `use` of another top-level module, or of an owned outside crate.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edge {
    from: String,
    to: String,
    file: String,
    line: usize,
}

/// The top-level module a source file belongs to, and its module path below
/// the crate root (for resolving `super::`).
fn module_of(relative: &Path) -> (String, Vec<String>) {
    let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.first().map(String::as_str) == Some("main.rs") || parts.first().map(String::as_str) == Some("cli") {
        let mut path = vec!["cli".to_string()];
        path.extend(parts.iter().skip(1).map(|p| p.trim_end_matches(".rs").to_string()).filter(|p| p != "mod"));
        return ("cli".into(), path);
    }
    let mut path: Vec<String> =
        parts.iter().map(|p| p.trim_end_matches(".rs").to_string()).filter(|p| p != "mod").collect();
    if path.is_empty() {
        path.push("lib".into());
    }
    (path[0].clone(), path)
}

/// The code of a file with comments and string contents blanked (line
/// numbers kept), cut at its first `#[cfg(test)]` when `tests_too` is false.
fn code_lines(text: &str, tests_too: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = 0usize;
    for line in text.lines() {
        if !tests_too && line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let mut kept = String::new();
        let mut chars = line.chars().peekable();
        let mut in_string = false;
        while let Some(c) = chars.next() {
            if in_block > 0 {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    in_block -= 1;
                } else if c == '/' && chars.peek() == Some(&'*') {
                    chars.next();
                    in_block += 1;
                }
                continue;
            }
            if in_string {
                if c == '\\' {
                    chars.next();
                } else if c == '"' {
                    in_string = false;
                    kept.push('"');
                }
                continue;
            }
            match c {
                '/' if chars.peek() == Some(&'/') => break,
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    in_block += 1;
                }
                '"' => {
                    in_string = true;
                    kept.push('"');
                }
                // A char literal such as '"' must not open a string.
                '\'' => {
                    let rest: String = chars.clone().take(3).collect();
                    let mut it = rest.chars();
                    match (it.next(), it.next(), it.next()) {
                        (Some('\\'), Some(_), Some('\'')) => {
                            chars.nth(2);
                        }
                        (Some(_), Some('\''), _) => {
                            chars.nth(1);
                        }
                        _ => kept.push(c),
                    }
                }
                _ => kept.push(c),
            }
        }
        out.push(kept);
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first identifiers named after `prefix` at each occurrence on a line:
/// `crate::a::b` gives `a`, `crate::{a, b::c}` gives `a` and `b`.
fn names_after(line: &str, prefix: &str, rest_of_file: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    let mut from = 0;
    while let Some(found) = line[from..].find(prefix) {
        let start = from + found;
        from = start + prefix.len();
        if start > 0 && line[..start].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let after = &line[from..];
        if let Some(group) = after.strip_prefix('{') {
            // A group may span lines: read until its closing brace.
            let mut text = group.to_string();
            for more in rest_of_file {
                if text.matches('{').count() < text.matches('}').count() {
                    break;
                }
                text.push(' ');
                text.push_str(more);
            }
            let mut depth = 0usize;
            let mut item = String::new();
            let mut at_start = true;
            for c in text.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_start = true,
                    c if depth == 0 && at_start && is_ident(c) => item.push(c),
                    _ if depth == 0 && at_start && !item.is_empty() => {
                        names.push(std::mem::take(&mut item));
                        at_start = false;
                    }
                    _ => {}
                }
            }
            if !item.is_empty() {
                names.push(item);
            }
        } else {
            let name: String = after.chars().take_while(|c| is_ident(*c)).collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every edge between top-level modules (and to owned crates, as `crate:NAME`)
/// in the sources under `src`, with the names of the top-level modules.
fn edges(src: &Path) -> (Vec<Edge>, BTreeSet<String>) {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut modules = BTreeSet::new();
    let mut found = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(src).unwrap_or(file);
        if relative == Path::new("lib.rs") {
            continue;
        }
        let (module, path) = module_of(relative);
        modules.insert(module.clone());
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let lines = code_lines(&text, true);
        let shown = relative.display().to_string();
        for (index, line) in lines.iter().enumerate() {
            let rest = &lines[index + 1..];
            let mut targets = names_after(line, "crate::", rest);
            if module == "cli" {
                targets.extend(names_after(line, "rearview::", rest));
            }
            // `super::` climbs one module; as many as the file is deep reach
            // the crate root, and the next name is a top-level module.
            if module != "cli" {
                let climb = "super::".repeat(path.len());
                targets.extend(names_after(line, &climb, rest).into_iter().filter(|n| n != "super"));
            }
            for target in targets {
                if target != module && target != "self" && target != "super" {
                    found.push(Edge { from: module.clone(), to: target, file: shown.clone(), line: index + 1 });
                }
            }
            for (krate, _) in OWNED_CRATES {
                if !names_after(line, &format!("{krate}::"), &[]).is_empty()
                    || line.trim_start().starts_with(&format!("use {krate}"))
                {
                    found.push(Edge {
                        from: module.clone(),
                        to: format!("crate:{krate}"),
                        file: shown.clone(),
                        line: index + 1,
                    });
                }
            }
        }
    }
    (found, modules)
}

/// The shortest path from `from` to `to` in a graph, if any.
fn path_between(graph: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([from.to_string()]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![node.clone()];
            let mut at = node;
            while let Some(prev) = came_from.get(&at) {
                path.push(prev.clone());
                at = prev.clone();
            }
            path.reverse();
            return Some(path);
        }
        for next in graph.get(&node).into_iter().flatten() {
            if next != from && !came_from.contains_key(next) {
                came_from.insert(next.clone(), node.clone());
                queue.push_back(next.clone());
            }
        }
    }
    None
}

/// Every edge that lies on a cycle, with the shortest cycle through it
/// (`a -> b -> a`): cutting these edges is what breaks the cycles.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for (from, targets) in graph {
        for to in targets {
            if let Some(back) = path_between(graph, to, from) {
                let mut cycle = vec![from.clone()];
                cycle.extend(back);
                found.push(cycle);
            }
        }
    }
    found
}

/// Everything wrong with the sources under `src`, one line each.
fn violations(src: &Path) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let (found, modules) = edges(src);
    let mut problems = Vec::new();
    for module in &modules {
        if !allowed.contains_key(module.as_str()) {
            problems.push(format!(
                "src/{module}: a top-level module the layering does not know; add it to LAYERS and the README"
            ));
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for edge in &found {
        if let Some(krate) = edge.to.strip_prefix("crate:") {
            let owner = OWNED_CRATES.iter().find(|(k, _)| *k == krate).map(|(_, o)| *o);
            let helper = edge.file == TERMINAL_SIZE_HELPER.trim_start_matches("src/") && krate == "crossterm";
            if owner != Some(edge.from.as_str()) && !helper {
                problems.push(format!(
                    "src/{}:{}: {} uses {krate}, which only {} may use",
                    edge.file,
                    edge.line,
                    edge.from,
                    owner.unwrap_or("?")
                ));
            }
            continue;
        }
        if !modules.contains(&edge.to) {
            continue;
        }
        graph.entry(edge.from.clone()).or_default().insert(edge.to.clone());
        let may = allowed.get(edge.from.as_str()).copied().unwrap_or(&[]);
        if !may.contains(&edge.to.as_str()) {
            problems.push(format!(
                "src/{}:{}: {} uses {}, which the layering does not allow (it may use: {})",
                edge.file,
                edge.line,
                edge.from,
                edge.to,
                may.join(", ")
            ));
        }
    }
    for cycle in cycles(&graph) {
        let first = found.iter().find(|e| e.from == cycle[0] && e.to == cycle[1]);
        let at = first.map(|e| format!(" (src/{}:{})", e.file, e.line)).unwrap_or_default();
        problems.push(format!("cycle between top-level modules: {}{at}", cycle.join(" -> ")));
    }
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let code = text.lines().take_while(|l| !l.trim_start().starts_with("#[cfg(test)]")).count();
        if code > MAX_LINES_OF_CODE {
            problems.push(format!(
                "{}: {code} lines of code before its tests (at most {MAX_LINES_OF_CODE}); split it by job",
                file.strip_prefix(src.parent().unwrap_or(src)).unwrap_or(&file).display()
            ));
        }
    }
    problems
}

#[test]
fn the_sources_follow_the_layering() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = violations(&src);
    assert!(problems.is_empty(), "the layering is broken:\n{}", problems.join("\n"));
}

/// A small tree written to a temp dir, so the checker itself is tested.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let full = dir.path().join("src").join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    dir
}

#[test]
fn an_upward_use_is_named_with_its_file_and_line() {
    let dir = tree(&[
        ("model.rs", "pub struct Change;\n"),
        ("render/mod.rs", "//! Rendering.\n\nuse crate::model::Change;\nuse crate::store::Store;\n"),
        ("store/mod.rs", "use crate::model::Change;\npub struct Store;\n"),
    ]);
    let problems = violations(&dir.path().join("src"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("src/render/mod.rs:4: render uses store"), "{problems:?}");
}

#[test]
fn grouped_and_multi_line_uses_count() {
    let dir = tree(&[
        ("model.rs", ""),
        ("config.rs", ""),
        ("inspect/mod.rs", "use crate::{\n    model::Change,\n    config::{Config, Weights},\n};\n"),
    ]);
    let problems = violations(&dir.path().join("src"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("inspect uses config"), "{problems:?}");
}

#[test]
fn a_cycle_is_found_even_between_allowed_neighbours() {
    let dir = tree(&[("model.rs", "use crate::paths::xdg;\n"), ("paths.rs", "use crate::model::Change;\n")]);
    let problems = violations(&dir.path().join("src"));
    assert_eq!(
        problems,
        vec![
            "src/model.rs:1: model uses paths, which the layering does not allow (it may use: )",
            "cycle between top-level modules: model -> paths -> model (src/model.rs:1)",
            "cycle between top-level modules: paths -> model -> paths (src/paths.rs:1)",
        ]
    );
}

#[test]
fn an_owned_crate_outside_its_layer_is_refused_but_comments_and_strings_are_not_code() {
    let dir = tree(&[
        ("repo/mod.rs", "use git2::Repository;\n"),
        (
            "release/tree.rs",
            "// git2::Oid is not used here\nconst S: &str = \"git2::Oid\";\nfn f() { let _ = git2::Oid::zero(); }\n",
        ),
        ("main.rs", "fn main() { crossterm::terminal::size(); }\n"),
        ("cli/terminal.rs", "pub fn width() { crossterm::terminal::size(); }\n"),
    ]);
    let problems = violations(&dir.path().join("src"));
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("src/main.rs:1: cli uses crossterm"), "{problems:?}");
    assert!(problems[1].starts_with("src/release/tree.rs:3: release uses git2"), "{problems:?}");
}

#[test]
fn super_reaching_the_crate_root_names_a_module() {
    let dir = tree(&[("model.rs", ""), ("store.rs", ""), ("render/diff.rs", "use super::super::store::Store;\n")]);
    let problems = violations(&dir.path().join("src"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("render uses store"), "{problems:?}");
}

#[test]
fn a_long_file_is_named() {
    let long = "fn f() {}\n".repeat(801) + "#[cfg(test)]\nmod tests {}\n";
    let short = "fn f() {}\n".repeat(800) + "#[cfg(test)]\nmod tests {\n" + &"\n".repeat(900) + "}\n";
    let dir = tree(&[("model.rs", &long), ("paths.rs", &short)]);
    let problems = violations(&dir.path().join("src"));
    assert_eq!(problems, vec!["src/model.rs: 801 lines of code before its tests (at most 800); split it by job"]);
}
