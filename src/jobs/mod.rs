//! Background work for the TUI. The UI thread sends a [`Job`] (a request
//! with an id) and gets [`Report`]s back on a channel; git2, SQLite,
//! syntect and the network never run on the UI thread. Each report carries
//! its job's id, so the UI drops what it no longer wants (gitui's pattern),
//! and a diff that nobody looks at any more stops rendering.

mod binaries;
mod diff;
mod error;
mod hex;
mod outbox;
mod people;
mod queue;
mod release;
mod sync;
mod trends;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::config::Config;
use crate::model::FileStatus;
use crate::render::theme::Theme;

pub use crate::pipeline::binaries::Inventory;
pub use crate::pipeline::checklist::ReleaseAudit;
pub use crate::pipeline::printer::LineTag;
pub use crate::pipeline::window::Window;
pub use diff::{DiffFileInfo, DiffPart};
pub use error::JobError;
pub use hex::{HexData, HexSide, PAGE_BYTES as HEX_PAGE_BYTES};
pub use people::PeopleData;
pub use queue::{QueueData, QueueDepth};
pub use trends::TrendsData;

// What the TUI shows of the layers below jobs, so that it reaches them
// only through jobs: sync progress, an archive's verification, and the
// exact text an approval or concern will post.
pub use crate::forge::outbox::body as outbox_body;
pub use crate::forge::SyncEvent;
pub use crate::release::Verification;

/// What the jobs work on.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// The repository (its working directory or git dir).
    pub repo: PathBuf,
    /// The store's file.
    pub db: PathBuf,
    pub config: Config,
    /// `--github-api`, over the config's.
    pub github_api: Option<String>,
    pub theme: Theme,
}

impl JobContext {
    /// A context on `repo` and the store `db` with the default config and
    /// theme (benches, tests, tools).
    pub fn with_defaults(repo: PathBuf, db: PathBuf) -> JobContext {
        JobContext { repo, db, config: Config::default(), github_api: None, theme: Theme::default() }
    }
}

/// A request to the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Build the queue to `depth`: of the window (config `queue.since`),
    /// or of the `whole` history.
    Queue { depth: QueueDepth, whole: bool },
    /// The last run's queue, to draw while the fresh one is built.
    CachedQueue,
    /// Render a change's diff for a pane `width` columns wide; with
    /// `drift_of` (the original's sha), only the backport's drift from it.
    Diff { sha: String, width: usize, side_by_side: bool, drift_of: Option<String> },
    /// Read a binary file's blobs for the hex view.
    Hex { path: String, old_blob: Option<String>, new_blob: Option<String> },
    /// Sync with GitHub.
    Sync,
    /// Record an approval or concern in the ledger and the outbox.
    Record { sha: String, pr: Option<u64>, kind: crate::model::LedgerKind, note: String },
    /// Deliver the outbox to GitHub.
    PushOutbox,
    /// The release checklist of a branch: its changes since the last tag.
    Release { branch: String },
    /// Verify a release archive against a tag.
    VerifyArchive { tag: String, path: std::path::PathBuf },
    /// Everyone on the watched branches (`rearview people`).
    People,
    /// One person's blast radius: `who` is an email or login of theirs.
    BlastRadius { who: String },
    /// Review debt over time and the coverage by area (`rearview trends`, `coverage`).
    Trends,
    /// Every binary file in the main line's tree (`rearview binaries`).
    Binaries,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: u64,
    pub request: Request,
}

/// What came back.
#[derive(Debug)]
pub enum Reply {
    Queue(Result<QueueData, JobError>),
    /// A piece of a diff, in order.
    Diff(DiffPart),
    /// The diff is complete (or failed).
    DiffDone(Result<(), JobError>),
    /// The first page of the hex view's blob, before its whole scan ends
    /// (no findings yet); `Hex` follows with the whole view.
    HexPage(HexData),
    Hex(Result<HexData, JobError>),
    SyncEvent(SyncEvent),
    /// The sync ended: a summary, or why it failed.
    SyncDone(Result<String, JobError>),
    /// The action is in the store (or why not).
    Recorded(Result<String, JobError>),
    /// What a push of the outbox did.
    Pushed(Result<String, JobError>),
    Release(Result<ReleaseAudit, JobError>),
    /// An archive verification's progress, in percent of the archive read.
    ArchiveProgress(u8),
    Archive(Result<crate::release::Verification, JobError>),
    People(Result<PeopleData, JobError>),
    BlastRadius(Result<crate::model::people::BlastRadius, JobError>),
    Trends(Result<TrendsData, JobError>),
    Binaries(Result<Inventory, JobError>),
}

#[derive(Debug)]
pub struct Report {
    pub id: u64,
    pub reply: Reply,
}

/// Runs jobs on tokio's blocking pool (or a thread of their own, for long
/// renders) and reports on `reports`.
pub struct Jobs {
    ctx: Arc<JobContext>,
    reports: UnboundedSender<Report>,
    runtime: tokio::runtime::Handle,
    /// The newest diff job: older ones stop at their next piece.
    latest_diff: Arc<AtomicU64>,
    /// How many lines of the newest diff the reader may soon look at: the
    /// render stays this far ahead and waits (a huge diff nobody scrolls
    /// costs no core).
    diff_demand: Arc<AtomicUsize>,
    syncing: Arc<AtomicBool>,
}

