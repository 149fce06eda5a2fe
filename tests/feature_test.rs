//! The `feature_test` signal through the real binary, on repositories that
//! reproduce the xz-utils Landlock sabotage (one `.` in a CMake check
//! program), an honest autoconf edit, and hostile check programs: includes
//! of files outside the system headers (refused, never compiled) and a
//! preprocessor bomb (stopped). Each run gets its own TMPDIR, which must be
//! empty afterwards: the compile's sandbox is removed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use rearview::model::Person;
use rearview::repo::write::{Files, Writer};
use serde_json::Value;

/// xz-utils' CMakeLists.txt around its Landlock check (5.6.x), trimmed.
const XZ_CMAKE: &str = r#"cmake_minimum_required(VERSION 3.14)
project(xz C)
include(CheckCSourceCompiles)
set(ENABLE_SANDBOX "auto" CACHE STRING "Sandboxing method")

if(ENABLE_SANDBOX STREQUAL "landlock" OR ENABLE_SANDBOX STREQUAL "auto")
    # A compile check is done here because some systems have
    # linux/landlock.h, but do not have the syscalls defined
    # in order to actually use Linux Landlock.
    check_c_source_compiles("
        #include <linux/landlock.h>
        #include <sys/syscall.h>
        #include <sys/prctl.h>

        void my_sandbox(void)
        {
            (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            (void)SYS_landlock_create_ruleset;
            (void)SYS_landlock_restrict_self;
            (void)LANDLOCK_CREATE_RULESET_VERSION;
            return;
        }

        int main(void) { return 0; }
        "
    HAVE_LINUX_LANDLOCK)

    if(HAVE_LINUX_LANDLOCK)
        set(SANDBOX_FOUND ON)
    endif()
endif()

add_executable(xz src/xz/main.c)
"#;

struct Project {
    dir: tempfile::TempDir,
    repo: PathBuf,
}

impl Project {
    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }
}

fn person(name: &str) -> Person {
    Person { name: name.into(), email: format!("{}@example.org", name.to_lowercase().replace(' ', ".")) }
}

/// A repository whose main branch holds `first`, then each edit in turn
/// (a title and the files that change), all by one author.
fn project(first: &[(&str, &str)], edits: &[(&str, &[(&str, &str)])]) -> Project {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("project");
    let mut w = Writer::init(&repo).expect("init");
    let who = person("Lasse");
    let mut files = Files::new();
    files.insert("src/xz/main.c".into(), b"int main(void) { return 0; }\n".to_vec());
    for (path, text) in first {
        files.insert(path.to_string(), text.as_bytes().to_vec());
    }
    let t0 = 1_700_000_000;
    let tree = w.tree(&files).expect("tree");
    let mut tip = w.commit(Some("refs/heads/main"), &[], tree, &who, &who, t0, "Initial import\n").expect("commit");
    for (n, (title, changed)) in edits.iter().enumerate() {
        for (path, text) in changed.iter() {
            files.insert(path.to_string(), text.as_bytes().to_vec());
        }
        let tree = w.tree(&files).expect("tree");
        let at = t0 + 86_400 * (n as i64 + 1);
        tip = w.commit(Some("refs/heads/main"), &[tip], tree, &who, &who, at, &format!("{title}\n")).expect("commit");
    }
    w.set_head("main").expect("head");
    Project { dir, repo }
}

/// `rearview list --format json` with `config` (TOML) and its own TMPDIR;
/// `path_first`: a directory put before the PATH.
fn list(p: &Project, config: &str, path_first: Option<&Path>) -> Vec<Value> {
    let config_file = p.path("config.toml");
    std::fs::write(&config_file, config).expect("write config");
    let tmp = p.path("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path = match path_first {
        Some(dir) => {
            std::env::join_paths(std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&path))).expect("PATH")
        }
        None => path,
    };
    let db = p.path("store.sqlite3");
    let out: Output = Command::new(env!("CARGO_BIN_EXE_rearview"))
        .args(["list", "--format", "json", "--repo", s(&p.repo), "--db", s(&db), "--config", s(&config_file)])
        .env("XDG_CONFIG_HOME", p.path("config"))
        .env("XDG_DATA_HOME", p.path("data"))
        .env("TMPDIR", &tmp)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .expect("run rearview");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let left: Vec<_> = std::fs::read_dir(&tmp).expect("tmp").flatten().map(|e| e.path()).collect();
    assert!(left.is_empty(), "the compile sandboxes are removed: {left:?}");
    serde_json::from_slice::<Value>(&out.stdout).expect("json").as_array().cloned().unwrap_or_default()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn by_title<'a>(changes: &'a [Value], title: &str) -> &'a Value {
    changes
        .iter()
        .find(|c| c["title"].as_str().is_some_and(|t| t.contains(title)))
        .unwrap_or_else(|| panic!("no change titled {title}"))
}

