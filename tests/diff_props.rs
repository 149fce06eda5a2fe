//! Diff rendering never panics and never emits a control character, on
//! any text: invalid-looking sequences, CR-only lines, huge lines, empty
//! files.

use proptest::prelude::*;
use rearview::model::{DiffLine, FileDiff, FileStatus, Hunk, LineKind};
use rearview::render::diff::{word_changes, DiffRenderer, Layout, Palette};

fn file(lines: Vec<(LineKind, String)>, path: &str) -> FileDiff {
    let (mut old_no, mut new_no) = (0u32, 0u32);
    let lines: Vec<DiffLine> = lines
        .into_iter()
        .map(|(kind, text)| {
            let (o, n) = match kind {
                LineKind::Context => {
                    old_no += 1;
                    new_no += 1;
                    (Some(old_no), Some(new_no))
                }
                LineKind::Removed => {
                    old_no += 1;
                    (Some(old_no), None)
                }
                LineKind::Added => {
                    new_no += 1;
                    (None, Some(new_no))
                }
            };
            DiffLine { kind, old_no: o, new_no: n, text, no_newline: false }
        })
        .collect();
    FileDiff {
        old_path: Some(path.into()),
        new_path: Some(path.into()),
        status: FileStatus::Modified,
        similarity: None,
        old_mode: 0o100644,
        new_mode: 0o100755,
        binary: false,
        old_blob: None,
        new_blob: None,
        hunks: vec![Hunk {
            old_start: 1,
            old_lines: old_no,
            new_start: 1,
            new_lines: new_no,
            context: "fn \u{1b}[2J".into(),
            lines,
        }],
    }
}

fn kind() -> impl Strategy<Value = LineKind> {
    prop_oneof![Just(LineKind::Context), Just(LineKind::Removed), Just(LineKind::Added)]
}

fn render(f: &FileDiff, side_by_side: bool, width: usize) -> Vec<String> {
    let layout = Layout { side_by_side, width, syntax_theme: "Monokai Extended".into(), max_line_chars: None };
    let mut r = DiffRenderer::new(f, layout, Palette::default());
    let mut out: Vec<String> = r.header().iter().map(|l| l.iter().map(|s| s.text.as_str()).collect()).collect();
    for i in 0..r.hunk_count() {
        out.extend(r.hunk(i).iter().map(|l| l.iter().map(|s| s.text.as_str()).collect::<String>()));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_text_renders_without_control_characters(
        lines in prop::collection::vec((kind(), any::<String>()), 0..40),
        side_by_side in any::<bool>(),
        width in 20usize..200,
        path in prop_oneof![Just("a.rs"), Just("b.py"), Just("c.c"), Just("Makefile"), Just("x\u{202E}y.txt")],
    ) {
        let f = file(lines, path);
        for line in render(&f, side_by_side, width) {
            prop_assert!(!line.chars().any(char::is_control), "{line:?}");
        }
    }

    #[test]
    fn word_changes_stay_inside_their_lines(a in any::<String>(), b in any::<String>()) {
        let (old, new) = word_changes(&a, &b);
        for (s, e) in old {
            prop_assert!(s < e && e <= a.chars().count());
        }
        for (s, e) in new {
            prop_assert!(s < e && e <= b.chars().count());
        }
    }
}

#[test]
fn cr_only_huge_and_empty_files() {
    let huge = "x".repeat(10 * 1024 * 1024);
    let cases = vec![
        vec![],
        vec![(LineKind::Added, "a\rb\rc\r".to_string())],
        vec![(LineKind::Removed, huge.clone()), (LineKind::Added, format!("{huge}y"))],
        vec![(LineKind::Context, String::new()), (LineKind::Added, "\u{0}\u{7f}\u{9b}".into())],
    ];
    for lines in cases {
        let f = file(lines, "big.txt");
        for line in render(&f, false, 120).into_iter().chain(render(&f, true, 120)) {
            assert!(!line.chars().any(char::is_control));
        }
    }
}

#[test]
fn a_hunk_rendered_again_after_later_ones_is_rendered_the_same() {
    // Long enough that the highlighters drop the lines they styled.
    let lines = |tag: &str| -> Vec<(LineKind, String)> {
        (0..700)
            .map(|i| match i % 3 {
                0 => (LineKind::Context, format!("/* {tag} {i} */ int a{i} = {i};")),
                1 => (LineKind::Removed, format!("char *s{i} = \"{tag} {i}\";")),
                _ => (LineKind::Added, format!("char *s{i} = \"{tag} {i} v2\"; // \"")),
            })
            .collect()
    };
    let mut f = file(lines("first"), "a.c");
    let second = file(lines("second"), "a.c").hunks.remove(0);
    f.hunks.push(Hunk { old_start: 2_000, new_start: 2_000, ..second });
    let layout =
        Layout { side_by_side: false, width: 120, syntax_theme: "Monokai Extended".into(), max_line_chars: None };
    let mut r = DiffRenderer::new(&f, layout, Palette::default());
    let first = r.hunk(0);
    let later = r.hunk(1);
    assert!(!first.is_empty() && !later.is_empty());
    assert_eq!(r.hunk(0), first, "going back gives the same lines and styles");
    assert_eq!(r.hunk(1), later);
}
