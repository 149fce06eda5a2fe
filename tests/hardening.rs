//! The hostile review's weak spots (issue 16): shallow clones, private
//! state files, hostile paths and URLs, config limits, hex and show on the
//! wrong kind of object, empty repositories. Each drives the real binary on
//! a real repository.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};
use support::binary::rearview;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git").current_dir(dir).args(args).output().expect("run git");
    assert!(out.status.success(), "git {args:?} failed: {}", stderr(&out));
}

/// `main` with `count` commits, one file each, the first tagged `v0`.
fn history(path: &Path, count: usize) -> Vec<rearview::repo::Oid> {
    let mut w = Writer::init(path).expect("init");
    let dev = Person { name: "Dev".into(), email: "dev@example.org".into() };
    let mut files = Files::new();
    let mut commits = Vec::new();
    for i in 0..count {
        files.insert(format!("f{i}.txt"), format!("change {i}\n").into_bytes());
        let tree = w.tree(&files).expect("tree");
        let parents: Vec<_> = commits.last().copied().into_iter().collect();
        let time = 1_700_000_000 + i as i64 * 100;
        let oid = w
            .commit(Some("refs/heads/main"), &parents, tree, &dev, &dev, time, &format!("Change {i}\n"))
            .expect("commit");
        commits.push(oid);
    }
    w.tag("v0", commits[0]).expect("tag");
    w.set_head("main").expect("head");
    commits
}

struct Shallow {
    dir: tempfile::TempDir,
    clone: PathBuf,
}

impl Shallow {
    fn new() -> Shallow {
        let dir = tempfile::tempdir().expect("temp dir");
        let origin = dir.path().join("origin");
        history(&origin, 8);
        let url = format!("file://{}", origin.display());
        git(dir.path(), &["clone", "--quiet", "--depth", "3", &url, "clone"]);
        let clone = dir.path().join("clone");
        Shallow { dir, clone }
    }

    fn run(&self, extra: &[&str]) -> Output {
        let db = self.dir.path().join("db.sqlite3");
        let mut args = vec!["--repo", self.clone.to_str().expect("utf-8"), "--db", db.to_str().expect("utf-8")];
        args.extend_from_slice(extra);
        rearview(&args)
    }
}

