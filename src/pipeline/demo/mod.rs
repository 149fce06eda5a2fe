//! The built-in demo: a real git repository and a seeded store, built from
//! the text scenario in `assets/demo/`. Binaries in it are generated here.

pub mod keys;
pub mod scenario;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::{Person, PullRequest, Review, ReviewState};
use crate::paths::DEMO_MARKER;
use crate::repo::write::{Files, Writer};
use crate::repo::{Oid, Repo, RepoError};
use crate::store::{Store, User};
use scenario::{Edit, MergeStyle, Scenario, Segment, Step};

/// The scenario, embedded so the binary runs the demo anywhere.
pub const SCENARIO: &str = include_str!("../../../assets/demo/scenario.toml");

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo scenario is invalid: {0}")]
    Scenario(String),
    #[error(
        "{path} exists and is not a rearview demo: refusing to overwrite it (pass --dir to an empty or new directory)"
    )]
    NotADemo { path: PathBuf },
    #[error("cannot prepare {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// Writing the history failed ([`RepoError::Write`]).
    #[error("git could not write the demo: {0}")]
    Git(RepoError),
    #[error(transparent)]
    Repo(RepoError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<RepoError> for DemoError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Write(_) => DemoError::Git(e),
            other => DemoError::Repo(other),
        }
    }
}

/// What `build` made.
#[derive(Debug, Clone)]
pub struct Demo {
    pub repo: PathBuf,
    pub store: PathBuf,
    /// The demo's config (`.git/rearview/config.toml`): the keys that
    /// vouch for its release tags.
    pub config: PathBuf,
    pub commits: usize,
    /// The GitHub side of the scenario, as seeded into the store (tests
    /// serve it from a fake GitHub too).
    pub pulls: Vec<PullRequest>,
    pub reviews: Vec<Review>,
    /// login → GitHub author association.
    pub associations: HashMap<String, String>,
}

/// Builds (or rebuilds) the demo repository in `dir` and seeds its store
/// (`store`, or the repository's default store).
pub fn build(dir: &Path, store: Option<&Path>) -> Result<Demo, DemoError> {
    let scenario: Scenario = toml::from_str(SCENARIO).map_err(|e| DemoError::Scenario(e.to_string()))?;
    prepare_dir(dir)?;
    let mut builder = Builder::new(dir, &scenario)?;
    for step in &scenario.steps {
        builder.step(step)?;
    }
    builder.writer.set_head(&scenario.default_branch)?;
    let config = keys::write_trust(&builder.writer.git_dir(), &scenario, &builder.signers)?;
    let marker = builder.writer.git_dir().join(DEMO_MARKER);
    std::fs::write(&marker, "built by `rearview demo`\n").map_err(|source| DemoError::Io { path: marker, source })?;

    let repo = Repo::open(dir)?;
    let store_path = match store {
        Some(p) => p.to_path_buf(),
        None => crate::paths::default_store(&repo.git_dir(), &repo.name())
            .ok_or_else(|| DemoError::Scenario("no HOME or XDG_DATA_HOME to put the store in".into()))?,
    };
    remove_store(&store_path)?;
    let mut db = Store::open(&store_path)?;
    let users: Vec<User> = scenario
        .people
        .iter()
        .map(|a| User { login: a.login.clone(), name: a.name.clone(), email: a.email.clone() })
        .collect();
    db.save_users(&users)?;
    settle_update_times(&mut builder.prs, &builder.reviews);
    db.save_pull_requests(&builder.prs, &builder.reviews)?;
    let associations = scenario.people.iter().map(|a| (a.login.clone(), a.association.clone())).collect();
    Ok(Demo {
        repo: dir.to_path_buf(),
        store: store_path,
        config,
        commits: builder.commits,
        pulls: builder.prs,
        reviews: builder.reviews,
        associations,
    })
}

