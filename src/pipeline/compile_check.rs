//! Compiles a build-time check program before and after a change, to tell
//! an edit from a check that can no longer succeed. The program comes from
//! the repository under review, so the compile is boxed in: syntax only
//! (never linked, never run), its source on stdin, an empty private temp
//! directory as the working directory, an environment of `PATH`, `LC_ALL`
//! and `TMPDIR` only, CPU, memory and file-size limits, a wall-clock
//! timeout that kills the compiler's whole process group, and bounded
//! output. Programs that include anything but system headers are refused
//! before any of this (`inspect::feature_test::refusal`).

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::inspect::feature_test::{self, Edited, Lang};
use crate::model::ContentKind;

/// How long one compile may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The compiler's address space, in KiB (`ulimit -v`).
const MEMORY_KIB: u64 = 1 << 20;
/// Compiler output kept (the rest is read and dropped).
const OUTPUT_LIMIT: usize = 16 << 10;
/// What the limits wrapper prints when the shell cannot set them.
const NO_LIMITS: &str = "rearview-sandbox: cannot set limits";

static SANDBOXES: AtomicU64 = AtomicU64::new(0);

/// A C compiler found on the `PATH`, and how to run it.
#[derive(Debug, Clone)]
pub struct Compiler {
    cc: PathBuf,
    shell: PathBuf,
    /// The `PATH` handed to the compiler: the absolute entries of ours.
    path: OsString,
    timeout: Duration,
    /// Where each compile's temp directory is made.
    temp_root: PathBuf,
}

/// What one compile said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Compiles,
    /// It does not compile: the compiler's first error line (raw).
    Fails(String),
    /// Not compiled: why (an include outside the system headers, …).
    Refused(String),
    /// Stopped by the timeout or a resource limit.
    Stopped(String),
    /// The compiler could not be run: why.
    Unavailable(String),
}

impl Compiler {
    /// `cc` on the `PATH` (absolute entries only: a relative one could name
    /// the repository's own `cc`), when `/bin/sh` can set its limits.
    pub fn find() -> Option<Compiler> {
        if !cfg!(unix) {
            return None;
        }
        let shell = PathBuf::from("/bin/sh");
        if !is_executable(&shell) {
            return None;
        }
        let dirs: Vec<PathBuf> =
            std::env::split_paths(&std::env::var_os("PATH")?).filter(|d| d.is_absolute()).collect();
        let cc = dirs.iter().map(|d| d.join("cc")).find(|p| is_executable(p))?;
        let path = std::env::join_paths(&dirs).ok()?;
        Some(Compiler { cc, shell, path, timeout: TIMEOUT, temp_root: std::env::temp_dir() })
    }

    /// The same compiler with another timeout.
    pub fn with_timeout(self, timeout: Duration) -> Compiler {
        Compiler { timeout, ..self }
    }

    /// The same compiler making its temp directories under `root`.
    pub fn with_temp_root(self, root: PathBuf) -> Compiler {
        Compiler { temp_root: root, ..self }
    }

    /// The command line of a compile, for the record: the limits wrapper,
    /// then the compiler and its flags.
    pub fn command_line(&self, lang: Lang) -> Vec<String> {
        let mut out = vec![self.shell.display().to_string(), "-c".into(), self.limits(), self.cc.display().to_string()];
        out.extend(flags(lang).iter().map(|f| f.to_string()));
        out
    }

    fn limits(&self) -> String {
        // CPU seconds a little past the wall-clock timeout: the timeout
        // stops it first; the limit stops it if rearview itself dies.
        let cpu = self.timeout.as_secs() + 2;
        format!(
            "ulimit -t {cpu} && ulimit -v {MEMORY_KIB} && ulimit -f 0 || {{ echo '{NO_LIMITS}' >&2; exit 125; }}; exec \"$0\" \"$@\""
        )
    }

