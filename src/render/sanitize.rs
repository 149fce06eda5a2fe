//! Text from a repository is hostile until shown otherwise. Everything that
//! reaches a terminal or a report passes through here: control characters
//! and escape sequences are never emitted raw, and characters that hide or
//! reorder text are revealed as visible tokens such as `⟨U+202E RLO⟩`.

use super::invisible::{self, each_char};

/// Whether a character could hide, reorder or control text if shown raw
/// (taken alone: in an emoji sequence a joiner or selector does not).
pub fn is_hidden(c: char) -> bool {
    invisible::could_hide(c)
}

/// Whether `text` holds a character shown as a revealed token (a tab only
/// expands). Checks bytes first: most lines are printable ASCII.
pub fn reveals_any(text: &str) -> bool {
    let suspect = |b: &u8| *b >= 0x7f || (*b < 0x20 && *b != b'\t');
    if !text.as_bytes().iter().any(suspect) {
        return false;
    }
    let mut found = false;
    each_char(text, |_, c, hidden| found |= hidden && c != '\t');
    found
}

/// A visible stand-in for one hidden character.
fn reveal(c: char, out: &mut String) {
    match c {
        '\t' => out.push_str("    "),
        '\n' => out.push('⏎'),
        '\r' => out.push('␍'),
        '\u{1b}' => out.push('␛'),
        c if (c as u32) < 0x20 => {
            // Caret notation, as `cat -v` shows it: ^A, ^H, …
            out.push('^');
            out.push(char::from(b'@' + c as u8));
        }
        '\u{7f}' => out.push_str("^?"),
        c => match invisible::name(c) {
            Some(name) => out.push_str(&format!("⟨U+{:04X} {name}⟩", c as u32)),
            None => out.push_str(&format!("⟨U+{:04X}⟩", c as u32)),
        },
    }
}

/// One line of untrusted text made safe to print: no raw control
/// characters, every hidden character revealed.
pub fn sanitize_line(text: &str) -> String {
    if !text.chars().any(is_hidden) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    each_char(text, |_, c, hidden| if hidden { reveal(c, &mut out) } else { out.push(c) });
    out
}

/// Escapes hidden characters inside serialized JSON as `\uXXXX`, so the
/// document means the same but cannot reorder or hide text on a terminal.
pub fn escape_json_hidden(json: &str) -> String {
    // serde_json already escapes C0 controls; DEL and the invisible
    // non-ASCII characters remain.
    let escape = |c: char| c == '\u{7f}' || (!c.is_ascii() && is_hidden(c));
    if !json.chars().any(escape) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escape(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// What kind of deception a character or identifier could carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Reorders how text reads (Trojan Source).
    Bidi,
    /// Invisible: zero-width characters, word joiners, misplaced BOMs.
    Invisible,
    /// A control character or the start of an escape sequence.
    Control,
    /// A run of invisible characters: how payloads hide in "empty" strings.
    InvisibleRun,
    /// An identifier that mixes Latin with Cyrillic or Greek letters
    /// (homoglyphs: `раypal` with a Cyrillic `р`).
    MixedScript,
}

/// One suspicious character or identifier, for the risk signals.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// 1-based line, as given by the caller.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The code point (the first one of an identifier).
    pub code_point: u32,
    pub kind: FindingKind,
    /// `RLO`, `ZWSP`, `ESC`, or the identifier.
    pub what: String,
}

/// How a piece of sanitized text should be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    Plain,
    /// A visible stand-in for a hidden character (`⟨U+202E RLO⟩`, `␛`).
    Revealed,
    /// Shown as written, but suspicious (a mixed-script identifier).
    Suspicious,
}

/// Sanitized text split by how it should be styled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub kind: SegmentKind,
}