/// A pull request was last updated by its merge or its latest review, as
/// on GitHub (so the pull requests of a sync do not all share one time).
fn settle_update_times(prs: &mut [PullRequest], reviews: &[Review]) {
    for pr in prs {
        let reviewed = reviews.iter().filter(|r| r.pr == pr.number).filter_map(|r| r.submitted_at).max();
        pr.updated_at = pr.merged_at.max(reviewed).or(pr.updated_at);
    }
}

/// An absent or empty directory is fine; an earlier demo is removed; anything
/// else is refused. The directories created for it are their owner's only
/// (0700), like every other place rearview writes.
fn prepare_dir(dir: &Path) -> Result<(), DemoError> {
    let io = |source| DemoError::Io { path: dir.to_path_buf(), source };
    if !dir.exists() {
        return crate::paths::create_private_dir(dir).map_err(io);
    }
    let empty = std::fs::read_dir(dir).map_err(io)?.next().is_none();
    if empty {
        return Ok(());
    }
    if !dir.join(".git").join(DEMO_MARKER).exists() {
        return Err(DemoError::NotADemo { path: dir.to_path_buf() });
    }
    std::fs::remove_dir_all(dir).map_err(io)?;
    crate::paths::create_private_dir(dir).map_err(io)
}

fn remove_store(path: &Path) -> Result<(), DemoError> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(DemoError::Io { path: p, source }),
        }
    }
    Ok(())
}

/// A change made by a step, for backports to repeat.
struct Made {
    edits: Vec<Edit>,
    sha: Oid,
    pr: Option<u64>,
    title: String,
    author: Person,
}

struct Builder<'s> {
    writer: Writer,
    scenario: &'s Scenario,
    people: HashMap<&'s str, Person>,
    associations: HashMap<&'s str, &'s str>,
    branches: HashMap<String, (Oid, Files)>,
    made: HashMap<String, Made>,
    clock: i64,
    signers: HashMap<String, crate::repo::signing::Signer>,
    prs: Vec<PullRequest>,
    reviews: Vec<Review>,
    commits: usize,
}

const HOUR: i64 = 3600;

fn github() -> Person {
    Person { name: "GitHub".into(), email: "noreply@github.com".into() }
}

impl<'s> Builder<'s> {
    fn new(dir: &Path, scenario: &'s Scenario) -> Result<Self, DemoError> {
        let clock = chrono::DateTime::parse_from_rfc3339(&scenario.start)
            .map_err(|e| DemoError::Scenario(format!("start `{}`: {e}", scenario.start)))?
            .timestamp();
        let people = scenario
            .people
            .iter()
            .map(|a| (a.login.as_str(), Person { name: a.name.clone(), email: a.email.clone() }))
            .collect();
        let associations = scenario.people.iter().map(|a| (a.login.as_str(), a.association.as_str())).collect();
        Ok(Builder {
            writer: Writer::init(dir)?,
            scenario,
            people,
            associations,
            branches: HashMap::new(),
            made: HashMap::new(),
            clock,
            signers: keys::signers(scenario, clock)?,
            prs: Vec::new(),
            reviews: Vec::new(),
            commits: 0,
        })
    }

    fn person(&self, login: &str) -> Result<Person, DemoError> {
        self.people.get(login).cloned().ok_or_else(|| DemoError::Scenario(format!("unknown person `{login}`")))
    }

    /// The tip and files of a branch (an unborn default branch is empty).
    fn branch(&self, name: &str) -> Result<(Option<Oid>, Files), DemoError> {
        match self.branches.get(name) {
            Some((tip, files)) => Ok((Some(*tip), files.clone())),
            None if name == self.scenario.default_branch => Ok((None, Files::new())),
            None => Err(DemoError::Scenario(format!("branch `{name}` used before it was created"))),
        }
    }

    fn commit(
        &mut self,
        parents: &[Oid],
        files: &Files,
        author: &Person,
        committer: &Person,
        at: i64,
        message: &str,
    ) -> Result<Oid, DemoError> {
        let tree = self.writer.tree(files)?;
        self.commits += 1;
        Ok(self.writer.commit(None, parents, tree, author, committer, at, message)?)
    }

