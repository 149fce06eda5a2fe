//! Build and CI files, and what kind of edit each saw: a dependency bot
//! moving `uses: actions/x@v3` to `@v4` is not a new `run:` step, a
//! `pull_request_target` checkout of the pull request's code, or a new
//! `AC_LINK_IFELSE` in `configure.ac`. Pure: the caller hands in the diff
//! and the file's text on each side.

use crate::model::{BuildClass, BuildEdit, FileDiff, LineKind};

/// What a path is to the build, before its edit is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A CI definition (GitHub workflows and actions, Travis, GitLab, …).
    Ci,
    /// Build logic builders run (autotools, CMake, meson, linker scripts).
    Logic,
    /// Code run at build or install time (`build.rs`).
    Code,
    /// `setup.py`: metadata, unless the edit adds code that calls out.
    SetupPy,
    /// Packaging metadata (`setup.cfg`, `pyproject.toml`, `Cargo.toml`,
    /// `package.json`, …).
    Metadata,
    /// Developer tooling (a plain Makefile, a Dockerfile, `.ci/` scripts).
    Tooling,
}

fn role(path: &str) -> Option<Role> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    let ci = (dir.starts_with(".github/workflows") && yaml)
        || (dir.starts_with(".github/actions") && (lower == "action.yml" || lower == "action.yaml"))
        || matches!(
            lower.as_str(),
            ".travis.yml"
                | ".gitlab-ci.yml"
                | "azure-pipelines.yml"
                | "appveyor.yml"
                | ".appveyor.yml"
                | "jenkinsfile"
                | "cirrus.yml"
                | ".cirrus.yml"
                | "codecov.yml"
                | ".codecov.yml"
        )
        || (dir.starts_with(".circleci") && yaml)
        || (dir.starts_with(".azure-pipelines") && yaml);
    if ci {
        return Some(Role::Ci);
    }
    let logic = lower.ends_with(".m4")
        || lower.ends_with(".cmake")
        || lower.ends_with(".ld")
        || lower.ends_with(".lds")
        || matches!(
            lower.as_str(),
            "configure"
                | "configure.ac"
                | "configure.in"
                | "makefile.am"
                | "makefile.in"
                | "makefile.pre.in"
                | "cmakelists.txt"
                | "meson.build"
                | "meson_options.txt"
                | "meson.options"
        );
    if logic {
        return Some(Role::Logic);
    }
    match lower.as_str() {
        "build.rs" => Some(Role::Code),
        "setup.py" => Some(Role::SetupPy),
        "setup.cfg" | "pyproject.toml" | "cargo.toml" | "package.json" | "manifest.in" => Some(Role::Metadata),
        "makefile" | "gnumakefile" | "dockerfile" | "containerfile" | "justfile" | "noxfile.py" => Some(Role::Tooling),
        _ if lower.ends_with(".mk") || lower.starts_with("dockerfile.") => Some(Role::Tooling),
        _ if dir == ".ci" || dir.starts_with(".ci/") => Some(Role::Tooling),
        _ => None,
    }
}

/// What a path's edit is when its content has not been read.
pub fn path_class(path: &str) -> Option<BuildClass> {
    Some(match role(path)? {
        Role::Ci => BuildClass::CiConfig,
        Role::Logic => BuildClass::BuildLogic,
        Role::Code => BuildClass::BuildCode,
        Role::SetupPy | Role::Metadata => BuildClass::Metadata,
        Role::Tooling => BuildClass::Tooling,
    })
}

/// A changed line: its number on its own side, its text, and whether it
/// was added (else removed).
struct Changed<'a> {
    line: u32,
    text: &'a str,
    added: bool,
}