fn risks<'a>(change: &'a Value, kind: &str) -> Vec<&'a Value> {
    change["risks"].as_array().into_iter().flatten().filter(|r| r["kind"] == kind).collect()
}

fn text(v: &Value) -> &str {
    v["explanation"].as_str().unwrap_or("")
}

// linux/landlock.h is a Linux kernel header.
#[cfg(target_os = "linux")]
#[test]
fn the_xz_landlock_dot_is_critical_with_a_compiler_and_high_without() {
    let sabotaged = XZ_CMAKE.replace("        #include <sys/prctl.h>\n", "        #include <sys/prctl.h>\n.\n");
    let routine =
        sabotaged.replace("add_executable(xz src/xz/main.c)", "add_executable(xz src/xz/main.c src/xz/util.c)");
    let p = project(
        &[("CMakeLists.txt", XZ_CMAKE)],
        &[
            ("CMake: Fix sandboxing check", &[("CMakeLists.txt", &sabotaged)]),
            ("CMake: Build util.c", &[("CMakeLists.txt", &routine)]),
        ],
    );
    let all = list(&p, "[risk]\ncompile_checks = true\n", None);
    let dot = by_title(&all, "Fix sandboxing check");
    let first = &dot["risks"][0];
    assert_eq!(first["kind"], "feature_test", "the check's signal leads: {dot:#}");
    assert_eq!(first["severity"], "critical", "{first:#}");
    assert_eq!(first["weight"], 70, "35, doubled at critical");
    assert!(text(first).contains("this check can no longer succeed; the feature it guards is silently disabled"));
    assert!(text(first).contains("check_c_source_compiles HAVE_LINUX_LANDLOCK"), "{first:#}");
    assert!(text(first).contains("program line 5:1: error:"), "the compiler's first error: {first:#}");
    assert_eq!(first["location"]["path"], "CMakeLists.txt");
    assert_eq!(first["location"]["line"], 10, "the check's first line");
    assert_eq!(risks(dot, "build_system").len(), 1, "still a build edit too: {dot:#}");

    let plain = by_title(&all, "Build util.c");
    assert!(risks(plain, "feature_test").is_empty(), "an edit outside the checks: {plain:#}");
    assert!(!risks(plain, "build_system").is_empty());
    let score = |c: &Value| c["score"].as_u64().unwrap_or(0);
    assert!(score(dot) > score(plain), "{} > {}", score(dot), score(plain));

    // Without compiling (the cached scan is made again), an edit: high.
    let all = list(&p, "[risk]\ncompile_checks = false\n", None);
    let dot = by_title(&all, "Fix sandboxing check");
    let first = &dot["risks"][0];
    assert_eq!((&first["kind"], &first["severity"]), (&"feature_test".into(), &"high".into()), "{dot:#}");
    assert!(text(first).contains("not compiled: risk.compile_checks is off"), "{first:#}");
    assert!(score(dot) > score(by_title(&all, "Build util.c")));
}