    fn land(&mut self, branch: &str, tip: Oid, files: Files) -> Result<(), DemoError> {
        self.writer.set_reference(&format!("refs/heads/{branch}"), tip, "demo")?;
        self.branches.insert(branch.to_string(), (tip, files));
        Ok(())
    }

    fn step(&mut self, step: &Step) -> Result<(), DemoError> {
        self.clock += 5 * HOUR;
        if let Some(at) = step.at() {
            let time = chrono::DateTime::parse_from_rfc3339(at)
                .map_err(|e| DemoError::Scenario(format!("at = `{at}`: {e}")))?
                .timestamp();
            if time < self.clock - 5 * HOUR {
                return Err(DemoError::Scenario(format!("at = `{at}` goes back in time: steps run in order")));
            }
            self.clock = time;
        }
        match step {
            Step::Branch { name, from } => {
                let (tip, files) = self.branch(from)?;
                let tip = tip.ok_or_else(|| DemoError::Scenario(format!("branch `{from}` has no commits")))?;
                self.land(name, tip, files)
            }
            Step::Tag { name, branch, tagger, key, message, .. } => {
                let (tip, _) = self.branch(branch)?;
                let tip = tip.ok_or_else(|| DemoError::Scenario(format!("branch `{branch}` has no commits")))?;
                let Some(tagger) = tagger else { return Ok(self.writer.tag(name, tip)?) };
                let tagger = self.person(tagger)?;
                let signer = match key {
                    Some(id) => Some(
                        self.signers
                            .get(id)
                            .ok_or_else(|| DemoError::Scenario(format!("tag {name}: unknown key `{id}`")))?,
                    ),
                    None => None,
                };
                let message = message.clone().unwrap_or_else(|| format!("quill {}", name.trim_start_matches('v')));
                self.writer.annotated_tag(name, tip, &tagger, self.clock, &message, signer)?;
                Ok(())
            }
            Step::Push { id, branch, author, title, body, trailers, files, .. } => {
                let person = self.person(author)?;
                let (tip, mut state) = self.branch(branch)?;
                apply(&mut state, files, None)?;
                let message = compose(title, body, trailers);
                let sha =
                    self.commit(&tip.into_iter().collect::<Vec<_>>(), &state, &person, &person, self.clock, &message)?;
                self.land(branch, sha, state)?;
                self.remember(id, files, sha, None, title, person);
                Ok(())
            }
            Step::Pr {
                at: _,
                id,
                branch,
                number,
                author,
                title,
                body,
                style,
                merged_by,
                commits,
                reviews,
                labels,
                trailers,
                files,
            } => {
                let spec = PrSpec {
                    branch,
                    number: *number,
                    author,
                    merged_by: merged_by.as_deref().unwrap_or(author),
                    title: title.clone(),
                    body: body.clone(),
                    style: *style,
                    commits: *commits,
                    reviews,
                    labels,
                    trailers: trailers.clone(),
                    git_author: self.person(author)?,
                };
                let sha = self.pull_request(&spec, files)?;
                let person = spec.git_author.clone();
                self.remember(id, files, sha, Some(*number), title, person);
                Ok(())
            }
            Step::Backport { branch, of, number, author, merged_by, subject, trailer, reviews, files } => self
                .backport(
                    branch,
                    of,
                    *number,
                    author.as_deref(),
                    merged_by.as_deref(),
                    subject.as_deref(),
                    *trailer,
                    reviews,
                    files,
                ),
        }
    }

    fn remember(
        &mut self,
        id: &Option<String>,
        edits: &[Edit],
        sha: Oid,
        pr: Option<u64>,
        title: &str,
        author: Person,
    ) {
        if let Some(id) = id {
            self.made.insert(id.clone(), Made { edits: edits.to_vec(), sha, pr, title: title.to_string(), author });
        }
    }