/// The edit `file` saw, classified by its strongest part, or `None` when
/// it is no build or CI file. `old_text`/`new_text`: the file on each side
/// (for the context a line sits in: a `run:` block, the workflow's
/// triggers).
pub fn classify(file: &FileDiff, old_text: Option<&str>, new_text: Option<&str>) -> Option<BuildEdit> {
    let path = file.path();
    let role = role(path)?;
    let changed: Vec<Changed<'_>> = file
        .hunks
        .iter()
        .flat_map(|h| &h.lines)
        .filter_map(|l| match l.kind {
            LineKind::Added => Some(Changed { line: l.new_no.unwrap_or(0), text: &l.text, added: true }),
            LineKind::Removed => Some(Changed { line: l.old_no.unwrap_or(0), text: &l.text, added: false }),
            LineKind::Context => None,
        })
        .collect();
    let edit = |class, line: Option<u32>, detail: String| BuildEdit { path: path.to_string(), class, line, detail };
    let first_added = changed.iter().find(|c| c.added).or(changed.first()).map(|c| c.line);
    Some(match role {
        Role::Ci => ci_edit(&changed, old_text, new_text).map_or_else(
            || edit(BuildClass::CiConfig, first_added, "configuration only".into()),
            |(class, line, detail)| edit(class, Some(line), detail),
        ),
        Role::Logic => edit(BuildClass::BuildLogic, first_added, describe(&changed)),
        Role::Code => edit(BuildClass::BuildCode, first_added, describe(&changed)),
        Role::SetupPy => match changed.iter().find(|c| c.added && calls_out(c.text)) {
            Some(c) => edit(BuildClass::BuildCode, Some(c.line), format!("adds `{}`", clip(c.text.trim()))),
            None => edit(BuildClass::Metadata, first_added, describe(&changed)),
        },
        Role::Metadata => match changed.iter().find(|c| install_hook(path, c.text)) {
            Some(c) => edit(BuildClass::BuildCode, Some(c.line), format!("changes `{}`", clip(c.text.trim()))),
            None => edit(BuildClass::Metadata, first_added, describe(&changed)),
        },
        Role::Tooling => edit(BuildClass::Tooling, first_added, describe(&changed)),
    })
}

fn describe(changed: &[Changed<'_>]) -> String {
    let added = changed.iter().filter(|c| c.added).count();
    format!("{added} lines added, {} removed", changed.len() - added)
}

/// At most 60 characters of a line, for a detail.
fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// A `setup.py` line that runs something beyond declaring the package.
fn calls_out(text: &str) -> bool {
    static CALLS: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let calls = CALLS.get_or_init(|| {
        regex::Regex::new(
            r"\b(subprocess|os\.system|os\.popen|os\.exec\w*|exec|eval|__import__|urllib\w*|urlopen|requests\.(get|post)|socket\.socket|base64|marshal|ctypes)\b",
        )
        .ok()
    });
    let code = text.split('#').next().unwrap_or(text);
    calls.as_ref().is_some_and(|re| re.is_match(code))
}

/// A line that changes what runs at install or build time: npm's install
/// hooks, a Python build backend.
fn install_hook(path: &str, text: &str) -> bool {
    let t = text.trim_start();
    if path.ends_with("package.json") {
        return ["\"preinstall\"", "\"install\"", "\"postinstall\"", "\"prepare\"", "\"prepublish\""]
            .iter()
            .any(|k| t.starts_with(k));
    }
    path.ends_with("pyproject.toml") && (t.starts_with("build-backend") || t.starts_with("backend-path"))
}

/// The keys whose values a CI job runs as commands.
const SCRIPT_KEYS: &[&str] = &[
    "run",
    "script",
    "before_script",
    "after_script",
    "install",
    "before_install",
    "after_success",
    "after_failure",
    "before_deploy",
    "after_deploy",
    "build_script",
    "test_script",
    "before_build",
    "after_build",
    "before_test",
    "after_test",
    "on_success",
    "on_failure",
    "on_finish",
    "init",
    "command",
    "commands",
    "sh",
    "bat",
    "pwsh",
    "powershell",
    "bash",
    "inlineScript",
];

/// `${{ github.event.* }}` fields an outsider writes (GitHub's list of
/// untrusted input), and `github.head_ref`.
const UNTRUSTED: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages",
    "github.event.commits",
    "github.event.head_commit.message",
    "github.event.head_commit.author",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit",
    "github.event.workflow_run.display_title",
    "github.head_ref",
];

