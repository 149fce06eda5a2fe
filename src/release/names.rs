//! Entry names of an archive: their components, the absolute and
//! traversing ones refused, the top directory, and links that leave the tree.

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
    fn links_that_leave_the_tree() {
        assert!(escapes(b"a/link", b"../../etc/passwd"));
        assert!(escapes(b"link", b"/etc/passwd"));
        assert!(!escapes(b"a/link", b"../b/file"));
        assert!(escapes(b"link", b".."));
        assert!(!escapes(b"a/b/link", b"../x/../y"));
    }
}