    /// Compiles `program` (syntax only) unless it is refused.
    pub fn compile(&self, program: &str, lang: Lang) -> Outcome {
        if let Some(why) = feature_test::refusal(program) {
            return Outcome::Refused(why);
        }
        let dir = self.temp_root.join(format!(
            "rearview-check-{}-{}",
            std::process::id(),
            SANDBOXES.fetch_add(1, Ordering::Relaxed)
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        if let Err(e) = builder.create(&dir) {
            return Outcome::Unavailable(format!(
                "cannot create the temp directory {} ({e}); set TMPDIR to a writable directory",
                dir.display()
            ));
        }
        let outcome = self.run(program, lang, &dir);
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            tracing::warn!("cannot remove the check compile's temp directory {}: {e}", dir.display());
        }
        outcome
    }

    fn run(&self, program: &str, lang: Lang, dir: &Path) -> Outcome {
        let mut command = Command::new(&self.shell);
        command
            .arg("-c")
            .arg(self.limits())
            .arg(&self.cc)
            .args(flags(lang))
            .current_dir(dir)
            .env_clear()
            .env("PATH", &self.path)
            .env("LC_ALL", "C")
            .env("TMPDIR", dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => return Outcome::Unavailable(format!("cannot run {} ({e})", self.cc.display())),
        };
        if let Some(mut stdin) = child.stdin.take() {
            let source = program.as_bytes().to_vec();
            // A compiler that stops reading early closes the pipe: no matter.
            std::thread::spawn(move || stdin.write_all(&source));
        }
        let stdout = child.stdout.take().map(bounded);
        let stderr = child.stderr.take().map(bounded);
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                Ok(None) | Err(_) => {
                    // The group, not only the driver: cc1 is its child.
                    kill_group(&child);
                    let _ = child.wait();
                    break None;
                }
            }
        };
        let collect = |rx: Option<mpsc::Receiver<Vec<u8>>>| {
            rx.and_then(|rx| rx.recv_timeout(Duration::from_secs(1)).ok()).unwrap_or_default()
        };
        let _ = collect(stdout);
        let errors = String::from_utf8_lossy(&collect(stderr)).into_owned();
        let Some(status) = status else {
            return Outcome::Stopped(format!("the compile ran past {} s and was stopped", self.timeout.as_secs()));
        };
        if errors.contains(NO_LIMITS) {
            return Outcome::Unavailable("/bin/sh cannot set the compile's limits".into());
        }
        if status.success() {
            return Outcome::Compiles;
        }
        #[cfg(unix)]
        if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
            return Outcome::Stopped(format!("the compiler was stopped by signal {signal} (a resource limit)"));
        }
        let exhausted = ["out of memory", "memory exhausted", "Killed signal", "CPU time limit"];
        if let Some(line) = errors.lines().find(|l| exhausted.iter().any(|e| l.contains(e))) {
            return Outcome::Stopped(format!("the compiler hit its memory or CPU limit: {}", clip(line)));
        }
        Outcome::Fails(first_error(&errors))
    }
}

/// The compiler's flags after its path: syntax only, source on stdin.
fn flags(lang: Lang) -> [&'static str; 6] {
    ["-x", lang.flag(), "-fsyntax-only", "-pipe", "-w", "-"]
}

/// Reads a pipe to its end on a thread, keeping the first
/// [`OUTPUT_LIMIT`] bytes; the bytes arrive on the channel at the end.
fn bounded(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = OUTPUT_LIMIT.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = tx.send(kept);
    });
    rx
}

#[cfg(unix)]
fn kill_group(child: &std::process::Child) {
    let pid = rustix::process::Pid::from_child(child);
    if let Err(e) = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL) {
        tracing::warn!("cannot stop the check compile's process group: {e}");
    }
}

#[cfg(not(unix))]
fn kill_group(child: &std::process::Child) {
    let _ = child;
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    meta.is_file()
}

