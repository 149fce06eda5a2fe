//! CODEOWNERS as GitHub reads it: one `pattern owner…` rule a line, the
//! last rule that matches a path wins. Patterns follow gitignore's rules
//! with GitHub's exceptions: no `!` negation, no `[ ]` ranges, no `\#`
//! escape, and `docs/*` matches the files directly in `docs/` only. Parsed
//! strictly: a line GitHub would reject is an error naming the file and
//! the line, so a typo never silently moves ownership. Pure: no I/O.

use crate::paths::glob_match;

/// A line of a CODEOWNERS file that GitHub would not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: {message}; fix it (GitHub ignores the line), or set [[coverage.areas]] in the config")]
pub struct CodeownersError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// One rule: a pattern and who owns what it matches (none: unowned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The pattern as written.
    pub pattern: String,
    pub owners: Vec<String>,
    /// 1-based line in the file.
    pub line: usize,
    matcher: Pattern,
}

impl Rule {
    pub fn matches(&self, path: &str) -> bool {
        self.matcher.matches(path)
    }
}

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Codeowners {
    /// Where it was read (`.github/CODEOWNERS`).
    pub file: String,
    pub rules: Vec<Rule>,
}

impl Codeowners {
    /// The index of the rule that owns `path`: the last that matches.
    pub fn rule_of(&self, path: &str) -> Option<usize> {
        self.rules.iter().rposition(|r| r.matches(path))
    }

    /// Who owns `path` (nobody when no rule matches, or the winning rule
    /// names no owner).
    pub fn owners_of(&self, path: &str) -> &[String] {
        self.rule_of(path).map_or(&[], |i| &self.rules[i].owners)
    }
}

/// Where GitHub looks for the file, in its order: the first that exists
/// is the one it uses.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// Parses `text`, read from `file`. Comments (`#` to the end of the line)
/// and blank lines are skipped.
pub fn parse(file: &str, text: &str) -> Result<Codeowners, CodeownersError> {
    let mut rules = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let error = |message: String| CodeownersError { file: file.to_string(), line, message };
        let words = split(strip_comment(raw)).map_err(error)?;
        let Some((pattern, owners)) = words.split_first() else { continue };
        check_pattern(pattern).map_err(error)?;
        for owner in owners {
            check_owner(owner).map_err(error)?;
        }
        rules.push(Rule { pattern: pattern.clone(), owners: owners.to_vec(), line, matcher: Pattern::new(pattern) });
    }
    Ok(Codeowners { file: file.to_string(), rules })
}

/// The line without its comment: `#` starts one at the line's start or
/// after whitespace (`*.js @a # the web team`).
fn strip_comment(line: &str) -> &str {
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        if c == '#' && previous.is_whitespace() {
            return &line[..at];
        }
        previous = c;
    }
    line
}

/// Whitespace-separated words; `\ ` is a space inside a pattern.
fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(' ') => word.push(' '),
                Some(next) => {
                    word.push('\\');
                    word.push(next);
                }
                None => return Err("a line ends with a lone `\\`".into()),
            },
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    Ok(words)
}

fn check_pattern(pattern: &str) -> Result<(), String> {
    if pattern.starts_with('!') {
        return Err(format!("`{pattern}`: `!` (negation) does not work in CODEOWNERS"));
    }
    if pattern.contains('[') || pattern.contains(']') {
        return Err(format!("`{pattern}`: `[ ]` character ranges do not work in CODEOWNERS"));
    }
    if pattern.starts_with("\\#") {
        return Err(format!("`{pattern}`: escaping `#` with `\\` does not work in CODEOWNERS"));
    }
    if pattern.contains('\\') {
        return Err(format!("`{pattern}`: `\\` escapes only a space in a CODEOWNERS pattern"));
    }
    if pattern.starts_with('@') || is_email(pattern) {
        return Err(format!("`{pattern}` is an owner where a path pattern belongs (a rule is `PATTERN @owner…`)"));
    }
    Ok(())
}

fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        }
        None => false,
    }
}

/// `@user`, `@org/team` or an email address.
fn check_owner(owner: &str) -> Result<(), String> {
    let name_ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let valid = match owner.strip_prefix('@') {
        Some(handle) => match handle.split_once('/') {
            Some((org, team)) => name_ok(org) && name_ok(team),
            None => name_ok(handle),
        },
        None => is_email(owner),
    };
    if valid {
        Ok(())
    } else {
        Err(format!("owner `{owner}` is not @user, @org/team or an email address"))
    }
}

/// A gitignore-style path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    /// The segments to match from the root (`**` matches any number of
    /// segments, zero included).
    segments: Vec<String>,
    /// Written with a trailing `/`: only a directory (and so what is in it).
    directory: bool,
    /// Whether a match of a directory covers what is inside it. Not for a
    /// pattern whose last segment is a wildcard (`docs/*`): GitHub matches
    /// only the files directly there.
    covers_contents: bool,
}