/// Lines a diff renders before anyone says how far they read.
const FIRST_DEMAND: usize = 4_000;

impl Jobs {
    pub fn new(ctx: JobContext, reports: UnboundedSender<Report>, runtime: tokio::runtime::Handle) -> Jobs {
        Jobs {
            ctx: Arc::new(ctx),
            reports,
            runtime,
            latest_diff: Arc::new(AtomicU64::new(0)),
            diff_demand: Arc::new(AtomicUsize::new(FIRST_DEMAND)),
            syncing: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The reader may soon look at this many lines of the current diff.
    pub fn set_diff_demand(&self, lines: usize) {
        self.diff_demand.store(lines, Ordering::SeqCst);
    }

    pub fn submit(&self, job: Job) {
        let ctx = self.ctx.clone();
        let send = Sender { id: job.id, reports: self.reports.clone() };
        tracing::debug!(id = job.id, request = ?job.request, "job");
        match job.request {
            Request::Queue { depth, whole } => {
                self.runtime.spawn_blocking(move || send.reply(Reply::Queue(queue::load(&ctx, depth, whole))));
            }
            Request::CachedQueue => {
                self.runtime.spawn_blocking(move || send.reply(Reply::Queue(queue::load_snapshot(&ctx))));
            }
            Request::Diff { sha, width, side_by_side, drift_of } => {
                self.latest_diff.store(job.id, Ordering::SeqCst);
                self.diff_demand.store(FIRST_DEMAND, Ordering::SeqCst);
                let latest = self.latest_diff.clone();
                let demand = self.diff_demand.clone();
                let spawned = std::thread::Builder::new().name("rearview-diff".into()).spawn(move || {
                    let current = || latest.load(Ordering::SeqCst) == send.id;
                    let sent = AtomicUsize::new(0);
                    let outcome = diff::render(&ctx, &sha, width, side_by_side, drift_of.as_deref(), &|part| {
                        let lines = match &part {
                            DiffPart::Lines(lines) => lines.len(),
                            DiffPart::File(_) => 0,
                        };
                        let total = sent.fetch_add(lines, Ordering::SeqCst) + lines;
                        if !(current() && send.reply(Reply::Diff(part))) {
                            return false;
                        }
                        // Far enough ahead of the reader: wait until they scroll.
                        while current() && total > demand.load(Ordering::SeqCst) {
                            std::thread::sleep(std::time::Duration::from_millis(15));
                        }
                        current()
                    });
                    if current() {
                        send.reply(Reply::DiffDone(outcome));
                    }
                });
                if let Err(e) = spawned {
                    // No thread to render on: say so rather than wait forever.
                    let send = Sender { id: job.id, reports: self.reports.clone() };
                    send.reply(Reply::DiffDone(Err(JobError::Thread(e))));
                }
            }
            Request::Hex { path, old_blob, new_blob } => {
                self.runtime.spawn_blocking(move || {
                    let mut page = |data| {
                        send.reply(Reply::HexPage(data));
                    };
                    let whole = hex::load(&ctx, &path, old_blob.as_deref(), new_blob.as_deref(), &mut page);
                    send.reply(Reply::Hex(whole))
                });
            }
            Request::Record { sha, pr, kind, note } => {
                self.runtime
                    .spawn_blocking(move || send.reply(Reply::Recorded(outbox::record(&ctx, &sha, pr, kind, &note))));
            }
            Request::PushOutbox => {
                self.runtime.spawn_blocking(move || send.reply(Reply::Pushed(outbox::push(&ctx))));
            }
            Request::Release { branch } => {
                self.runtime.spawn_blocking(move || send.reply(Reply::Release(release::audit(&ctx, &branch))));
            }
            Request::VerifyArchive { tag, path } => {
                self.runtime.spawn_blocking(move || {
                    let progress = send.clone();
                    let outcome =
                        release::verify(&ctx, &tag, &path, &mut |p| progress.reply(Reply::ArchiveProgress(p)));
                    send.reply(Reply::Archive(outcome))
                });
            }
            Request::People => {
                self.runtime.spawn_blocking(move || send.reply(Reply::People(people::people(&ctx))));
            }
            Request::BlastRadius { who } => {
                self.runtime.spawn_blocking(move || send.reply(Reply::BlastRadius(people::blast_radius(&ctx, &who))));
            }
            Request::Trends => {
                self.runtime.spawn_blocking(move || send.reply(Reply::Trends(trends::trends(&ctx))));
            }
            Request::Binaries => {
                self.runtime.spawn_blocking(move || send.reply(Reply::Binaries(binaries::inventory(&ctx))));
            }
            Request::Sync => {
                if self.syncing.swap(true, Ordering::SeqCst) {
                    send.reply(Reply::SyncDone(Err(JobError::SyncRunning)));
                    return;
                }
                let syncing = self.syncing.clone();
                self.runtime.spawn_blocking(move || {
                    let events = {
                        let send = send.clone();
                        Arc::new(move |event| {
                            send.reply(Reply::SyncEvent(event));
                        }) as Arc<dyn Fn(SyncEvent) + Send + Sync>
                    };
                    let outcome = sync::run(&ctx, events);
                    syncing.store(false, Ordering::SeqCst);
                    send.reply(Reply::SyncDone(outcome));
                });
            }
        }
    }
}

/// Sends one job's replies; `false` once the UI has gone.
#[derive(Clone)]
struct Sender {
    id: u64,
    reports: UnboundedSender<Report>,
}

impl Sender {
    fn reply(&self, reply: Reply) -> bool {
        self.reports.send(Report { id: self.id, reply }).is_ok()
    }
}

/// A short word for a file's status, as the diff's file list shows it.
pub fn status_mark(status: FileStatus) -> &'static str {
    match status {
        FileStatus::Added => "A",
        FileStatus::Deleted => "D",
        FileStatus::Modified => "M",
        FileStatus::Renamed => "R",
        FileStatus::Copied => "C",
        FileStatus::TypeChange => "T",
    }
}

/// Builds the window's queue blocking, linked, with every file list when
/// `files` (tests and benches).
pub fn load_queue_blocking(ctx: &JobContext, files: bool) -> Result<QueueData, JobError> {
    let depth = if files { QueueDepth::Files } else { QueueDepth::Linked };
    queue::load(ctx, depth, false)
}

/// Builds the queue to `depth`, of the window or the `whole` history,
/// blocking (tests and benches).
pub fn load_queue_at_blocking(ctx: &JobContext, depth: QueueDepth, whole: bool) -> Result<QueueData, JobError> {
    queue::load(ctx, depth, whole)
}

/// Reads the last run's queue snapshot blocking (tests and benches).
pub fn load_cached_queue_blocking(ctx: &JobContext) -> Result<QueueData, JobError> {
    queue::load_snapshot(ctx)
}

/// Renders a diff blocking, collecting every part (tests and benches).
pub fn render_diff_blocking(
    ctx: &JobContext,
    sha: &str,
    width: usize,
    side_by_side: bool,
    drift_of: Option<&str>,
) -> Result<Vec<DiffPart>, JobError> {
    let parts = std::sync::Mutex::new(Vec::new());
    diff::render(ctx, sha, width, side_by_side, drift_of, &|part| {
        if let Ok(mut p) = parts.lock() {
            p.push(part);
        }
        true
    })?;
    parts.into_inner().map_err(|_| JobError::RenderPanicked)
}

/// Reads a hex view's data blocking (tests and benches).
pub fn load_hex_blocking(
    ctx: &JobContext,
    path: &str,
    old_blob: Option<&str>,
    new_blob: Option<&str>,
) -> Result<HexData, JobError> {
    hex::load(ctx, path, old_blob, new_blob, &mut |_| {})
}

/// Records an action blocking (tests).
pub fn record_blocking(
    ctx: &JobContext,
    sha: &str,
    pr: Option<u64>,
    kind: crate::model::LedgerKind,
    note: &str,
) -> Result<String, JobError> {
    outbox::record(ctx, sha, pr, kind, note)
}

/// Pushes the outbox blocking (tests).
pub fn push_blocking(ctx: &JobContext) -> Result<String, JobError> {
    outbox::push(ctx)
}

/// A branch's release checklist, blocking (tests).
pub fn release_audit_blocking(ctx: &JobContext, branch: &str) -> Result<ReleaseAudit, JobError> {
    release::audit(ctx, branch)
}

/// Verifies an archive blocking (tests).
pub fn verify_archive_blocking(
    ctx: &JobContext,
    tag: &str,
    path: &std::path::Path,
) -> Result<crate::release::Verification, JobError> {
    release::verify(ctx, tag, path, &mut |_| true)
}

/// Runs a sync blocking, reporting progress to `events` (tests).
/// Everyone on the watched branches, on the calling thread (tests).
pub fn people_blocking(ctx: &JobContext) -> Result<PeopleData, JobError> {
    people::people(ctx)
}

/// One person's blast radius, on the calling thread (tests).
pub fn blast_radius_blocking(ctx: &JobContext, who: &str) -> Result<crate::model::people::BlastRadius, JobError> {
    people::blast_radius(ctx, who)
}

/// The trends screen's data, on the calling thread (tests and benches).
pub fn trends_blocking(ctx: &JobContext) -> Result<TrendsData, JobError> {
    trends::trends(ctx)
}

/// The binary inventory of the main line, on the calling thread (tests).
pub fn binaries_blocking(ctx: &JobContext) -> Result<Inventory, JobError> {
    binaries::inventory(ctx)
}

pub fn sync_blocking(ctx: &JobContext, events: Arc<dyn Fn(SyncEvent) + Send + Sync>) -> Result<String, JobError> {
    sync::run(ctx, events)
}
