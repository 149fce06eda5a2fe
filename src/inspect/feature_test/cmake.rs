//! CMake's checks: `check_c_source_compiles("…" VAR)` and its kin, the
//! header and symbol checks (whose programs CMake writes from a template),
//! and `try_compile(… SOURCE_FROM_CONTENT …)`. Arguments are read the way
//! CMake reads them: quoted (with `\"` escapes), bracketed or unquoted, and
//! `${VAR}` expanded from the `set()` calls above.

use std::collections::HashMap;

use super::{Check, Lang, Src};

/// One argument, evaluated, and the variables it read.
#[derive(Debug, Default)]
struct Arg {
    value: String,
    refs: Vec<String>,
}

/// One command call: its name (lower case), first and last line, arguments.
#[derive(Debug)]
struct Command {
    name: String,
    line: u32,
    end: u32,
    args: Vec<Arg>,
}

/// References nested deeper than this are text (a hostile file must not
/// run the parser out of stack).
const MAX_NESTING: usize = 16;

/// A variable's value and the lines of the `set()` that gave it.
type Vars = HashMap<String, (String, (u32, u32))>;

pub(super) fn checks(src: &Src) -> Vec<Check> {
    let mut vars: Vars = HashMap::new();
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let Some(c) = src.at(i) else { break };
        if c == '#' {
            i = skip_comment(src, i);
            continue;
        }
        if let Some(word) = src.word(i) {
            let mut at = i + word.chars().count();
            while matches!(src.at(at), Some(' ' | '\t')) {
                at += 1;
            }
            if src.at(at) == Some('(') {
                let (args, end) = arguments(src, at + 1, &vars);
                let command = Command { name: word.to_ascii_lowercase(), line: src.line(i), end: src.line(end), args };
                if command.name == "set" {
                    record_set(&command, &mut vars);
                } else if let Some(check) = check(&command, &vars) {
                    out.push(check);
                }
                i = end + 1;
                continue;
            }
            i = at;
            continue;
        }
        i += 1;
    }
    out
}

/// Past a `#` comment: a bracket comment `#[[…]]` or the rest of the line.
fn skip_comment(src: &Src, i: usize) -> usize {
    if let Some((level, open_end)) = bracket_open(src, i + 1) {
        return bracket_close(src, open_end, level).map_or(src.len(), |(_, after)| after);
    }
    (i..src.len()).find(|j| src.at(*j) == Some('\n')).unwrap_or(src.len())
}

/// `[`, `=`×level, `[` at `i`: the level and the index after it.
fn bracket_open(src: &Src, i: usize) -> Option<(usize, usize)> {
    if src.at(i) != Some('[') {
        return None;
    }
    let mut j = i + 1;
    while src.at(j) == Some('=') {
        j += 1;
    }
    (src.at(j) == Some('[')).then_some((j - i - 1, j + 1))
}

/// The close of a bracket of `level` from `i`: where it starts and the
/// index after it.
fn bracket_close(src: &Src, i: usize, level: usize) -> Option<(usize, usize)> {
    let close = format!("]{}]", "=".repeat(level));
    (i..src.len()).find(|j| src.starts_with(*j, &close)).map(|j| (j, j + close.len()))
}

/// The arguments from `i` (just after `(`) to the matching `)`, and that
/// paren's index.
fn arguments(src: &Src, mut i: usize, vars: &Vars) -> (Vec<Arg>, usize) {
    let mut args = Vec::new();
    let mut depth = 0usize;
    while i < src.len() {
        let Some(c) = src.at(i) else { break };
        match c {
            ')' if depth == 0 => return (args, i),
            ')' => {
                depth -= 1;
                i += 1;
            }
            '(' => {
                depth += 1;
                i += 1;
            }
            '#' => i = skip_comment(src, i),
            '"' => {
                let (arg, after) = quoted(src, i + 1, vars);
                args.push(arg);
                i = after;
            }
            '[' if bracket_open(src, i).is_some() => {
                let Some((level, open_end)) = bracket_open(src, i) else { break };
                // The first newline after the opening bracket is not content.
                let start = if src.at(open_end) == Some('\n') { open_end + 1 } else { open_end };
                let (end, after) = bracket_close(src, start, level).unwrap_or((src.len(), src.len()));
                args.push(Arg { value: src.text(start, end), refs: Vec::new() });
                i = after;
            }
            c if c.is_whitespace() => i += 1,
            _ => {
                let (arg, after) = unquoted(src, i, vars);
                args.push(arg);
                i = after;
            }
        }
    }
    (args, src.len())
}

