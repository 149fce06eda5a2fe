//! A generated, CPython-shaped repository for the scale tests and the
//! `history` benchmark: a `main` line of 10,000+ first-parent commits
//! (squash merges, real two-parent merges of pull requests, direct pushes,
//! `Reviewed-by:` trailers, several authors, C/Python/Markdown files) and
//! maintenance branches forked from it, full of backports: with a
//! `(cherry picked from commit …)` trailer, with only the original's
//! `(GH-N)` number, without any reference at all (same diff, reworded
//! subject), and drifted ones (trailer, but a different diff).
//!
//! Everything is deterministic: fixed timestamps and a seeded PRNG, so the
//! same spec gives the same shas on every machine.
//!
//! Written with git2 directly rather than `rearview::repo::write::Writer`:
//! the writer builds every commit's full tree from a map of all files,
//! which is too slow for 10,000+ commits. Here each tree is derived from its
//! parent's with a `TreeUpdateBuilder` (only the changed paths are
//! rewritten), commits are formatted and hashed directly, and every object
//! goes to an in-memory backend that is written out as one pack at the end,
//! so the result looks like a real clone (packed) rather than ~60,000 loose
//! objects.
//!
//! ## How backports keep their patch-id
//!
//! Every file is a sequence of "slots": three fixed lines then one value
//! line. A change rewrites value lines only, so the three lines of diff
//! context on each side of a change never change. The first slots of every
//! file are *reserved*: each is changed once on `main`, by a commit that is
//! later backported, and never by anything else. A backport therefore
//! replaces the same old line with the same new line, in the same context,
//! on every branch: its patch-id equals its original's.

#![allow(dead_code)] // each test crate that includes this uses a part of it

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, ObjectType, Oid, Repository};

/// The shape of the repository to generate.
#[derive(Debug, Clone)]
pub struct BigRepoSpec {
    /// First-parent commits on `main` after the root commit.
    pub main_commits: usize,
    /// Maintenance branches, oldest first.
    pub branches: Vec<BranchSpec>,
    /// Seed of the PRNG that picks kinds, authors, files and titles.
    pub seed: u64,
    /// Binary files (path, bytes) the root commit holds besides the
    /// sources, never changed after: their first change is the root.
    pub root_binaries: Vec<(String, Vec<u8>)>,
}

/// A maintenance branch: forked from the `fork_at`-th commit after `main`'s
/// root, then `commits` commits of its own.
#[derive(Debug, Clone)]
pub struct BranchSpec {
    /// The branch name: `3.12`.
    pub name: String,
    pub fork_at: usize,
    pub commits: usize,
}

impl Default for BigRepoSpec {
    /// 10,000 commits on `main`; `3.11` forks at 7,000 with 300 commits,
    /// `3.12` at 8,500 with 400.
    fn default() -> Self {
        BigRepoSpec {
            main_commits: 10_000,
            branches: vec![
                BranchSpec { name: "3.11".into(), fork_at: 7_000, commits: 300 },
                BranchSpec { name: "3.12".into(), fork_at: 8_500, commits: 400 },
            ],
            seed: 0x5eed_2024,
            root_binaries: Vec::new(),
        }
    }
}

/// The tag on `main`'s root commit: `ROOT_TAG..main` holds exactly
/// `spec.main_commits` changes.
pub const ROOT_TAG: &str = "v3.0.0";

/// What was built, for tests to check the tool's answers against.
#[derive(Debug, Clone)]
pub struct BigRepo {
    /// The repository (a work-tree repository whose work tree is empty).
    pub path: PathBuf,
    pub main: MainLine,
    /// Maintenance branches, in the spec's order.
    pub branches: Vec<Branch>,
}

