//! The `rearview` command: parses the command line, builds the context,
//! dispatches to thin presenters over the library's use cases. Errors print
//! one line and exit 2.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use rearview::config::Config;
use rearview::model::{ChangeKind, Verdict};
use rearview::pipeline::{self, Selection};
use rearview::repo::Repo;
use rearview::report;
use rearview::store::Store;

mod actions;
mod assets;
mod binaries;
mod coverage;
mod drift;
mod output;
mod people;
use binaries::BinariesArgs;
use people::{BlastArgs, PeopleArgs};
mod page;
mod releases;
mod show;
mod sync;
mod terminal;
mod verify;

use output::print;

#[derive(Parser)]
#[command(
    name = "rearview",
    version,
    about = "Review what landed without independent review: self-merged pull requests, direct pushes, drifted backports.",
    after_help = "Examples:\n  rearview demo                       build the demo and open it\n  rearview list --status pending      what still needs a reviewer\n  rearview audit --branch 3.12 --since v3.12.4\n  rearview                            the workstation (on a terminal; piped: the pending list)\n\nWith no subcommand, rearview opens the workstation on a terminal and lists the pending changes otherwise."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args)]
struct Global {
    /// The repository (default: the one containing the current directory; bare repositories work too).
    #[arg(long, global = true, value_name = "PATH")]
    repo: Option<PathBuf>,
    /// Config file (default: $XDG_CONFIG_HOME/rearview/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// The store (default: one per repository under $XDG_DATA_HOME/rearview/).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Say what is happening on stderr (paths, branches, timings).
    #[arg(short, long, global = true)]
    verbose: bool,
    /// GitHub API base URL (GitHub Enterprise: https://HOST/api/v3).
    #[arg(long, global = true, value_name = "URL", env = "REARVIEW_GITHUB_API")]
    github_api: Option<String>,
    /// Colour the table: auto (a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    fn wanted(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// List the changes on watched branches (or in a range) with their verdicts.
    #[command(
        after_help = "Examples:\n  rearview list\n  rearview list --status pending --format json\n  rearview list --range v3.12.4..3.12 --kind backport\n  rearview list --branch main --limit 200 --status unreviewed"
    )]
    List(ListArgs),
    /// The release manager's report for a branch since a tag; exits 1 when anything is pending.
    #[command(
        after_help = "Exit codes: 0 nothing pending, 1 something pending, 2 error.\n\nExamples:\n  rearview audit --branch 3.12 --since v3.12.4\n  rearview audit --branch 3.12 --since v3.12.4 --format json > audit.json"
    )]
    Audit(AuditArgs),
    /// The release tags of the watched branches: tagger, signature, signer key, verified, signer changes.
    #[command(
        after_help = "Keys that vouch for signatures come from the config: [release] keyring = \"keys.asc\" (armored OpenPGP\npublic keys) and allowed_signers = \"allowed_signers\" (git's format), relative to the config file.\nThe table lists bad signatures first, then signer changes, unsigned and unverified tags.\n\nExamples:\n  rearview releases\n  rearview releases --format json | jq '.[] | select(.signer_changed)'\n  rearview releases --format md >> release-notes.md"
    )]
    Releases(releases::ReleasesArgs),
    /// Check that a release archive holds exactly the tree at its tag; exits 1 on findings.
    #[command(
        after_help = "Reports files only in the archive, only in the tag, and different (diff for text, hex summary for\nbinaries), plus traversal and absolute paths, links, devices, duplicates and decompression bombs.\nNothing is extracted. Generated files (configure, Makefile.in, …) only in the archive are allowed;\n*.m4 macro files never count as generated.\n\nExit codes: 0 the archive matches (allowed differences only), 1 findings to check, 2 error.\n\nExamples:\n  rearview verify-release --tag v3.12.1 quill-3.12.1.tar.gz\n  rearview verify-release --tag v3.12.1 quill-3.12.1.tar.xz --format md >> release-notes.md\n  rearview verify-release --tag v3.12.1 dist.zip --generated 'docs/_build/*' --format json"
    )]
    VerifyRelease(VerifyReleaseArgs),
    /// Fetch merged pull requests, reviews and commit links from GitHub into the store (incremental).
    #[command(
        after_help = "Reads through GitHub's GraphQL API: pages of 74 pull requests with their reviews, one rate-limit point each. The token comes from GITHUB_TOKEN, GH_TOKEN, `gh auth token`, or config github.token_command; without one the sync reads through REST, and GitHub allows 60 requests an hour.\n\nExamples:\n  rearview sync\n  rearview sync --branch main --branch 3.12 --since v3.12.0\n  rearview sync --since 2024-01-01\n  rearview sync --full        # fetch everything again\n  rearview sync --rest        # a request per pull request, through REST"
    )]
    Sync(SyncArgs),
    /// Print a change like `git show`, highlighted and sanitized; binaries as hex with what hides in them.
    #[command(
        after_help = "Examples:\n  rearview show HEAD\n  rearview show 3.12~2 --side-by-side --width 160\n  rearview show v3.12.1 --path Lib/json/decoder.py --color never | less"
    )]
    Show(ShowArgs),
    /// Hex view of one file of a revision: type, entropy, hidden payloads, rows.
    #[command(
        after_help = "Examples:\n  rearview hex HEAD:Lib/test/files/bad-3-corrupt_lzma2.xz\n  rearview hex main:tests/data.bin --offset 0x2000 --length 512\n  rearview hex --decompressed HEAD:tests/files/good-large_compressed.lzma"
    )]
    Hex(HexArgs),
    /// Record a post-merge approval of a change and post it to GitHub (a review, or a commit comment).
    #[command(
        after_help = "The action is saved in the outbox before anything is sent, and posted once: a retry finds its own\nmarker first. Without a GitHub repository or token it stays queued for `rearview outbox --push`.\n\nExamples:\n  rearview approve '#128'\n  rearview approve 3.12~2 --message \"Read the drift: only the test changed.\""
    )]
    Approve(ActionArgs),
    /// Raise a concern about a change (a COMMENT review, or a commit comment); it stays pending until approved after.
    #[command(
        after_help = "Examples:\n  rearview concern '#140' --message \"The backport adds a call the original did not have.\""
    )]
    Concern(ActionArgs),
    /// Show the actions not yet on GitHub, with the reason; --push delivers them.
    #[command(after_help = "Exit codes with --push: 0 all delivered, 1 something refused or not reachable, 2 error.")]
    Outbox(OutboxArgs),
    /// Every action taken, by whom, when, on what, and where it stands (for a release manager's records).
    Ledger(LedgerArgs),
    /// What a backport changes that its reviewed original did not: only the drift, highlighted.
    #[command(
        after_help = "Exit codes: 0 no drift, 1 drift, 2 error.\n\nExamples:\n  rearview drift 3.12~3\n  rearview drift 080c545c29 --color never | less"
    )]
    Drift(drift::DriftArgs),
    /// Everyone who authored, committed, merged, approved or tagged: privilege, dormancy, how fast they rose.
    #[command(
        after_help = "Sorted by concern: dormant privileged accounts, then fast escalations, then the rest.\nWorks from git alone; pull requests and reviews (merged, approvals) need `rearview sync`.\n\nExamples:\n  rearview people\n  rearview people --since 2024-01-01 --format json\n  rearview people --format md > people.md"
    )]
    People(PeopleArgs),
    /// Everything one person touched, or one change reaches: changes, releases, binaries, backports.
    #[command(
        name = "blast-radius",
        after_help = "The Markdown is a draft advisory: affected releases first, then the changes by risk, then the binaries.\n\nExamples:\n  rearview blast-radius jiat\n  rearview blast-radius jiat0218@example.com --format json\n  rearview blast-radius 3.12~2"
    )]
    BlastRadius(BlastArgs),
    /// Per area: who maintains it, who reviews it, how much landed unreviewed.
    #[command(after_help = coverage::COVERAGE_HELP)]
    Coverage(coverage::CoverageArgs),
    /// Review debt over time, per branch and per area: landed, unreviewed, self-merged, backlog.
    #[command(after_help = coverage::TRENDS_HELP)]
    Trends(coverage::TrendsArgs),
    /// Write one self-contained HTML page: review-debt trends, coverage, binaries, people and releases
    #[command(after_help = page::REPORT_HELP)]
    Report(page::ReportArgs),
    /// Every binary file in a tree: type, entropy, hidden payloads, who added it, its verdict, what explains it.
    #[command(after_help = binaries::AFTER_HELP)]
    Binaries(BinariesArgs),
    /// Open the review workstation (the default on a terminal).
    #[command(
        after_help = "Keys: j/k move, enter opens the diff, x the hex view, f filters, / searches, ? lists every key.\n\nExamples:\n  rearview tui\n  rearview --repo ~/src/cpython tui"
    )]
    Tui,
    /// Build the demo repository and its seeded store, then open it (on a terminal) or print its queue.
    #[command(
        after_help = "Examples:\n  rearview demo\n  rearview demo --dir /tmp/demo --no-tui\n  rearview list --repo \"$(rearview demo --no-tui)\" --format json"
    )]
    Demo(DemoArgs),
}