    /// Writes a pull request's commits, merges it, and records its metadata.
    fn pull_request(&mut self, spec: &PrSpec<'_>, files: &[Edit]) -> Result<Oid, DemoError> {
        let (tip, mut state) = self.branch(spec.branch)?;
        let base: Vec<Oid> = tip.into_iter().collect();
        let refname = format!("refs/pull/{}/head", spec.number);
        let author = spec.git_author.clone();
        let opened = self.clock - 3 * HOUR;

        // The pull request's own commits: the work, then (if any) what was
        // pushed after the first review.
        apply(&mut state, files, Some(false))?;
        let first = self.commit(&base, &state, &author, &author, opened, &format!("{}\n", spec.title))?;
        let mut pr_commits = vec![first];
        let mut head = first;
        for i in 1..spec.commits.max(1) {
            if i + 1 == spec.commits {
                apply(&mut state, files, Some(true))?;
            }
            let at = opened + i as i64 * HOUR;
            head = self.commit(&[head], &state, &author, &author, at, "Address review comments\n")?;
            pr_commits.push(head);
        }
        self.writer.set_reference(&refname, head, "demo pull request head")?;

        let merged_at = self.clock;
        let merger = self.person(spec.merged_by)?;
        let sha = match spec.style {
            MergeStyle::Squash => {
                let subject = format!("{} (#{})", spec.title, spec.number);
                let message = compose(&subject, &spec.body, &spec.trailers);
                self.commit(&base, &state, &author, &github(), merged_at, &message)?
            }
            MergeStyle::Merge => {
                let slug: String = spec
                    .title
                    .to_lowercase()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .take(30)
                    .collect();
                let subject =
                    format!("Merge pull request #{} from {}/{}", spec.number, spec.author, slug.trim_matches('-'));
                let message = compose(&subject, &spec.title, &spec.trailers);
                let parents: Vec<Oid> = base.iter().copied().chain([head]).collect();
                self.commit(&parents, &state, &merger, &github(), merged_at, &message)?
            }
        };
        self.land(spec.branch, sha, state)?;

        for r in spec.reviews {
            let state = ReviewState::parse(&r.state)
                .ok_or_else(|| DemoError::Scenario(format!("review state `{}` in #{}", r.state, spec.number)))?;
            let (commit, at) = match (r.on.as_str(), r.when.as_str()) {
                ("first", "before") => (first, opened + HOUR / 2),
                ("head", "before") => (head, merged_at - HOUR / 2),
                ("first", "after") => (first, merged_at + 48 * HOUR),
                ("head", "after") => (head, merged_at + 48 * HOUR),
                _ => {
                    return Err(DemoError::Scenario(format!(
                        "review on `{}` when `{}` in #{}",
                        r.on, r.when, spec.number
                    )))
                }
            };
            self.reviews.push(Review {
                id: self.reviews.len() as u64 + 9001,
                pr: spec.number,
                user: r.user.clone(),
                state,
                commit_id: Some(commit.to_string()),
                submitted_at: Some(at),
                author_association: self.associations.get(r.user.as_str()).unwrap_or(&"NONE").to_string(),
                marker: None,
            });
        }
        self.prs.push(PullRequest {
            number: spec.number,
            title: spec.title.clone(),
            body: spec.body.clone(),
            author: spec.author.to_string(),
            author_association: self.associations.get(spec.author).unwrap_or(&"NONE").to_string(),
            merged_by: Some(spec.merged_by.to_string()),
            merged_at: Some(merged_at),
            merge_commit_sha: Some(sha.to_string()),
            head_sha: Some(head.to_string()),
            base_branch: spec.branch.to_string(),
            labels: spec.labels.to_vec(),
            // Its own reviews move it on; they are added once it exists
            // (see `settle_update_times`).
            updated_at: Some(merged_at),
            commits: pr_commits.iter().map(Oid::to_string).collect(),
        });
        Ok(sha)
    }