#[test]
fn audit_of_a_shallow_clone_says_history_is_missing_and_exits_2() {
    let shallow = Shallow::new();
    let out = shallow.run(&["audit", "--branch", "main", "--since", "v0"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("shallow clone: history before "), "{err}");
    assert!(err.contains(" is missing; run `git fetch --unshallow`"), "{err}");
}

#[test]
fn audit_from_a_base_the_shallow_clone_cannot_reach_exits_2() {
    let shallow = Shallow::new();
    // The tag's commit fetched on its own: known, but not reachable from main.
    git(&shallow.clone, &["fetch", "--quiet", "--depth", "1", "origin", "refs/tags/v0:refs/tags/v0"]);
    let out = shallow.run(&["audit", "--branch", "main", "--since", "v0"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains("shallow clone: history before "), "{err}");
}

#[test]
fn list_on_a_shallow_clone_notes_the_missing_history() {
    let shallow = Shallow::new();
    let out = shallow.run(&["list", "--format", "json"]);
    let err = stderr(&out);
    assert!(out.status.success(), "stderr: {err}");
    assert!(err.contains("shallow clone: history before "), "{err}");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout stays JSON");
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "the three commits the clone has");
}

#[test]
fn audit_of_a_shallow_clone_from_a_base_it_holds_runs() {
    let shallow = Shallow::new();
    let out = shallow.run(&["audit", "--branch", "main", "--since", "main~1"]);
    assert_ne!(out.status.code(), Some(2), "stderr: {}", stderr(&out));
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    meta.permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn the_store_and_the_queue_snapshot_beside_it_are_private() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    history(&repo, 2);
    let state = dir.path().join("state/rearview");
    let db = state.join("db.sqlite3");
    let ctx = rearview::jobs::JobContext {
        repo,
        db: db.clone(),
        config: rearview::config::Config::default(),
        github_api: None,
        theme: rearview::render::theme::Theme::default(),
    };
    rearview::jobs::load_queue_blocking(&ctx, false).expect("the queue loads");
    assert_eq!(mode(&db), 0o600, "the store");
    assert_eq!(mode(&state), 0o700, "the store's directory");
    assert_eq!(mode(&dir.path().join("state")), 0o700, "its parent, created for it");
    assert_eq!(mode(&state.join("db.sqlite3.queue.json")), 0o600, "the queue snapshot");
}

#[test]
fn a_store_that_is_a_device_or_a_directory_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    history(&repo, 2);
    let repo_arg = repo.to_str().expect("utf-8");
    let as_dir = dir.path().to_str().expect("utf-8");
    for (db, kind) in [("/dev/null", "a device"), (as_dir, "a directory")] {
        let out = rearview(&["--repo", repo_arg, "--db", db, "list"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{db}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains(&format!("the store {db} is {kind}, not a regular file")), "{err}");
    }
    // A new file in a directory yet to be made is a store.
    let fresh = dir.path().join("new/dir/db.sqlite3");
    let out = rearview(&["--repo", repo_arg, "--db", fresh.to_str().expect("utf-8"), "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn credentials_in_the_github_api_url_are_never_echoed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    history(&repo, 2);
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[github]\nrepository = \"python/quill\"\ntimeout_secs = 2\nbackoff_ms = 1\n")
        .expect("config");
    let db = dir.path().join("db.sqlite3");
    let base = ["--repo", repo.to_str().expect("utf-8"), "--db", db.to_str().expect("utf-8")];
    let config = config.to_str().expect("utf-8");
    for api in ["https://alice:hunter2@127.0.0.1:9", "http://alice:hunter2@127.0.0.1:9/api/v3", "ftp://alice:hunter2@x"]
    {
        for command in [&["sync"][..], &["outbox", "--push"][..]] {
            let mut args = base.to_vec();
            args.extend_from_slice(&["--config", config, "--github-api", api]);
            args.extend_from_slice(command);
            let out = Command::new(env!("CARGO_BIN_EXE_rearview"))
                .args(&args)
                .env("XDG_CONFIG_HOME", "/nonexistent-rearview-config")
                .env("GITHUB_TOKEN", "not-a-real-token")
                .output()
                .expect("run rearview");
            let text = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
            assert!(!text.contains("hunter2") && !text.contains("alice"), "{command:?} with {api}: {text}");
        }
    }
}

/// Runs rearview, killing it when it takes longer than ten seconds (a
/// FIFO config used to block forever).
#[cfg(unix)]
#[test]
fn the_demo_and_its_store_are_private() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let out = rearview_within(&["demo", "--no-tui"], &[("XDG_DATA_HOME", &data)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let home = data.join("rearview");
    for made in [data.clone(), home.clone(), home.join("demo")] {
        assert_eq!(mode(&made), 0o700, "{} was created for rearview", made.display());
    }
    let stores: Vec<_> = std::fs::read_dir(&home)
        .expect("read the data dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sqlite3"))
        .collect();
    assert_eq!(stores.len(), 1, "{stores:?}");
    assert_eq!(mode(&stores[0]), 0o600, "the demo's store");
}

fn rearview_within(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rearview"));
    command.args(args).env("XDG_CONFIG_HOME", "/nonexistent-rearview-config");
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start rearview");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while child.try_wait().expect("poll rearview").is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().expect("kill rearview");
            panic!("rearview {args:?} did not finish within 10 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("collect rearview's output")
}

#[cfg(unix)]
#[test]
fn a_config_that_is_no_regular_file_or_too_big_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    history(&repo, 2);
    let fifo = dir.path().join("config.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("run mkfifo");
    assert!(made.success(), "mkfifo");
    let big = dir.path().join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(1 << 20))).expect("write a big config");
    let db = dir.path().join("db.sqlite3");
    let cases = [
        ("/dev/zero".to_string(), "is not a regular file"),
        (fifo.display().to_string(), "is not a regular file"),
        (dir.path().display().to_string(), "is a directory"),
        (big.display().to_string(), "is larger than 1 MiB"),
    ];
    for (config, what) in &cases {
        let args =
            ["--repo", repo.to_str().expect("utf-8"), "--db", db.to_str().expect("utf-8"), "--config", config, "list"];
        let out = rearview_within(&args, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{config}: {err}");
        assert!(err.contains(&format!("config {config} {what}")), "{config}: {err}");
    }
}

#[test]
fn key_bindings_in_conflict_or_unknown_name_the_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    history(&repo, 2);
    let db = dir.path().join("db.sqlite3");
    let cases = [
        (
            "[ui]\nside_by_side = false\n\n[keys]\nup = \"k\"\ndown = \"q\"\n",
            "line 6: [keys]: `q` for `down` is already `back`'s key",
        ),
        ("[keys]\ndwon = \"j\"\n", "line 2: [keys]: `dwon` is not an action"),
    ];
    for (text, expected) in cases {
        let config = dir.path().join("config.toml");
        std::fs::write(&config, text).expect("write the config");
        let args = [
            "--repo",
            repo.to_str().expect("utf-8"),
            "--db",
            db.to_str().expect("utf-8"),
            "--config",
            config.to_str().expect("utf-8"),
            "tui",
        ];
        let out = rearview_within(&args, &[("XDG_STATE_HOME", dir.path())]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let named = format!("config {} {expected}", config.display());
        assert!(err.contains(&named), "wanted {named}\n got {err}");
    }
}

fn git_out(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").current_dir(dir).args(args).output().expect("run git");
    assert!(out.status.success(), "git {args:?} failed: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn hex_and_show_on_the_wrong_kind_of_object_say_what_it_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    let commits = history(&repo, 2);
    // A submodule (a commit in the tree) at vendor/lib.
    git(&repo, &["read-tree", "main"]);
    let gitlink = format!("160000,{},vendor/lib", commits[0]);
    git(&repo, &["update-index", "--add", "--cacheinfo", &gitlink]);
    git(&repo, &["-c", "user.name=Dev", "-c", "user.email=dev@example.org", "commit", "-q", "-m", "Vendor lib"]);
    let tree = git_out(&repo, &["rev-parse", "main^{tree}"]);
    let at = |args: &[&str]| {
        let mut all = vec!["--repo", repo.to_str().expect("utf-8")];
        all.extend_from_slice(args);
        rearview(&all)
    };
    let cases: [(&[&str], &str); 4] = [
        (&["hex", "main:f0.txt", "--offset", "100"], "offset 100 is past the end of main:f0.txt: it is 9 bytes"),
        (&["hex", "main:vendor"], "`main:vendor` in "),
        (&["hex", "main:vendor/lib"], "is a submodule (at "),
        (&["show", &tree], "is a tree (a directory), not a commit"),
    ];
    for (args, expected) in cases {
        let out = at(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
        assert!(err.contains(expected), "{args:?}: wanted {expected}\n got {err}");
    }
    let out = at(&["hex", "main:vendor"]);
    assert!(stderr(&out).contains("is a tree (a directory), not a file"), "{}", stderr(&out));
    // The last byte is still there to see.
    let out = at(&["hex", "main:f0.txt", "--offset", "8"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn an_empty_repository_says_so_in_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("empty");
    std::fs::create_dir(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "--initial-branch", "trunk"]);
    let db = dir.path().join("db.sqlite3");
    let base = ["--repo", repo.to_str().expect("utf-8"), "--db", db.to_str().expect("utf-8")];
    let commands: [&[&str]; 4] = [&["list"], &[], &["audit", "--branch", "trunk", "--since", "v1"], &["show", "HEAD"]];
    for command in commands {
        let mut args = base.to_vec();
        args.extend_from_slice(command);
        let out = rearview(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{command:?}: one line: {err}");
        assert!(err.contains("has no commits yet (its branch `trunk` is unborn)"), "{command:?}: {err}");
        assert!(!err.contains("UnbornBranch"), "{command:?}: libgit2's raw code: {err}");
    }
}

#[test]
fn an_unknown_syntax_theme_is_said_with_the_near_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    history(&repo, 2);
    let repo_arg = repo.to_str().expect("utf-8");
    let db = dir.path().join("db.sqlite3");
    let db_arg = db.to_str().expect("utf-8");
    let flagged: [&[&str]; 2] = [
        &["--repo", repo_arg, "show", "main", "--syntax-theme", "Monokai Extnded"],
        &["--repo", repo_arg, "--db", db_arg, "drift", "main", "--syntax-theme", "Monokai Extnded"],
    ];
    for args in flagged {
        let out = rearview_within(args, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("unknown syntax theme `Monokai Extnded`: did you mean Monokai Extended"), "{err}");
        assert!(out.stdout.is_empty(), "nothing drawn in another theme");
    }
    // Case is forgiven; a name near nothing lists the themes there are.
    let out = rearview_within(&["--repo", repo_arg, "show", "main", "--syntax-theme", "nord"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = rearview_within(&["--repo", repo_arg, "show", "main", "--syntax-theme", "zzzzzzzzzzzzzzzzzz"], &[]);
    assert!(stderr(&out).contains("the themes are ") && stderr(&out).contains("Solarized (dark)"), "{}", stderr(&out));

    // From the config: the file is named, for show and for the TUI alike.
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[ui]\nsyntax_theme = \"Dracla\"\n").expect("write the config");
    let config_arg = config.to_str().expect("utf-8");
    for command in [["show", "main"], ["tui", "--"]] {
        let mut args = vec!["--repo", repo_arg, "--db", db_arg, "--config", config_arg];
        args.extend(command.iter().filter(|a| **a != "--"));
        let out = rearview_within(&args, &[("XDG_STATE_HOME", dir.path())]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {err}");
        let named =
            format!("config {config_arg}: ui.syntax_theme: unknown syntax theme `Dracla`: did you mean Dracula");
        assert!(err.contains(&named), "{command:?}: wanted {named}\n got {err}");
    }
}

#[cfg(unix)]
#[test]
fn hex_names_a_file_whose_path_is_not_utf8() {
    use std::io::Write as _;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    history(&repo, 1);
    let mut hash = Command::new("git")
        .current_dir(&repo)
        .args(["hash-object", "-w", "--stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run git hash-object");
    hash.stdin.take().expect("stdin").write_all(&[0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]).expect("write the blob");
    let blob = String::from_utf8(hash.wait_with_output().expect("hash-object").stdout).expect("sha");
    git(&repo, &["read-tree", "main"]);
    // Latin-1 "café.bin": the é is the lone byte 0xE9.
    let mut cacheinfo = format!("100644,{},caf", blob.trim()).into_bytes();
    cacheinfo.extend_from_slice(b"\xe9.bin");
    let added = Command::new("git")
        .current_dir(&repo)
        .args(["update-index", "--add", "--cacheinfo"])
        .arg(std::ffi::OsStr::from_bytes(&cacheinfo))
        .status()
        .expect("run git update-index");
    assert!(added.success());
    git(&repo, &["-c", "user.name=Dev", "-c", "user.email=dev@example.org", "commit", "-q", "-m", "Latin-1 name"]);

    let hex = |spec: &[u8]| {
        Command::new(env!("CARGO_BIN_EXE_rearview"))
            .arg("--repo")
            .arg(&repo)
            .arg("hex")
            .arg(std::ffi::OsStr::from_bytes(spec))
            .output()
            .expect("run rearview hex")
    };
    let out = hex(b"main:caf\xe9.bin");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("de ad be ef 00 01"), "{text}");
    assert!(text.lines().next().is_some_and(|l| l.starts_with("main:caf") && l.contains(".bin: ")), "{text}");

    // The UTF-8 spelling is another name, and is not there.
    let out = hex("main:café.bin".as_bytes());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn an_orphan_head_beside_branches_with_history_names_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    history(&repo, 2);
    git(&repo, &["branch", "-m", "main", "trunk"]);
    git(&repo, &["symbolic-ref", "HEAD", "refs/heads/gh-pages"]);
    let db = dir.path().join("db.sqlite3");
    let base = ["--repo", repo.to_str().expect("utf-8"), "--db", db.to_str().expect("utf-8")];
    let commands: [&[&str]; 3] = [&["list"], &[], &["show", "HEAD"]];
    for command in commands {
        let mut args = base.to_vec();
        args.extend_from_slice(command);
        let out = rearview(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{command:?}: one line: {err}");
        assert!(err.contains("is `gh-pages`, a branch with no commits yet"), "{command:?}: {err}");
        assert!(err.contains("branches with history: trunk"), "{command:?}: {err}");
        assert!(!err.contains("UnbornBranch") && !err.contains("reference"), "{command:?}: libgit2's words: {err}");
    }
    // Named, the main line works.
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[branches]\ndefault = \"trunk\"\n").expect("write the config");
    let mut args = base.to_vec();
    args.extend_from_slice(&["--config", config.to_str().expect("utf-8"), "list"]);
    let out = rearview(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Change 1"));
}