/// A CI edit's strongest class, the line that shows it and why; `None`
/// when the edit is configuration only.
fn ci_edit(
    changed: &[Changed<'_>],
    old_text: Option<&str>,
    new_text: Option<&str>,
) -> Option<(BuildClass, u32, String)> {
    let old_scripts = script_lines(old_text.unwrap_or(""));
    let new_scripts = script_lines(new_text.unwrap_or(""));
    let in_script = |c: &Changed<'_>| {
        let lines = if c.added { &new_scripts } else { &old_scripts };
        lines.get(c.line.saturating_sub(1) as usize).copied().unwrap_or(false)
    };
    // The commands the file ran before: a new one is news, another
    // argument to an old one much less so.
    let old_commands: std::collections::HashSet<String> = old_text
        .unwrap_or("")
        .lines()
        .zip(&old_scripts)
        .filter(|(_, script)| **script)
        .filter_map(|(line, _)| command_word(line))
        .collect();
    let meaningful: Vec<&Changed<'_>> =
        changed.iter().filter(|c| !c.text.trim().is_empty() && !c.text.trim_start().starts_with('#')).collect();
    let mut found: Vec<(BuildClass, u32, String)> = Vec::new();
    if let Some(text) = new_text {
        if let Some((line, detail)) = dangerous_trigger(text) {
            // Only when this edit touches the workflow at all (it does).
            found.push((BuildClass::DangerousTrigger, line, detail));
        }
    }
    for c in &meaningful {
        let t = c.text;
        if c.added {
            if let Some(field) = UNTRUSTED.iter().find(|f| interpolates(t, f)) {
                if in_script(c) || !t.trim_start().starts_with("if:") {
                    found.push((BuildClass::UntrustedInput, c.line, format!("`{field}` in `{}`", clip(t.trim()))));
                }
            }
        }
        // The workflow's own GITHUB_TOKEN is governed by its permissions.
        let secret = interpolates(t, "secrets.") && !interpolates(t, "secrets.GITHUB_TOKEN");
        if secret || t.trim_start().starts_with("secure:") || t.contains("- secure:") {
            found.push((BuildClass::CiSecrets, c.line, format!("`{}`", clip(t.trim()))));
        }
        if is_permission_line(t) {
            found.push((BuildClass::CiPermissions, c.line, format!("`{}`", clip(t.trim()))));
        }
        if in_script(c) {
            let command = command_word(t);
            let new_command = c.added && command.as_ref().is_some_and(|w| !old_commands.contains(w));
            let class = if c.added && (new_command || fetches_and_runs(t)) {
                BuildClass::CiScript
            } else {
                BuildClass::CiScriptEdit
            };
            let verb = if c.added { "runs" } else { "no longer runs" };
            found.push((class, c.line, format!("{verb} `{}`", clip(t.trim()))));
        }
    }
    if let Some(best) = found.iter().max_by_key(|(class, line, _)| (*class, std::cmp::Reverse(*line))) {
        return Some(best.clone());
    }
    if !meaningful.is_empty() && pins_only(&meaningful) {
        let first = meaningful.iter().find(|c| c.added).unwrap_or(&meaningful[0]);
        return Some((BuildClass::PinBump, first.line, format!("`{}`", clip(first.text.trim()))));
    }
    None
}

/// The program a script line runs: its first word after list dashes, a
/// `run:` key, quotes, `sudo` and `VAR=value` assignments.
fn command_word(line: &str) -> Option<String> {
    let mut t = line.trim_start().trim_start_matches("- ").trim_start();
    if let Some((key, value)) = t.split_once(':') {
        if SCRIPT_KEYS.contains(&key.trim()) {
            t = value.trim_start();
        }
    }
    let t = t.trim_start_matches(['"', '\'', '|', '>', '-']).trim_start();
    // A continuation of the line above runs nothing of its own.
    if t.starts_with("&&") || t.starts_with("||") || t.starts_with('|') || t.starts_with('>') || t.starts_with('<') {
        return None;
    }
    let word = t
        .split_whitespace()
        .find(|w| *w != "sudo" && (!w.contains('=') || w.starts_with('=')))
        .map(|w| w.trim_matches(['"', '\'', '(', ')', ';']).to_ascii_lowercase())
        .filter(|w| !w.is_empty())?;
    // Shell syntax and builtins that run nothing new.
    const SHELL: &[&str] = &[
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "set",
        "export", "echo", "printf", "cd", "exit", "true", "false", "local", "shift", ":", "[", "[[", "]", "]]", "test",
        "{", "}", "return", "break", "continue", "unset", "read", "shell:", "#",
    ];
    (!SHELL.contains(&word.as_str())).then_some(word)
}

