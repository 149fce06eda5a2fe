//! meson's checks: `cc.compiles(code)`, `cc.links(code)`, `cc.run(code)`,
//! `cc.has_header('x.h')` and `cc.has_header_symbol('x.h', 'sym')`, with
//! code as a `'…'` or `'''…'''` string, a `+` of strings, or a variable
//! assigned one above.

use std::collections::{HashMap, HashSet};

use super::{Check, Lang, Src};

const METHODS: &[&str] = &["compiles", "links", "run", "has_header", "has_header_symbol"];

/// A string variable's value and the lines of its assignment.
type Vars = HashMap<String, (String, (u32, u32))>;

pub(super) fn checks(src: &Src) -> Vec<Check> {
    let mut vars: Vars = HashMap::new();
    let mut cxx: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let Some(c) = src.at(i) else { break };
        if c == '#' {
            i = line_end(src, i);
            continue;
        }
        if c == '\'' || (c == 'f' && src.at(i + 1) == Some('\'')) {
            i = string(src, i).map_or(src.len(), |(_, after)| after);
            continue;
        }
        let Some(word) = src.word(i) else {
            i += 1;
            continue;
        };
        let after = i + word.chars().count();
        let next = skip_blanks(src, after);
        if src.at(next) == Some('=') && src.at(next + 1) != Some('=') {
            let value = skip_blanks(src, next + 1);
            let end = expression_end(src, value);
            let text = src.text(value, end);
            if text.starts_with("meson.get_compiler(") && (text.contains("'cpp'") || text.contains("'cxx'")) {
                cxx.insert(word.clone());
            } else if let Some((v, _)) = evaluate(&text, &vars) {
                vars.insert(word, (v, (src.line(i), src.line(end.saturating_sub(1).max(value)))));
            }
            i = value;
            continue;
        }
        if src.at(after) == Some('.') {
            let method = src.word(after + 1).unwrap_or_default();
            let open = after + 1 + method.chars().count();
            if METHODS.contains(&method.as_str()) && src.at(open) == Some('(') {
                let (args, close) = arguments(src, open + 1);
                let lang = if cxx.contains(&word) || word.contains("cpp") || word.contains("cxx") {
                    Lang::Cxx
                } else {
                    Lang::C
                };
                out.push(check(&word, &method, &args, &vars, (src.line(i), src.line(close)), lang));
                i = open + 1;
                continue;
            }
        }
        i = after;
    }
    out
}

fn line_end(src: &Src, i: usize) -> usize {
    (i..src.len()).find(|j| src.at(*j) == Some('\n')).unwrap_or(src.len())
}

fn skip_blanks(src: &Src, mut i: usize) -> usize {
    while matches!(src.at(i), Some(' ' | '\t')) {
        i += 1;
    }
    i
}

/// The string literal at `i` (`'…'`, `'''…'''`, `f'…'`): its value and
/// the index after it.
fn string(src: &Src, mut i: usize) -> Option<(String, usize)> {
    if src.at(i) == Some('f') {
        i += 1;
    }
    if src.starts_with(i, "'''") {
        let body = i + 3;
        let end = (body..src.len()).find(|j| src.starts_with(*j, "'''"))?;
        return Some((src.text(body, end), end + 3));
    }
    if src.at(i) != Some('\'') {
        return None;
    }
    let mut out = String::new();
    let mut j = i + 1;
    while let Some(c) = src.at(j) {
        match c {
            '\'' => return Some((out, j + 1)),
            '\n' => return None,
            '\\' => {
                match src.at(j + 1) {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some(e @ ('\\' | '\'')) => out.push(e),
                    Some(e) => {
                        out.push('\\');
                        out.push(e);
                    }
                    None => {}
                }
                j += 2;
            }
            _ => {
                out.push(c);
                j += 1;
            }
        }
    }
    None
}

