//! The git layer on real repositories written with git2 in temp dirs.

use std::path::Path;
use std::process::Command;

use git2::Oid;
use rearview::model::{FileStatus, Person};
use rearview::repo::scope::Scope;
use rearview::repo::write::{Files, Writer};
use rearview::repo::{Repo, RepoError};

fn alice() -> Person {
    Person { name: "Alice".into(), email: "alice@example.org".into() }
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    main: Vec<Oid>,
    merge: Oid,
    side: Oid,
    rename: Oid,
    binary: Oid,
}

/// main: root → edit → merge of a side branch → rename → binary; a `3.12`
/// branch from the edit with one commit; tags `v1` (edit) and `v2` (tip).
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("repo");
    let mut w = Writer::init(&path).expect("init");
    let a = alice();
    let mut files = Files::new();
    files.insert("src/lib.c".into(), (1..=30).map(|i| format!("line {i}\n")).collect::<String>().into_bytes());
    files.insert("README".into(), b"hello\n".to_vec());
    let t = w.tree(&files).expect("tree");
    let root = w.commit(Some("refs/heads/main"), &[], t, &a, &a, 1_000, "Root\n").expect("commit");

    let text = String::from_utf8(files["src/lib.c"].clone()).expect("utf-8").replace("line 10\n", "line ten\n");
    files.insert("src/lib.c".into(), text.into_bytes());
    let t = w.tree(&files).expect("tree");
    let edit = w.commit(Some("refs/heads/main"), &[root], t, &a, &a, 2_000, "Edit line ten (#5)\n").expect("commit");
    w.tag("v1", edit).expect("tag");

    let mut side_files = files.clone();
    side_files.insert("docs/guide.md".into(), b"# Guide\n\nRead me.\n".to_vec());
    let t = w.tree(&side_files).expect("tree");
    let side = w.commit(None, &[edit], t, &a, &a, 3_000, "Add a guide\n").expect("commit");
    let merge = w
        .commit(
            Some("refs/heads/main"),
            &[edit, side],
            t,
            &a,
            &a,
            4_000,
            "Merge pull request #6 from alice/guide\n\nAdd a guide\n",
        )
        .expect("merge");

    let mut renamed = side_files.clone();
    let readme = renamed.remove("README").expect("readme");
    renamed.insert("README.md".into(), readme);
    let t = w.tree(&renamed).expect("tree");
    let rename = w.commit(Some("refs/heads/main"), &[merge], t, &a, &a, 5_000, "Rename README\n").expect("commit");

    let mut with_binary = renamed.clone();
    with_binary.insert("tests/data.bin".into(), vec![0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 3]);
    let t = w.tree(&with_binary).expect("tree");
    let binary = w.commit(Some("refs/heads/main"), &[rename], t, &a, &a, 6_000, "Add test data\n").expect("commit");
    w.tag("v2", binary).expect("tag");

    let mut maint = files.clone();
    maint.insert("NEWS".into(), b"3.12.1\n".to_vec());
    let t = w.tree(&maint).expect("tree");
    w.commit(Some("refs/heads/3.12"), &[edit], t, &a, &a, 7_000, "News for 3.12.1\n").expect("commit");
    w.set_head("main").expect("head");

    Fixture { _dir: dir, path, main: vec![binary, rename, merge, edit, root], merge, side, rename, binary }
}

fn shas(commits: &[rearview::model::Commit]) -> Vec<String> {
    commits.iter().map(|c| c.sha.clone()).collect()
}

fn oids(list: &[Oid]) -> Vec<String> {
    list.iter().map(Oid::to_string).collect()
}

#[test]
fn first_parent_walk_skips_merged_side_commits() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    let range = repo.parse_range("main").expect("range");
    let walked = repo.walk(&range, usize::MAX).expect("walk");
    assert_eq!(shas(&walked), oids(&f.main));
    assert!(!shas(&walked).contains(&f.side.to_string()), "the side commit is not a change of main");
    assert_eq!(walked[2].parent_count, 2);
    assert_eq!(shas(&repo.walk(&range, 2).expect("walk")), oids(&f.main[..2]), "limit caps the walk");
}