#[test]
fn an_autoconf_link_check_edited_that_still_compiles_is_high_and_never_run() {
    let dir = tempfile::tempdir().expect("marker dir");
    let marker = dir.path().join("ran");
    let configure = |timeout: u32| {
        format!(
            r#"AC_INIT([demo], [1.0])
AC_PROG_CC
AC_MSG_CHECKING([for a working poll])
AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <poll.h>
#include <stdio.h>]], [[struct pollfd p = {{ 0 }};
  FILE *f = fopen("{}", "w");
  return poll(&p, 1, {timeout}) + (f == 0);]])],
  [AC_DEFINE([HAVE_POLL], [1], [poll works])], [])
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
"#,
            marker.display()
        )
    };
    let (old, new) = (configure(0), configure(10));
    let p = project(
        &[("configure.ac", &old)],
        &[
            ("Wait a little in the poll check", &[("configure.ac", &new)]),
            ("Add a generated file", &[("configure.ac", &new.replace("[Makefile]", "[Makefile lib/Makefile]"))]),
        ],
    );
    let all = list(&p, "", None);
    let edit = by_title(&all, "Wait a little");
    let first = &edit["risks"][0];
    assert_eq!((&first["kind"], &first["severity"]), (&"feature_test".into(), &"high".into()), "{edit:#}");
    assert!(text(first).contains("AC_LINK_IFELSE checking for a working poll: edited; still compiles"), "{first:#}");
    assert_eq!(first["location"]["line"], 4);
    assert!(!risks(edit, "build_system").is_empty());
    let other = by_title(&all, "Add a generated file");
    assert!(risks(other, "feature_test").is_empty(), "{other:#}");
    assert!(edit["score"].as_u64() > other["score"].as_u64());
    assert!(!marker.exists(), "the check program was compiled, never run");
}

#[test]
fn hostile_check_programs_are_refused_unread_or_stopped() {
    let before = "project(p C)\n\
        check_c_source_compiles(\"int main(void) { return 0; }\" HAVE_SECRET)\n\
        check_include_file(stdio.h HAVE_STDIO_H)\n";
    let hostile = "project(p C)\n\
        check_c_source_compiles(\"#include \\\"../../secret.h\\\"\nint main(void) { return 0; }\" HAVE_SECRET)\n\
        check_include_file(/etc/passwd HAVE_STDIO_H)\n";
    let p = project(&[("CMakeLists.txt", before)], &[("Probe the builder", &[("CMakeLists.txt", hostile)])]);

    // A `cc` of ours first on the PATH: it leaves a mark named after what
    // it was given to compile.
    let fake = p.path("bin");
    std::fs::create_dir(&fake).expect("bin");
    let marks = p.path("marks");
    std::fs::create_dir(&marks).expect("marks");
    let script = format!(
        "#!/bin/sh\nword=$(grep -o -e secret -e passwd | head -n 1)\ntouch '{}'/\"compiled-${{word:-other}}\"\n",
        marks.display()
    );
    std::fs::write(fake.join("cc"), script).expect("fake cc");
    #[cfg(unix)]
    std::fs::set_permissions(fake.join("cc"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");

    let all = list(&p, "", Some(&fake));
    let probe = by_title(&all, "Probe the builder");
    let found = risks(probe, "feature_test");
    assert_eq!(found.len(), 2, "{probe:#}");
    assert!(found.iter().all(|r| r["severity"] == "high" && text(r).contains("refused, not compiled")), "{found:#?}");
    assert!(found.iter().any(|r| text(r).contains("#include \"../../secret.h\"` is a quoted include")));
    assert!(found.iter().any(|r| text(r).contains("#include </etc/passwd>` leaves the system headers")));
    let compiled: Vec<String> =
        std::fs::read_dir(&marks).expect("marks").flatten().map(|e| e.file_name().to_string_lossy().into()).collect();
    assert_eq!(compiled, ["compiled-other"], "the first commit's clean checks were compiled, the refused ones never");

    // A preprocessor bomb (2^40 expansions) is stopped, and soon.
    let mut bomb = String::from("#define A0 ;\n");
    for n in 1..=40 {
        bomb.push_str(&format!("#define A{n} A{m} A{m}\n", m = n - 1));
    }
    let bombed = before.replace("int main(void)", &format!("{bomb}A40\nint main(void)"));
    let p = project(&[("CMakeLists.txt", before)], &[("Speed up a check", &[("CMakeLists.txt", &bombed)])]);
    let started = Instant::now();
    let all = list(&p, "", None);
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    let found = risks(by_title(&all, "Speed up a check"), "feature_test");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["severity"], "high");
    assert!(
        text(found[0]).contains("ran past 5 s and was stopped") || text(found[0]).contains("memory or CPU limit"),
        "{:#}",
        found[0]
    );
}
