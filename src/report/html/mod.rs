//! One self-contained HTML page for a steering council or a release
//! manager: charts as inline SVG, tables, inline CSS, and a content
//! security policy that forbids every fetch. No script, font, image or
//! style comes from anywhere else, so the page reads the same offline and
//! cannot call home. Every repository string is sanitized (hidden
//! characters revealed) and then escaped.

mod debt;
pub mod svg;
mod trust;

use std::fmt::Write as _;

use crate::render::sanitize::sanitize_line;

pub use debt::{coverage_section, trends_section};
pub use trust::{binaries_section, people_section, releases_section};

/// Forbids the page every request: no script, no fetch, no image or font
/// from any address; only its own inline styles and `data:` images.
const POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = "\
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;background:#fff;margin:0 auto;max-width:1120px;padding:16px 24px}\
h1{font-size:22px;margin:8px 0 2px}h2{font-size:18px;margin:28px 0 6px;border-bottom:1px solid #ddd;padding-bottom:4px}\
.meta{color:#555;margin:0 0 12px}.lede{color:#444;margin:4px 0 10px}\
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{border:1px solid #e4e4e4;max-width:100%;height:auto}\
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}\
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}\
th{background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums}\
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}\
.bad{color:#b00020;font-weight:600}.warn{color:#a15c00}.ok{color:#2d6a2d}.none{color:#777}\
@media print{.chart{break-inside:avoid}}";

/// A part of the page: a heading, a sentence on what it shows and how it
/// was decided, and its body (HTML made by this module's functions).
pub struct Section {
    pub id: &'static str,
    pub heading: String,
    pub lede: String,
    pub body: String,
}

/// The page: `title` and `meta` (repository, window, when) in the header,
/// then each section in order, with a table of contents.
pub fn page(title: &str, meta: &str, sections: &[Section]) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{POLICY}\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1><p class=\"meta\">{}</p>\n<nav><p>",
        text(title),
        text(title),
        text(meta)
    );
    let contents: Vec<String> =
        sections.iter().map(|s| format!("<a href=\"#{}\">{}</a>", s.id, text(&s.heading))).collect();
    out.push_str(&contents.join(" · "));
    out.push_str("</p></nav>\n");
    for s in sections {
        let _ = write!(
            out,
            "<section id=\"{}\"><h2>{}</h2><p class=\"lede\">{}</p>\n{}\n</section>\n",
            s.id,
            text(&s.heading),
            text(&s.lede),
            s.body
        );
    }
    out.push_str("</body></html>\n");
    out
}

/// HTML-escapes `s` for text and for attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Untrusted text for the page: hidden characters revealed, then escaped.
pub fn text(s: &str) -> String {
    escape(&sanitize_line(s))
}

/// A table cell's content and alignment.
pub enum Cell {
    /// Untrusted text, sanitized and escaped here.
    Text(String),
    /// Untrusted text in a code face (paths, shas).
    Code(String),
    /// A number, right-aligned.
    Number(u64),
    /// Text with a class (`bad`, `warn`, `ok`, `none`).
    Marked(String, &'static str),
    /// HTML this module made (a sparkline).
    Html(String),
}

/// A table of `rows` under `header`; `empty` says what no rows means.
pub fn table(header: &[&str], rows: Vec<Vec<Cell>>, empty: &str) -> String {
    if rows.is_empty() {
        return format!("<p class=\"none\">{}</p>", escape(empty));
    }
    let mut out = String::from("<table><thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            match cell {
                Cell::Text(s) => {
                    let _ = write!(out, "<td>{}</td>", text(&s));
                }
                Cell::Code(s) => {
                    let _ = write!(out, "<td><code>{}</code></td>", text(&s));
                }
                Cell::Number(n) => {
                    let _ = write!(out, "<td class=\"n\">{n}</td>");
                }
                Cell::Marked(s, class) => {
                    let _ = write!(out, "<td class=\"{class}\">{}</td>", text(&s));
                }
                Cell::Html(html) => {
                    let _ = write!(out, "<td>{html}</td>");
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_forbids_every_fetch_and_escapes_its_text() {
        let evil = "<img src=x onerror=alert(1)> \u{202e}evil";
        let html = page(
            evil,
            "meta",
            &[Section {
                id: "t",
                heading: evil.into(),
                lede: evil.into(),
                body: table(&["a"], vec![vec![Cell::Text(evil.into())]], "none"),
            }],
        );
        assert!(html.contains("default-src 'none'"));
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains('\u{202e}'), "the bidi override is revealed, not written");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        for forbidden in ["<script", "<link", "src=\"http", "href=\"http", "@import", "url("] {
            assert!(!html.contains(forbidden), "{forbidden}");
        }
    }

    #[test]
    fn an_empty_table_says_what_that_means() {
        assert_eq!(table(&["a"], Vec::new(), "No binaries."), "<p class=\"none\">No binaries.</p>");
        let t = table(&["path", "n"], vec![vec![Cell::Code("a&b".into()), Cell::Number(3)]], "");
        assert!(t.contains("<td><code>a&amp;b</code></td><td class=\"n\">3</td>"));
    }
}