/// The `main` branch.
#[derive(Debug, Clone)]
pub struct MainLine {
    /// First-parent commits, the root included (`spec.main_commits + 1`).
    pub commits: usize,
    pub tip: String,
    pub root: String,
    /// Squash merges, subject ending in `(#N)`.
    pub squashes: usize,
    /// Two-parent `Merge pull request #N from user/branch` commits.
    pub merges: usize,
    /// Side commits merged by those merges (not first-parent).
    pub side_commits: usize,
    /// Commits with no pull request at all, the root included.
    pub direct_pushes: usize,
    /// Commits carrying a `Reviewed-by:` trailer that names someone other
    /// than their author (squashes and direct pushes).
    pub reviewed_by: Vec<String>,
    /// Distinct authors of first-parent commits.
    pub authors: usize,
}

impl MainLine {
    /// Changes that `rearview` should call `merge` (a pull request).
    pub fn merge_kind(&self) -> usize {
        self.squashes + self.merges
    }
}

/// A maintenance branch as built.
#[derive(Debug, Clone)]
pub struct Branch {
    pub name: String,
    /// The `main` commit it forked from (its merge base with `main`).
    pub fork: String,
    /// Lightweight tag on the fork point: `v3.12.0b1`.
    pub fork_tag: String,
    /// Lightweight tag on the branch's first commit: `v3.12.0`.
    pub release_tag: String,
    pub tip: String,
    /// Commits on the branch after the fork.
    pub commits: usize,
    /// Commits on the branch with no pull request and no original
    /// (the release commit included).
    pub direct_pushes: Vec<String>,
    pub backports: Vec<Backport>,
}

impl Branch {
    pub fn backports_of(&self, style: BackportStyle) -> impl Iterator<Item = &Backport> {
        self.backports.iter().filter(move |b| b.style == style)
    }
}

/// A commit on a maintenance branch that repeats a `main` commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backport {
    pub sha: String,
    /// The `main` commit it repeats.
    pub original: String,
    /// The original's pull request number.
    pub original_pr: u64,
    /// The backport's own pull request, when it has one.
    pub pr: Option<u64>,
    pub style: BackportStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackportStyle {
    /// `[3.12] Title (GH-N) (#M)` with `(cherry picked from commit X)`.
    CherryPickTrailer,
    /// `[3.12] Title (GH-N) (#M)`, no trailer: linked by the number.
    PullRequestNumber,
    /// A plain `git cherry-pick` with a reworded subject and no reference:
    /// only the patch-id links it.
    NoTrailer,
    /// Has the trailer, but the diff differs from the original's (a
    /// conflict resolved differently): the patch-ids differ.
    Drifted,
}

/// Builds the repository described by `spec` in `dir` (created when
/// absent; must not already hold a repository). Panics on failure: this is
/// test support.
pub fn build(dir: &Path, spec: &BigRepoSpec) -> BigRepo {
    try_build(dir, spec).expect("build the big repository")
}

pub fn try_build(dir: &Path, spec: &BigRepoSpec) -> Result<BigRepo, git2::Error> {
    check_spec(spec);
    let mut options = git2::RepositoryInitOptions::new();
    options.initial_head("main").mkpath(true).no_reinit(true);
    let repo = Repository::init_opts(dir, &options)?;
    // Objects go to memory first (no loose files), then out as one pack.
    let odb = repo.odb()?;
    let mempack = odb.add_new_mempack_backend(1000)?;
    let mut b = Builder::new(&repo, &odb, spec);
    let main = b.main_line()?;
    let mut branches = Vec::new();
    for (index, branch) in spec.branches.iter().enumerate() {
        branches.push(b.branch(index, branch)?);
    }
    write_pack(&repo, &mempack)?;
    repo.set_head("refs/heads/main")?;
    Ok(BigRepo { path: dir.to_path_buf(), main, branches })
}

/// Writes what the in-memory backend holds to the repository as one pack.
fn write_pack(repo: &Repository, mempack: &git2::Mempack<'_>) -> Result<(), git2::Error> {
    let mut pack = git2::Buf::new();
    mempack.dump(repo, &mut pack)?;
    let disk = repo.odb()?;
    let mut writer = disk.packwriter()?;
    std::io::Write::write_all(&mut writer, &pack).map_err(|e| git2::Error::from_str(&e.to_string()))?;
    writer.commit()?;
    mempack.reset()
}