/// The compiler's first error line, `<stdin>:` made `program line `.
fn first_error(errors: &str) -> String {
    let line = errors
        .lines()
        .find(|l| l.contains("error"))
        .or_else(|| errors.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("the compiler failed without a message");
    clip(&line.replace("<stdin>:", "program line "))
}

fn clip(text: &str) -> String {
    let mut out: String = text.trim().chars().take(200).collect();
    if text.trim().chars().count() > 200 {
        out.push('…');
    }
    out
}

/// How the check programs of one change are compiled.
pub enum Compiling<'a> {
    With(&'a Compiler),
    /// Not compiled, and why (`risk.compile_checks` is off, no `cc`, …).
    Off(&'static str),
}

/// An edited check's finding: `FeatureTestBroken` when its program
/// compiled before and no longer does, else `FeatureTest`; and the detail
/// (raw: the caller sanitizes). `budget`: compiles left for this change.
pub fn judge(edit: &Edited, compiling: &Compiling<'_>, budget: &mut usize) -> (ContentKind, String) {
    let name = &edit.name;
    let plain = |why: String| (ContentKind::FeatureTest, format!("{name}: {why}"));
    if !edit.exists {
        return plain("check removed".into());
    }
    let Some(after) = &edit.after else { return plain("its program is not written in this file".into()) };
    let compiler = match compiling {
        Compiling::With(c) if *budget > 0 => c,
        Compiling::With(_) => return plain("not compiled: too many checks edited in one change".into()),
        Compiling::Off(why) => return plain(format!("not compiled: {why}")),
    };
    *budget -= 1;
    let now = compiler.compile(after, edit.lang);
    let before = match (&now, &edit.before) {
        (Outcome::Fails(_), Some(before)) if edit.existed && *budget > 0 => {
            *budget -= 1;
            Some(compiler.compile(before, edit.lang))
        }
        _ => None,
    };
    match (now, before) {
        (Outcome::Fails(error), Some(Outcome::Compiles)) => {
            (ContentKind::FeatureTestBroken, format!("{name}: {error}"))
        }
        (Outcome::Fails(error), Some(Outcome::Fails(_))) => plain(format!("did not compile before either ({error})")),
        (Outcome::Fails(error), Some(before)) => {
            plain(format!("does not compile ({error}); the program before: {}", describe(&before)))
        }
        (Outcome::Fails(error), None) if !edit.existed => plain(format!("a new check that does not compile ({error})")),
        (Outcome::Fails(error), None) => plain(format!("does not compile ({error})")),
        (Outcome::Compiles, _) if edit.existed => plain("edited; still compiles".into()),
        (Outcome::Compiles, _) => plain("a new check; it compiles".into()),
        (other, _) => plain(describe(&other)),
    }
}

/// An outcome, told.
fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Compiles => "it compiles".into(),
        Outcome::Fails(error) => format!("it does not compile ({error})"),
        Outcome::Refused(why) => format!("refused, not compiled: {why}"),
        Outcome::Stopped(why) => format!("{why}: a check program should compile in a moment"),
        Outcome::Unavailable(why) => format!("not compiled: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANDLOCK: &str = "
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
        ";

    fn real(root: &Path) -> Compiler {
        Compiler::find()
            .expect("a C compiler (cc) on the PATH: .ci/run installs build-essential")
            .with_temp_root(root.into())
    }

    /// A compiler that is a shell script of ours.
    fn fake(dir: &Path, script: &str) -> Compiler {
        let cc = dir.join("cc");
        std::fs::write(&cc, format!("#!/bin/sh\n{script}\n")).expect("write the fake cc");
        #[cfg(unix)]
        std::fs::set_permissions(&cc, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
        let root = dir.join("tmp");
        std::fs::create_dir(&root).expect("temp root");
        Compiler {
            cc,
            shell: "/bin/sh".into(),
            path: "/usr/bin:/bin".into(),
            timeout: Duration::from_secs(5),
            temp_root: root,
        }
    }

    fn empty(dir: &Path) -> bool {
        std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false)
    }

    // linux/landlock.h is a Linux kernel header.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_stray_character_breaks_the_landlock_check_and_the_sandbox_is_removed() {
        let root = tempfile::tempdir().expect("temp dir");
        let cc = real(root.path());
        assert_eq!(cc.compile(LANDLOCK, Lang::C), Outcome::Compiles);
        let broken = LANDLOCK.replace("#include <sys/prctl.h>\n", "#include <sys/prctl.h>\n.\n");
        match cc.compile(&broken, Lang::C) {
            Outcome::Fails(error) => {
                assert!(error.starts_with("program line 5:") && error.contains("error"), "{error}")
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        assert!(empty(root.path()), "each compile's directory is removed");
    }

    #[test]
    fn a_check_program_is_never_run() {
        let root = tempfile::tempdir().expect("temp dir");
        let marker = root.path().join("ran");
        let program = format!(
            "#include <stdio.h>\nint main(void) {{ FILE *f = fopen(\"{}\", \"w\"); return f == 0; }}\n",
            marker.display()
        );
        assert_eq!(real(root.path()).compile(&program, Lang::C), Outcome::Compiles);
        assert!(!marker.exists(), "syntax only: never linked, never run");
        assert!(empty(root.path()));
    }

    #[test]
    fn refused_programs_never_reach_the_compiler() {
        let dir = tempfile::tempdir().expect("temp dir");
        let marker = dir.path().join("compiled");
        let cc = fake(dir.path(), &format!("touch '{}'", marker.display()));
        for program in ["#include \"../../secret.h\"\nint main(void) { return 0; }", "#include </etc/passwd>\n"] {
            assert!(matches!(cc.compile(program, Lang::C), Outcome::Refused(_)), "{program}");
            assert!(!marker.exists(), "{program} reached the compiler");
        }
        assert_eq!(cc.compile("int main(void) { return 0; }", Lang::C), Outcome::Compiles);
        assert!(marker.exists(), "the fake compiler does run for a clean program");
    }

    #[test]
    fn the_compiler_sees_an_empty_environment_a_fresh_directory_and_syntax_only_flags() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cc = fake(
            dir.path(),
            "echo \"error: cwd=$(pwd) files=$(ls -A | wc -l) args=$* env=$(env | sort | tr '\\n' ' ')\" >&2; exit 1",
        );
        let Outcome::Fails(seen) = cc.compile("int main(void) { return 0; }", Lang::C) else {
            panic!("the fake fails")
        };
        let root = dir.path().join("tmp");
        assert!(seen.contains(&format!("cwd={}/rearview-check-", root.display())), "{seen}");
        assert!(seen.contains("files=0"), "an empty directory: {seen}");
        assert!(seen.contains("args=-x c -fsyntax-only -pipe -w -"), "{seen}");
        assert!(seen.contains("LC_ALL=C") && seen.contains("PATH=/usr/bin:/bin"), "{seen}");
        assert!(!seen.contains("HOME=") && !seen.contains("CARGO"), "nothing of ours leaks: {seen}");
        assert!(empty(&root));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_runaway_compile_is_stopped_with_its_children() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Like gcc, the fake's real work runs in a child process.
        let cc = fake(dir.path(), "sleep 31.4159 & wait").with_timeout(Duration::from_secs(1));
        let started = Instant::now();
        let outcome = cc.compile("int main(void) { return 0; }", Lang::C);
        assert!(matches!(&outcome, Outcome::Stopped(why) if why.contains("ran past 1 s")), "{outcome:?}");
        assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
        let left = std::fs::read_dir("/proc")
            .expect("/proc")
            .flatten()
            .any(|p| std::fs::read(p.path().join("cmdline")).is_ok_and(|c| c.windows(7).any(|w| w == b"31.4159")));
        assert!(!left, "the child was killed with the group");
        assert!(empty(&dir.path().join("tmp")));
    }

    #[test]
    fn an_exponential_macro_is_stopped_fast() {
        let root = tempfile::tempdir().expect("temp dir");
        let mut bomb = String::from("#define A0 ;\n");
        for n in 1..=40 {
            bomb.push_str(&format!("#define A{n} A{m} A{m}\n", m = n - 1));
        }
        bomb.push_str("A40\nint main(void) { return 0; }\n");
        let started = Instant::now();
        let outcome = real(root.path()).with_timeout(Duration::from_secs(2)).compile(&bomb, Lang::C);
        assert!(matches!(outcome, Outcome::Stopped(_)), "{outcome:?}");
        assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
        assert!(empty(root.path()));
    }

    #[test]
    fn judging_an_edit_by_its_compiles() {
        let root = tempfile::tempdir().expect("temp dir");
        let cc = real(root.path());
        let edit = |before: &str, after: &str| Edited {
            name: "check_c_source_compiles HAVE_X".into(),
            line: Some(3),
            before: Some(before.into()),
            after: Some(after.into()),
            existed: true,
            exists: true,
            lang: Lang::C,
        };
        let ok = "int main(void) { return 0; }";
        let broken = "int main(void) { return 0; }.";
        let mut budget = 16;
        let with = Compiling::With(&cc);
        let (kind, detail) = judge(&edit(ok, broken), &with, &mut budget);
        assert_eq!(kind, ContentKind::FeatureTestBroken, "{detail}");
        assert!(detail.starts_with("check_c_source_compiles HAVE_X: program line 1:"), "{detail}");
        assert_eq!(budget, 14, "before is compiled only when after fails");
        let (kind, detail) = judge(&edit(ok, "int main(void) { return 1; }"), &with, &mut budget);
        assert_eq!((kind, detail.contains("still compiles")), (ContentKind::FeatureTest, true));
        let (kind, _) = judge(&edit(broken, broken), &with, &mut budget);
        assert_eq!(kind, ContentKind::FeatureTest, "it never compiled: nothing was turned off by this change");
        let (kind, detail) = judge(&edit(ok, broken), &Compiling::Off("risk.compile_checks is off"), &mut budget);
        assert_eq!(
            (kind, detail.contains("not compiled: risk.compile_checks is off")),
            (ContentKind::FeatureTest, true)
        );
        let (kind, detail) = judge(&edit("#include \"x.h\"", broken), &with, &mut budget);
        assert_eq!(kind, ContentKind::FeatureTest, "{detail}");
        assert!(detail.contains("the program before: refused, not compiled"), "{detail}");
        let mut none_left = 0;
        let (kind, detail) = judge(&edit(ok, broken), &with, &mut none_left);
        assert_eq!((kind, detail.contains("too many")), (ContentKind::FeatureTest, true));
    }
}