/// A command that downloads, decodes or evaluates code: news in any CI job.
fn fetches_and_runs(line: &str) -> bool {
    static DANGER: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let danger = DANGER.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\b(curl|wget|invoke-webrequest|iwr|iex|invoke-expression|certutil|bitsadmin|base64|xxd|ncat|socat)\b|/dev/tcp|\|\s*(sudo\s+)?(ba|z|k)?sh\b|\beval\b|python[0-9.]*\s+-c\b|-enc(odedcommand)?\b|pip3?\s+install\s+\S*(git\+|https?://)",
        )
        .ok()
    });
    danger.as_ref().is_some_and(|re| re.is_match(line))
}

/// `${{ … name … }}` in a line.
fn interpolates(text: &str, name: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let after = &rest[start + 3..];
        let end = after.find("}}").unwrap_or(after.len());
        if after[..end].contains(name) {
            return true;
        }
        rest = &after[end..];
    }
    false
}

fn is_permission_line(text: &str) -> bool {
    let t = text.trim_start().trim_start_matches("- ");
    if t.starts_with("permissions:") {
        return true;
    }
    const SCOPES: &[&str] = &[
        "actions",
        "attestations",
        "checks",
        "contents",
        "deployments",
        "discussions",
        "id-token",
        "issues",
        "packages",
        "pages",
        "pull-requests",
        "repository-projects",
        "security-events",
        "statuses",
    ];
    let Some((key, value)) = t.split_once(':') else { return false };
    SCOPES.contains(&key.trim()) && matches!(value.split('#').next().unwrap_or("").trim(), "read" | "write" | "none")
}

/// Whether every changed line only moves a version pin: `uses: a/b@v3` →
/// `uses: a/b@v4`, an image tag, a pre-commit `rev:`, a version comment.
fn pins_only(changed: &[&Changed<'_>]) -> bool {
    let pinned = |c: &&Changed<'_>| -> Option<String> {
        let t = c.text.trim_start().trim_start_matches("- ").trim();
        let t = t.split(" #").next().unwrap_or(t).trim();
        for key in ["uses:", "image:", "rev:", "version:"] {
            if let Some(value) = t.strip_prefix(key) {
                let value = value.trim().trim_matches(|ch| ch == '"' || ch == '\'');
                // The thing pinned, without its version.
                let name = value.split(['@', ':']).next().unwrap_or(value);
                return Some(format!("{key}{name}"));
            }
        }
        None
    };
    let mut added: Vec<String> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    for c in changed {
        let Some(name) = pinned(c) else { return false };
        if c.added {
            added.push(name);
        } else {
            removed.push(name);
        }
    }
    added.sort();
    removed.sort();
    // The same things pinned before and after: only their versions moved.
    added == removed
}

/// For each line of a CI file (0-based), whether it is part of a command a
/// job runs: the value of a script key, inline or as an indented block or
/// list below it.
fn script_lines(text: &str) -> Vec<bool> {
    let mut out = Vec::new();
    // The indentation of the script key whose block we are in.
    let mut block: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        if body.is_empty() {
            out.push(block.is_some());
            continue;
        }
        if let Some(at) = block {
            if indent > at || (indent == at && body.starts_with("- ") && !is_key_line(body.trim_start_matches("- "))) {
                out.push(true);
                continue;
            }
            block = None;
        }
        let key_part = body.trim_start_matches("- ");
        let key = key_part.split(':').next().unwrap_or("").trim();
        let is_script_key = key_part.contains(':') && SCRIPT_KEYS.contains(&key);
        if is_script_key {
            let value = key_part.split_once(':').map_or("", |(_, v)| v).trim();
            block = Some(indent + (body.len() - key_part.len()));
            // `run: cmd` runs cmd; `run: |` or `script:` opens a block.
            out.push(!value.is_empty() && !matches!(value, "|" | ">" | "|-" | ">-" | "|+" | ">+"));
            continue;
        }
        out.push(false);
    }
    out
}