fn check_spec(spec: &BigRepoSpec) {
    assert!(spec.main_commits >= 2, "main needs at least two commits");
    for b in &spec.branches {
        assert!(
            b.fork_at >= 1 && b.fork_at < spec.main_commits,
            "branch {} must fork between the first and the last main commit",
            b.name
        );
        assert!(b.commits >= 1, "branch {} needs a commit", b.name);
    }
}

// ---------------------------------------------------------------------------
// Deterministic choices.

/// SplitMix64: tiny, seedable, good enough to pick fixture shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// People.

#[derive(Debug, Clone, Copy)]
struct Who {
    name: &'static str,
    email: &'static str,
    login: &'static str,
}

const CONTRIBUTORS: [Who; 8] = [
    Who { name: "Alice Liddell", email: "alice@example.org", login: "alice" },
    Who { name: "Bob Marley", email: "bob@example.org", login: "bob" },
    Who { name: "Carol Danvers", email: "carol@example.org", login: "carol" },
    Who { name: "Dan Brown", email: "dan@example.org", login: "dan" },
    Who { name: "Erin Hunter", email: "erin@example.org", login: "erin" },
    Who { name: "Frank Ocean", email: "frank@example.org", login: "frank" },
    Who { name: "Grace Hopper", email: "grace@example.org", login: "grace" },
    Who { name: "Heidi Klum", email: "heidi@example.org", login: "heidi" },
];

const CORE_DEVS: [Who; 5] = [
    Who { name: "Ivan Core", email: "ivan@python.example", login: "ivan" },
    Who { name: "Judy Core", email: "judy@python.example", login: "judy" },
    Who { name: "Mallory Core", email: "mallory@python.example", login: "mallory" },
    Who { name: "Niaj Core", email: "niaj@python.example", login: "niaj" },
    Who { name: "Olivia Core", email: "olivia@python.example", login: "olivia" },
];

const GITHUB: Who = Who { name: "GitHub", email: "noreply@github.com", login: "web-flow" };

const BACKPORT_BOT: Who = Who {
    name: "Miss Islington (bot)",
    email: "31488909+miss-islington@users.noreply.github.com",
    login: "miss-islington",
};

// ---------------------------------------------------------------------------
// Files: slots of three fixed lines and one value line.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    C,
    Python,
    Markdown,
}

struct FileDef {
    path: String,
    lang: Lang,
}

fn file_defs() -> Vec<FileDef> {
    let mut files = Vec::new();
    let mut add = |path: String, lang| files.push(FileDef { path, lang });
    for m in ["_io", "_json", "_socket", "_ssl", "_sqlite", "_decimal", "_ctypes", "_pickle", "_asyncio", "_datetime"] {
        add(format!("Modules/{m}module.c"), Lang::C);
    }
    for o in ["list", "dict", "set", "long", "unicode", "bytes"] {
        add(format!("Objects/{o}object.c"), Lang::C);
    }
    for h in ["object", "pystate", "ceval", "patchlevel"] {
        add(format!("Include/{h}.h"), Lang::C);
    }
    for l in [
        "asyncio/base_events",
        "asyncio/tasks",
        "json/decoder",
        "email/parser",
        "http/client",
        "logging/__init__",
        "pathlib",
        "typing",
        "argparse",
        "functools",
        "dataclasses",
        "enum",
    ] {
        add(format!("Lib/{l}.py"), Lang::Python);
    }
    for t in ["asyncio", "json", "email", "httplib", "pathlib", "typing", "argparse", "enum"] {
        add(format!("Lib/test/test_{t}.py"), Lang::Python);
    }
    for d in ["asyncio", "json", "pathlib", "typing", "argparse", "logging", "functions", "stdtypes"] {
        add(format!("Doc/library/{d}.md"), Lang::Markdown);
    }
    add("README.md".to_string(), Lang::Markdown);
    files
}