/// A quoted argument from `i` (after the `"`): its value and the index
/// after the closing quote.
fn quoted(src: &Src, mut i: usize, vars: &Vars) -> (Arg, usize) {
    let mut arg = Arg::default();
    while let Some(c) = src.at(i) {
        match c {
            '"' => return (arg, i + 1),
            '\\' => i = escape(src, i, &mut arg.value),
            '$' => i = reference(src, i, vars, &mut arg, 0),
            _ => {
                arg.value.push(c);
                i += 1;
            }
        }
    }
    (arg, src.len())
}

/// An unquoted argument from `i`: up to whitespace, a paren or a quote.
fn unquoted(src: &Src, mut i: usize, vars: &Vars) -> (Arg, usize) {
    let mut arg = Arg::default();
    while let Some(c) = src.at(i) {
        match c {
            c if c.is_whitespace() || matches!(c, '(' | ')' | '"' | '#') => break,
            '\\' => i = escape(src, i, &mut arg.value),
            '$' => i = reference(src, i, vars, &mut arg, 0),
            _ => {
                arg.value.push(c);
                i += 1;
            }
        }
    }
    (arg, i)
}

/// The escape at `i` (a backslash) into `out`; the index after it.
fn escape(src: &Src, i: usize, out: &mut String) -> usize {
    match src.at(i + 1) {
        Some('n') => out.push('\n'),
        Some('t') => out.push('\t'),
        Some('r') => out.push('\r'),
        // A line continuation.
        Some('\n') => {}
        Some(c) if c.is_ascii_alphanumeric() => {
            out.push('\\');
            out.push(c);
        }
        Some(c) => out.push(c),
        None => return i + 1,
    }
    i + 2
}

/// `${NAME}` (names may nest: `${A_${B}}`, up to [`MAX_NESTING`] deep) at
/// `i`, expanded into `arg`; `$ENV{…}` and `$CACHE{…}` expand to nothing.
/// A `$` alone is itself.
fn reference(src: &Src, i: usize, vars: &Vars, arg: &mut Arg, depth: usize) -> usize {
    let open = if depth >= MAX_NESTING {
        arg.value.push('$');
        return i + 1;
    } else if src.at(i + 1) == Some('{') {
        i + 2
    } else if src.starts_with(i + 1, "ENV{") {
        i + 5
    } else if src.starts_with(i + 1, "CACHE{") {
        i + 7
    } else {
        arg.value.push('$');
        return i + 1;
    };
    let mut name = Arg::default();
    let mut j = open;
    while let Some(c) = src.at(j) {
        match c {
            '}' => break,
            '$' => j = reference(src, j, vars, &mut name, depth + 1),
            '"' | '\n' => break,
            _ => {
                name.value.push(c);
                j += 1;
            }
        }
    }
    if src.at(j) != Some('}') {
        // Not a reference after all: keep the text.
        arg.value.push_str(&src.text(i, j));
        return j;
    }
    arg.refs.extend(name.refs);
    if open == i + 2 {
        if let Some((value, _)) = vars.get(&name.value) {
            arg.value.push_str(value);
        }
        arg.refs.push(name.value);
    }
    j + 1
}

/// `set(VAR value…)`: the values joined by `;` (CMake's lists), without a
/// trailing `CACHE type doc` or `PARENT_SCOPE`.
fn record_set(command: &Command, vars: &mut Vars) {
    let Some((name, rest)) = command.args.split_first() else { return };
    let mut values: Vec<&str> = rest.iter().map(|a| a.value.as_str()).collect();
    if let Some(cache) = values.iter().position(|v| *v == "CACHE") {
        values.truncate(cache);
    }
    if values.last() == Some(&"PARENT_SCOPE") {
        values.pop();
    }
    vars.insert(name.value.clone(), (values.join(";"), (command.line, command.end)));
}

