//! `render::highlight`: syntax detection, laziness, checkpoints, caching,
//! sanitizing, and (ignored, run by hand) performance figures.

use std::cell::Cell;
use std::collections::HashSet;

mod support;
// The binary's edge, which reads the user's theme files for `render`.
#[allow(dead_code)]
#[path = "../src/cli/assets.rs"]
mod assets;

use proptest::prelude::*;
use rearview::render::highlight::{
    self, syntax_for, FileHighlighter, LineSource, CHECKPOINT_INTERVAL, DEFAULT_THEME, MAX_HIGHLIGHT_CHARS,
};
use rearview::render::sanitize::{is_hidden, sanitize_line};
use rearview::render::{Style, StyledLine};
use support::c_source::c_file;

/// Lines of a file, recording the furthest line read.
struct Counting {
    lines: Vec<String>,
    furthest: Cell<Option<usize>>,
}

impl Counting {
    fn new(lines: Vec<String>) -> Counting {
        Counting { lines, furthest: Cell::new(None) }
    }
}

impl LineSource for Counting {
    fn len(&self) -> usize {
        self.lines.len()
    }
    fn line(&self, index: usize) -> Option<&str> {
        self.furthest.set(self.furthest.get().max(Some(index)));
        self.lines.get(index).map(String::as_str)
    }
}

fn text(line: &StyledLine) -> String {
    line.iter().map(|s| s.text.as_str()).collect()
}

fn colours(lines: &[StyledLine]) -> HashSet<String> {
    lines.iter().flatten().filter(|s| !s.text.trim().is_empty()).map(|s| format!("{:?}", s.style.fg)).collect()
}

#[test]
fn syntax_detection_by_name_extension_and_first_line() {
    let cases = [
        ("configure.ac", "AC_INIT([x], [1.0])", "Bourne Again Shell (bash)"),
        ("Makefile", "all:", "Makefile"),
        ("src/GNUmakefile", "", "Makefile"),
        ("Makefile.am", "", "Makefile"),
        ("Dockerfile", "FROM debian", "Dockerfile"),
        ("docker/Dockerfile.dev", "", "Dockerfile"),
        ("CMakeLists.txt", "cmake_minimum_required(VERSION 3.10)", "CMake"),
        ("m4/ax_pthread.m4", "dnl comment", "Bourne Again Shell (bash)"),
        ("Cargo.toml", "[package]", "TOML"),
        ("pyproject.toml", "", "TOML"),
        ("web/app.ts", "import x from 'y';", "TypeScript"),
        (".github/workflows/ci.yml", "on: push", "YAML"),
        ("config.yaml", "", "YAML"),
        ("src/main.rs", "fn main() {}", "Rust"),
        ("src/x.c", "#include <stdio.h>", "C"),
        ("include/x.h", "#pragma once", "C"),
        ("tools/gen.py", "import os", "Python"),
        ("MAIN.RS", "", "Rust"),
        ("bin/tool", "#!/usr/bin/env python3", "Python"),
        ("scripts/run", "#!/bin/sh", "Bourne Again Shell (bash)"),
        ("README", "Hello", "Plain Text"),
        ("", "", "Plain Text"),
        ("weird.unknownext", "", "Plain Text"),
    ];
    for (path, first, want) in cases {
        assert_eq!(syntax_for(path, first).name, want, "{path}");
    }
}

#[test]
fn snippets_get_more_than_one_colour() {
    let snippets: [(&str, &[&str]); 3] = [
        ("a.rs", &["// comment", "fn main() {", "    let x: u32 = 42;", "    println!(\"{x}\");", "}"]),
        ("a.py", &["# comment", "def f(x):", "    return \"s\" + str(1)"]),
        ("a.c", &["/* c */", "int main(void) {", "    return printf(\"%d\", 1);", "}"]),
    ];
    for (path, lines) in snippets {
        let mut h = FileHighlighter::new(path, lines[0], DEFAULT_THEME);
        assert!(!h.theme_fell_back());
        let out = h.highlight(&lines, 0..lines.len());
        assert_eq!(out.len(), lines.len());
        for (styled, raw) in out.iter().zip(lines.iter()) {
            assert_eq!(text(styled), *raw);
            assert!(styled.iter().all(|s| s.style.bg.is_none()), "backgrounds are the diff renderer's");
        }
        let found = colours(&out);
        assert!(found.len() > 1, "{path}: {found:?}");
        assert!(out.iter().flatten().all(|s| matches!(s.style.fg, Some(rearview::render::theme::Color::Rgb(..)))));
    }
}