#[derive(Args)]
struct ActionArgs {
    /// The change: a revision (`3.12~2`, a sha) or a pull request (`#128`).
    target: String,
    /// A note to post with it (required for a concern).
    #[arg(long, short)]
    message: Option<String>,
    /// Only record it; leave it in the outbox.
    #[arg(long)]
    no_push: bool,
    /// For a backport: say that the approval covers its drift from the original only.
    #[arg(long)]
    drift_only: bool,
    /// Record an approval of your own change anyway (refused otherwise, exit 2):
    /// it never counts, and GitHub refuses it on your own pull request.
    #[arg(long)]
    own: bool,
}

#[derive(Args)]
struct OutboxArgs {
    /// Deliver what is queued (failed ones are retried too) and say what happened to each.
    #[arg(long)]
    push: bool,
    #[arg(long, value_enum, default_value_t = LedgerFormat::Table)]
    format: LedgerFormat,
}

#[derive(Args)]
struct LedgerArgs {
    #[arg(long, value_enum, default_value_t = LedgerFormat::Md)]
    format: LedgerFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LedgerFormat {
    Table,
    Md,
    Json,
}

#[derive(Args)]
struct ListArgs {
    /// Only this branch (repeatable; default: every watched branch). With --range: the branch its changes landed on.
    #[arg(long = "branch", value_name = "BRANCH")]
    branches: Vec<String>,
    /// A range instead of branches: BASE..TIP, e.g. v3.12.4..3.12.
    #[arg(long, value_name = "RANGE")]
    range: Option<String>,
    /// Only changes with this status (repeatable); `pending` means any that needs a reviewer.
    #[arg(long = "status", value_enum, value_name = "STATUS")]
    statuses: Vec<StatusFilter>,
    /// Only changes of this kind (repeatable).
    #[arg(long = "kind", value_enum, value_name = "KIND")]
    kinds: Vec<KindFilter>,
    /// At most this many changes per branch (0: no limit).
    #[arg(long, default_value_t = 1000)]
    limit: usize,
    /// Order: by branch, newest first (history), or riskiest first (risk).
    #[arg(long, value_enum, default_value_t = SortOrder::History)]
    sort: SortOrder,
    /// Only changes whose risk score is at least this.
    #[arg(long, value_name = "SCORE")]
    min_risk: Option<u32>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SortOrder {
    History,
    Risk,
}

#[derive(Args)]
struct AuditArgs {
    /// The branch being released.
    #[arg(long)]
    branch: String,
    /// The last release tag (or any revision) the audit starts after.
    #[arg(long, value_name = "TAG")]
    since: String,
    /// Audit up to this revision instead of the branch tip (e.g. the commit about to be tagged).
    #[arg(long, value_name = "REV")]
    until: Option<String>,
    /// Only changes whose risk score is at least this.
    #[arg(long, value_name = "SCORE")]
    min_risk: Option<u32>,
    /// Exit 1 unless the --since tag (and the --until revision, when it is a tag) is signed and a configured key verifies it.
    #[arg(long)]
    require_signed_tag: bool,
    #[arg(long, value_enum, default_value_t = AuditFormat::Md)]
    format: AuditFormat,
}

#[derive(Args)]
struct VerifyReleaseArgs {
    /// The tag (or any revision) the archive must match.
    #[arg(long)]
    tag: String,
    /// The release archive: tar, tar.gz, tar.xz, tar.bz2 or zip (told by its bytes, not its name).
    archive: PathBuf,
    /// Another glob of files the release process generates (repeatable; `*` matches across `/`).
    #[arg(long = "generated", value_name = "GLOB")]
    generated: Vec<String>,
    /// Use only the --generated globs, not the defaults (configure, Makefile.in, aclocal.m4, *.gmo, …).
    #[arg(long)]
    no_default_generated: bool,
    /// Another glob of tag files the archive may leave out (repeatable; export-ignore is honoured).
    #[arg(long = "allow-missing", value_name = "GLOB")]
    allow_missing: Vec<String>,
    /// Most bytes the archive may expand to (4G, 512M, …); reading stops there.
    #[arg(long, default_value = "4G", value_parser = verify::parse_size)]
    max_size: u64,
    /// Most an entry may expand per compressed byte (checked past 16 MiB).
    #[arg(long, default_value_t = rearview::inspect::MAX_RATIO)]
    max_ratio: u64,
    #[arg(long, value_enum, default_value_t = verify::VerifyFormat::Text)]
    format: verify::VerifyFormat,
    /// Columns for diffs (default: the terminal's width, or 120).
    #[arg(long)]
    width: Option<usize>,
    /// Syntax highlighting theme for diffs (a bat theme name; default: the
    /// config's ui.syntax_theme, else Monokai Extended).
    #[arg(long)]
    syntax_theme: Option<String>,
}

#[derive(Args)]
struct ShowArgs {
    /// The change: a commit, branch, tag, or `HEAD~2`.
    rev: String,
    /// Only these paths (repeatable).
    #[arg(long = "path", value_name = "PATH")]
    paths: Vec<String>,
    /// Old and new side by side.
    #[arg(long)]
    side_by_side: bool,
    /// Columns to lay out for (default: the terminal's width, or 120).
    #[arg(long)]
    width: Option<usize>,
    /// Syntax highlighting theme (a bat theme name; default: the config's
    /// ui.syntax_theme, else Monokai Extended).
    #[arg(long)]
    syntax_theme: Option<String>,
}

#[derive(Args)]
struct HexArgs {
    /// `REV:PATH`, e.g. `HEAD:tests/data.bin` (the path may be any bytes).
    spec: std::ffi::OsString,
    /// First byte to show (decimal or 0x hex).
    #[arg(long, default_value = "0", value_parser = parse_offset)]
    offset: u64,
    /// How many bytes to show (default: to the end).
    #[arg(long, value_parser = parse_offset)]
    length: Option<u64>,
    /// Show what the blob decompresses to (gzip, xz, lzma, bzip2, zstd; at most 64 MiB); offsets count in the decompressed bytes.
    #[arg(long)]
    decompressed: bool,
}

fn parse_offset(text: &str) -> std::result::Result<u64, String> {
    rearview::render::hex::parse_offset(text)
        .ok_or_else(|| format!("`{text}` is not a byte offset (decimal, or hex with 0x)"))
}

#[derive(Args)]
struct SyncArgs {
    /// Only this branch (repeatable; default: every watched branch).
    #[arg(long = "branch", value_name = "BRANCH")]
    branches: Vec<String>,
    /// Only pull requests updated since this tag, commit or date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "TAG|DATE")]
    since: Option<String>,
    /// Ignore what earlier syncs fetched: fetch everything again.
    #[arg(long)]
    full: bool,
    /// Read through GitHub's REST API, a request per pull request, instead
    /// of GraphQL (also `[github] bulk_reads = "rest"`).
    #[arg(long)]
    rest: bool,
}

#[derive(Args)]
struct DemoArgs {
    /// Where to build the demo repository (default: $XDG_DATA_HOME/rearview/demo).
    #[arg(long, value_name = "PATH")]
    dir: Option<PathBuf>,
    /// Only build it and print its path (no TUI, no table).
    #[arg(long)]
    no_tui: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatusFilter {
    Pending,
    Reviewed,
    PartlyReviewed,
    ApprovedAfterMerge,
    Unreviewed,
    ConcernRaised,
}

impl StatusFilter {
    fn filter(self) -> rearview::model::StatusFilter {
        use rearview::model::StatusFilter as Status;
        match self {
            StatusFilter::Pending => Status::Pending,
            StatusFilter::Reviewed => Status::Only(Verdict::Reviewed),
            StatusFilter::PartlyReviewed => Status::Only(Verdict::PartlyReviewed),
            StatusFilter::ApprovedAfterMerge => Status::Only(Verdict::ApprovedAfterMerge),
            StatusFilter::Unreviewed => Status::Only(Verdict::Unreviewed),
            StatusFilter::ConcernRaised => Status::Only(Verdict::ConcernRaised),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KindFilter {
    Merge,
    Backport,
    DirectPush,
}

impl KindFilter {
    fn kind(self) -> ChangeKind {
        match self {
            KindFilter::Merge => ChangeKind::Merge,
            KindFilter::Backport => ChangeKind::Backport,
            KindFilter::DirectPush => ChangeKind::DirectPush,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AuditFormat {
    Md,
    Json,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line: what failed, and the cause chain after it.
            let text = format!("{e:#}").replace('\n', " ");
            eprintln!("rearview: error: {}", rearview::render::sanitize::sanitize_line(&text));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let global = cli.global;
    let highlights = matches!(
        cli.command,
        None | Some(Command::Tui | Command::Show(_) | Command::Demo(_) | Command::Drift(_) | Command::VerifyRelease(_))
    );
    if highlights {
        assets::load_syntax_themes();
    }
    match cli.command {
        None if interactive() => tui(&global),
        Some(Command::Tui) => tui(&global),
        Some(Command::Drift(args)) => drift::drift(&global, &args),
        Some(Command::Approve(args)) => actions::act(&global, &args, rearview::model::LedgerKind::Approval),
        Some(Command::Concern(args)) => actions::act(&global, &args, rearview::model::LedgerKind::Concern),
        Some(Command::Outbox(args)) => actions::outbox(&global, &args),
        Some(Command::Ledger(args)) => actions::ledger(&global, &args),
        Some(Command::People(args)) => people::people(&global, &args),
        Some(Command::BlastRadius(args)) => people::blast_radius(&global, &args),
        Some(Command::Coverage(args)) => coverage::coverage(&global, &args),
        Some(Command::Trends(args)) => coverage::trends(&global, &args),
        Some(Command::Report(args)) => page::report(&global, &args),
        Some(Command::Binaries(args)) => binaries::binaries(&global, &args),
        None => list(
            &global,
            &ListArgs {
                branches: Vec::new(),
                range: None,
                statuses: vec![StatusFilter::Pending],
                kinds: Vec::new(),
                limit: 1000,
                sort: SortOrder::History,
                min_risk: None,
                format: ListFormat::Table,
            },
        ),
        Some(Command::List(args)) => list(&global, &args),
        Some(Command::Audit(args)) => audit(&global, &args),
        Some(Command::Releases(args)) => releases::releases(&global, &args),
        Some(Command::VerifyRelease(args)) => verify::verify_release(&global, &args),
        Some(Command::Sync(args)) => sync::sync(&global, &args),
        Some(Command::Show(args)) => show::show(&global, &args),
        Some(Command::Hex(args)) => show::hex_view(&global, &args),
        Some(Command::Demo(args)) => demo(&global, &args),
    }
}

/// The repository, its config and its store, as the global flags say.
struct Context {
    repo: Repo,
    config: Config,
    store: Store,
}

/// The repository the global flags name (for commands that need no store).
fn open_repo(global: &Global) -> Result<Repo> {
    let path = match &global.repo {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    Ok(Repo::open(&path)?)
}

/// The store the global flags name, else the repository's default one.
fn store_path(global: &Global, repo: &Repo) -> Result<PathBuf> {
    match &global.db {
        Some(p) => Ok(p.clone()),
        None => rearview::paths::default_store(&repo.git_dir(), &repo.name())
            .context("neither XDG_DATA_HOME nor HOME is set: pass --db PATH"),
    }
}

/// The config the global flags name, else the user's; a demo repository
/// with neither carries its own (the keys that vouch for its release tags).
fn load_config(global: &Global, repo: &Repo) -> Result<Config> {
    if global.config.is_none() && !rearview::paths::config_file().is_some_and(|p| p.exists()) {
        if let Some(path) = rearview::pipeline::demo::keys::demo_config(&repo.git_dir()) {
            return Ok(Config::from_file(&path)?);
        }
    }
    Ok(Config::load(global.config.as_deref())?)
}

/// The config and the repository, the config's errors first when it is named.
fn config_and_repo(global: &Global) -> Result<(Config, Repo)> {
    if global.config.is_some() {
        let config = Config::load(global.config.as_deref())?;
        return Ok((config, open_repo(global)?));
    }
    let repo = open_repo(global)?;
    Ok((load_config(global, &repo)?, repo))
}

fn context(global: &Global) -> Result<Context> {
    let (config, repo) = config_and_repo(global)?;
    let db = store_path(global, &repo)?;
    let store = Store::open(&db)?;
    if global.verbose {
        let shown = |p: &Path| rearview::render::sanitize::sanitize_line(&p.display().to_string());
        eprintln!("rearview: repository {}", shown(&repo.git_dir()));
        eprintln!("rearview: store {}", shown(&db));
    }
    Ok(Context { repo, config, store })
}

fn build_queue(global: &Global, ctx: &mut Context, selection: &Selection) -> Result<pipeline::Loaded> {
    let started = Instant::now();
    let loaded = pipeline::load(&ctx.repo, &mut ctx.store, &ctx.config, selection)?;
    if global.verbose {
        let stages: Vec<String> =
            loaded.timings.iter().map(|(stage, took)| format!("{stage} {:.1}", took.as_secs_f64() * 1e3)).collect();
        let scoped: Vec<String> = loaded
            .branches
            .iter()
            .map(|b| match loaded.since.get(b) {
                Some(start) => format!("{b} since {start}"),
                None => b.clone(),
            })
            .collect();
        eprintln!(
            "rearview: {} changes on {} (main line {}) in {} ms ({} ms)",
            loaded.queue.changes.len(),
            rearview::render::sanitize::sanitize_line(&scoped.join(", ")),
            loaded.default_branch,
            started.elapsed().as_millis(),
            stages.join(", ")
        );
    }
    Ok(loaded)
}

/// What a limit hid, and the flag that lifts it.
fn cut_note(loaded: &pipeline::Loaded, limit: usize) -> Option<String> {
    if loaded.cut.is_empty() {
        return None;
    }
    Some(format!("{} cut at --limit {limit}: pass --limit 0 for all", loaded.cut.join(", ")))
}

fn list(global: &Global, args: &ListArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    // With a range, --branch names the branch its changes landed on.
    let (branches, range_branch) = match (&args.range, args.branches.as_slice()) {
        (None, _) => (args.branches.clone(), None),
        (Some(_), []) => (Vec::new(), None),
        (Some(_), [branch]) => {
            ctx.repo.branch_tip(branch)?;
            (Vec::new(), Some(branch.clone()))
        }
        (Some(range), _) => {
            anyhow::bail!("--range {range} lands on one branch: pass --branch once with it, or no --range")
        }
    };
    let selection = Selection {
        branches,
        range: args.range.clone(),
        limit: args.limit,
        range_branch,
        // Risk needs the files and their content.
        files: args.format == ListFormat::Json || args.sort == SortOrder::Risk || args.min_risk.is_some(),
        ..Selection::default()
    };
    let loaded = build_queue(global, &mut ctx, &selection)?;
    if let Some(shallow) = &loaded.shallow {
        eprintln!("rearview: {}", rearview::render::sanitize::sanitize_line(shallow));
    }
    let note = cut_note(&loaded, args.limit);
    let mut queue = loaded.queue;
    queue.changes.retain(|c| {
        (args.statuses.is_empty() || args.statuses.iter().any(|s| s.filter().accepts(c)))
            && (args.kinds.is_empty() || args.kinds.iter().any(|k| k.kind() == c.kind))
            && args.min_risk.is_none_or(|min| c.score >= min)
    });
    if args.sort == SortOrder::Risk {
        // Stable: equal scores keep their history order.
        queue.changes.sort_by_key(|c| std::cmp::Reverse(c.score));
    }
    let text = match args.format {
        ListFormat::Table => {
            // Scores are computed only with the files: without them every one would read 0.
            let scored = args.sort == SortOrder::Risk || args.min_risk.is_some();
            report::table(&queue, note.as_deref(), table_theme(global, &ctx.config)?.as_ref(), scored)
        }
        ListFormat::Json => {
            // stdout stays pure JSON: the note goes beside it.
            if let Some(note) = &note {
                eprintln!("rearview: {}", rearview::render::sanitize::sanitize_line(note));
            }
            report::json(&queue) + "\n"
        }
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn audit(global: &Global, args: &AuditArgs) -> Result<ExitCode> {
    let mut ctx = context(global)?;
    // Both ends must exist: name the missing one rather than the range.
    let tip = ctx.repo.branch_tip(&args.branch)?;
    let until = args.until.as_deref().unwrap_or(&args.branch);
    // A shallow clone lacks what the report must account for: refuse.
    let until_tip = if args.until.is_some() { ctx.repo.resolve(until)? } else { tip };
    ctx.repo.require_history(&args.since, until_tip)?;
    ctx.repo.resolve(&args.since)?;
    let selection = Selection {
        range: Some(format!("{}..{until}", args.since)),
        range_branch: Some(args.branch.clone()),
        // The report explains risks and drift: it needs every file.
        files: true,
        ..Selection::default()
    };
    let mut queue = build_queue(global, &mut ctx, &selection)?.queue;
    if let Some(min) = args.min_risk {
        queue.changes.retain(|c| c.score >= min);
    }
    let all_releases = pipeline::releases::releases(&ctx.repo, &ctx.config)?;
    let covered = releases::in_audit(&ctx.repo, &all_releases, &args.branch, &args.since, until)?;
    let mut release_findings = rearview::model::release_findings(&covered);
    release_findings.extend(pipeline::people::escalated_taggers(&ctx.repo, &mut ctx.store, &ctx.config, &covered)?);
    let scope = report::AuditScope {
        repository: ctx.repo.name(),
        branch: args.branch.clone(),
        since: args.since.clone(),
        branch_since: pipeline::branch_range(&ctx.repo, &ctx.config, &args.branch)?.since,
        generated_at: rearview::model::rfc3339(chrono::Utc::now().timestamp()),
        release_findings,
    };
    let text = match args.format {
        AuditFormat::Md => report::audit_markdown(&queue, &scope),
        AuditFormat::Json => report::audit_json(&queue, &scope) + "\n",
    };
    print(&text)?;
    if args.require_signed_tag {
        let mut ends = vec![("--since", args.since.as_str())];
        ends.extend(args.until.as_deref().map(|u| ("--until", u)));
        let mut refused = false;
        for (flag, rev) in ends {
            // --until may name a commit about to be tagged: only a tag must be signed.
            if flag == "--until" && ctx.repo.tag(rev, &rearview::repo::signature::Keyring::empty())?.is_none() {
                continue;
            }
            if let Some(why) = releases::unsigned_end(&ctx.repo, &ctx.config, rev, flag)? {
                eprintln!("rearview: --require-signed-tag: {why}");
                refused = true;
            }
        }
        if refused {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(if queue.pending().next().is_some() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn demo(global: &Global, args: &DemoArgs) -> Result<ExitCode> {
    let dir = args.dir.clone().unwrap_or_else(rearview::paths::demo_dir);
    let started = Instant::now();
    let built = rearview::pipeline::demo::build(&dir, global.db.as_deref())?;
    if global.verbose {
        eprintln!(
            "rearview: demo with {} commits and {} pull requests in {} ms; store {}",
            built.commits,
            built.pulls.len(),
            started.elapsed().as_millis(),
            built.store.display()
        );
    }
    print(&format!("{}\n", built.repo.display()))?;
    if args.no_tui {
        return Ok(ExitCode::SUCCESS);
    }
    let demo_global = Global {
        repo: Some(built.repo.clone()),
        config: global.config.clone(),
        db: Some(built.store.clone()),
        verbose: global.verbose,
        color: global.color,
        github_api: global.github_api.clone(),
    };
    if interactive() {
        return tui(&demo_global);
    }
    let mut ctx = context(&demo_global)?;
    let loaded = build_queue(&demo_global, &mut ctx, &Selection { limit: 1000, ..Selection::default() })?;
    let note = cut_note(&loaded, 1000);
    let table = report::table(&loaded.queue, note.as_deref(), table_theme(&demo_global, &ctx.config)?.as_ref(), false);
    print(&format!("\n{table}"))?;
    print(&format!("\nTry: rearview list --repo {} --status pending\n", shell_quote(&built.repo)))?;
    Ok(ExitCode::SUCCESS)
}

/// Both ends of the terminal are a person: the TUI can run.
fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The workstation on the repository the global flags name.
fn tui(global: &Global) -> Result<ExitCode> {
    let (config, repo) = config_and_repo(global)?;
    let db = store_path(global, &repo)?;
    // Fail here, on the plain terminal, rather than inside the TUI.
    drop(Store::open(&db)?);
    let theme = assets::ui_theme(&config)?;
    // A mistyped syntax theme is said here, not drawn in another theme.
    assets::syntax_theme(None, &config)?;
    let log = rearview::tui::init_logging(global.verbose);
    tracing::info!(repo = %repo.git_dir().display(), "tui start");
    let color = match global.color {
        ColorChoice::Never => false,
        ColorChoice::Always => true,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none(),
    };
    let options = rearview::tui::Options {
        session: Some(rearview::tui::session_path(&db)),
        jobs: rearview::jobs::JobContext {
            repo: repo.git_dir(),
            db,
            config,
            github_api: global.github_api.clone(),
            theme,
        },
        color,
    };
    drop(repo);
    rearview::tui::run(options)?;
    if global.verbose {
        if let Some(log) = log {
            eprintln!("rearview: log in {}", rearview::render::sanitize::sanitize_line(&log.display().to_string()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The theme to colour a table with, if colour is wanted.
fn table_theme(global: &Global, config: &Config) -> Result<Option<rearview::render::theme::Theme>> {
    if global.color.wanted() {
        Ok(Some(assets::ui_theme(config)?))
    } else {
        Ok(None)
    }
}

fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    if text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)) {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