    #[allow(clippy::too_many_arguments)]
    fn backport(
        &mut self,
        branch: &str,
        of: &str,
        number: Option<u64>,
        author: Option<&str>,
        merged_by: Option<&str>,
        subject: Option<&str>,
        trailer: bool,
        reviews: &[scenario::ReviewSpec],
        drift: &[Edit],
    ) -> Result<(), DemoError> {
        let made = self.made.get(of).ok_or_else(|| DemoError::Scenario(format!("backport of unknown step `{of}`")))?;
        let mut edits: Vec<Edit> = made
            .edits
            .iter()
            .cloned()
            .map(|mut e| {
                e.late = false;
                e
            })
            .collect();
        edits.extend(drift.iter().cloned());
        let title = made.title.clone();
        let orig_pr = made.pr;
        let orig_sha = made.sha;
        let orig_author = made.author.clone();
        let gh = orig_pr.map(|n| format!(" (GH-{n})")).unwrap_or_default();
        let mut body = String::new();
        if trailer {
            body.push_str(&format!("(cherry picked from commit {orig_sha})\n\n"));
        }
        body.push_str(&format!("Co-authored-by: {} <{}>", orig_author.name, orig_author.email));

        match number {
            Some(number) => {
                let pr_author = author.unwrap_or("miss-islington");
                let spec = PrSpec {
                    branch,
                    number,
                    author: pr_author,
                    merged_by: merged_by.unwrap_or(pr_author),
                    title: subject.map(str::to_string).unwrap_or_else(|| format!("[{branch}] {title}{gh}")),
                    body,
                    style: MergeStyle::Squash,
                    commits: 1,
                    reviews,
                    labels: &[],
                    trailers: Vec::new(),
                    git_author: self.person(pr_author)?,
                };
                self.pull_request(&spec, &edits).map(|_| ())
            }
            None => {
                // Pushed by hand: git keeps the original author; the pusher commits.
                let pusher = self.person(author.unwrap_or("miss-islington"))?;
                let (tip, mut state) = self.branch(branch)?;
                apply(&mut state, &edits, None)?;
                let subject = subject.map(str::to_string).unwrap_or_else(|| format!("[{branch}] {title}{gh}"));
                let message = if trailer { format!("{subject}\n\n{body}\n") } else { format!("{subject}\n") };
                let sha = self.commit(
                    &tip.into_iter().collect::<Vec<_>>(),
                    &state,
                    &orig_author,
                    &pusher,
                    self.clock,
                    &message,
                )?;
                self.land(branch, sha, state)
            }
        }
    }
}

struct PrSpec<'a> {
    branch: &'a str,
    number: u64,
    author: &'a str,
    merged_by: &'a str,
    title: String,
    body: String,
    style: MergeStyle,
    commits: usize,
    reviews: &'a [scenario::ReviewSpec],
    labels: &'a [String],
    trailers: Vec<String>,
    git_author: Person,
}

/// A commit message: subject, body, trailers, each a paragraph.
fn compose(subject: &str, body: &str, trailers: &[String]) -> String {
    let mut message = subject.trim().to_string();
    if !body.trim().is_empty() {
        message.push_str("\n\n");
        message.push_str(body.trim());
    }
    if !trailers.is_empty() {
        message.push_str("\n\n");
        message.push_str(&trailers.join("\n"));
    }
    message.push('\n');
    message
}

/// Applies edits to a tree's files. `late`: only edits with that flag
/// (`None`: all of them).
fn apply(files: &mut Files, edits: &[Edit], late: Option<bool>) -> Result<(), DemoError> {
    for edit in edits.iter().filter(|e| late.is_none_or(|l| e.late == l)) {
        let path = &edit.path;
        if edit.delete {
            files.remove(path).ok_or_else(|| DemoError::Scenario(format!("delete of missing file {path}")))?;
            continue;
        }
        if let Some(content) = &edit.content {
            files.insert(path.clone(), content.as_bytes().to_vec());
        }
        if !edit.bytes.is_empty() {
            files.insert(path.clone(), generate(&edit.bytes).map_err(|e| DemoError::Scenario(format!("{path}: {e}")))?);
        }
        for [old, new] in &edit.replace {
            let current =
                files.get(path).ok_or_else(|| DemoError::Scenario(format!("replace in missing file {path}")))?;
            let text = String::from_utf8_lossy(current);
            if !text.contains(old.as_str()) {
                return Err(DemoError::Scenario(format!("{path}: text to replace not found: {old:?}")));
            }
            let updated = text.replacen(old.as_str(), new, 1);
            files.insert(path.clone(), updated.into_bytes());
        }
        if let Some(more) = &edit.append {
            files.entry(path.clone()).or_default().extend_from_slice(more.as_bytes());
        }
    }
    Ok(())
}

