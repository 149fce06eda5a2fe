//! Entry names of an archive: their components, the absolute and
//! traversing ones refused, the top directory, links that leave the tree,
//! and names that collide once case is folded or Unicode normalized.

use unicode_normalization::UnicodeNormalization;

/// The archive's top directory (`name-1.2.3/`), stripped from every entry
/// once the first entries show it.
pub(super) enum Top {
    Unknown,
    Prefix(Vec<u8>),
    NoPrefix,
}

/// Why a name cannot be extracted where it says.
pub(super) enum PathProblem {
    Absolute,
    Traversal,
}

/// The components of an entry name, without empty and `.` ones.
pub(super) fn components(name: &[u8]) -> Result<Vec<&[u8]>, PathProblem> {
    let drive = name.len() >= 2 && name[0].is_ascii_alphabetic() && name[1] == b':';
    if name.starts_with(b"/") || name.starts_with(b"\\") || drive {
        return Err(PathProblem::Absolute);
    }
    // Backslashes separate on Windows: `..\` climbs there too.
    if name.split(|b| *b == b'/' || *b == b'\\').any(|c| c == b"..") {
        return Err(PathProblem::Traversal);
    }
    Ok(name.split(|b| *b == b'/').filter(|c| !c.is_empty() && *c != b".").collect())
}

pub(super) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A link at `rel` to `target` leaves the tree (absolute, or more `..`
/// than directories above it).
pub(super) fn escapes(rel: &[u8], target: &[u8]) -> bool {
    if target.starts_with(b"/") || target.starts_with(b"\\") {
        return true;
    }
    let mut depth: i64 = rel.split(|b| *b == b'/').count() as i64 - 1;
    for part in target.split(|b| *b == b'/' || *b == b'\\') {
        match part {
            b"" | b"." => {}
            b".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

/// A name as case-insensitive, normalizing filesystems see it: NFC, then
/// lower case (NFC again: lowering can decompose).
pub(super) fn fold(name: &str) -> String {
    let lower: String = name.nfc().collect::<String>().to_lowercase();
    lower.nfc().collect()
}

/// Code points of `s`, for showing what differs between look-alike names.
fn code_points(s: &str) -> String {
    let points: Vec<String> = s.chars().take(12).map(|c| format!("U+{:04X}", u32::from(c))).collect();
    let more = if s.chars().count() > 12 { " …" } else { "" };
    if points.is_empty() {
        "nothing".to_string()
    } else {
        format!("{}{more}", points.join(" "))
    }
}

/// Why `name` and `other` collide, with the code points of the part that
/// differs (`whose` says where `other` comes from).
pub(super) fn collision_detail(name: &str, other: &str, whose: &str) -> String {
    let (a, b): (Vec<char>, Vec<char>) = (name.chars().collect(), other.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let ours: String = a[prefix..a.len() - suffix].iter().collect();
    let theirs: String = b[prefix..b.len() - suffix].iter().collect();
    let normalizing = name.nfc().eq(other.nfc());
    let why = if normalizing {
        "the same name once Unicode-normalized (NFC/NFD): one file on normalizing filesystems (macOS)"
    } else {
        "the same name when case is folded: one file on case-insensitive filesystems (macOS, Windows)"
    };
    format!(
        "collides with {whose} `{other}`: {why}, where one extracted file replaces the other; here {} where it has {}",
        code_points(&ours),
        code_points(&theirs)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_checked() {
        assert!(matches!(components(b"/etc/passwd"), Err(PathProblem::Absolute)));
        assert!(matches!(components(b"C:\\x"), Err(PathProblem::Absolute)));
        assert!(matches!(components(b"a/../../x"), Err(PathProblem::Traversal)));
        assert!(matches!(components(b"a\\..\\x"), Err(PathProblem::Traversal)));
        let ok = components(b"./q-1.0//src/./a.c").ok().unwrap_or_default();
        assert_eq!(ok, vec![b"q-1.0".as_slice(), b"src", b"a.c"]);
    }

    #[test]
    fn normalization_and_case_collide() {
        let (nfc, nfd) = ("caf\u{e9}.txt", "cafe\u{301}.txt");
        assert_ne!(nfc, nfd);
        assert_eq!(fold(nfc), fold(nfd));
        assert_eq!(fold("README"), fold("readme"));
        assert_ne!(fold("a"), fold("b"));
        let detail = collision_detail(nfd, nfc, "the tag's");
        assert!(detail.contains("U+0065 U+0301 where it has U+00E9"), "{detail}");
        assert!(detail.contains("normalizing"), "{detail}");
        assert!(collision_detail("README", "readme", "x").contains("case is folded"));
    }

    #[test]
    fn links_that_leave_the_tree() {
        assert!(escapes(b"a/link", b"../../etc/passwd"));
        assert!(escapes(b"link", b"/etc/passwd"));
        assert!(!escapes(b"a/link", b"../b/file"));
        assert!(escapes(b"link", b".."));
        assert!(!escapes(b"a/b/link", b"../x/../y"));
    }
}