#[test]
fn only_the_requested_lines_are_processed() {
    let file = Counting::new(c_file(10_000));
    let mut h = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    let out = h.highlight(&file, 0..10);
    assert_eq!(out.len(), 10);
    assert_eq!(file.furthest.get(), Some(9));
    assert_eq!(h.stats().lines_parsed, 10);
    // Past the end is clipped, not an error.
    assert!(h.highlight(&file, 20_000..20_010).is_empty());
    assert_eq!(h.highlight(&file, 9_995..20_000).len(), 5);
}

#[test]
fn a_far_jump_resumes_from_a_checkpoint_and_matches_a_full_run() {
    let lines = c_file(10_000);
    let mut h = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    h.highlight(&lines, 0..60);
    assert_eq!(h.stats().lines_parsed, 60);

    // Continues from where the first screen stopped.
    let far = h.highlight(&lines, 9_000..9_060);
    assert_eq!(h.stats().lines_parsed, 9_060, "did not restart from line 0");
    assert_eq!(h.stats().lines_styled, 120, "skipped lines are only parsed");
    assert!(h.stats().checkpoints >= 9_000 / CHECKPOINT_INTERVAL);

    // Back up: resumes from the checkpoint at or before line 5,000.
    let before = h.stats().lines_parsed;
    let mid = h.highlight(&lines, 5_000..5_060);
    let parsed = h.stats().lines_parsed - before;
    assert!(parsed <= (CHECKPOINT_INTERVAL + 60) as u64, "parsed {parsed}");
    assert!(parsed >= 60);

    // Same output as highlighting everything from the top, styled.
    let mut full = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    let all = full.highlight(&lines, 0..10_000);
    assert_eq!(far, all[9_000..9_060]);
    assert_eq!(mid, all[5_000..5_060]);

    // And without fast-forwarding.
    let mut slow = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    slow.set_fast_forward(false);
    assert_eq!(slow.highlight(&lines, 9_000..9_060), far);
    assert_eq!(slow.stats().lines_styled, 9_060);
}

#[test]
fn a_multi_line_comment_across_a_checkpoint_keeps_its_colour() {
    let mut lines: Vec<String> = (0..300).map(|i| format!("int v{i} = {i};")).collect();
    lines[120] = "/* opens here".into();
    for line in &mut lines[121..140] {
        *line = "still inside the comment".into();
    }
    lines[140] = "closes here */".into();
    let mut jumpy = FileHighlighter::new("x.c", "", DEFAULT_THEME);
    let jumped = jumpy.highlight(&lines, 130..131);
    let mut full = FileHighlighter::new("x.c", "", DEFAULT_THEME);
    let all = full.highlight(&lines, 0..300);
    assert_eq!(jumped[0], all[130]);
    assert_eq!(all[130][0].style.fg, all[120][0].style.fg, "a comment line looks like a comment");
    assert_ne!(all[130][0].style.fg, all[150][0].style.fg);
}

#[test]
fn repeated_ranges_come_from_the_cache() {
    let lines = c_file(1_000);
    let mut h = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    let first = h.highlight(&lines, 500..560);
    let parsed = h.stats().lines_parsed;
    let again = h.highlight(&lines, 500..560);
    assert_eq!(first, again);
    assert_eq!(h.stats().lines_parsed, parsed);
    assert_eq!(h.stats().cache_hits, 60);
    // A range overlapping the cached one re-parses only from its first
    // uncached line.
    h.highlight(&lines, 530..590);
    assert_eq!(h.stats().lines_parsed, parsed + 30);
}