/// Binary content from text segments.
fn generate(segments: &[Segment]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for s in segments {
        if let Some(hex) = &s.hex {
            let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            if !digits.len().is_multiple_of(2) {
                return Err(format!("odd number of hex digits in {hex:?}"));
            }
            for pair in digits.chunks(2) {
                let text = std::str::from_utf8(pair).map_err(|e| e.to_string())?;
                out.push(u8::from_str_radix(text, 16).map_err(|_| format!("bad hex `{text}`"))?);
            }
        }
        if let Some(text) = &s.text {
            out.extend_from_slice(text.as_bytes());
        }
        if let Some(byte) = s.fill {
            out.extend(std::iter::repeat_n(byte, s.count));
        }
        if let Some(seed) = s.random {
            // xorshift64*: deterministic noise that looks compressed.
            let mut x = seed.max(1);
            for _ in 0..s.count {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                out.push((x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_segments() {
        let segs = vec![
            Segment { hex: Some("fd 37 7a\n58 5a 00".into()), text: None, random: None, fill: None, count: 0 },
            Segment { hex: None, text: Some("#!/bin/sh".into()), random: None, fill: None, count: 0 },
            Segment { hex: None, text: None, random: None, fill: Some(0), count: 3 },
            Segment { hex: None, text: None, random: Some(7), fill: None, count: 5 },
        ];
        let bytes = generate(&segs).expect("valid");
        assert_eq!(&bytes[..6], &[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
        assert_eq!(&bytes[6..15], b"#!/bin/sh");
        assert_eq!(&bytes[15..18], &[0, 0, 0]);
        assert_eq!(bytes.len(), 23);
        assert_eq!(generate(&segs).expect("valid"), bytes, "deterministic");
        let bad = vec![Segment { hex: Some("abc".into()), text: None, random: None, fill: None, count: 0 }];
        assert!(generate(&bad).is_err());
    }

    #[test]
    fn a_step_may_set_the_clock_but_not_turn_it_back() {
        let text = r#"
start = "2024-05-06T09:00:00Z"
default_branch = "main"
[[people]]
login = "a"
name = "A"
email = "a@example.org"
[[steps]]
action = "push"
at = "2024-12-09T10:00:00Z"
branch = "main"
author = "a"
title = "one"
files = []
[[steps]]
action = "push"
branch = "main"
author = "a"
title = "two"
files = []
[[steps]]
action = "push"
at = "2024-06-01T00:00:00Z"
branch = "main"
author = "a"
title = "three"
files = []
"#;
        let scenario: Scenario = toml::from_str(text).expect("parses");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut builder = Builder::new(dir.path(), &scenario).expect("builder");
        builder.step(&scenario.steps[0]).expect("first step");
        assert_eq!(builder.clock, 1_733_738_400, "2024-12-09T10:00:00Z");
        builder.step(&scenario.steps[1]).expect("second step");
        assert_eq!(builder.clock, 1_733_738_400 + 5 * HOUR, "the steps after go on from there");
        let err = builder.step(&scenario.steps[2]).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("goes back in time"), "{err}");
    }

    #[test]
    fn scenario_parses() {
        let s: Scenario = toml::from_str(SCENARIO).expect("the embedded scenario parses");
        assert!(s.steps.len() >= 40);
    }
}
