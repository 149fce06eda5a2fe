//! Text from a repository is hostile until shown otherwise. Everything that
//! reaches a terminal or a report passes through here: control characters
//! and escape sequences are never emitted raw, and characters that hide or
//! reorder text are revealed as visible tokens such as `⟨U+202E RLO⟩`.

/// Names of the characters that change how surrounding text reads.
fn hidden_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202A}' => "LRE",
        '\u{202B}' => "RLE",
        '\u{202C}' => "PDF",
        '\u{202D}' => "LRO",
        '\u{202E}' => "RLO",
        '\u{2066}' => "LRI",
        '\u{2067}' => "RLI",
        '\u{2068}' => "FSI",
        '\u{2069}' => "PDI",
        '\u{200E}' => "LRM",
        '\u{200F}' => "RLM",
        '\u{061C}' => "ALM",
        '\u{200B}' => "ZWSP",
        '\u{200C}' => "ZWNJ",
        '\u{200D}' => "ZWJ",
        '\u{2060}' => "WJ",
        '\u{FEFF}' => "BOM",
        '\u{00AD}' => "SHY",
        '\u{180E}' => "MVS",
        '\u{2061}'..='\u{2064}' => "INVISIBLE",
        '\u{206A}'..='\u{206F}' => "DEPRECATED FORMAT",
        '\u{FFF9}'..='\u{FFFB}' => "ANNOTATION",
        '\u{E0000}'..='\u{E007F}' => "TAG",
        _ => return None,
    })
}

/// Whether a character would hide, reorder or control text if shown raw.
pub fn is_hidden(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control() || hidden_name(c).is_some()
}

/// Whether a character shows as a revealed token: every hidden one but a
/// tab, which only expands.
pub fn is_revealed(c: char) -> bool {
    c != '\t' && is_hidden(c)
}

/// Whether `text` holds a character shown as a revealed token. Checks
/// bytes first: most lines are printable ASCII.
pub fn reveals_any(text: &str) -> bool {
    let suspect = |b: &u8| *b >= 0x7f || (*b < 0x20 && *b != b'\t');
    text.as_bytes().iter().any(suspect) && text.chars().any(is_revealed)
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
        c => match hidden_name(c) {
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
    for c in text.chars() {
        if is_hidden(c) {
            reveal(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes hidden characters inside serialized JSON as `\uXXXX`, so the
/// document means the same but cannot reorder or hide text on a terminal.
pub fn escape_json_hidden(json: &str) -> String {
    // serde_json already escapes C0 controls; DEL and the invisible
    // non-ASCII characters remain.
    let escape = |c: char| c == '\u{7f}' || (!c.is_ascii() && hidden_name(c).is_some());
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

fn kind_of(c: char) -> Option<FindingKind> {
    match c {
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' => {
            Some(FindingKind::Bidi)
        }
        '\t' => None,
        c if c.is_control() => Some(FindingKind::Control),
        c if hidden_name(c).is_some() => Some(FindingKind::Invisible),
        _ => None,
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
    for (i, c) in text.chars().enumerate() {
        if c == '\u{FEFF}' && i == 0 && file_start {
            continue;
        }
        if let Some(kind) = kind_of(c) {
            let what = match c {
                '\u{1b}' => "ESC".to_string(),
                c => hidden_name(c).map(str::to_string).unwrap_or_else(|| format!("U+{:04X}", c as u32)),
            };
            out.push(Finding { line, column: i + 1, code_point: c as u32, kind, what });
        }
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
    for (i, c) in text.chars().enumerate() {
        let column = i + 1;
        if c == '\u{FEFF}' && i == 0 && file_start {
            continue;
        }
        let in_suspicious = suspicious.iter().any(|(a, b)| column >= *a && column < *b);
        if is_revealed(c) {
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
    }
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
