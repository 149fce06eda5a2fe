//! autoconf's checks (`configure.ac`, `*.m4`): `AC_COMPILE_IFELSE`,
//! `AC_LINK_IFELSE`, `AC_RUN_IFELSE`, `AC_PREPROC_IFELSE` and the older
//! `AC_TRY_*`, with their programs as m4 hands them to the compiler:
//! `AC_LANG_PROGRAM([[prologue]], [[body]])` becomes the prologue and a
//! `main` running the body, one level of `[ ]` quotes comes off per m4
//! pass, and quadrigraphs (`@%:@` for `#`) are decoded.

use super::{Check, Lang, Src};

/// The macros whose first arguments are a program (`true`: the first two
/// are a prologue and a body, as in `AC_TRY_LINK`).
const CHECKS: &[(&str, bool)] = &[
    ("AC_COMPILE_IFELSE", false),
    ("AC_LINK_IFELSE", false),
    ("AC_RUN_IFELSE", false),
    ("AC_PREPROC_IFELSE", false),
    ("AC_TRY_COMPILE", true),
    ("AC_TRY_LINK", true),
    ("AC_TRY_RUN", false),
    ("AC_TRY_CPP", false),
];

/// How far above a check its `AC_MSG_CHECKING` may be to name it.
const MESSAGE_REACH: u32 = 20;

/// One macro argument: its raw text (quotes kept) and its last line.
#[derive(Debug)]
struct Arg {
    raw: String,
    end: u32,
}

pub(super) fn checks(src: &Src) -> Vec<Check> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut langs = vec![Lang::C];
    let mut message: Option<(String, u32)> = None;
    let mut i = 0;
    while i < src.len() {
        let Some(c) = src.at(i) else { break };
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            // An m4 comment (outside quotes) runs to the end of the line.
            '#' if depth == 0 => {
                i = line_end(src, i);
                continue;
            }
            _ => {}
        }
        let Some(word) = src.word(i) else {
            i += 1;
            continue;
        };
        let open = i + word.chars().count();
        if word == "dnl" {
            i = line_end(src, i);
            continue;
        }
        if src.at(open) != Some('(') {
            i = open;
            continue;
        }
        let check = CHECKS.iter().find(|(name, _)| *name == word);
        let context =
            matches!(word.as_str(), "AC_MSG_CHECKING" | "AC_CACHE_CHECK" | "AC_LANG_PUSH" | "AC_LANG" | "AC_LANG_POP");
        if check.is_none() && !context {
            i = open + 1;
            continue;
        }
        let (args, _) = arguments(src, open + 1);
        let first = args.first().map(|a| unquote(&a.raw)).unwrap_or_default();
        match word.as_str() {
            "AC_MSG_CHECKING" | "AC_CACHE_CHECK" => message = Some((first.trim().to_string(), src.line(i))),
            "AC_LANG_PUSH" | "AC_LANG" => {
                let lang = if first.trim() == "C++" { Lang::Cxx } else { Lang::C };
                if word == "AC_LANG" {
                    langs.pop();
                }
                langs.push(lang);
            }
            "AC_LANG_POP" if langs.len() > 1 => {
                langs.pop();
            }
            _ => {}
        }
        if let Some((_, split)) = check {
            let line = src.line(i);
            let program_args = if *split { 2 } else { 1 };
            let last = args.iter().take(program_args).map(|a| a.end).max().unwrap_or(line);
            let program = if *split {
                let part = |n: usize| args.get(n).map(|a| unquote(&a.raw)).unwrap_or_default();
                Some(lang_program(&part(0), &part(1)))
            } else {
                args.first().and_then(|a| program(&unquote(&a.raw)))
            };
            // A message names the first check after it.
            let named = message.take().filter(|(_, at)| line.saturating_sub(*at) <= MESSAGE_REACH);
            let name = match named {
                Some((text, _)) if !text.is_empty() => format!("{word} checking {}", text.trim_end_matches("...")),
                _ => word.clone(),
            };
            out.push(Check {
                name,
                line,
                spans: vec![(line, last.max(line))],
                program: program.map(|p| quadrigraphs(&p)).filter(|p| !p.trim().is_empty()),
                lang: langs.last().copied().unwrap_or(Lang::C),
            });
        }
        // Read on inside the arguments: checks nest in actions.
        i = open + 1;
    }
    out
}