#[test]
fn hostile_characters_are_revealed_in_spans_of_their_own() {
    let line = "int x = 1; \u{1b}[2J // \u{202E} rev \u{200B} zw\tend\u{7}";
    let mut h = FileHighlighter::new("x.c", "", DEFAULT_THEME);
    let revealed = h.revealed_style();
    let out = h.highlight(&[line], 0..1);
    let spans = &out[0];
    for span in spans {
        assert!(!span.text.chars().any(|c| c.is_control() || is_hidden(c)), "{:?}", span.text);
    }
    let all = text(spans);
    assert_eq!(all, sanitize_line(line));
    assert!(all.contains("⟨U+202E RLO⟩"));
    assert!(all.contains("⟨U+200B ZWSP⟩"));
    assert!(all.contains("zw    end"), "a tab is four spaces: {all}");
    for token in ["␛", "⟨U+202E RLO⟩", "⟨U+200B ZWSP⟩", "^G"] {
        let span = spans.iter().find(|s| s.text == token).unwrap_or_else(|| panic!("{token} in {spans:?}"));
        assert_eq!(span.style, revealed);
        assert!(span.style.reverse);
    }
    // Ordinary text is never drawn in the revealed style.
    assert!(spans.iter().filter(|s| s.style == revealed).all(|s| s.text.starts_with(['␛', '⟨', '^'])));

    // A CRLF line: the CR shows at the end, the code is still code.
    let mut h = FileHighlighter::new("x.c", "", DEFAULT_THEME);
    let out = h.highlight(&["int y = 2;\r", "int z;\n"], 0..2);
    assert_eq!(out[0].last().map(|s| s.text.as_str()), Some("␍"));
    assert!(out[0].len() > 2);
    assert_eq!(text(&out[1]), "int z;");
}

#[test]
fn a_megabyte_line_is_capped_not_fatal() {
    let unit = "let value = \"text\"; // ";
    let line: String = unit.repeat(1_000_000 / unit.len() + 1);
    let lines = vec![line.clone(), "fn after() {}".to_string()];
    let mut h = FileHighlighter::new("x.rs", "", DEFAULT_THEME);
    let out = h.highlight(&lines, 0..2);
    assert_eq!(text(&out[0]), line);
    let last = out[0].last().map(|s| (s.text.len(), s.style));
    assert_eq!(last, Some((line.len() - MAX_HIGHLIGHT_CHARS, Style::default())), "the tail is one plain span");
    assert!(colours(&out[..1]).len() > 1, "the prefix is highlighted");
    // The parser saw the line end after the cap, so the next line is code.
    assert!(colours(&out[1..]).len() > 1);

    // Hidden characters in the tail are still revealed.
    let hostile = format!("{}\u{202E}tail", "x".repeat(MAX_HIGHLIGHT_CHARS + 10));
    let mut h = FileHighlighter::new("x.rs", "", DEFAULT_THEME);
    let out = h.highlight(&[hostile.as_str()], 0..1);
    assert!(out[0].iter().any(|s| s.text == "⟨U+202E RLO⟩"));
}

#[test]
fn themes_by_name_with_a_fallback() {
    let h = FileHighlighter::new("x.rs", "", "Nord");
    assert!(!h.theme_fell_back());
    assert_eq!(h.theme_name(), "Nord");
    assert!(!FileHighlighter::new("x.rs", "", "nord").theme_fell_back());
    let h = FileHighlighter::new("x.rs", "", "no such theme");
    assert!(h.theme_fell_back());
    assert_eq!(h.theme_name(), DEFAULT_THEME);
    let names = highlight::theme_names();
    assert!(names.iter().any(|n| n == DEFAULT_THEME));
    assert!(names.iter().any(|n| n == highlight::DEFAULT_LIGHT_THEME));

    // Terminal-palette themes map to palette colours, not black.
    let mut h = FileHighlighter::new("x.rs", "", "ansi");
    let out = h.highlight(&["fn main() { let s = \"x\"; }"], 0..1);
    assert!(out[0].iter().all(|s| !matches!(s.style.fg, Some(rearview::render::theme::Color::Rgb(..)))));
}

const TEST_THEME: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>name</key><string>Highlight Test</string>
  <key>settings</key>
  <array>
    <dict><key>settings</key><dict>
      <key>foreground</key><string>#010203</string>
      <key>background</key><string>#000000</string>
    </dict></dict>
    <dict><key>scope</key><string>keyword</string><key>settings</key><dict>
      <key>foreground</key><string>#FF0000</string>
      <key>fontStyle</key><string>bold italic</string>
    </dict></dict>
  </array>
</dict>
</plist>
"#;

