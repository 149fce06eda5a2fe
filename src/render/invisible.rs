//! Which characters hide: controls, bidi controls, and every code point
//! Unicode calls Default_Ignorable (zero-width characters, variation
//! selectors, Hangul fillers, tag characters, …), taken from the Unicode
//! tables the `regex` crate ships rather than a hand list. Emoji sequences
//! are the exception: a variation selector after an emoji, a zero-width
//! joiner between two, and the tag characters of a flag are how emoji are
//! written, not a hiding place.

use std::sync::OnceLock;

/// The code point ranges of a Unicode property, from regex-syntax's tables.
fn ranges(property: &str) -> Vec<(char, char)> {
    let hir = regex_syntax::ParserBuilder::new().build().parse(&format!(r"\p{{{property}}}"));
    match hir.map(|h| h.into_kind()) {
        Ok(regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class))) => {
            class.ranges().iter().map(|r| (r.start(), r.end())).collect()
        }
        // The tables are compiled in: a property they lack is a build
        // without Unicode support, and nothing is ignorable then.
        _ => Vec::new(),
    }
}

fn contains(table: &[(char, char)], c: char) -> bool {
    let at = table.partition_point(|(_, end)| *end < c);
    table.get(at).is_some_and(|(start, _)| *start <= c)
}

static IGNORABLE: OnceLock<Vec<(char, char)>> = OnceLock::new();
static PICTOGRAPHIC: OnceLock<Vec<(char, char)>> = OnceLock::new();

/// Unicode's Default_Ignorable_Code_Point: drawn as nothing at all.
pub fn is_default_ignorable(c: char) -> bool {
    !c.is_ascii() && contains(IGNORABLE.get_or_init(|| ranges("Default_Ignorable_Code_Point")), c)
}

/// Whether `c` starts or continues an emoji (Extended_Pictographic, the
/// regional indicators, skin tones, and the keycap bases).
fn is_emoji_base(c: char) -> bool {
    matches!(c, '0'..='9' | '#' | '*' | '\u{1F1E6}'..='\u{1F1FF}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{20E3}')
        || (!c.is_ascii() && contains(PICTOGRAPHIC.get_or_init(|| ranges("Extended_Pictographic")), c))
}

const BLACK_FLAG: char = '\u{1F3F4}';
const CANCEL_TAG: char = '\u{E007F}';

fn is_tag(c: char) -> bool {
    ('\u{E0020}'..='\u{E007F}').contains(&c)
}

/// Whether `c` would hide, reorder or control text, taken alone.
pub fn could_hide(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control() || is_default_ignorable(c) || is_bidi(c)
}

/// The bidi controls (marks included) that reorder how text reads.
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Calls `each(byte offset, character, hidden)` for every character of
/// `text`, where `hidden` says the character hides something in its place
/// (an emoji sequence's joiners and selectors do not).
pub fn each_char(text: &str, mut each: impl FnMut(usize, char, bool)) {
    if text.is_ascii() {
        for (at, b) in text.bytes().enumerate() {
            each(at, char::from(b), b.is_ascii_control());
        }
        return;
    }
    let mut prev: Option<char> = None;
    let mut in_flag = false;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|(_, n)| *n);
        let after_emoji = prev.is_some_and(|p| is_emoji_base(p) || p == '\u{FE0F}');
        in_flag = is_tag(c) && (in_flag || prev == Some(BLACK_FLAG));
        let part_of_emoji = match c {
            '\u{FE0E}' | '\u{FE0F}' => after_emoji,
            '\u{200D}' => after_emoji && next.is_some_and(is_emoji_base),
            c if is_tag(c) => in_flag,
            _ => false,
        };
        if c == CANCEL_TAG {
            in_flag = false;
        }
        each(at, c, could_hide(c) && !part_of_emoji);
        prev = Some(c);
    }
}

/// Whether anything in `text` hides (see [`each_char`]).
pub fn any_hidden(text: &str) -> bool {
    if text.is_ascii() {
        return text.bytes().any(|b| b.is_ascii_control());
    }
    let mut found = false;
    each_char(text, |_, _, hidden| found |= hidden);
    found
}

/// A short name for a hidden character, when it has a well-known one.
pub fn name(c: char) -> Option<String> {
    let fixed = match c {
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
        '\u{034F}' => "CGJ",
        '\u{180E}' => "MVS",
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' => "HANGUL FILLER",
        '\u{2061}'..='\u{2064}' => "INVISIBLE",
        '\u{206A}'..='\u{206F}' => "DEPRECATED FORMAT",
        '\u{FFF9}'..='\u{FFFB}' => "ANNOTATION",
        '\u{E0001}' => "LANGUAGE TAG",
        '\u{E0020}'..='\u{E007F}' => "TAG",
        '\u{FE00}'..='\u{FE0F}' => return Some(format!("VS{}", c as u32 - 0xFE00 + 1)),
        '\u{E0100}'..='\u{E01EF}' => return Some(format!("VS{}", c as u32 - 0xE0100 + 17)),
        _ => return None,
    };
    Some(fixed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden(text: &str) -> Vec<char> {
        let mut out = Vec::new();
        each_char(text, |_, c, h| {
            if h {
                out.push(c)
            }
        });
        out
    }

    #[test]
    fn the_property_comes_from_unicode_tables() {
        for c in ['\u{200B}', '\u{FE0F}', '\u{E0100}', '\u{3164}', '\u{115F}', '\u{FFA0}', '\u{E0041}', '\u{2064}'] {
            assert!(is_default_ignorable(c), "U+{:04X}", c as u32);
        }
        for c in ['a', 'é', 'μ', 'т', '😀', ' ', '\u{00A0}'] {
            assert!(!is_default_ignorable(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn emoji_sequences_hide_nothing_and_the_same_code_points_elsewhere_do() {
        assert!(
            hidden("I \u{2764}\u{FE0F} it, \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}, 1\u{FE0F}\u{20E3}").is_empty()
        );
        let england = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";
        assert!(hidden(england).is_empty(), "a subdivision flag");
        assert_eq!(hidden("x = \"\u{FE01}\u{FE02}\u{E0130}\""), ['\u{FE01}', '\u{FE02}', '\u{E0130}']);
        assert_eq!(hidden("a\u{200D}b"), ['\u{200D}'], "a joiner between letters");
        assert_eq!(hidden("tag\u{E0041}\u{E0042}"), ['\u{E0041}', '\u{E0042}'], "tags outside a flag");
        assert_eq!(hidden("let \u{3164} = 1"), ['\u{3164}']);
        assert_eq!(hidden("esc\u{1b}[2J"), ['\u{1b}']);
    }

    #[test]
    fn names_cover_selectors_and_fillers() {
        assert_eq!(name('\u{FE0F}').as_deref(), Some("VS16"));
        assert_eq!(name('\u{E0100}').as_deref(), Some("VS17"));
        assert_eq!(name('\u{3164}').as_deref(), Some("HANGUL FILLER"));
        assert_eq!(name('\u{202E}').as_deref(), Some("RLO"));
        assert_eq!(name('a'), None);
    }
}