/// The index of the newline ending the line of `i`.
fn line_end(src: &Src, i: usize) -> usize {
    (i..src.len()).find(|j| src.at(*j) == Some('\n')).unwrap_or(src.len())
}

/// A macro's arguments from `i` (after its `(`), as m4 collects them:
/// leading whitespace dropped, commas inside quotes or parentheses kept,
/// comments copied whole; and the index of the closing `)`.
fn arguments(src: &Src, mut i: usize) -> (Vec<Arg>, usize) {
    let mut args = Vec::new();
    let (mut quotes, mut parens) = (0usize, 0usize);
    let mut current = String::new();
    let mut started = false;
    while let Some(c) = src.at(i) {
        if !started {
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            started = true;
        }
        match c {
            '[' => quotes += 1,
            ']' => quotes = quotes.saturating_sub(1),
            '#' if quotes == 0 => {
                let end = line_end(src, i);
                current.push_str(&src.text(i, end));
                i = end;
                continue;
            }
            '(' if quotes == 0 => parens += 1,
            ')' if quotes == 0 && parens == 0 => {
                args.push(Arg { raw: std::mem::take(&mut current), end: src.line(i) });
                return (args, i);
            }
            ')' if quotes == 0 => parens -= 1,
            ',' if quotes == 0 && parens == 0 => {
                args.push(Arg { raw: std::mem::take(&mut current), end: src.line(i) });
                started = false;
                i += 1;
                continue;
            }
            _ => {}
        }
        current.push(c);
        i += 1;
    }
    (args, src.len())
}