fn kind_of(c: char) -> FindingKind {
    if invisible::is_bidi(c) {
        FindingKind::Bidi
    } else if c.is_control() {
        FindingKind::Control
    } else {
        FindingKind::Invisible
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
    Other,
}

fn script(c: char) -> Script {
    match c {
        'A'..='Z' | 'a'..='z' | '\u{00C0}'..='\u{024F}' => Script::Latin,
        '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}' => Script::Cyrillic,
        '\u{0370}'..='\u{03FF}' => Script::Greek,
        _ => Script::Other,
    }
}

/// Whether an identifier mixes Latin with Cyrillic or Greek letters.
fn mixed_script(word: &str) -> bool {
    let mut latin = false;
    let mut other = false;
    for c in word.chars() {
        match script(c) {
            Script::Latin => latin = true,
            Script::Cyrillic | Script::Greek => other = true,
            Script::Other => {}
        }
    }
    latin && other
}

/// Every hidden character and mixed-script identifier of a line.
/// `file_start`: the line is the first of a file, where a BOM is normal.
pub fn findings(text: &str, line: usize, file_start: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    // (column, character) of each hidden one, in order.
    let mut hidden: Vec<(usize, char)> = Vec::new();
    let mut column = 0;
    each_char(text, |_, c, is_hidden| {
        column += 1;
        let bom_at_start = c == '\u{FEFF}' && column == 1 && file_start;
        if is_hidden && c != '\t' && !bom_at_start {
            hidden.push((column, c));
        }
    });
    let mut i = 0;
    while i < hidden.len() {
        let (column, c) = hidden[i];
        // Consecutive invisible characters (not bidi, not controls).
        let run = hidden[i..]
            .iter()
            .enumerate()
            .take_while(|(k, (col, ch))| *col == column + k && kind_of(*ch) == FindingKind::Invisible)
            .count();
        if run >= INVISIBLE_RUN {
            let names: Vec<String> = hidden[i..i + run].iter().take(3).map(|(_, ch)| name_of(*ch)).collect();
            let what = format!("{run} invisible characters in a row ({}, …)", names.join(" "));
            out.push(Finding { line, column, code_point: c as u32, kind: FindingKind::InvisibleRun, what });
            i += run;
            continue;
        }
        out.push(Finding { line, column, code_point: c as u32, kind: kind_of(c), what: name_of(c) });
        i += 1;
    }
    for (column, word) in identifiers(text) {
        if mixed_script(word) {
            let code_point = word.chars().next().map(|c| c as u32).unwrap_or(0);
            out.push(Finding { line, column, code_point, kind: FindingKind::MixedScript, what: sanitize_line(word) });
        }
    }
    out.sort_by_key(|f| f.column);
    out
}

/// Invisible characters in a row that make one finding, not many.
const INVISIBLE_RUN: usize = 3;

/// `RLO`, `ESC`, `VS17`, or the code point.
fn name_of(c: char) -> String {
    match c {
        '\u{1b}' => "ESC".to_string(),
        c => invisible::name(c).unwrap_or_else(|| format!("U+{:04X}", c as u32)),
    }
}

/// Identifiers (runs of letters, digits, `_`) with their 1-based column.
fn identifiers(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut column = 0;
    for (byte, c) in text.char_indices() {
        column += 1;
        let word_char = c.is_alphanumeric() || c == '_';
        match (word_char, start) {
            (true, None) => start = Some((byte, column)),
            (false, Some((b, col))) => {
                out.push((col, &text[b..byte]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some((b, col)) = start {
        out.push((col, &text[b..]));
    }
    out
}

/// A line made safe and split for styling: hidden characters become
/// revealed segments, mixed-script identifiers suspicious ones.
pub fn segments(text: &str, file_start: bool) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let push = |out: &mut Vec<Segment>, text: &str, kind: SegmentKind| {
        if text.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(text),
            _ => out.push(Segment { text: text.to_string(), kind }),
        }
    };
    let suspicious: Vec<(usize, usize)> = identifiers(text)
        .into_iter()
        .filter(|(_, w)| mixed_script(w))
        .map(|(col, w)| (col, col + w.chars().count()))
        .collect();
    let mut plain = String::new();
    let mut column = 0;
    each_char(text, |_, c, hidden| {
        column += 1;
        if c == '\u{FEFF}' && column == 1 && file_start {
            return;
        }
        let in_suspicious = suspicious.iter().any(|(a, b)| column >= *a && column < *b);
        if hidden && c != '\t' {
            push(&mut out, &plain, SegmentKind::Plain);
            plain.clear();
            let mut token = String::new();
            reveal(c, &mut token);
            push(&mut out, &token, SegmentKind::Revealed);
        } else if in_suspicious {
            push(&mut out, &plain, SegmentKind::Plain);
            plain.clear();
            let mut one = String::new();
            if c == '\t' {
                one.push_str("    ");
            } else {
                one.push(c);
            }
            push(&mut out, &one, SegmentKind::Suspicious);
        } else if c == '\t' {
            plain.push_str("    ");
        } else {
            plain.push(c);
        }
    });
    push(&mut out, &plain, SegmentKind::Plain);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revealed_character_is_any_hidden_one_but_a_tab() {
        assert!(!reveals_any("\tint x = 1;\t// indented with tabs"));
        assert!(!reveals_any("plain ASCII, and ünïcödé letters"));
        assert!(reveals_any("if (admin\u{202E}) {"));
        assert!(reveals_any("zero\u{200B}width"));
        assert!(reveals_any("escape \u{1b}[2J here"));
        assert!(reveals_any("delete \u{7f}"));
    }

    #[test]
    fn findings_name_line_column_and_code_point() {
        let line = "if x != \"user\u{202E} \u{2066}// admin\u{2069}\" {\u{1b}[2J a\u{200B}b";
        let found = findings(line, 7, false);
        let kinds: Vec<(usize, FindingKind, &str)> =
            found.iter().map(|f| (f.column, f.kind, f.what.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (14, FindingKind::Bidi, "RLO"),
                (16, FindingKind::Bidi, "LRI"),
                (25, FindingKind::Bidi, "PDI"),
                (29, FindingKind::Control, "ESC"),
                (35, FindingKind::Invisible, "ZWSP"),
            ]
        );
        assert!(found.iter().all(|f| f.line == 7));
        assert_eq!(found[0].code_point, 0x202E);
    }

    #[test]
    fn homoglyph_identifiers_are_flagged() {
        // `р` and `а` below are Cyrillic.
        let found = findings(
            "if is_\u{0430}dmin(\u{0440}aypal) or plain_ascii or \u{043F}\u{0440}\u{0438}\u{0432}\u{0435}\u{0442}:",
            1,
            false,
        );
        let words: Vec<&str> =
            found.iter().filter(|f| f.kind == FindingKind::MixedScript).map(|f| f.what.as_str()).collect();
        assert_eq!(words, ["is_\u{0430}dmin", "\u{0440}aypal"], "all-Cyrillic words are fine");
        let segs = segments("x = \u{0440}aypal", false);
        assert_eq!(segs.last().map(|s| (s.kind, s.text.as_str())), Some((SegmentKind::Suspicious, "\u{0440}aypal")));
    }

    #[test]
    fn a_bom_is_normal_only_at_the_start_of_a_file() {
        assert!(findings("\u{FEFF}import os", 1, true).is_empty());
        assert_eq!(findings("x\u{FEFF}y", 3, false)[0].what, "BOM");
        assert_eq!(segments("\u{FEFF}a", true), vec![Segment { text: "a".into(), kind: SegmentKind::Plain }]);
    }

    #[test]
    fn segments_reveal_and_never_emit_controls() {
        let segs = segments("a\tb\u{1b}[31mc\u{202E}d", false);
        let texts: Vec<(&str, SegmentKind)> = segs.iter().map(|s| (s.text.as_str(), s.kind)).collect();
        assert_eq!(
            texts,
            [
                ("a    b", SegmentKind::Plain),
                ("␛", SegmentKind::Revealed),
                ("[31mc", SegmentKind::Plain),
                ("⟨U+202E RLO⟩", SegmentKind::Revealed),
                ("d", SegmentKind::Plain)
            ]
        );
    }

    #[test]
    fn control_characters_and_escapes_are_never_raw() {
        let hostile = "ok\u{1b}[2J\u{1b}]0;pwned\u{7}\u{8}\r\u{7f}\u{9b}31m";
        let safe = sanitize_line(hostile);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe:?}");
        assert_eq!(safe, "ok␛[2J␛]0;pwned^G^H␍^?⟨U+009B⟩31m");
    }

    #[test]
    fn bidi_and_zero_width_are_revealed() {
        let trojan = "if access_level != \"user\u{202E} \u{2066}// Check if admin\u{2069} \u{2066}\" {";
        let safe = sanitize_line(trojan);
        assert!(safe.contains("⟨U+202E RLO⟩"), "{safe}");
        assert!(safe.contains("⟨U+2066 LRI⟩"));
        assert!(safe.contains("⟨U+2069 PDI⟩"));
        assert_eq!(sanitize_line("a\u{200B}b"), "a⟨U+200B ZWSP⟩b");
        assert_eq!(sanitize_line("tab\there"), "tab    here");
    }

    #[test]
    fn plain_text_is_untouched() {
        assert_eq!(sanitize_line("gh-1234: Fix ünïcödé (#5)"), "gh-1234: Fix ünïcödé (#5)");
    }

    #[test]
    fn json_keeps_meaning_but_hides_nothing() {
        let json = serde_json::to_string("x\u{202E}y\u{E0041}").expect("json");
        let escaped = escape_json_hidden(&json);
        assert_eq!(escaped, r#""x\u202ey\udb40\udc41""#);
        let back: String = serde_json::from_str(&escaped).expect("still json");
        assert_eq!(back, "x\u{202E}y\u{E0041}");
    }
}