/// The check a command is, if it is one.
fn check(command: &Command, vars: &Vars) -> Option<Check> {
    let arg = |i: usize| command.args.get(i).map(|a| a.value.as_str()).unwrap_or("");
    let lang_of = |name: &str| if name.contains("cxx") { Lang::Cxx } else { Lang::C };
    let (result, source, program, lang) = match command.name.as_str() {
        "check_c_source_compiles" | "check_c_source_runs" | "check_cxx_source_compiles" | "check_cxx_source_runs" => {
            (arg(1), Some(0), Some(arg(0).to_string()), lang_of(&command.name))
        }
        "check_source_compiles" | "check_source_runs" => {
            let lang = match arg(0).to_ascii_uppercase().as_str() {
                "C" => Some(Lang::C),
                "CXX" => Some(Lang::Cxx),
                _ => None,
            };
            (arg(2), Some(1), lang.map(|_| arg(1).to_string()), lang.unwrap_or(Lang::C))
        }
        "check_symbol_exists" | "check_cxx_symbol_exists" => {
            (arg(2), None, Some(symbol_program(arg(0), arg(1))), lang_of(&command.name))
        }
        "check_include_file" | "check_include_file_cxx" | "check_include_files" => {
            let lang = match command.args.iter().position(|a| a.value == "LANGUAGE") {
                Some(at) if arg(at + 1).eq_ignore_ascii_case("cxx") => Lang::Cxx,
                _ => lang_of(&command.name),
            };
            (arg(1), None, Some(format!("{}\nint main(void) {{ return 0; }}\n", includes(arg(0)))), lang)
        }
        "check_struct_has_member" => {
            let program = format!(
                "{}\nint main(void)\n{{\n  (void)sizeof((({} *)0)->{});\n  return 0;\n}}\n",
                includes(arg(2)),
                arg(0),
                arg(1)
            );
            let lang =
                if command.args.iter().any(|a| a.value.eq_ignore_ascii_case("cxx")) { Lang::Cxx } else { Lang::C };
            (arg(3), None, Some(program), lang)
        }
        "try_compile" | "try_run" => {
            let result = if command.name == "try_run" { arg(1) } else { arg(0) };
            let content = command.args.iter().position(|a| a.value == "SOURCE_FROM_CONTENT");
            let program = content.map(|at| arg(at + 2).to_string());
            let file = content.map(|at| arg(at + 1).to_ascii_lowercase()).unwrap_or_default();
            let lang =
                if [".cpp", ".cxx", ".cc", ".c++"].iter().any(|e| file.ends_with(e)) { Lang::Cxx } else { Lang::C };
            (result, content.map(|at| at + 2), program, lang)
        }
        _ => return None,
    };
    let mut spans = vec![(command.line, command.end)];
    if let Some(arg) = source.and_then(|i| command.args.get(i)) {
        spans.extend(arg.refs.iter().filter_map(|name| vars.get(name)).map(|(_, span)| *span));
    }
    let name = if result.is_empty() { command.name.clone() } else { format!("{} {result}", command.name) };
    let program = program.filter(|p| !p.trim().is_empty());
    Some(Check { name, line: command.line, spans, program, lang })
}

/// `#include` lines for a CMake list of headers (`a.h;b.h`).
fn includes(list: &str) -> String {
    list.split(';').map(str::trim).filter(|h| !h.is_empty()).map(|h| format!("#include <{h}>\n")).collect()
}

/// The program `check_symbol_exists` compiles (CMake's template).
fn symbol_program(symbol: &str, headers: &str) -> String {
    format!(
        "{}\nint main(int argc, char** argv)\n{{\n  (void)argv;\n#ifndef {symbol}\n  return ((int*)(&{symbol}))[argc];\n#else\n  (void)argc;\n  return 0;\n#endif\n}}\n",
        includes(headers)
    )
}

#[cfg(test)]
mod tests {
    use super::super::{checks, Syntax};
    use super::*;