impl Pattern {
    fn new(text: &str) -> Pattern {
        let directory = text.ends_with('/');
        let trimmed = text.trim_end_matches('/');
        // A slash at the start or in the middle anchors it at the root;
        // otherwise it matches at any depth.
        let anchored = trimmed.contains('/');
        let trimmed = trimmed.trim_start_matches('/');
        let mut segments: Vec<String> = trimmed.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
        if !anchored && segments.first().is_none_or(|s| s != "**") {
            segments.insert(0, "**".into());
        }
        let last = segments.last().map(String::as_str).unwrap_or("**");
        let covers_contents = last == "**" || !(last.contains('*') || last.contains('?'));
        Pattern { segments, directory, covers_contents }
    }

    fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if !self.directory && segments_match(&self.segments, &parts) {
            return true;
        }
        // A directory of the path that the pattern names owns it too.
        self.covers_contents && (1..parts.len()).any(|n| segments_match(&self.segments, &parts[..n]))
    }
}

fn segments_match(pattern: &[String], parts: &[&str]) -> bool {
    match pattern.split_first() {
        None => parts.is_empty(),
        Some((first, rest)) if first == "**" => (0..=parts.len()).any(|skip| segments_match(rest, &parts[skip..])),
        Some((first, rest)) => match parts.split_first() {
            Some((part, tail)) => glob_match(first, part) && segments_match(rest, tail),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners<'a>(c: &'a Codeowners, path: &str) -> Vec<&'a str> {
        c.owners_of(path).iter().map(String::as_str).collect()
    }

    #[test]
    fn the_last_matching_rule_wins() {
        let text = "# owners\n\n*       @global\n*.js    @js-owner # inline comment\n/docs/  @docs\ndocs/*.md\n";
        let c = parse("CODEOWNERS", text).expect("parses");
        assert_eq!(c.rules.len(), 4);
        assert_eq!(owners(&c, "src/main.rs"), ["@global"]);
        assert_eq!(owners(&c, "web/app.js"), ["@js-owner"]);
        assert_eq!(owners(&c, "docs/deep/x.js"), ["@docs"]);
        // A rule with no owner leaves its files unowned.
        assert!(owners(&c, "docs/index.md").is_empty());
        assert_eq!(c.rule_of("docs/index.md"), Some(3));
    }

    #[test]
    fn patterns_follow_githubs_examples() {
        let p = |pattern: &str, path: &str| Pattern::new(pattern).matches(path);
        // Anywhere, and what is inside it.
        assert!(p("apps/", "apps/x.py") && p("apps/", "src/apps/deep/x.py"));
        assert!(!p("apps/", "apps"), "a trailing slash names only a directory");
        assert!(p("/build/logs/", "build/logs/a/b.log") && !p("/build/logs/", "x/build/logs/a.log"));
        // `docs/*` is the files directly in docs/.
        assert!(p("docs/*", "docs/getting-started.md") && !p("docs/*", "docs/build-app/troubleshooting.md"));
        assert!(p("**/logs", "build/logs/x") && p("**/logs", "deeply/nested/logs/y") && p("**/logs", "logs/z"));
        assert!(p("*.go", "a/b/c.go") && !p("*.go", "a/b/c.gox"));
        assert!(p("/scripts/", "scripts/run.sh") && !p("/scripts/", "tools/scripts/run.sh"));
        assert!(p("docs/**", "docs/a/b.md"));
        assert!(p("src/*/test.py", "src/pkg/test.py") && !p("src/*/test.py", "src/a/b/test.py"));
        assert!(p("README", "README") && p("README", "sub/README"));
        assert!(p("*", "anything/at/all"));
    }

    #[test]
    fn what_github_rejects_is_an_error_naming_file_and_line() {
        let cases = [
            ("!docs/ @a", "negation"),
            ("src/[ab]/ @a", "character ranges"),
            ("\\#file @a", "escaping `#`"),
            ("src/ alice", "owner `alice`"),
            ("src/ @org/", "owner `@org/`"),
            ("@alice src/", "is an owner where a path pattern belongs"),
        ];
        for (line, why) in cases {
            let text = format!("# header\n*  @ok\n{line}\n");
            let e = parse(".github/CODEOWNERS", &text).expect_err(line);
            assert_eq!((e.file.as_str(), e.line), (".github/CODEOWNERS", 3), "{line}");
            assert!(e.message.contains(why), "{line}: {}", e.message);
            assert!(e.to_string().starts_with(".github/CODEOWNERS line 3: "), "{e}");
        }
    }

    #[test]
    fn owners_may_be_users_teams_or_emails_and_spaces_escape() {
        let c = parse("CODEOWNERS", "my\\ dir/ @a @org/team-x b@example.org\n").expect("parses");
        assert_eq!(c.rules[0].pattern, "my dir/");
        assert_eq!(owners(&c, "my dir/f"), ["@a", "@org/team-x", "b@example.org"]);
        assert_eq!(strip_comment("a#b @x"), "a#b @x", "a # inside a word is no comment");
    }
}
