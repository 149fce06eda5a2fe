//! Whether a check program may be handed to a compiler: it comes from the
//! repository under review, so it may only include system headers by a
//! plain relative name. A quoted include, an absolute or `..` path, an
//! include through a macro, `#embed`, `#pragma GCC dependency` or
//! `_Pragma` could read a file of the reviewer's machine; such a program is
//! refused, not compiled. The program is read the way the preprocessor
//! reads it first: spliced lines joined, comments blanked, `%:` as `#`.

/// Programs longer than this are not compiled.
const MAX_PROGRAM: usize = 64 << 10;

/// Why `program` must not be compiled, or `None` when it may be.
pub fn refusal(program: &str) -> Option<String> {
    if program.len() > MAX_PROGRAM {
        return Some(format!("the program is {} bytes, more than the {} compiled", program.len(), MAX_PROGRAM));
    }
    if program.contains('\0') {
        return Some("the program holds a NUL byte".into());
    }
    // Trigraphs are off in the compiler's default mode; refuse them anyway
    // rather than depend on it (`??=` is `#`, `??/` a backslash).
    if program.contains("??=") || program.contains("??/") {
        return Some("the program uses trigraphs (`??=` or `??/`)".into());
    }
    let text = blank_comments(&program.replace("\\\r\n", "").replace("\\\n", ""));
    for (n, line) in text.lines().enumerate() {
        let at = n + 1;
        let t = line.trim_start();
        let rest = if let Some(r) = t.strip_prefix('#') {
            r
        } else if let Some(r) = t.strip_prefix("%:") {
            r
        } else {
            if let Some(why) = operators(line) {
                return Some(format!("line {at}: {why}"));
            }
            continue;
        };
        let rest = rest.trim_start();
        let directive: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let operand = rest[directive.len()..].trim();
        let why = match directive.as_str() {
            "include" => header(operand).err(),
            "include_next" | "import" | "embed" => Some(format!("`#{directive}` is not compiled")),
            "pragma" if operand.contains("dependency") => Some("`#pragma GCC dependency` names a file".into()),
            _ => operators(line),
        };
        if let Some(why) = why {
            return Some(format!("line {at}: {why}"));
        }
    }
    None
}

/// `_Pragma` (which can hide any pragma) and `__has_include` of anything
/// but a system header.
fn operators(line: &str) -> Option<String> {
    if line.contains("_Pragma") {
        return Some("`_Pragma` is not compiled".into());
    }
    for op in ["__has_include_next", "__has_include", "__has_embed"] {
        if let Some(at) = line.find(op) {
            let operand = line[at + op.len()..].trim_start();
            let inner = operand.strip_prefix('(').map(str::trim_start).unwrap_or(operand);
            let end = inner.find('>').map_or(inner.len(), |e| e + 1);
            if op != "__has_include" {
                return Some(format!("`{op}` is not compiled"));
            }
            if let Err(why) = header(&inner[..end]) {
                return Some(why);
            }
        }
    }
    None
}

/// Checks an include's operand: `<name.h>` with a relative name and
/// nothing after it.
fn header(operand: &str) -> Result<(), String> {
    if operand.starts_with('"') {
        return Err(format!(
            "`#include {}` is a quoted include: it may read a file outside the system headers",
            clip(operand)
        ));
    }
    let Some(inner) = operand.strip_prefix('<') else {
        return Err(format!("`#include {}` names its header through a macro", clip(operand)));
    };
    let Some((name, after)) = inner.split_once('>') else {
        return Err(format!("`#include {}` is not closed", clip(operand)));
    };
    if !after.trim().is_empty() {
        return Err(format!("`#include {}` has text after the header", clip(operand)));
    }
    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '+'));
    if name.is_empty() || !plain {
        return Err(format!("`#include <{}>` is no plain header name", clip(name)));
    }
    if name.starts_with('/') || name.split('/').any(|part| part == ".." || part.is_empty()) {
        return Err(format!("`#include <{}>` leaves the system headers", clip(name)));
    }
    Ok(())
}

/// At most 60 characters, for a reason.
fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// The text with `/* */` and `//` comments replaced by a space (newlines
/// kept), string and character literals left alone.
fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                out.push(' ');
                let mut last = ' ';
                for d in chars.by_ref() {
                    if d == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && d == '/' {
                        break;
                    }
                    last = d;
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                out.push(' ');
                for d in chars.by_ref() {
                    if d == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' | '\'' => {
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if d == c || d == '\n' {
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_headers_pass() {
        let ok = "#include <stdio.h>\n  #  include <linux/landlock.h>\n#include <c++/12/vector>\nint main(void) { return 0; } // \"x\"\n";
        assert_eq!(refusal(ok), None);
        assert_eq!(refusal("#define S \"#include \\\"x\\\"\"\nint main(void) { return 0; }"), None, "text in a string");
        assert_eq!(refusal("#if __has_include(<sys/random.h>)\n#endif\n"), None);
    }

    #[test]
    fn anything_that_could_read_another_file_is_refused() {
        let refused = [
            ("#include \"../../secret.h\"", "quoted include"),
            ("#include </etc/passwd>", "leaves the system headers"),
            ("#include <../../../etc/passwd>", "leaves the system headers"),
            ("#include <sys/../../x.h>", "leaves the system headers"),
            ("#define F __FILE__\n#include F", "through a macro"),
            ("#include __FILE__", "through a macro"),
            ("#\\\ninclude \"x.h\"", "quoted include"),
            ("#/* a comment */include \"x.h\"", "quoted include"),
            ("%:include \"x.h\"", "quoted include"),
            ("??=include \"x.h\"", "trigraphs"),
            ("#include_next <stdio.h>", "include_next"),
            ("#embed \"/etc/passwd\"", "embed"),
            ("#pragma GCC dependency \"/etc/passwd\"", "dependency"),
            ("#define P(x) _Pragma(#x)\nP(GCC dependency \"/etc/passwd\")", "_Pragma"),
            ("#if __has_include(\"/etc/passwd\")\n#endif", "quoted include"),
            ("#include <stdio.h> \"x\"", "text after"),
            ("#include <std io.h>", "no plain header name"),
        ];
        for (program, why) in refused {
            let found = refusal(program);
            assert!(found.as_deref().is_some_and(|f| f.contains(why)), "{program:?}: {found:?}");
        }
        assert!(refusal(&"int x;\n".repeat(20_000)).is_some_and(|r| r.contains("bytes")));
    }
}