#[test]
fn user_themes_load_from_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("highlight-test-theme.tmTheme"), TEST_THEME).expect("write");
    std::fs::write(dir.path().join("broken.tmTheme"), "not a plist").expect("write");
    std::fs::write(dir.path().join("notes.txt"), "ignored").expect("write");
    let found = highlight::register_user_themes(assets::read_syntax_theme_files(dir.path()).expect("load"));
    assert_eq!(found.loaded, vec!["highlight-test-theme".to_string()]);
    assert_eq!(found.failed.len(), 1);
    assert!(found.failed[0].0.ends_with("broken.tmTheme"));
    assert!(highlight::theme_names().iter().any(|n| n == "highlight-test-theme"));

    let mut h = FileHighlighter::new("x.c", "", "highlight-test-theme");
    assert!(!h.theme_fell_back());
    let out = h.highlight(&["if (x) return 1;"], 0..1);
    let keyword = out[0].iter().find(|s| s.text == "if").expect("`if` is its own span");
    assert_eq!(keyword.style.fg, Some(rearview::render::theme::Color::Rgb(255, 0, 0)));
    assert!(keyword.style.bold && keyword.style.italic && !keyword.style.underline);

    let missing = highlight::register_user_themes(
        assets::read_syntax_theme_files(&dir.path().join("absent")).expect("absent is empty"),
    );
    assert!(missing.loaded.is_empty() && missing.failed.is_empty());
}