#[test]
fn independent_tips_are_those_no_other_tip_reaches() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    let b312 = repo.branch_tip("3.12").expect("3.12");
    let (tip, edit, side) = (f.main[0], f.main[3], f.side);
    // The edit is behind both branches, the side commit behind main's merge.
    let found = repo.independent(&[edit, b312, side, tip]).expect("independent");
    assert_eq!(oids(&found), oids(&[b312, tip]), "in the order given");
    assert_eq!(oids(&repo.independent(&[edit]).expect("one")), oids(&[edit]));
    for (a, b) in [(edit, tip), (side, tip), (edit, b312)] {
        assert!(repo.is_ancestor(a, b).expect("ancestry"), "as git says");
    }
}

#[test]
fn ranges_resolve_tags_branches_and_shas() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    let r = repo.parse_range("v1..main").expect("range");
    assert_eq!(r.branch, "main");
    assert_eq!(shas(&repo.walk(&r, usize::MAX).expect("walk")), oids(&f.main[..3]));
    let r = repo.parse_range("v1..v2").expect("tag range");
    assert_eq!(repo.walk(&r, usize::MAX).expect("walk").len(), 3);
    let r = repo.parse_range(&format!("{}..", f.merge)).expect("open-ended range");
    assert_eq!(shas(&repo.walk(&r, usize::MAX).expect("walk")), oids(&f.main[..2]), "empty tip means HEAD");
    let r = repo.parse_range("main~1..main").expect("revspec range");
    assert_eq!(repo.walk(&r, usize::MAX).expect("walk").len(), 1);

    for (bad, what) in [("nope..main", "nope"), ("main..nope", "nope")] {
        match repo.parse_range(bad) {
            Err(RepoError::Unknown { name, .. }) => assert_eq!(name, what),
            other => panic!("{bad}: {other:?}"),
        }
    }
    for bad in ["..", "a..b..c", "main...v1", ""] {
        assert!(matches!(repo.parse_range(bad), Err(RepoError::MalformedRange { .. })), "{bad}");
    }
}

#[test]
fn maintenance_branches_start_where_they_left_the_main_line() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    assert_eq!(repo.default_branch(None).expect("default"), "main");
    let scope =
        Scope { default_branch: "main".into(), watched: vec!["main".into(), "3.12".into()], ..Scope::default() };
    let r = repo.branch_range("3.12", &scope).expect("range");
    let walked = repo.walk(&r, usize::MAX).expect("walk");
    assert_eq!(walked.len(), 1, "only the maintenance commit, not the shared history");
    assert_eq!(walked[0].subject, "News for 3.12.1");
    let names = repo.branch_names().expect("names");
    assert_eq!(names, ["3.12", "main"]);
}

#[test]
fn a_range_holds_its_first_parent_changes_only() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    let holds = |range: &str, commit: Oid| {
        let range = repo.parse_range(range).expect("range");
        repo.first_parent_holds(&range, commit).expect("walk")
    };
    for &commit in &f.main {
        assert!(holds("main", commit), "{commit} is a change of main");
    }
    assert!(!holds("main", f.side), "a merged side commit is reachable, but no change of main");
    assert!(holds("v1..main", f.rename));
    assert!(!holds("v1..main", f.main[3]), "the base is not in its range");
    assert!(!holds("v1..main", f.main[4]), "nor what precedes it");
    let maintenance = repo
        .branch_range(
            "3.12",
            &Scope { default_branch: "main".into(), watched: vec!["main".into(), "3.12".into()], ..Scope::default() },
        )
        .expect("range");
    let tip = repo.branch_tip("3.12").expect("tip");
    assert!(repo.first_parent_holds(&maintenance, tip).expect("walk"));
    assert!(!repo.first_parent_holds(&maintenance, f.binary).expect("walk"), "another branch's change");
}