fn is_key_line(text: &str) -> bool {
    let Some((key, _)) = text.split_once(':') else { return false };
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// OpenSSF Scorecard's Dangerous-Workflow: a `pull_request_target` or
/// `workflow_run` trigger and a checkout of the pull request's code.
fn dangerous_trigger(text: &str) -> Option<(u32, String)> {
    let trigger = text.lines().position(|l| {
        let t = l.split('#').next().unwrap_or(l);
        !t.contains("${{") && (t.contains("pull_request_target") || t.contains("workflow_run"))
    })?;
    const PR_CODE: &[&str] = &[
        "github.event.pull_request.head.sha",
        "github.event.pull_request.head.ref",
        "github.event.pull_request.merge_commit_sha",
        "github.event.workflow_run.head_sha",
        "github.event.workflow_run.head_branch",
        "github.head_ref",
        "refs/pull/",
    ];
    let (line, field) = text.lines().enumerate().find_map(|(i, l)| {
        let t = l.trim_start();
        let is_ref = t.starts_with("ref:") || t.starts_with("repository:");
        PR_CODE.iter().find(|f| is_ref && t.contains(*f)).map(|f| (i, *f))
    })?;
    let on = if text.lines().nth(trigger).is_some_and(|l| l.contains("workflow_run")) {
        "workflow_run"
    } else {
        "pull_request_target"
    };
    Some((u32::try_from(line + 1).unwrap_or(u32::MAX), format!("{on} checks out `{field}`")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DiffLine, Hunk};

    /// A diff of `path` from `old` to `new`, every line changed.
    fn diff(path: &str, removed: &[(u32, &str)], added: &[(u32, &str)]) -> FileDiff {
        let mut lines: Vec<DiffLine> = removed
            .iter()
            .map(|(n, t)| DiffLine {
                kind: LineKind::Removed,
                old_no: Some(*n),
                new_no: None,
                text: t.to_string(),
                no_newline: false,
            })
            .collect();
        lines.extend(added.iter().map(|(n, t)| DiffLine {
            kind: LineKind::Added,
            old_no: None,
            new_no: Some(*n),
            text: t.to_string(),
            no_newline: false,
        }));
        crate::model::sample::modified(
            path,
            vec![Hunk { old_start: 1, old_lines: 1, new_start: 1, new_lines: 1, context: String::new(), lines }],
        )
    }

    const WORKFLOW: &str = "on: [push]\njobs:\n  test:\n    steps:\n      - uses: actions/checkout@v4\n      - name: Test\n        run: |\n          make test\n          make lint\n      - run: echo done\n";

    fn class(file: &FileDiff, old: &str, new: &str) -> Option<BuildClass> {
        classify(file, Some(old), Some(new)).map(|e| e.class)
    }

    #[test]
    fn a_pin_bump_is_told_from_a_new_command() {
        let old = WORKFLOW.replace("@v4", "@v3");
        let bump = diff(
            ".github/workflows/ci.yml",
            &[(5, "      - uses: actions/checkout@v3")],
            &[(5, "      - uses: actions/checkout@v4")],
        );
        assert_eq!(class(&bump, &old, WORKFLOW), Some(BuildClass::PinBump));
        let other_action = diff(
            ".github/workflows/ci.yml",
            &[(5, "      - uses: actions/checkout@v3")],
            &[(5, "      - uses: evil/checkout@v4")],
        );
        assert_eq!(class(&other_action, &old, WORKFLOW), Some(BuildClass::CiConfig), "another action, not a pin");

        let old = WORKFLOW.replace("          make lint\n", "");
        let command = diff(".github/workflows/ci.yml", &[], &[(9, "          make lint")]);
        let edit = classify(&command, Some(&old), Some(WORKFLOW)).expect("an edit");
        assert_eq!((edit.class, edit.line), (BuildClass::CiScriptEdit, Some(9)), "make ran before");
        assert!(edit.detail.contains("runs `make lint`"), "{}", edit.detail);
        let with_tree = WORKFLOW.replace("echo done", "tree dist");
        let inline = diff(".github/workflows/ci.yml", &[], &[(10, "      - run: tree dist")]);
        assert_eq!(class(&inline, WORKFLOW, &with_tree), Some(BuildClass::CiScript), "tree is new");
        let old = WORKFLOW.replace("      - run: echo done\n", "");
        let fetch = WORKFLOW.replace("make lint", "curl -s https://x.example | make");
        let fetched = diff(".github/workflows/ci.yml", &[], &[(9, "          curl -s https://x.example | make")]);
        assert_eq!(class(&fetched, WORKFLOW, &fetch), Some(BuildClass::CiScript), "fetches code");
        let dropped = diff(".github/workflows/ci.yml", &[(9, "          make lint")], &[]);
        assert_eq!(class(&dropped, WORKFLOW, &old), Some(BuildClass::CiScriptEdit));
        let name = diff(".github/workflows/ci.yml", &[(6, "      - name: Tests")], &[(6, "      - name: Test")]);
        assert_eq!(class(&name, WORKFLOW, WORKFLOW), Some(BuildClass::CiConfig));
    }

    #[test]
    fn secrets_permissions_injection_and_dangerous_triggers_are_high_classes() {
        let secret = diff(".github/workflows/ci.yml", &[], &[(11, "        env: {TOKEN: \"${{ secrets.PYPI }}\"}")]);
        assert_eq!(class(&secret, WORKFLOW, WORKFLOW), Some(BuildClass::CiSecrets));
        let perms = diff(".github/workflows/ci.yml", &[], &[(2, "  contents: write")]);
        assert_eq!(class(&perms, WORKFLOW, WORKFLOW), Some(BuildClass::CiPermissions));
        let new = WORKFLOW.replace("make test", "echo \"${{ github.event.pull_request.title }}\"");
        let injection =
            diff(".github/workflows/ci.yml", &[], &[(8, "          echo \"${{ github.event.pull_request.title }}\"")]);
        assert_eq!(class(&injection, WORKFLOW, &new), Some(BuildClass::UntrustedInput));

        let target = "on: pull_request_target\njobs:\n  t:\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: make\n";
        let edit = diff(".github/workflows/pr.yml", &[], &[(1, "on: pull_request_target")]);
        let found = classify(&edit, Some(""), Some(target)).expect("an edit");
        assert_eq!(found.class, BuildClass::DangerousTrigger);
        assert_eq!(found.line, Some(7));
        let safe = target.replace("          ref: ${{ github.event.pull_request.head.sha }}\n", "");
        assert_ne!(class(&edit, "", &safe), Some(BuildClass::DangerousTrigger), "checking out the base is safe");
    }

    #[test]
    fn travis_secure_values_and_scripts_are_read_too() {
        let travis = "language: python\nscript:\n  - pytest\nenv:\n  global:\n    - secure: abc\n";
        let script = diff(".travis.yml", &[], &[(3, "  - pytest")]);
        assert_eq!(class(&script, "language: python\n", travis), Some(BuildClass::CiScript));
        let secure = diff(".travis.yml", &[], &[(6, "    - secure: abc")]);
        assert_eq!(class(&secure, travis, travis), Some(BuildClass::CiSecrets));
        let language = diff(".travis.yml", &[], &[(1, "language: python")]);
        assert_eq!(class(&language, travis, travis), Some(BuildClass::CiConfig));
    }

    #[test]
    fn packaging_and_build_logic_by_file_and_content() {
        let meta = diff("setup.py", &[], &[(3, "    version=\"1.2\",")]);
        assert_eq!(class(&meta, "", ""), Some(BuildClass::Metadata));
        let calls = diff("setup.py", &[], &[(3, "import subprocess; subprocess.run(['curl', URL])")]);
        assert_eq!(class(&calls, "", ""), Some(BuildClass::BuildCode));
        let module = diff("setup.py", &[], &[(3, "    \"aiohttp._websocket.mask\", re.compile(r'x')")]);
        assert_eq!(class(&module, "", ""), Some(BuildClass::Metadata), "a module named websocket, a regex");
        let hook = diff("package.json", &[], &[(4, "    \"postinstall\": \"node x.js\",")]);
        assert_eq!(class(&hook, "", ""), Some(BuildClass::BuildCode));
        assert_eq!(class(&diff("pyproject.toml", &[], &[(2, "name = \"x\"")]), "", ""), Some(BuildClass::Metadata));
        assert_eq!(class(&diff("m4/ax_check.m4", &[], &[(1, "x")]), "", ""), Some(BuildClass::BuildLogic));
        assert_eq!(class(&diff("CMakeLists.txt", &[], &[(1, "x")]), "", ""), Some(BuildClass::BuildLogic));
        assert_eq!(class(&diff("Makefile", &[], &[(1, "x")]), "", ""), Some(BuildClass::Tooling));
        assert_eq!(class(&diff("src/lib.rs", &[], &[(1, "x")]), "", ""), None);
        assert_eq!(path_class(".github/workflows/ci.yml"), Some(BuildClass::CiConfig));
        assert_eq!(path_class("docs/conf.py"), None);
    }
}