fn check_safe(path: &str, lines: &[String]) -> Result<(), TestCaseError> {
    let mut h = FileHighlighter::new(path, lines.first().map_or("", String::as_str), DEFAULT_THEME);
    let out = h.highlight(&lines, 0..lines.len());
    prop_assert_eq!(out.len(), lines.len());
    for (styled, raw) in out.iter().zip(lines) {
        for span in styled {
            prop_assert!(!span.text.is_empty());
            prop_assert!(!span.text.chars().any(|c| c.is_control()), "{:?}", span.text);
        }
        // Hidden in its context: a variation selector after an emoji (`🃑`
        // and U+FE0E) is part of it and stays; anywhere else it is revealed.
        let shown = text(styled);
        prop_assert!(!rearview::render::invisible::any_hidden(&shown), "{:?}", shown);
        prop_assert_eq!(shown, sanitize_line(raw.strip_suffix('\n').unwrap_or(raw)));
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_nor_leaks_control_characters(
        lines in proptest::collection::vec(any::<String>(), 0..8),
    ) {
        for path in ["x.rs", "x.c", "x.py", "x.txt"] {
            check_safe(path, &lines)?;
        }
    }

    #[test]
    fn code_like_hostile_text_is_safe(
        lines in proptest::collection::vec(
            "[a-z0-9 \t\r\n\0\x1b\x07\x7f\u{9b}\u{202e}\u{2066}\u{200b}\u{feff}\"'/*#{}()\\[\\]\\\\;:=<>-]{0,60}",
            0..12,
        ),
    ) {
        for path in ["x.rs", "x.c", "x.py", "x.sh", "x.yml"] {
            check_safe(path, &lines)?;
        }
    }
}

#[test]
fn a_streaming_reader_fills_no_cache() {
    let lines = c_file(300);
    let mut cached = FileHighlighter::new("x.c", "", DEFAULT_THEME);
    let mut streaming = FileHighlighter::new("x.c", "", DEFAULT_THEME);
    streaming.set_caching(false);
    let a = cached.highlight(&lines, 0..300);
    let b = streaming.highlight(&lines, 0..300);
    assert_eq!(a, b, "the same colours either way");
    // Nor checkpoints: only the one at line 0 that every highlighter has.
    assert_eq!(streaming.stats().checkpoints, 1);
    // Idle prefetching, which builds checkpoints, has nothing to do.
    assert_eq!(streaming.prefetch(&lines, 1_000), 0);
    assert_eq!(cached.stats().checkpoints, 300 / CHECKPOINT_INTERVAL + 1);
    // Going back re-reads from the top, in the same colours.
    assert_eq!(streaming.highlight(&lines, 0..10), a[..10]);
    assert_eq!(streaming.stats().cache_hits, 0);
    cached.highlight(&lines, 0..10);
    assert_eq!(cached.stats().cache_hits, 10);
}

/// Per character of a line without tabs or hidden characters: its
/// foreground and font style.
type CharStyles = Vec<(Option<rearview::render::theme::Color>, bool, bool, bool)>;

fn char_styles(line: &StyledLine) -> CharStyles {
    line.iter()
        .flat_map(|s| s.text.chars().map(move |_| (s.style.fg, s.style.bold, s.style.italic, s.style.underline)))
        .collect()
}

/// syntect's own highlighting of the same lines, as a reference for the
/// highlighter's style tree and memo.
fn reference(path: &str, lines: &[String]) -> Vec<CharStyles> {
    use syntect::easy::HighlightLines;
    use syntect::highlighting::FontStyle;
    let theme = two_face::theme::extra();
    let theme = theme.get(two_face::theme::EmbeddedThemeName::MonokaiExtended);
    let set = highlight::syntax_set();
    let mut h = HighlightLines::new(syntax_for(path, lines.first().map_or("", String::as_str)), theme);
    lines
        .iter()
        .map(|l| {
            let with_newline = format!("{l}\n");
            let spans = h.highlight_line(&with_newline, set).expect("highlight");
            spans
                .iter()
                .flat_map(|(style, text)| {
                    let fg =
                        rearview::render::theme::Color::Rgb(style.foreground.r, style.foreground.g, style.foreground.b);
                    let f = style.font_style;
                    let flags = (
                        Some(fg),
                        f.contains(FontStyle::BOLD),
                        f.contains(FontStyle::ITALIC),
                        f.contains(FontStyle::UNDERLINE),
                    );
                    text.trim_end_matches('\n').chars().map(move |_| flags)
                })
                .collect()
        })
        .collect()
}

#[test]
fn styles_and_memoized_lines_match_syntect() {
    let rust: Vec<String> = [
        "/// Docs with `code`.",
        "fn main() {",
        "    let x: u32 = 1 + 2; // comment",
        "    let s = \"str {} \\\" esc\";",
        "    if x > 1 {",
        "        println!(\"{s}\");",
        "    }",
        "}",
        "",
        "#[derive(Debug)]",
        "struct P<'a> { r: &'a str }",
        "/* open comment",
        "}",
        "still comment */ fn f() {}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Repeated lines, so the memo answers most of them, in differing
    // states (inside and outside a block comment).
    let rust: Vec<String> = rust.iter().cycle().take(rust.len() * 20).cloned().collect();
    let python: Vec<String> =
        ["def f(x):", "    \"\"\"doc", "    }\"\"\"", "    return x  # c", "class A(B):", "    pass"]
            .iter()
            .cycle()
            .take(60)
            .map(|s| s.to_string())
            .collect();
    let toml: Vec<String> = ["[package]", "name = \"x\" # c", "v = [1, 2]", "s = '''", "multi", "'''"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for (path, lines) in [("x.rs", rust), ("x.py", python), ("x.toml", toml), ("big.c", c_file(500))] {
        let mut h = FileHighlighter::new(path, &lines[0], DEFAULT_THEME);
        let ours: Vec<CharStyles> = h.highlight(&lines, 0..lines.len()).iter().map(char_styles).collect();
        assert_eq!(ours, reference(path, &lines), "{path}");
        if path != "x.toml" {
            assert!(h.stats().memo_hits > 0, "{path}: the memo answered no line");
        }
    }
}

#[test]
fn a_helper_started_mid_file_styles_as_a_full_run_from_where_states_meet() {
    let lines: Vec<String> = c_file(3_000).iter().enumerate().map(|(i, l)| format!("{l} /* v{i} */")).collect();
    let mut full = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    let reference = full.highlight(&lines, 0..lines.len());
    let start = 1_500;
    let mut helper = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    helper.start_at_top(start);
    helper.record_states(start..start + 500);
    let tail = helper.highlight(&lines, start..lines.len());
    let theirs = helper.take_states();
    let mut own = FileHighlighter::new("big.c", "", DEFAULT_THEME);
    own.record_states(start..start + 500);
    own.highlight(&lines, 0..start + 500);
    let ours = own.take_states();
    let met = ours
        .iter()
        .find(|(k, s)| s.is_some() && theirs.iter().any(|(j, t)| j == k && t == s))
        .map(|(k, _)| k + 1)
        .expect("the states meet");
    assert!(met < start + 100, "they meet soon: {met}");
    assert_eq!(tail[met - start..], reference[met..]);
}

#[test]
fn a_variation_selector_after_an_emoji_stays_and_elsewhere_is_revealed() {
    // Found by the property test above: the selector is part of the emoji.
    let lines = vec!["🃑\u{fe0e}".to_string(), "a\u{fe0e}b".to_string()];
    check_safe("x.py", &lines).expect("safe");
    let mut h = FileHighlighter::new("x.py", "", DEFAULT_THEME);
    let out = h.highlight(&lines, 0..2);
    assert_eq!(text(&out[0]), "🃑\u{fe0e}");
    assert!(text(&out[1]).contains("VS15"), "revealed after a letter: {:?}", text(&out[1]));
}
