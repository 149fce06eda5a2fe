//! Which grammar a file gets: by its name, its extensions, or its first
//! line, with aliases for files bat's syntax set does not know.

use syntect::parsing::{SyntaxReference, SyntaxSet};

use super::sets::syntax_set;

const BASH: &str = "Bourne Again Shell (bash)";

/// File names bat's syntax set does not know, mapped to the closest grammar.
/// These tables are consulted before bat's own lists.
const NAME_ALIASES: &[(&str, &str)] = &[("configure.ac", BASH), ("configure.in", BASH), ("aclocal.m4", BASH)];

/// Extensions bat's syntax set does not know, or maps to a grammar that is
/// seldom right: Autoconf/m4 sources are mostly shell with `#` comments,
/// which the bash grammar reads well; `.h` would be Objective-C (the last
/// grammar claiming it) and is far more often C.
const EXTENSION_ALIASES: &[(&str, &str)] = &[("h", "C"), ("m4", BASH), ("ac", BASH)];

/// File name prefixes for variants such as `Dockerfile.dev`.
const PREFIX_ALIASES: &[(&str, &str)] =
    &[("Dockerfile", "Dockerfile"), ("Containerfile", "Dockerfile"), ("Makefile", "Makefile")];

/// The grammar for a file: by its name (`Makefile`, `CMakeLists.txt`), then
/// by its extensions, longest first (`config.h.in` tries `h.in`, then
/// `in`), then by its first line (a shebang or a mode line), else plain
/// text. `path` may include directories (`/`-separated, as git has them).
pub fn syntax_for(path: &str, first_line: &str) -> &'static SyntaxReference {
    let set = syntax_set();
    let name = path.rsplit('/').next().unwrap_or(path);
    by_file_name(set, name)
        .or_else(|| set.find_syntax_by_first_line(first_line))
        .unwrap_or_else(|| set.find_syntax_plain_text())
}

fn by_file_name<'a>(set: &'a SyntaxSet, name: &str) -> Option<&'a SyntaxReference> {
    if name.is_empty() {
        return None;
    }
    let alias = |table: &[(&str, &str)], key: &str| {
        table.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).and_then(|(_, syntax)| set.find_syntax_by_name(syntax))
    };
    if let Some(syntax) = alias(NAME_ALIASES, name).or_else(|| set.find_syntax_by_extension(name)) {
        return Some(syntax);
    }
    for (i, _) in name.match_indices('.') {
        let ext = &name[i + 1..];
        if ext.is_empty() {
            continue;
        }
        if let Some(syntax) = alias(EXTENSION_ALIASES, ext).or_else(|| set.find_syntax_by_extension(ext)) {
            return Some(syntax);
        }
    }
    PREFIX_ALIASES
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .and_then(|(_, syntax)| set.find_syntax_by_name(syntax))
}