#[test]
fn files_report_status_counts_renames_and_binaries() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    let merge = repo.files(&f.merge.to_string()).expect("files");
    assert_eq!(merge.len(), 1, "a merge diffs against its first parent");
    assert_eq!((merge[0].path.as_str(), merge[0].status, merge[0].additions), ("docs/guide.md", FileStatus::Added, 3));

    let rename = repo.files(&f.rename.to_string()).expect("files");
    assert_eq!(rename.len(), 1);
    assert_eq!(rename[0].status, FileStatus::Renamed);
    assert_eq!(rename[0].old_path.as_deref(), Some("README"));
    assert_eq!(rename[0].path, "README.md");

    let binary = repo.files(&f.binary.to_string()).expect("files");
    assert!(binary[0].binary);
    assert_eq!((binary[0].additions, binary[0].deletions), (0, 0));

    let edit = repo.files(&f.main[3].to_string()).expect("files");
    assert_eq!((edit[0].additions, edit[0].deletions, edit[0].binary), (1, 1, false));
}

#[test]
fn root_commit_lists_every_file_as_added() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    let root = repo.files(&f.main[4].to_string()).expect("files");
    assert_eq!(root.len(), 2);
    assert!(root.iter().all(|x| x.status == FileStatus::Added));
}

fn git(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git is installed (the CI script installs it)");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input).expect("write to git");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("git runs");
    assert!(out.status.success(), "git {args:?}");
    out.stdout
}

#[test]
fn patch_id_equals_git_patch_id_stable() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    for oid in [f.main[3], f.rename, f.merge] {
        let sha = oid.to_string();
        let diff = git(&f.path, &["diff-tree", "-p", "--no-renames", &format!("{sha}^1"), &sha], None);
        let out = git(&f.path, &["patch-id", "--stable"], Some(&diff));
        let theirs = String::from_utf8_lossy(&out).split_whitespace().next().unwrap_or_default().to_string();
        assert_eq!(repo.patch_id(&sha).expect("patch id"), theirs, "commit {sha}");
    }
}

/// A history of the diffs whose patch-ids are easy to get wrong: changes
/// 6 and 7 lines apart (one hunk or two), whitespace-only edits, a last
/// line without a newline, a file deleted, an empty file added, several
/// files at once. Each id must be `git patch-id --stable`'s.
#[test]
fn patch_ids_equal_git_on_tricky_diffs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("repo");
    let mut w = Writer::init(&path).expect("init");
    let a = alice();
    fn numbered(n: usize) -> String {
        (1..=n).map(|i| format!("    value = {i}\n")).collect()
    }
    let mut files = Files::new();
    files.insert("a.py".into(), numbered(60).into_bytes());
    files.insert("b.txt".into(), b"one\ntwo\nthree".to_vec());
    files.insert("gone.c".into(), b"int gone;\n".to_vec());
    let t = w.tree(&files).expect("tree");
    let mut parent = w.commit(Some("refs/heads/main"), &[], t, &a, &a, 1_000, "Root\n").expect("commit");
    let mut commits = Vec::new();
    let edits: [fn(&mut Files); 3] = [
        // Changes at lines 10 and 17 (6 lines between: one hunk), then at
        // 30 and 38 (7 lines between: two hunks).
        |f| {
            let text = numbered(60)
                .replace("value = 10\n", "value = ten\n")
                .replace("value = 17\n", "value = seventeen\n")
                .replace("value = 30\n", "value = thirty\n")
                .replace("value = 38\n", "value = thirty-eight\n");
            f.insert("a.py".into(), text.into_bytes());
        },
        // Whitespace only, and a line with no newline at the end changed.
        |f| {
            let text =
                String::from_utf8(f["a.py"].clone()).expect("utf-8").replace("    value = 5\n", "\tvalue =  5 \n");
            f.insert("a.py".into(), text.into_bytes());
            f.insert("b.txt".into(), b"one\ntwo\nTHREE".to_vec());
        },
        // A file deleted, an empty one added, another written whole.
        |f| {
            f.remove("gone.c");
            f.insert("empty.txt".into(), Vec::new());
            f.insert("docs/new.md".into(), b"# New\n\n  text  \n".to_vec());
        },
    ];
    for (i, edit) in edits.iter().enumerate() {
        edit(&mut files);
        let t = w.tree(&files).expect("tree");
        parent = w.commit(Some("refs/heads/main"), &[parent], t, &a, &a, 2_000 + i as i64, "Edit\n").expect("commit");
        commits.push(parent);
    }
    w.set_head("main").expect("head");
    let repo = Repo::open(&path).expect("open");
    for oid in commits {
        let sha = oid.to_string();
        let diff = git(&path, &["diff-tree", "-p", "--no-renames", &format!("{sha}^1"), &sha], None);
        let out = git(&path, &["patch-id", "--stable"], Some(&diff));
        let theirs = String::from_utf8_lossy(&out).split_whitespace().next().unwrap_or_default().to_string();
        assert_eq!(repo.patch_id(&sha).expect("patch id"), theirs, "commit {sha}:\n{}", String::from_utf8_lossy(&diff));
        let (_, listed) = repo.files_and_patch_id(&sha).expect("files");
        assert_eq!(listed.as_deref(), Some(theirs.as_str()), "the file list's diff gives the same id");
    }
}