/// The text with one level of m4 quotes taken off (comments kept whole).
fn unquote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut comment = false;
    for c in text.chars() {
        if comment {
            comment = c != '\n';
            out.push(c);
            continue;
        }
        match c {
            '[' => {
                if depth > 0 {
                    out.push(c);
                }
                depth += 1;
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth > 0 {
                    out.push(c);
                }
            }
            '#' if depth == 0 => {
                comment = true;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The program an `AC_*_IFELSE` argument (one quote level off) stands for:
/// an `AC_LANG_*` macro expanded, literal text as it is, `None` for a
/// shell variable or a macro of the project's own.
fn program(text: &str) -> Option<String> {
    let text = text.trim();
    let call = |name: &str| -> Option<Vec<String>> {
        let rest = text.strip_prefix(name)?.strip_prefix('(')?;
        let src = Src::new(rest);
        let (args, _) = arguments(&src, 0);
        // Collected (one level off), then expanded and read again (another).
        Some(args.iter().map(|a| unquote(&unquote(&a.raw))).collect())
    };
    let arg = |args: &[String], n: usize| args.get(n).cloned().unwrap_or_default();
    if let Some(args) = call("AC_LANG_PROGRAM") {
        return Some(lang_program(&arg(&args, 0), &arg(&args, 1)));
    }
    if let Some(args) = call("AC_LANG_SOURCE") {
        return Some(arg(&args, 0));
    }
    if let Some(args) = call("AC_LANG_CALL") {
        let function = arg(&args, 1);
        let body = format!("return {function} ();");
        return Some(lang_program(&format!("{}\nchar {function} (void);", arg(&args, 0)), &body));
    }
    if let Some(args) = call("AC_LANG_FUNC_LINK_TRY") {
        let function = arg(&args, 0);
        return Some(lang_program(&format!("char {function} (void);"), &format!("return {function} ();")));
    }
    let starts_like_code = text.starts_with('#') || text.starts_with("/*") || text.contains(';');
    let a_macro = text.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !starts_like_code;
    if text.is_empty() || text.starts_with('$') || a_macro {
        return None;
    }
    // Text passed as is is read once more by m4.
    Some(unquote(text))
}

/// `AC_LANG_PROGRAM(prologue, body)` for C.
fn lang_program(prologue: &str, body: &str) -> String {
    format!("{prologue}\nint\nmain (void)\n{{\n{body}\n  ;\n  return 0;\n}}\n")
}

/// autoconf's quadrigraphs decoded (`@%:@` is `#`, `@<:@` is `[`, …).
fn quadrigraphs(text: &str) -> String {
    [("@<:@", "["), ("@:>@", "]"), ("@S|@", "$"), ("@%:@", "#"), ("@{:@", "("), ("@:}@", ")"), ("@&t@", "")]
        .iter()
        .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
}

#[cfg(test)]
mod tests {
    use super::super::{checks, Syntax};
    use super::*;

    const CONFIGURE: &str = r#"AC_INIT([x], [1.0])
dnl AC_LINK_IFELSE([AC_LANG_PROGRAM([[int a;]], [[]])]) in a comment
# AC_COMPILE_IFELSE([also a comment])
AC_MSG_CHECKING([if Linux Landlock is supported])
AC_LINK_IFELSE([AC_LANG_PROGRAM([[
#include <linux/landlock.h>
#include <sys/syscall.h>
static int a[2], b[[3]];
]], [[
    (void)SYS_landlock_create_ruleset;
    (void)LANDLOCK_CREATE_RULESET_VERSION;
]])], [
    AC_MSG_RESULT([yes])
    AC_DEFINE([HAVE_LINUX_LANDLOCK], [1], [Landlock])
], [
    AC_MSG_RESULT([no])
])
AC_CACHE_CHECK([for __builtin_bswap16], [x_cv_bswap],
    [AC_COMPILE_IFELSE([AC_LANG_SOURCE([[int main(void) { return __builtin_bswap16(1) == 256 ? 0 : 1; }]])],
        [x_cv_bswap=yes], [x_cv_bswap=no])])
AC_TRY_COMPILE([#include <sys/types.h>], [off_t o = 0; (void)o;], [have_off_t=yes])
AC_LANG_PUSH([C++])
AC_COMPILE_IFELSE([AC_LANG_PROGRAM([@%:@include <vector>], [std::vector<int> v@<:@2@:>@;])], [], [])
AC_LANG_POP([C++])
AC_RUN_IFELSE([$program], [], [])
"#;

    #[test]
    fn autoconf_checks_with_m4_quoting() {
        let found = checks(Syntax::Autoconf, CONFIGURE);
        let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "AC_LINK_IFELSE checking if Linux Landlock is supported",
                "AC_COMPILE_IFELSE checking for __builtin_bswap16",
                "AC_TRY_COMPILE",
                "AC_COMPILE_IFELSE",
                "AC_RUN_IFELSE",
            ]
        );
        let landlock = &found[0];
        assert_eq!((landlock.line, landlock.spans.clone()), (5, vec![(5, 12)]), "the program, not its actions");
        let program = landlock.program.as_deref().unwrap_or("");
        assert!(program.contains("#include <linux/landlock.h>\n#include <sys/syscall.h>\n"), "{program}");
        assert!(program.contains("static int a[2], b[[3]];"), "[[ ]] quoting keeps brackets: {program}");
        assert!(program.contains("int\nmain (void)\n{\n\n    (void)SYS_landlock_create_ruleset;"), "{program}");
        assert!(program.ends_with("  ;\n  return 0;\n}\n"));
        assert_eq!(found[1].program.as_deref(), Some("int main(void) { return __builtin_bswap16(1) == 256 ? 0 : 1; }"));
        let try_compile = found[2].program.as_deref().unwrap_or("");
        assert!(try_compile.starts_with("#include <sys/types.h>\nint\nmain (void)\n{\noff_t o = 0; (void)o;\n"));
        let cxx = &found[3];
        assert_eq!(cxx.lang, Lang::Cxx);
        assert!(cxx.program.as_deref().is_some_and(|p| p.starts_with("#include <vector>") && p.contains("v[2];")));
        assert_eq!(found[4].program, None, "a shell variable's program is not in the file");
        assert_eq!(found[4].lang, Lang::C, "after AC_LANG_POP");
    }

    #[test]
    fn checks_inside_an_m4_macro_definition_are_found() {
        let m4 = "AC_DEFUN([X_CHECK_POLL], [\n  AC_CACHE_CHECK([for poll], [x_cv_poll], [\n    AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <poll.h>]],\n      [[struct pollfd p; return poll(&p, 1, 0);]])],\n      [x_cv_poll=yes], [x_cv_poll=no])])\n])\n";
        let found = checks(Syntax::Autoconf, m4);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].spans.clone()), (3, vec![(3, 4)]));
        assert_eq!(found[0].name, "AC_LINK_IFELSE checking for poll");
        assert!(found[0].program.as_deref().is_some_and(|p| p.starts_with("#include <poll.h>\nint\nmain (void)")));
    }

    #[test]
    fn unquote_takes_one_level() {
        assert_eq!(unquote("[a [b] c]"), "a [b] c");
        assert_eq!(unquote("[[x]]"), "[x]");
        assert_eq!(unquote("#include <a[1]>"), "#include <a[1]>", "a comment is copied");
    }
}
