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

#[cfg(test)]
mod tests {
    use super::*;

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