/// Regular (non-reserved) slots per file: what ordinary commits change.
const REGULAR_SLOTS: usize = 12;

fn render(def: &FileDef, slots: &[String], out: &mut Vec<u8>) {
    let mut s = String::with_capacity(slots.len() * 96 + 128);
    match def.lang {
        Lang::C => {
            let _ = write!(s, "/* {}: generated by the rearview scale fixture. */\n#include \"Python.h\"\n", def.path);
            for (i, v) in slots.iter().enumerate() {
                let _ = write!(s, "\n/* slot {i} */\n#define SLOT_{i} {i}\nstatic const char slot_{i}[] = \"{v}\";\n");
            }
            s.push_str("\n/* end of generated slots */\n/* eof */\n");
        }
        Lang::Python => {
            let _ = write!(s, "\"\"\"{}: generated by the rearview scale fixture.\"\"\"\nimport sys\n", def.path);
            for (i, v) in slots.iter().enumerate() {
                let _ = write!(s, "\n# slot {i}\nSLOT_{i} = {i}\nslot_{i} = \"{v}\"\n");
            }
            s.push_str("\n# end of generated slots\n# eof\n");
        }
        Lang::Markdown => {
            let _ = write!(s, "# {}\n\nGenerated by the rearview scale fixture.\n", def.path);
            for (i, v) in slots.iter().enumerate() {
                let _ = write!(s, "\n## Slot {i}\nSection {i} of this page.\n- value: {v}\n");
            }
            s.push_str("\n---\nEnd of page.\n");
        }
    }
    out.clear();
    out.extend_from_slice(s.as_bytes());
}

// ---------------------------------------------------------------------------
// Titles.

const VERBS: [&str; 10] =
    ["Fix", "Improve", "Add", "Remove", "Document", "Optimize", "Refactor", "Deprecate", "Clarify", "Harden"];
const NOUNS: [&str; 12] = [
    "reference leak",
    "error message",
    "race condition",
    "buffer handling",
    "unicode decoding",
    "default argument",
    "timeout handling",
    "signal handling",
    "cache invalidation",
    "iterator protocol",
    "pickle support",
    "repr output",
];
const AREAS: [&str; 12] = [
    "asyncio",
    "json",
    "pathlib",
    "typing",
    "argparse",
    "the parser",
    "the compiler",
    "sqlite3",
    "ssl",
    "socket",
    "email",
    "logging",
];

fn title(rng: &mut Rng) -> String {
    format!("{} {} in {}", rng.pick(&VERBS), rng.pick(&NOUNS), rng.pick(&AREAS))
}

fn slug(title: &str) -> String {
    title.to_ascii_lowercase().split_whitespace().collect::<Vec<_>>().join("-")
}

// ---------------------------------------------------------------------------
// The builder.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MainKind {
    Squash { reviewed: bool },
    MergePr,
    Direct { reviewed: bool },
}

/// One value line to rewrite: file index, slot index, new value.
type Edit = (usize, usize, String);

/// A `main` commit some branch backports.
#[derive(Debug, Clone)]
struct OriginalInfo {
    sha: Oid,
    pr: u64,
    issue: u64,
    title: String,
    author: Who,
    edit: Edit,
    time: i64,
}

/// The files of one branch tip.
#[derive(Clone)]
struct State {
    commit: Oid,
    tree: Oid,
    slots: Vec<Vec<String>>,
}

const T0: i64 = 1_577_836_800; // 2020-01-01T00:00:00Z
const HOUR: i64 = 3600;

struct Builder<'a> {
    repo: &'a Repository,
    odb: &'a git2::Odb<'a>,
    spec: &'a BigRepoSpec,
    files: Vec<FileDef>,
    /// Reserved slots per file (the first `reserved` of each).
    reserved: usize,
    rng: Rng,
    kinds: Vec<MainKind>,
    /// main index → reserved slot number, for the commits a branch backports.
    originals_at: BTreeMap<usize, usize>,
    /// Per branch: the main indices it backports, in order.
    plans: Vec<Vec<usize>>,
    originals: BTreeMap<usize, OriginalInfo>,
    forks: BTreeMap<usize, State>,
    next_pr: u64,
    next_issue: u64,
    buf: Vec<u8>,
}