/// A listing's diff finds renames and a patch-id is taken without them:
/// a rename's id is left to [`Repo::patch_id`]. Two different changes to
/// one binary have different ids (git's "Binary files differ" line alone
/// would make them equal); the same change made twice has one id.
#[test]
fn patch_ids_of_renames_and_binaries() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    let (files, listed) = repo.files_and_patch_id(&f.rename.to_string()).expect("files");
    assert_eq!(files[0].status, FileStatus::Renamed);
    assert_eq!(listed, None, "the listing's diff holds a rename");

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("repo");
    let mut w = Writer::init(&path).expect("init");
    let a = alice();
    let with = |bytes: &[u8]| {
        let mut files = Files::new();
        files.insert("data.bin".into(), bytes.to_vec());
        files
    };
    let base = w.tree(&with(b"\0old")).expect("tree");
    let root = w.commit(Some("refs/heads/main"), &[], base, &a, &a, 1_000, "Root\n").expect("commit");
    let first = w.tree(&with(b"\0first")).expect("tree");
    let second = w.tree(&with(b"\0second")).expect("tree");
    let one = w.commit(Some("refs/heads/main"), &[root], first, &a, &a, 2_000, "One\n").expect("commit");
    let other = w.commit(Some("refs/heads/other"), &[root], second, &a, &a, 3_000, "Other\n").expect("commit");
    let again = w.commit(Some("refs/heads/again"), &[root], first, &a, &a, 4_000, "Again\n").expect("commit");
    let repo = Repo::open(&path).expect("open");
    let id = |oid: Oid| repo.patch_id(&oid.to_string()).expect("patch id");
    assert_ne!(id(one), id(other), "different binary changes");
    assert_eq!(id(one), id(again), "the same binary change");
}

/// Linking by patch-id takes a main-line commit's paths from its trees:
/// exactly its file list's paths when it cannot hold a rename, and a
/// superset of them when it can.
#[test]
fn touched_paths_are_the_file_lists_paths_or_hold_them() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    for oid in f.main.iter().copied().chain([f.merge, f.side, f.rename, f.binary]) {
        let sha = oid.to_string();
        let (paths, exact) = repo.touched_paths(&sha).expect("paths");
        let mut listed: Vec<String> = repo.files(&sha).expect("files").into_iter().map(|c| c.path).collect();
        listed.sort_unstable();
        if exact {
            assert_eq!(paths, listed, "commit {sha}");
        } else {
            assert!(listed.iter().all(|p| paths.contains(p)), "commit {sha}: {listed:?} in {paths:?}");
        }
    }
    let (paths, exact) = repo.touched_paths(&f.rename.to_string()).expect("paths");
    assert!(!exact, "a rename adds and deletes: its file list needs the blobs");
    assert_eq!(paths.len(), 2, "old and new path: {paths:?}");
}