    /// xz-utils' CMakeLists.txt around its Landlock check (5.6.x).
    const XZ: &str = r#"if(ENABLE_SANDBOX STREQUAL "landlock" OR ENABLE_SANDBOX STREQUAL "auto")
    # A compile check is done here because some systems have
    # linux/landlock.h, but do not have the syscalls defined
    # in order to actually use Linux Landlock.
    check_c_source_compiles("
        #include <linux/landlock.h>
        #include <sys/syscall.h>
        #include <sys/prctl.h>

        void my_sandbox(void)
        {
            (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            (void)SYS_landlock_create_ruleset;
            (void)SYS_landlock_restrict_self;
            (void)LANDLOCK_CREATE_RULESET_VERSION;
            return;
        }

        int main(void) { return 0; }
        "
    HAVE_LINUX_LANDLOCK)

    if(HAVE_LINUX_LANDLOCK)
        set(SANDBOX_FOUND ON)
    endif()
endif()
"#;

    #[test]
    fn the_xz_landlock_check_is_found_with_its_program() {
        let found = checks(Syntax::CMake, XZ);
        assert_eq!(found.len(), 1, "{found:#?}");
        let c = &found[0];
        assert_eq!(c.name, "check_c_source_compiles HAVE_LINUX_LANDLOCK");
        assert_eq!((c.line, c.spans.clone()), (5, vec![(5, 21)]));
        let program = c.program.as_deref().unwrap_or("");
        assert!(program.starts_with("\n        #include <linux/landlock.h>\n"), "{program}");
        assert!(program.contains("int main(void) { return 0; }"));
        assert_eq!(c.lang, Lang::C);
    }

    #[test]
    fn escapes_variables_brackets_and_comments() {
        let text = r##"# check_c_source_compiles("int main(){}" COMMENTED)
set(HDR "stdio.h")
set(CHECK_SRC "#include <${HDR}>
int main(void) { puts(\"a \\\"quoted\\\" word\"); return 0; }")
check_c_source_compiles("${CHECK_SRC}" HAVE_PUTS)
#[[ a bracket comment: check_include_file(x.h NOPE) ]]
check_cxx_source_compiles([=[
#include <vector>
int main() { std::vector<int> v; return v[0]; }
]=] HAVE_VECTOR)
CHECK_SYMBOL_EXISTS(getrandom "sys/random.h;unistd.h" HAVE_GETRANDOM)
check_include_files("sys/types.h;sys/mman.h" HAVE_MMAN LANGUAGE C)
try_compile(HAVE_INLINE SOURCE_FROM_CONTENT inline.c "static inline int f(void) { return 0; }\nint main(void) { return f(); }")
"##;
        let found = checks(Syntax::CMake, text);
        let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "check_c_source_compiles HAVE_PUTS",
                "check_cxx_source_compiles HAVE_VECTOR",
                "check_symbol_exists HAVE_GETRANDOM",
                "check_include_files HAVE_MMAN",
                "try_compile HAVE_INLINE"
            ]
        );
        let puts = found[0].program.as_deref().unwrap_or("");
        assert_eq!(puts, "#include <stdio.h>\nint main(void) { puts(\"a \\\"quoted\\\" word\"); return 0; }");
        assert_eq!(found[0].spans, vec![(5, 5), (3, 4)], "the call and the set() it reads");
        assert_eq!(found[1].program.as_deref().map(|p| p.starts_with("#include <vector>")), Some(true));
        assert_eq!(found[1].lang, Lang::Cxx);
        let symbol = found[2].program.as_deref().unwrap_or("");
        assert!(
            symbol.contains("#include <sys/random.h>\n#include <unistd.h>\n") && symbol.contains("#ifndef getrandom")
        );
        assert!(found[3].program.as_deref().is_some_and(|p| p.contains("#include <sys/mman.h>")));
        assert_eq!(
            found[4].program.as_deref(),
            Some("static inline int f(void) { return 0; }\nint main(void) { return f(); }")
        );
    }

    #[test]
    fn deep_nesting_is_text_not_a_stack_overflow() {
        let text = format!("check_c_source_compiles(\"{}x{}\" DEEP)\n", "${".repeat(200_000), "}".repeat(200_000));
        let found = checks(Syntax::CMake, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "check_c_source_compiles DEEP");
    }

    #[test]
    fn a_check_of_a_source_file_has_no_program_and_escaped_dollars_stay() {
        let text = "try_compile(R ${CMAKE_BINARY_DIR} SOURCES ${CMAKE_SOURCE_DIR}/t.c)\n\
                    check_c_source_compiles(\"int main(void) { return \\${X}; }\" LITERAL)\n";
        let found = checks(Syntax::CMake, text);
        assert_eq!((found[0].name.as_str(), found[0].program.is_none()), ("try_compile R", true));
        assert_eq!(found[1].program.as_deref(), Some("int main(void) { return ${X}; }"));
    }
}