impl<'a> Builder<'a> {
    fn new(repo: &'a Repository, odb: &'a git2::Odb<'a>, spec: &'a BigRepoSpec) -> Builder<'a> {
        let mut rng = Rng(spec.seed);
        let kinds: Vec<MainKind> = (0..=spec.main_commits)
            .map(|i| {
                if i == 0 {
                    return MainKind::Direct { reviewed: false };
                }
                match rng.below(100) {
                    0..=51 => MainKind::Squash { reviewed: false },
                    52..=63 => MainKind::Squash { reviewed: true },
                    64..=81 => MainKind::MergePr,
                    82..=93 => MainKind::Direct { reviewed: false },
                    _ => MainKind::Direct { reviewed: true },
                }
            })
            .collect();

        // Which main commits each branch backports: evenly spread over the
        // squash merges after its fork point, preferring (as projects do)
        // commits that a newer branch backports too. Newest fork first.
        let mut order: Vec<usize> = (0..spec.branches.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(spec.branches[i].fork_at));
        let mut plans = vec![Vec::new(); spec.branches.len()];
        let mut wanted = BTreeSet::new();
        for index in order {
            let b = &spec.branches[index];
            let candidates: Vec<usize> =
                (b.fork_at + 1..=spec.main_commits).filter(|&i| matches!(kinds[i], MainKind::Squash { .. })).collect();
            let need = backport_count(b.commits).min(candidates.len());
            let mut picks: Vec<usize> = (0..need).map(|k| k * candidates.len() / need).collect();
            for k in 0..picks.len() {
                let p = picks[k];
                let free = |q: usize| (k == 0 || picks[k - 1] < q) && picks.get(k + 1).is_none_or(|&n| q < n);
                let shared = [p.checked_sub(1), Some(p + 1)]
                    .into_iter()
                    .flatten()
                    .find(|&q| q < candidates.len() && free(q) && wanted.contains(&candidates[q]));
                if let (false, Some(q)) = (wanted.contains(&candidates[p]), shared) {
                    picks[k] = q;
                }
            }
            let plan: Vec<usize> = picks.into_iter().map(|p| candidates[p]).collect();
            wanted.extend(plan.iter().copied());
            plans[index] = plan;
        }
        let originals_at: BTreeMap<usize, usize> = wanted.into_iter().enumerate().map(|(n, i)| (i, n)).collect();
        let files = file_defs();
        let reserved = originals_at.len().div_ceil(files.len()).max(1);