/// Where an expression from `i` ends: at a newline outside brackets and
/// strings.
fn expression_end(src: &Src, mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some(c) = src.at(i) {
        match c {
            '\'' | 'f' if c == '\'' || src.at(i + 1) == Some('\'') => {
                i = string(src, i).map_or(src.len(), |(_, after)| after);
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '#' => return i,
            '\n' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    src.len()
}

/// A call's arguments from `i` (after `(`), as raw texts, and the index of
/// the closing `)`.
fn arguments(src: &Src, mut i: usize) -> (Vec<String>, usize) {
    let mut args = Vec::new();
    let mut start = i;
    let mut depth = 0usize;
    while let Some(c) = src.at(i) {
        match c {
            '\'' | 'f' if c == '\'' || src.at(i + 1) == Some('\'') => {
                i = string(src, i).map_or(src.len(), |(_, after)| after);
                continue;
            }
            '#' => {
                i = line_end(src, i);
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' if depth == 0 => {
                args.push(src.text(start, i));
                return (args, i);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                args.push(src.text(start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    (args, src.len())
}

/// The value of a string expression: literals and known variables joined
/// by `+`, and the assignments it read. `None` for anything else.
fn evaluate(text: &str, vars: &Vars) -> Option<(String, Vec<(u32, u32)>)> {
    let src = Src::new(text.trim());
    let mut value = String::new();
    let mut spans = Vec::new();
    let mut i = 0;
    let mut expect_term = true;
    while i < src.len() {
        let c = src.at(i)?;
        if c.is_whitespace() {
            i += 1;
        } else if expect_term && (c == '\'' || (c == 'f' && src.at(i + 1) == Some('\''))) {
            let (s, after) = string(&src, i)?;
            value.push_str(&s);
            i = after;
            expect_term = false;
        } else if expect_term && src.word(i).is_some() {
            let word = src.word(i)?;
            let (v, span) = vars.get(&word)?;
            value.push_str(v);
            spans.push(*span);
            i += word.chars().count();
            expect_term = false;
        } else if !expect_term && c == '+' {
            i += 1;
            expect_term = true;
        } else {
            return None;
        }
    }
    (!expect_term).then_some((value, spans))
}

/// A `name: value` keyword argument's value, evaluated.
fn keyword(args: &[String], key: &str, vars: &Vars) -> Option<String> {
    args.iter().find_map(|a| {
        let (k, v) = a.split_once(':')?;
        (k.trim() == key).then(|| evaluate(v, vars).map(|(v, _)| v)).flatten()
    })
}

fn check(receiver: &str, method: &str, args: &[String], vars: &Vars, call: (u32, u32), lang: Lang) -> Check {
    let positional: Vec<&String> =
        args.iter().filter(|a| !a.split_once(':').is_some_and(|(k, _)| is_word(k.trim()))).collect();
    let first = positional.first().and_then(|a| evaluate(a, vars));
    let second = positional.get(1).and_then(|a| evaluate(a, vars)).map(|(v, _)| v);
    let prefix = keyword(args, "prefix", vars).unwrap_or_default();
    let mut spans = vec![call];
    let (what, program) = match method {
        "has_header" => {
            let header = first.map(|(v, _)| v).unwrap_or_default();
            (header.clone(), (!header.is_empty()).then(|| format!("{prefix}\n#include <{header}>\n")))
        }
        "has_header_symbol" => {
            let header = first.map(|(v, _)| v).unwrap_or_default();
            let symbol = second.unwrap_or_default();
            let program = format!(
                "{prefix}\n#include <{header}>\nint main(void) {{\n#ifndef {symbol}\n  {symbol};\n#endif\n  return 0;\n}}\n"
            );
            (format!("{header} {symbol}"), (!header.is_empty() && !symbol.is_empty()).then_some(program))
        }
        _ => {
            let name = keyword(args, "name", vars).unwrap_or_default();
            let program = first.map(|(v, read)| {
                spans.extend(read);
                v
            });
            (name, program)
        }
    };
    let name = match what.trim() {
        "" => format!("{receiver}.{method}"),
        what => format!("{receiver}.{method} {what}"),
    };
    Check { name, line: call.0, spans, program: program.filter(|p| !p.trim().is_empty()), lang }
}

fn is_word(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::super::{checks, Syntax};
    use super::*;

    const MESON: &str = r#"project('x', 'c')
cc = meson.get_compiler('c')
cpp = meson.get_compiler('cpp')
# cc.compiles('int main(void) { return 0; }', name: 'commented')
landlock_code = '''
#include <linux/landlock.h>
int main(void) { return LANDLOCK_CREATE_RULESET_VERSION; }
'''
if cc.compiles(landlock_code, name: 'Linux Landlock')
  conf.set('HAVE_LINUX_LANDLOCK', 1)
endif
have_poll = cc.links('#include <poll.h>\nint main(void) { return poll(0, 0, 0); }',
  name : 'poll (it\'s quoted)')
cc.has_header('sys/prctl.h')
cc.has_header_symbol('sys/random.h', 'getrandom', prefix: '#define _GNU_SOURCE')
cpp.compiles('#include <vector>' + '\nint main() { std::vector<int> v; }', name: 'vector')
run_command('true', check: false)
"#;

    #[test]
    fn meson_checks_with_their_code() {
        let found = checks(Syntax::Meson, MESON);
        let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cc.compiles Linux Landlock",
                "cc.links poll (it's quoted)",
                "cc.has_header sys/prctl.h",
                "cc.has_header_symbol sys/random.h getrandom",
                "cpp.compiles vector"
            ]
        );
        assert_eq!(found[0].spans, vec![(9, 9), (5, 8)], "the call and the code it reads");
        assert!(found[0].program.as_deref().is_some_and(|p| p.starts_with("\n#include <linux/landlock.h>\n")));
        assert_eq!((found[1].line, found[1].spans[0]), (12, (12, 13)));
        assert_eq!(found[1].program.as_deref(), Some("#include <poll.h>\nint main(void) { return poll(0, 0, 0); }"));
        assert_eq!(found[2].program.as_deref(), Some("\n#include <sys/prctl.h>\n"));
        assert!(found[3]
            .program
            .as_deref()
            .is_some_and(|p| p.starts_with("#define _GNU_SOURCE\n#include <sys/random.h>")));
        assert_eq!(found[4].lang, Lang::Cxx);
        assert!(found[4].program.as_deref().is_some_and(|p| p.contains("std::vector<int> v;")));
    }
}