#[test]
fn the_tracked_remote_is_what_landed() {
    let f = fixture();
    let dir = tempfile::tempdir().expect("temp dir");
    let clone = dir.path().join("clone");
    let cloned = git2::Repository::clone(f.path.to_str().expect("utf-8"), &clone).expect("clone");
    // The clone's local main falls behind; origin/main is what landed.
    cloned.reference("refs/heads/main", f.main[1], true, "fall behind").expect("move local main back");
    let repo = Repo::open(&clone).expect("open");
    assert_eq!(repo.branch_tip("main").expect("tip"), f.main[0]);
    assert_eq!(repo.default_branch(None).expect("default"), "main", "from origin/HEAD");
    assert!(repo.branch_names().expect("names").contains(&"3.12".to_string()), "remote branches are listed");
}

#[test]
fn opening_reports_missing_paths_and_non_repositories() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(matches!(Repo::open(&dir.path().join("missing")), Err(RepoError::Missing { .. })));
    assert!(matches!(Repo::open(dir.path()), Err(RepoError::NotARepo { .. })));
}

#[test]
fn the_diff_model_numbers_lines_and_names_renames() {
    let f = fixture();
    let repo = Repo::open(&f.path).expect("open");
    let rename = repo.diff(&f.rename.to_string(), &[]).expect("diff");
    assert_eq!(rename.len(), 1);
    assert_eq!(rename[0].status, FileStatus::Renamed);
    assert_eq!(rename[0].similarity, Some(100));
    assert_eq!(rename[0].old_path.as_deref(), Some("README"));

    let edit = repo.diff(&f.main[3].to_string(), &[]).expect("diff");
    let hunk = &edit[0].hunks[0];
    let changed: Vec<(Option<u32>, Option<u32>, &str)> = hunk
        .lines
        .iter()
        .filter(|l| l.kind != rearview::model::LineKind::Context)
        .map(|l| (l.old_no, l.new_no, l.text.as_str()))
        .collect();
    assert_eq!(changed, [(Some(10), None, "line 10"), (None, Some(10), "line ten")]);
    assert_eq!((hunk.old_start, hunk.new_start), (7, 7), "three lines of context");

    let binary = repo.diff(&f.binary.to_string(), &[]).expect("diff");
    assert!(binary[0].binary && binary[0].hunks.is_empty(), "binaries carry no text hunks");
    let only = repo.diff(&f.merge.to_string(), &["docs/guide.md".to_string()]).expect("diff");
    assert_eq!(only.len(), 1);
    assert!(repo.diff(&f.merge.to_string(), &["nope".to_string()]).expect("diff").is_empty());
}

/// `@@ -1,3 +1,4 @@ context` as git writes it (a count of one left out).
fn hunk_header(h: &rearview::model::Hunk) -> String {
    let range = |start: u32, lines: u32| if lines == 1 { start.to_string() } else { format!("{start},{lines}") };
    let head = format!("@@ -{} +{} @@", range(h.old_start, h.old_lines), range(h.new_start, h.new_lines));
    if h.context.is_empty() {
        head
    } else {
        format!("{head} {}", h.context)
    }
}

#[test]
fn every_demo_change_diffs_into_the_hunks_git_shows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo");
    rearview::pipeline::demo::build(&path, Some(&dir.path().join("db.sqlite3"))).expect("build the demo");
    let repo = Repo::open(&path).expect("open");
    let log = git(&path, &["log", "--all", "--format=%H"], None);
    let shas: Vec<String> = String::from_utf8_lossy(&log).lines().map(str::to_string).collect();
    assert!(shas.len() > 40, "the demo has its history");
    let mut hunks = 0;
    for sha in &shas {
        // git's histogram diff against the first parent, renames found.
        let out =
            git(&path, &["show", "--format=", "--histogram", "--first-parent", "-m", "-M", "--no-color", sha], None);
        let theirs: Vec<String> = String::from_utf8_lossy(&out)
            .lines()
            .filter(|l| l.starts_with("@@ "))
            .map(|l| l.trim_end().to_string())
            .collect();
        let ours: Vec<String> = repo
            .diff(sha, &[])
            .expect("diff")
            .iter()
            .flat_map(|f| f.hunks.iter().map(hunk_header))
            .map(|h| h.trim_end().to_string())
            .collect();
        assert_eq!(ours, theirs, "commit {sha}");
        hunks += ours.len();
    }
    assert!(hunks > 50, "{hunks} hunks compared");
}