        Builder {
            repo,
            odb,
            spec,
            files,
            reserved,
            rng,
            kinds,
            originals_at,
            plans,
            originals: BTreeMap::new(),
            forks: BTreeMap::new(),
            next_pr: 1000,
            next_issue: 90_000,
            buf: Vec::new(),
        }
    }

    fn slots_per_file(&self) -> usize {
        self.reserved + REGULAR_SLOTS
    }

    fn write(&self, kind: ObjectType, data: &[u8]) -> Result<Oid, git2::Error> {
        self.odb.write(kind, data)
    }

    /// A new tree: `state`'s with `edits` applied.
    fn apply(&mut self, state: &mut State, edits: &[Edit]) -> Result<(), git2::Error> {
        let mut touched = BTreeSet::new();
        for (f, s, v) in edits {
            state.slots[*f][*s] = v.clone();
            touched.insert(*f);
        }
        let mut update = TreeUpdateBuilder::new();
        let mut buf = std::mem::take(&mut self.buf);
        for f in touched {
            render(&self.files[f], &state.slots[f], &mut buf);
            let blob = self.write(ObjectType::Blob, &buf)?;
            update.upsert(self.files[f].path.as_str(), blob, FileMode::Blob);
        }
        self.buf = buf;
        let base = self.repo.find_tree(state.tree)?;
        let tree = update.create_updated(self.repo, &base)?;
        state.tree = tree;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn commit(
        &self,
        tree: Oid,
        parents: &[Oid],
        author: Who,
        committer: Who,
        author_time: i64,
        commit_time: i64,
        message: &str,
    ) -> Result<Oid, git2::Error> {
        let mut text = format!("tree {tree}\n");
        for p in parents {
            let _ = writeln!(text, "parent {p}");
        }
        let _ = writeln!(text, "author {} <{}> {author_time} +0000", author.name, author.email);
        let _ = writeln!(text, "committer {} <{}> {commit_time} +0000", committer.name, committer.email);
        text.push('\n');
        text.push_str(message);
        self.write(ObjectType::Commit, text.as_bytes())
    }

    /// The root commit: every file with its initial slots.
    fn root(&mut self) -> Result<State, git2::Error> {
        let per_file = self.slots_per_file();
        let slots: Vec<Vec<String>> = self
            .files
            .iter()
            .enumerate()
            .map(|(f, _)| (0..per_file).map(|s| format!("initial-{f}-{s}")).collect())
            .collect();
        let mut builder = TreeUpdateBuilder::new();
        let mut buf = Vec::new();
        for (f, def) in self.files.iter().enumerate() {
            render(def, &slots[f], &mut buf);
            let blob = self.odb.write(ObjectType::Blob, &buf)?;
            builder.upsert(def.path.as_str(), blob, FileMode::Blob);
        }
        for (path, bytes) in &self.spec.root_binaries {
            let blob = self.odb.write(ObjectType::Blob, bytes)?;
            builder.upsert(path.as_str(), blob, FileMode::Blob);
        }
        let empty = self.odb.write(ObjectType::Tree, &[])?;
        let empty = self.repo.find_tree(empty)?;
        let tree = builder.create_updated(self.repo, &empty)?;
        let who = CORE_DEVS[0];
        let commit = self.commit(tree, &[], who, who, T0, T0, "Initial import of the interpreter\n")?;
        Ok(State { commit, tree, slots })
    }

    /// One to three ordinary edits, on regular slots.
    fn regular_edits(&mut self, tag: &str) -> Vec<Edit> {
        let n = 1 + usize::from(self.rng.below(10) < 3) + usize::from(self.rng.below(10) == 0);
        (0..n)
            .map(|k| {
                let f = self.rng.below(self.files.len());
                let s = self.reserved + self.rng.below(REGULAR_SLOTS);
                let v = format!("{tag}-{k}-{:08x}", self.rng.next() as u32);
                (f, s, v)
            })
            .collect()
    }

    fn main_line(&mut self) -> Result<MainLine, git2::Error> {
        let mut state = self.root()?;
        let root = state.commit;
        self.repo.reference(&format!("refs/tags/{ROOT_TAG}"), root, true, "scale fixture")?;
        let (mut squashes, mut merges, mut direct_pushes) = (0, 0, 1);
        let mut reviewed_by = Vec::new();
        let mut authors: BTreeSet<&'static str> = BTreeSet::from([CORE_DEVS[0].email]);
        let forks: BTreeSet<usize> = self.spec.branches.iter().map(|b| b.fork_at).collect();

        for i in 1..=self.spec.main_commits {
            let time = T0 + i as i64 * HOUR;
            let kind = self.kinds[i];
            let title = title(&mut self.rng);
            let core = *self.rng.pick(&CORE_DEVS);
            let contributor = *self.rng.pick(&CONTRIBUTORS);
            let reviewer = *self.rng.pick(&CORE_DEVS);
            match kind {
                MainKind::Squash { reviewed } => {
                    let pr = self.take_pr();
                    let issue = self.take_issue();
                    let edits = match self.originals_at.get(&i) {
                        Some(&n) => {
                            let (f, s) = (n % self.files.len(), n / self.files.len());
                            vec![(f, s, format!("fix-gh-{issue}-pr-{pr}"))]
                        }
                        None => self.regular_edits(&format!("main-{i}")),
                    };
                    self.apply(&mut state, &edits)?;
                    let mut message = format!("gh-{issue}: {title} (#{pr})\n\nThe change of pull request {pr}.\n");
                    if reviewed {
                        let _ = write!(message, "\nReviewed-by: {} <{}>\n", reviewer.name, reviewer.email);
                    }
                    let sha =
                        self.commit(state.tree, &[state.commit], contributor, GITHUB, time - 900, time, &message)?;
                    if reviewed {
                        reviewed_by.push(sha.to_string());
                    }
                    if self.originals_at.contains_key(&i) {
                        let edit = edits.into_iter().next().expect("an original has one edit");
                        let info = OriginalInfo { sha, pr, issue, title, author: contributor, edit, time };
                        self.originals.insert(i, info);
                    }
                    authors.insert(contributor.email);
                    squashes += 1;
                    state.commit = sha;
                }
                MainKind::MergePr => {
                    let pr = self.take_pr();
                    let edits = self.regular_edits(&format!("main-{i}"));
                    let parent = state.commit;
                    self.apply(&mut state, &edits)?;
                    let side_message = format!("{title}\n\nWork for the pull request.\n");
                    let side = self.commit(
                        state.tree,
                        &[parent],
                        contributor,
                        contributor,
                        time - 1800,
                        time - 1800,
                        &side_message,
                    )?;
                    let message =
                        format!("Merge pull request #{pr} from {}/{}\n\n{title}\n", contributor.login, slug(&title));
                    let sha = self.commit(state.tree, &[parent, side], core, GITHUB, time, time, &message)?;
                    authors.insert(core.email);
                    merges += 1;
                    state.commit = sha;
                }
                MainKind::Direct { reviewed } => {
                    let edits = self.regular_edits(&format!("main-{i}"));
                    self.apply(&mut state, &edits)?;
                    let mut message = format!("{title}\n\nPushed directly.\n");
                    let reviewer = if reviewer.email == core.email { CORE_DEVS[(i + 1) % 5] } else { reviewer };
                    let reviewer = if reviewer.email == core.email { CORE_DEVS[(i + 2) % 5] } else { reviewer };
                    if reviewed {
                        let _ = write!(
                            message,
                            "\nReviewed-by: {} <{}>\nSigned-off-by: {} <{}>\n",
                            reviewer.name, reviewer.email, core.name, core.email
                        );
                    }
                    let sha = self.commit(state.tree, &[state.commit], core, core, time, time, &message)?;
                    if reviewed {
                        reviewed_by.push(sha.to_string());
                    }
                    authors.insert(core.email);
                    direct_pushes += 1;
                    state.commit = sha;
                }
            }
            if forks.contains(&i) {
                self.forks.insert(i, state.clone());
            }
        }
        self.repo.reference("refs/heads/main", state.commit, true, "scale fixture")?;
        Ok(MainLine {
            commits: self.spec.main_commits + 1,
            tip: state.commit.to_string(),
            root: root.to_string(),
            squashes,
            merges,
            side_commits: merges,
            direct_pushes,
            reviewed_by,
            authors: authors.len(),
        })
    }

    fn take_pr(&mut self) -> u64 {
        self.next_pr += 1 + self.rng.below(3) as u64;
        self.next_pr
    }

    fn take_issue(&mut self) -> u64 {
        self.next_issue += 1 + self.rng.below(5) as u64;
        self.next_issue
    }

    fn branch(&mut self, index: usize, spec: &BranchSpec) -> Result<Branch, git2::Error> {
        let name = spec.name.as_str();
        let mut state = self.forks.get(&spec.fork_at).cloned().expect("fork point recorded");
        let fork = state.commit;
        let fork_tag = format!("v{name}.0b1");
        let release_tag = format!("v{name}.0");
        self.repo.reference(&format!("refs/tags/{fork_tag}"), fork, true, "scale fixture")?;
        let plan = self.plans[index].clone();
        let mut plan = plan.into_iter();
        let mut time = T0 + spec.fork_at as i64 * HOUR + 600;
        let mut direct_pushes = Vec::new();
        let mut backports = Vec::new();
        let mut release = 0;
        let mut backported = 0usize;

        for k in 0..spec.commits {
            let next = if k == 0 || k % 12 == 0 { None } else { plan.next() };
            let Some(i) = next else {
                // A release or a maintenance push: no pull request.
                let core = CORE_DEVS[k % CORE_DEVS.len()];
                let edits = self.regular_edits(&format!("{name}-{k}"));
                self.apply(&mut state, &edits)?;
                time += 300;
                let message = if k == 0 {
                    format!("Python {name}.0\n")
                } else {
                    release += 1;
                    format!("Post {name}.{release}\n\nBump the version after the release.\n")
                };
                let sha = self.commit(state.tree, &[state.commit], core, core, time, time, &message)?;
                if k == 0 {
                    self.repo.reference(&format!("refs/tags/{release_tag}"), sha, true, "scale fixture")?;
                }
                direct_pushes.push(sha.to_string());
                state.commit = sha;
                continue;
            };
            let original = self.originals.get(&i).cloned().expect("original built");
            let style = match backported % 10 {
                6 => BackportStyle::PullRequestNumber,
                7 => BackportStyle::NoTrailer,
                8 => BackportStyle::Drifted,
                _ => BackportStyle::CherryPickTrailer,
            };
            backported += 1;
            let (f, s, v) = original.edit.clone();
            let value = if style == BackportStyle::Drifted { format!("{v}-adjusted-for-{name}") } else { v };
            self.apply(&mut state, &[(f, s, value)])?;
            time = time.max(original.time + 1200) + 60;
            let (issue, title, opr) = (original.issue, &original.title, original.pr);
            let (sha, pr) = match style {
                BackportStyle::CherryPickTrailer | BackportStyle::Drifted => {
                    let pr = self.take_pr();
                    let message = format!(
                        "[{name}] gh-{issue}: {title} (GH-{opr}) (#{pr})\n\n(cherry picked from commit {})\n\nCo-authored-by: {} <{}>\n",
                        original.sha, original.author.name, original.author.email
                    );
                    (
                        self.commit(state.tree, &[state.commit], BACKPORT_BOT, GITHUB, time - 600, time, &message)?,
                        Some(pr),
                    )
                }
                BackportStyle::PullRequestNumber => {
                    let pr = self.take_pr();
                    let message = format!("[{name}] gh-{issue}: {title} (GH-{opr}) (#{pr})\n\nBackported by hand.\n");
                    let author = original.author;
                    (self.commit(state.tree, &[state.commit], author, GITHUB, time - 600, time, &message)?, Some(pr))
                }
                BackportStyle::NoTrailer => {
                    let core = CORE_DEVS[k % CORE_DEVS.len()];
                    let message = format!("Backport: {title}\n\nCherry-picked without -x.\n");
                    let author = original.author;
                    (self.commit(state.tree, &[state.commit], author, core, original.time - 900, time, &message)?, None)
                }
            };
            backports.push(Backport {
                sha: sha.to_string(),
                original: original.sha.to_string(),
                original_pr: opr,
                pr,
                style,
            });
            state.commit = sha;
        }
        self.repo.reference(&format!("refs/heads/{name}"), state.commit, true, "scale fixture")?;
        Ok(Branch {
            name: name.to_string(),
            fork: fork.to_string(),
            fork_tag,
            release_tag,
            tip: state.commit.to_string(),
            commits: spec.commits,
            direct_pushes,
            backports,
        })
    }
}

/// Backports on a branch of `commits` commits: all but the release commit
/// and every twelfth (maintenance pushes).
fn backport_count(commits: usize) -> usize {
    (1..commits).filter(|k| k % 12 != 0).count()
}
