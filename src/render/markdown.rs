//! Untrusted text made safe inside Markdown: table cells and inline code
//! spans, for the reports of queues and of release verifications.

use super::sanitize::sanitize_line;

/// Repository text inside a Markdown table cell: sanitized, and unable to
/// break the table, inject HTML, or @-mention anyone.
pub fn cell(text: &str) -> String {
    let mut out = String::new();
    for c in sanitize_line(text).chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '`' | '*' | '_' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inside an inline code span: backticks cannot close it early.
pub fn code(text: &str) -> String {
    sanitize_line(text).replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_break_out() {
        assert_eq!(cell("a|b <img src=x> @alice `x`"), "a\\|b &lt;img src=x&gt; &#64;alice \\`x\\`");
        assert_eq!(cell("evil\u{202E}txt"), "evil⟨U+202E RLO⟩txt");
    }

    #[test]
    fn code_spans_cannot_close_early() {
        assert_eq!(code("a`b"), "a'b");
    }
}
