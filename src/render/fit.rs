//! Fitting text into a number of terminal columns by display width (a
//! wide character takes two): a file path cut in its middle so that the
//! start of its directory and its whole file name stay readable.

use unicode_width::UnicodeWidthChar;

/// What stands for the part left out.
const ELLIPSIS: char = '…';

/// The display width of `text`.
pub fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// The longest start of `text` at most `max` columns wide.
fn head(text: &str, max: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > max {
            return &text[..at];
        }
    }
    text
}

/// The longest end of `text` at most `max` columns wide.
fn tail(text: &str, max: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices().rev() {
        used += c.width().unwrap_or(0);
        if used > max {
            return &text[at + c.len_utf8()..];
        }
    }
    text
}

/// `path` in at most `max` columns: whole if it fits; otherwise the start
/// of its directory, `…/` and the whole file name
/// (`tests/…/test_benchmarks_multipart.py`), cutting the directory at a
/// `/` when one fits; and when not even the file name fits, the file
/// name's start, `…` and its end (which keeps the extension).
pub fn middle_path(path: &str, max: usize) -> String {
    if width(path) <= max {
        return path.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let (dir, name) = match path.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => ("", path),
    };
    // `…/name`, with as much of the directory in front as fits.
    let name_width = width(name);
    if !dir.is_empty() && name_width + 2 <= max {
        let room = max - name_width - 2;
        let start = head(dir, room);
        // Whole directories read better than a cut one: `tests/` over `tests/un`.
        let start = match start.rfind('/') {
            Some(slash) => &start[..=slash],
            None => start,
        };
        return format!("{start}{ELLIPSIS}/{name}");
    }
    // Even the name does not fit: its middle goes.
    let room = max - 1;
    let end = tail(name, room / 2);
    let start = head(name, room - width(end));
    format!("{start}{ELLIPSIS}{end}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_fits_is_whole() {
        assert_eq!(middle_path("tests/test_web.py", 17), "tests/test_web.py");
        assert_eq!(middle_path("", 5), "");
    }

    #[test]
    fn the_directory_gives_way_first_and_the_file_name_stays_whole() {
        let path = "tests/benchmarks/client/test_benchmarks_multipart.py";
        assert_eq!(middle_path(path, 38), "tests/…/test_benchmarks_multipart.py");
        assert_eq!(middle_path(path, 44), "tests/…/test_benchmarks_multipart.py");
        assert_eq!(middle_path(path, 48), "tests/benchmarks/…/test_benchmarks_multipart.py");
        assert_eq!(middle_path(path, 34), "test…/test_benchmarks_multipart.py");
        assert_eq!(middle_path(path, 30), "…/test_benchmarks_multipart.py");
        assert_eq!(middle_path("aiohttp/web.py", 10), "ai…/web.py");
        for max in 0..60 {
            assert!(width(&middle_path(path, max)) <= max, "{max}");
        }
    }

    #[test]
    fn a_file_name_wider_than_the_room_loses_its_middle_and_keeps_its_extension() {
        assert_eq!(middle_path("tests/test_benchmarks_multipart.py", 20), "test_bench…tipart.py");
        assert_eq!(middle_path("x", 1), "x");
        assert_eq!(middle_path("xy", 1), "…");
    }

    #[test]
    fn wide_characters_count_two_columns() {
        // Each 漢 is two columns wide.
        assert_eq!(middle_path("文書/漢字漢字.txt", 17), "文書/漢字漢字.txt");
        assert_eq!(middle_path("文書/漢字漢字.txt", 14), "…/漢字漢字.txt");
        assert_eq!(middle_path("文書/漢字漢字.txt", 13), "漢字漢…字.txt");
        assert_eq!(middle_path("文書/漢字漢字.txt", 9), "漢字….txt");
        for max in 0..20 {
            assert!(width(&middle_path("文書/漢字漢字.txt", max)) <= max, "{max}");
        }
    }
}
