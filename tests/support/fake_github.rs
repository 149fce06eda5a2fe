//! A fake GitHub REST and GraphQL API for the tests: a real HTTP/1.1 server (hyper) on
//! `127.0.0.1`, on a random port, with its own thread and tokio runtime, so
//! that it can be used from plain `#[test]`s as well as from inside
//! `#[tokio::test]`s. It shuts down when the [`FakeGitHub`] is dropped.
//!
//! It is stateful: repositories, pull requests, reviews, pull request
//! commits, commit → pull request links, commit comments and posted
//! reviews/comments live behind a mutex, and what is posted shows up in
//! later lists.
//!
//! It speaks GitHub's REST shapes (checked against octocrab 0.54's models in
//! `tests/fake_github.rs`), paginates with `per_page`/`page` and a `Link`
//! header, answers conditional requests (`ETag` / `If-None-Match` → `304`,
//! which does not cost rate limit), sends the `x-ratelimit-*` headers and
//! counts them down, checks tokens, and has a fault switchboard
//! ([`FakeGitHub::inject`]) for status codes, slow answers, dropped
//! connections (before or after handling the request), rate limits, broken
//! JSON, cut bodies and non-GitHub servers.
//!
//! Routes (everything else, and unknown repositories or numbers, is a `404`
//! with GitHub's error JSON):
//!
//! - `GET  /rate_limit`
//! - `GET  /repos/{o}/{r}`
//! - `GET  /repos/{o}/{r}/pulls` (`state`, `base`, `sort`, `direction`, paginated)
//! - `GET  /repos/{o}/{r}/pulls/{n}`
//! - `GET  /repos/{o}/{r}/pulls/{n}/reviews` (paginated), `POST` creates one
//!   (its `commit_id`, when given, must be one of the pull request's commits)
//! - `GET  /repos/{o}/{r}/pulls/{n}/reviews/{id}`
//! - `GET  /repos/{o}/{r}/pulls/{n}/commits` (paginated)
//! - `GET  /repos/{o}/{r}/commits/{sha}/pulls` (paginated)
//! - `GET  /repos/{o}/{r}/commits/{sha}/comments` (paginated, oldest first),
//!   `POST` creates one. Any sha of 7 to 40 hex digits is a commit of every
//!   known repository, and so is any sha the fake knows of (pull request
//!   commits, heads, merge commits, linked commits), hex or not; an
//!   abbreviated one is completed when the fake knows a single full sha
//!   starting with it. Anything else is GitHub's `422 No commit found for
//!   SHA: …`.
//! - `GET  /repos/{o}/{r}/issues/{n}/comments` (paginated), `POST` creates one
//! - `POST /graphql`: GitHub's GraphQL API over the same data, checked
//!   against a part of GitHub's schema, costed in points from a bucket of
//!   its own (see `fake_graphql.rs`); a 404 after [`FakeGitHub::disable_graphql`]
//!
//! Rate limits: two buckets, authenticated (any `Bearer`/`token` header;
//! 5000 by default) and unauthenticated (60). Every answered request costs
//! one, except `304`s, `401`s, the rate limit `403` itself, `/rate_limit`,
//! [`Fault::Drop`]ped connections and [`Fault::NotGitHub`] (a
//! [`Fault::DropAfterHandling`] costs one: the request was handled). When a
//! bucket is empty,
//! requests get GitHub's `403 API rate limit exceeded` until its reset time
//! has passed; then the next request refills it.
//!
//! Note that octocrab retries 5xx, 429 and transport errors three times by
//! default (`RetryConfig::Simple(3)`, immediately, ignoring `retry-after`):
//! inject more than three faults, or build the client with
//! `RetryConfig::None`, for a fault to reach the caller.
//!
//! The request log ([`FakeGitHub::requests`]) never holds the value of the
//! `Authorization` header: only whether one was sent, and its scheme.

#![allow(dead_code)] // each test crate that includes this uses a part of it

#[path = "fake_graphql.rs"]
pub mod graphql;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io::Write as _;
use std::net::Shutdown;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, AUTHORIZATION, IF_NONE_MATCH};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rearview::model::{PullRequest, Review};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// The login of a token that [`FakeGitHub::set_token_user`] did not map.
pub const DEFAULT_USER: &str = "rearview-user";

/// The `documentation_url` of GitHub's generic error answers.
pub const DOCS_URL: &str = "https://docs.github.com/rest";

/// Exactly what GitHub answers for an unknown route or resource.
pub const NOT_FOUND_JSON: &str = r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#;

/// The start of GitHub's secondary rate limit message.
pub const SECONDARY_RATE_LIMIT_MESSAGE: &str = "You have exceeded a secondary rate limit";

const RATE_LIMIT_DOCS_URL: &str =
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit";
const SECONDARY_DOCS_URL: &str =
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
const REVIEWS_DOCS_URL: &str = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request";
const COMMENTS_DOCS_URL: &str = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
const LIST_COMMIT_COMMENTS_DOCS_URL: &str = "https://docs.github.com/rest/commits/comments#list-commit-comments";
const COMMIT_COMMENTS_DOCS_URL: &str = "https://docs.github.com/rest/commits/comments#create-a-commit-comment";

/// Default primary rate limits: GitHub's for a personal token and for
/// unauthenticated requests.
const AUTHENTICATED_LIMIT: u64 = 5000;
const UNAUTHENTICATED_LIMIT: u64 = 60;
/// A rate limit window refills this long after it started.
const RATE_WINDOW_SECS: i64 = 3600;

/// When a pull request carries no time at all.
const FALLBACK_TIME: i64 = 1_700_000_000;

/// The HTML of [`Fault::NotGitHub`].
pub const NOT_GITHUB_HTML: &str = "<html><head><title>Sign in to the network</title></head>\
<body><h1>Welcome!</h1><p>Please accept the terms of use to access the Internet.</p></body></html>\n";

/// The body of [`Fault::MalformedJson`].
pub const MALFORMED_JSON: &str = "{\"message\": \"this is not \"valid\" JSON, [1, 2,";

/// What an injected fault does to a request instead of the normal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// That status, with GitHub's error JSON (`500`, `502`, `401`, `404`…).
    Status(u16),
    /// Wait that long (on top of the latency), then answer normally.
    Slow(Duration),
    /// Close the connection without any response (the request is not handled).
    Drop,
    /// Handle the request normally (what it posts is stored, it is logged
    /// and costs rate limit), then close the connection without sending the
    /// response: the server did the work but the client never hears of it.
    /// Logged with `status: None`.
    DropAfterHandling,
    /// `403` with a `retry-after` header and GitHub's secondary rate limit message.
    SecondaryRateLimit { retry_after: u64 },
    /// `429` with a `retry-after` header and the secondary rate limit message.
    TooManyRequests { retry_after: u64 },
    /// `200`, `application/json`, with a body that is not valid JSON.
    MalformedJson,
    /// The normal answer, with the `Content-Length` of the full body, but the
    /// connection is closed after half of the body's bytes.
    CutBody,
    /// `200 text/html` from something that is not GitHub (a captive portal):
    /// no GitHub headers at all, no rate limit spent.
    NotGitHub,
}

/// One request the server received, without any secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string (`""` when there is none).
    pub query: String,
    /// The status answered; `None` when the connection was dropped without any.
    pub status: Option<u16>,
    /// Whether an `If-None-Match` header was sent.
    pub if_none_match: bool,
    /// Whether an `Authorization` header was sent (its value is never kept).
    pub authorization: bool,
    /// The scheme of the `Authorization` header (`Bearer`, `token`…), as sent.
    pub auth_scheme: Option<String>,
    /// The request body, for requests that had one (POSTs).
    pub body: Option<String>,
    /// The injected fault this request got, if any.
    pub fault: Option<Fault>,
}

impl LoggedRequest {
    /// The (percent-decoded) value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        parse_query(&self.query).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// A review posted through the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedReview {
    /// `owner/name`.
    pub repo: String,
    pub pr: u64,
    pub id: u64,
    pub user: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED` or `PENDING`.
    pub state: String,
    pub body: String,
    pub commit_id: Option<String>,
}

/// An issue comment posted through the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedComment {
    /// `owner/name`.
    pub repo: String,
    pub issue: u64,
    pub id: u64,
    pub user: String,
    pub body: String,
}

/// A commit comment posted through the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedCommitComment {
    /// `owner/name`.
    pub repo: String,
    /// The commit's sha, as completed by the fake (lowercase).
    pub sha: String,
    pub id: u64,
    pub user: String,
    pub body: String,
}

/// A running fake GitHub; see the module documentation.
pub struct FakeGitHub {
    url: String,
    state: Arc<Mutex<State>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGitHub {
    /// Binds `127.0.0.1:0` and serves on a thread of its own.
    pub fn start() -> FakeGitHub {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the fake GitHub to 127.0.0.1:0");
        listener.set_nonblocking(true).expect("make the fake GitHub's listener non-blocking");
        let port = listener.local_addr().expect("read the fake GitHub's port").port();
        let url = format!("http://127.0.0.1:{port}");
        let state = Arc::new(Mutex::new(State::new(url.clone(), now_unix())));
        let (shutdown, shutdown_rx) = oneshot::channel();
        let server_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("fake-github".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("fake-github-worker")
                    .enable_all()
                    .build()
                    .expect("build the fake GitHub's tokio runtime");
                runtime.block_on(async move {
                    let listener =
                        TcpListener::from_std(listener).expect("register the fake GitHub's listener with tokio");
                    accept_loop(listener, server_state, shutdown_rx).await;
                });
                // Cancels the connections still open (idle keep-alive ones,
                // answers still sleeping on latency).
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .expect("spawn the fake GitHub's thread");
        FakeGitHub { url, state, shutdown: Some(shutdown), thread: Some(thread) }
    }

    /// The API base URL: `http://127.0.0.1:PORT` (routes are at the root,
    /// like `https://api.github.com`).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Adds an (empty) repository; adding it again changes nothing.
    pub fn add_repo(&self, owner: &str, name: &str) {
        self.state().repo_entry(owner, name);
    }

    /// Adds (or replaces) a pull request of `repo` (`owner/name`; created if
    /// missing). Merged (`merged_at` set) means `closed` + `merged`, else
    /// `open`. `author_association` wins over the model's when not empty.
    /// Its merge commit, head and commits are linked to it for
    /// `GET /repos/{o}/{r}/commits/{sha}/pulls`.
    pub fn add_pull(&self, repo: &str, pr: &PullRequest, author_association: &str) {
        let (owner, name) = split_repo(repo);
        let association = first_non_empty(author_association, &pr.author_association);
        let mut state = self.state();
        let entry = state.repo_entry(owner, name);
        let reviews = entry.pulls.remove(&pr.number).map(|old| old.reviews).unwrap_or_default();
        entry.pulls.insert(pr.number, PullState { pr: pr.clone(), author_association: association, reviews });
    }

    /// Adds a review to pull request `review.pr` of `repo`, which must exist.
    /// `author_association` wins over the model's when not empty.
    pub fn add_review(&self, repo: &str, review: &Review, author_association: &str) {
        let association = first_non_empty(author_association, &review.author_association);
        let mut state = self.state();
        let pull = state.pull_mut(repo, review.pr);
        pull.reviews.push(ReviewRecord {
            id: review.id,
            user: review.user.clone(),
            state: review.state.as_str().to_string(),
            body: String::new(),
            commit_id: review.commit_id.clone(),
            submitted_at: review.submitted_at,
            author_association: association,
        });
    }

    /// Links a commit to a pull request for `GET /repos/{o}/{r}/commits/{sha}/pulls`
    /// (on top of the merge commit, head and commits of each pull request).
    pub fn link_commit(&self, repo: &str, sha: &str, pr_number: u64) {
        let mut state = self.state();
        let (owner, name) = split_repo(repo);
        state.repo_entry(owner, name).commit_links.entry(sha.to_string()).or_default().insert(pr_number);
    }

    /// Adds a comment by `user` on commit `sha` of `repo` (`owner/name`;
    /// created if missing), created now, listed after the ones already there.
    pub fn add_commit_comment(&self, repo: &str, sha: &str, user: &str, body: &str) {
        let (owner, name) = split_repo(repo);
        let mut state = self.state();
        let id = state.new_id();
        let entry = state.repo_entry(owner, name);
        let commit_id = entry.complete_sha(sha);
        let author_association = entry.association(user);
        entry.commit_comments.push(CommitCommentRecord {
            id,
            user: user.to_string(),
            commit_id,
            body: body.to_string(),
            path: None,
            position: None,
            line: None,
            created_at: now_unix(),
            author_association,
        });
    }

    /// Sets a pull request's `updated_at` (unix seconds): a post-merge event.
    pub fn touch_pull(&self, repo: &str, number: u64, updated_at: i64) {
        self.state().pull_mut(repo, number).pr.updated_at = Some(updated_at);
    }

    /// The `author_association` of `login`'s posted reviews and comments in
    /// `repo` (default: `OWNER` for the repository's owner, else `NONE`).
    pub fn set_association(&self, repo: &str, login: &str, association: &str) {
        let mut state = self.state();
        let (owner, name) = split_repo(repo);
        state.repo_entry(owner, name).associations.insert(login.to_string(), association.to_string());
    }

    /// Makes `login` a collaborator of `repo` with `role` (`admin`,
    /// `maintain`, `write`, `triage`, `read`). Only a collaborator who may
    /// push can list them, as on GitHub.
    pub fn add_collaborator(&self, repo: &str, login: &str, role: &str) {
        let mut state = self.state();
        let (owner, name) = split_repo(repo);
        state.repo_entry(owner, name).collaborators.insert(login.to_string(), role.to_string());
    }

    /// The login that requests carrying `token` act as (default [`DEFAULT_USER`]).
    pub fn set_token_user(&self, token: &str, login: &str) {
        self.state().token_users.insert(token.to_string(), login.to_string());
    }

    /// With `Some(token)`, every request without exactly that token (as
    /// `Bearer` or `token`) is answered `401 Bad credentials`.
    pub fn require_token(&self, token: Option<&str>) {
        self.state().required_token = token.map(str::to_string);
    }

    /// The primary rate limit of authenticated requests: `limit` requests
    /// until `reset_unix`, full again from now.
    pub fn set_rate_limit(&self, limit: u64, reset_unix: i64) {
        self.state().authenticated = Bucket { limit, remaining: limit, reset: reset_unix };
    }

    /// The primary rate limit of unauthenticated requests (default 60 an hour).
    pub fn set_unauthenticated_rate_limit(&self, limit: u64, reset_unix: i64) {
        self.state().unauthenticated = Bucket { limit, remaining: limit, reset: reset_unix };
    }

    /// Moves the reset time of both rate limits without refilling them (a
    /// reset in the past refills at the next request).
    pub fn set_rate_reset(&self, reset_unix: i64) {
        let mut state = self.state();
        state.authenticated.reset = reset_unix;
        state.unauthenticated.reset = reset_unix;
    }

    /// GraphQL's points: `limit` an hour until `reset_unix`, full from now.
    pub fn set_graphql_rate_limit(&self, limit: u64, reset_unix: i64) {
        self.state().graphql = Bucket { limit, remaining: limit, reset: reset_unix };
    }

    /// What is left of GraphQL's points.
    pub fn graphql_remaining(&self) -> u64 {
        self.state().graphql.remaining
    }

    /// The points GraphQL queries have cost since the fake started.
    pub fn graphql_points(&self) -> u64 {
        self.state().graphql_points
    }

    /// Answers `POST /graphql` with a 404, like a host without GraphQL.
    pub fn disable_graphql(&self) {
        self.state().graphql_enabled = false;
    }

    /// The GraphQL queries received so far (their `query` text), oldest first.
    pub fn graphql_queries(&self) -> Vec<String> {
        self.state()
            .log
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/graphql")
            .filter_map(|r| r.body.as_deref())
            .filter_map(|body| serde_json::from_str::<Value>(body).ok())
            .filter_map(|v| v.get("query").and_then(Value::as_str).map(str::to_string))
            .collect()
    }

    /// What is left of the authenticated rate limit.
    pub fn rate_remaining(&self) -> u64 {
        self.state().authenticated.remaining
    }

    /// What is left of the unauthenticated rate limit.
    pub fn unauthenticated_rate_remaining(&self) -> u64 {
        self.state().unauthenticated.remaining
    }

    /// Delays every response by `latency` (requests in flight overlap).
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    /// The next `times` requests whose path starts with `path_prefix` get
    /// `fault` instead of the normal answer. Faults are used in the order
    /// they were injected.
    pub fn inject(&self, path_prefix: &str, fault: Fault, times: usize) {
        if times > 0 {
            self.state().faults.push(Injected { prefix: path_prefix.to_string(), method: None, fault, times });
        }
    }

    /// Like [`FakeGitHub::inject`], for requests of one method only
    /// (`"POST"`: the listing of the same path stays healthy).
    pub fn inject_on(&self, method: &str, path_prefix: &str, fault: Fault, times: usize) {
        if times > 0 {
            let method = Some(method.to_ascii_uppercase());
            self.state().faults.push(Injected { prefix: path_prefix.to_string(), method, fault, times });
        }
    }

    /// Forgets every fault not used yet.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state().log.clone()
    }

    /// Empties the request log.
    pub fn clear_log(&self) {
        self.state().log.clear();
    }

    /// How many pull requests all repositories hold.
    pub fn pulls_count(&self) -> usize {
        self.state().repos.values().map(|r| r.pulls.len()).sum()
    }

    /// The reviews posted through the API, oldest first.
    pub fn posted_reviews(&self) -> Vec<PostedReview> {
        self.state().posted_reviews.clone()
    }

    /// The issue comments posted through the API, oldest first.
    pub fn posted_comments(&self) -> Vec<PostedComment> {
        self.state().posted_comments.clone()
    }

    /// The commit comments posted through the API, oldest first.
    pub fn posted_commit_comments(&self) -> Vec<PostedCommitComment> {
        self.state().posted_commit_comments.clone()
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl fmt::Debug for FakeGitHub {
    // Never prints the state: it holds the tokens the test configured.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeGitHub").field("url", &self.url).finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------
// Server plumbing

fn is_graphql(req: &Req) -> bool {
    req.method == Method::POST && req.path == "/graphql"
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test that panicked while holding the lock leaves consistent data.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn accept_loop(listener: TcpListener, state: Arc<Mutex<State>>, mut shutdown: oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(serve_connection(stream, Arc::clone(&state)));
                }
            }
        }
    }
}

/// What the service leaves for the connection task when it refuses to
/// answer through hyper: nothing (drop the connection) or raw bytes (a cut
/// response) to write on the socket before closing it.
type CutSlot = Arc<Mutex<Option<Vec<u8>>>>;

async fn serve_connection(stream: TcpStream, state: Arc<Mutex<State>>) {
    // A second handle on the same socket: when the service fails on purpose,
    // hyper drops its handle without writing anything, and this one writes
    // exactly the bytes of a cut response (or nothing), then closes.
    let Ok(std_stream) = stream.into_std() else { return };
    let Ok(spare) = std_stream.try_clone() else { return };
    let Ok(stream) = TcpStream::from_std(std_stream) else { return };
    let _ = stream.set_nodelay(true);
    let cut: CutSlot = Arc::default();
    let service = {
        let cut = Arc::clone(&cut);
        service_fn(move |request| handle(Arc::clone(&state), Arc::clone(&cut), request))
    };
    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
    let pending = lock(&cut).take();
    match pending {
        Some(bytes) => {
            let _ = tokio::task::spawn_blocking(move || write_and_close(spare, &bytes)).await;
        }
        None => drop(spare),
    }
}

fn write_and_close(mut socket: std::net::TcpStream, bytes: &[u8]) {
    let _ = socket.set_nonblocking(false);
    let _ = socket.set_write_timeout(Some(Duration::from_secs(5)));
    let _ = socket.write_all(bytes);
    let _ = socket.flush();
    let _ = socket.shutdown(Shutdown::Write);
}

/// The service's error: hyper closes the connection without answering.
#[derive(Debug)]
struct NoResponse;

impl fmt::Display for NoResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection closed on purpose by an injected fault")
    }
}

impl std::error::Error for NoResponse {}

async fn handle(
    state: Arc<Mutex<State>>,
    cut: CutSlot,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, NoResponse> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|collected| collected.to_bytes()).unwrap_or_default();
    let req = Req::new(&parts.method, &parts.uri, &parts.headers, body);
    let (latency, fault) = {
        let mut state = lock(&state);
        (state.latency, state.take_fault(&req.path, req.method.as_str()))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(Fault::Slow(delay)) = &fault {
        tokio::time::sleep(*delay).await;
    }
    let outcome = lock(&state).respond(&req, fault.as_ref(), now_unix());
    match outcome {
        Outcome::Reply(reply) => Ok(reply.into_response()),
        Outcome::Drop => Err(NoResponse),
        Outcome::Cut { bytes, .. } => {
            *lock(&cut) = Some(bytes);
            Err(NoResponse)
        }
    }
}

/// A request, parsed once. The token is only held while answering.
struct Req {
    method: Method,
    path: String,
    query: String,
    params: Vec<(String, String)>,
    authorization: bool,
    auth_scheme: Option<String>,
    token: Option<String>,
    if_none_match: Option<String>,
    body: Bytes,
}

impl Req {
    fn new(method: &Method, uri: &hyper::Uri, headers: &HeaderMap, body: Bytes) -> Req {
        let query = uri.query().unwrap_or("").to_string();
        let auth = headers.get(AUTHORIZATION).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let (auth_scheme, token) = match auth.as_deref().map(str::trim).and_then(|a| a.split_once(' ')) {
            Some((scheme, rest)) => {
                let token = (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
                    .then(|| rest.trim().to_string())
                    .filter(|t| !t.is_empty());
                (Some(scheme.to_string()), token)
            }
            None => (auth.as_ref().map(|_| String::new()), None),
        };
        Req {
            method: method.clone(),
            path: uri.path().to_string(),
            params: parse_query(&query),
            query,
            authorization: auth.is_some(),
            auth_scheme,
            token,
            if_none_match: headers.get(IF_NONE_MATCH).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            body,
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn json_body(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// An answer before the rate limit and GitHub headers are added.
struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Costs no rate limit (`/rate_limit`, `304`, `401`, the rate limit `403`).
    free: bool,
}

impl Reply {
    fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            content_type: Some("application/json; charset=utf-8"),
            headers: Vec::new(),
            body: serde_json::to_vec(value).expect("serialize a JSON value"),
            free: false,
        }
    }

    fn raw_json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: Some("application/json; charset=utf-8"),
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            free: false,
        }
    }

    /// GitHub's error JSON: `{"message":…,"documentation_url":…}` in that
    /// order, with `errors` between them when there are some.
    fn error(status: u16, message: &str, errors: &[&str], documentation_url: &str) -> Reply {
        let message = serde_json::to_string(message).expect("serialize a string");
        let docs = serde_json::to_string(documentation_url).expect("serialize a string");
        let body = if errors.is_empty() {
            format!(r#"{{"message":{message},"documentation_url":{docs}}}"#)
        } else {
            let errors = serde_json::to_string(errors).expect("serialize strings");
            format!(r#"{{"message":{message},"errors":{errors},"documentation_url":{docs},"status":"{status}"}}"#)
        };
        Reply::raw_json(status, &body)
    }

    fn not_found() -> Reply {
        Reply::raw_json(404, NOT_FOUND_JSON)
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut builder = Response::builder().status(self.status);
        if let Some(content_type) = self.content_type {
            builder = builder.header("content-type", content_type);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder.body(Full::new(Bytes::from(self.body))).expect("build a response from valid parts")
    }

    /// The bytes of a response whose `Content-Length` is the full body's
    /// but which carries only its first half.
    fn into_cut_bytes(self) -> Vec<u8> {
        let reason = StatusCode::from_u16(self.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
        let mut head = format!("HTTP/1.1 {} {reason}\r\n", self.status);
        if let Some(content_type) = self.content_type {
            head.push_str(&format!("content-type: {content_type}\r\n"));
        }
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", self.body.len()));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body[..self.body.len() / 2]);
        bytes
    }
}

enum Outcome {
    Reply(Reply),
    Drop,
    Cut { status: u16, bytes: Vec<u8> },
}

// ---------------------------------------------------------------------------
// State

struct State {
    url: String,
    repos: BTreeMap<String, RepoState>,
    token_users: HashMap<String, String>,
    required_token: Option<String>,
    authenticated: Bucket,
    unauthenticated: Bucket,
    latency: Duration,
    faults: Vec<Injected>,
    log: Vec<LoggedRequest>,
    posted_reviews: Vec<PostedReview>,
    posted_comments: Vec<PostedComment>,
    posted_commit_comments: Vec<PostedCommitComment>,
    next_id: u64,
    requests_seen: u64,
    /// GraphQL's points, apart from REST's requests.
    graphql: Bucket,
    /// Off: `POST /graphql` is a 404, as on a host without GraphQL.
    graphql_enabled: bool,
    /// Points spent by GraphQL queries since the start.
    graphql_points: u64,
}

struct Bucket {
    limit: u64,
    remaining: u64,
    reset: i64,
}

impl Bucket {
    fn new(limit: u64, now: i64) -> Bucket {
        Bucket { limit, remaining: limit, reset: now + RATE_WINDOW_SECS }
    }

    fn refill(&mut self, now: i64) {
        if now >= self.reset {
            self.remaining = self.limit;
            self.reset = now + RATE_WINDOW_SECS;
        }
    }
}

struct Injected {
    prefix: String,
    /// Only requests of this method (`None`: any).
    method: Option<String>,
    fault: Fault,
    times: usize,
}

struct RepoState {
    owner: String,
    name: String,
    id: u64,
    default_branch: String,
    pulls: BTreeMap<u64, PullState>,
    commit_links: BTreeMap<String, BTreeSet<u64>>,
    comments: BTreeMap<u64, Vec<CommentRecord>>,
    /// Oldest first, every commit together.
    commit_comments: Vec<CommitCommentRecord>,
    associations: HashMap<String, String>,
    /// Collaborators by login, with their role (`admin`, `maintain`,
    /// `write`, `triage`, `read`).
    collaborators: BTreeMap<String, String>,
}

impl RepoState {
    fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    fn association(&self, login: &str) -> String {
        match self.associations.get(login) {
            Some(association) => association.clone(),
            None if login.eq_ignore_ascii_case(&self.owner) => "OWNER".to_string(),
            None => "NONE".to_string(),
        }
    }

    /// Lowercase; an abbreviated sha becomes the one full sha the fake knows
    /// that starts with it (pull request commits, heads and merge commits,
    /// linked and commented commits), else stays as it is.
    fn complete_sha(&self, sha: &str) -> String {
        let sha = sha.to_ascii_lowercase();
        if sha.len() >= 40 {
            return sha;
        }
        let candidates: BTreeSet<String> = self
            .known_shas()
            .filter(|k| k.len() == 40)
            .map(str::to_ascii_lowercase)
            .filter(|k| k.starts_with(&sha))
            .collect();
        match candidates.len() {
            1 => candidates.into_iter().next().expect("one candidate"),
            _ => sha,
        }
    }

    /// The shas the fake knows of: pull request commits, heads and merge
    /// commits, linked and commented commits.
    fn known_shas(&self) -> impl Iterator<Item = &str> {
        let pulls = self
            .pulls
            .values()
            .flat_map(|p| p.pr.commits.iter().chain(&p.pr.head_sha).chain(&p.pr.merge_commit_sha).map(String::as_str));
        pulls
            .chain(self.commit_links.keys().map(String::as_str))
            .chain(self.commit_comments.iter().map(|c| c.commit_id.as_str()))
    }

    /// Whether GitHub would find a commit for `sha`: any 7 to 40 hex
    /// digits, and the shas the fake knows even when they are not hex (test
    /// data often is not).
    fn has_commit(&self, sha: &str) -> bool {
        let hex = (7..=40).contains(&sha.len()) && sha.bytes().all(|b| b.is_ascii_hexdigit());
        hex || self.known_shas().any(|k| k.eq_ignore_ascii_case(sha))
    }

    /// The comments on a commit (either sha may be abbreviated), oldest first.
    fn comments_on(&self, sha: &str) -> impl Iterator<Item = &CommitCommentRecord> {
        let sha = self.complete_sha(sha);
        self.commit_comments.iter().filter(move |c| c.commit_id.starts_with(&sha) || sha.starts_with(&c.commit_id))
    }
}

struct PullState {
    pr: PullRequest,
    author_association: String,
    reviews: Vec<ReviewRecord>,
}

impl PullState {
    fn created_at(&self) -> i64 {
        [self.pr.merged_at, self.pr.updated_at].into_iter().flatten().min().unwrap_or(FALLBACK_TIME) - 86_400
    }

    fn updated_at(&self) -> i64 {
        self.pr.updated_at.or(self.pr.merged_at).unwrap_or_else(|| self.created_at())
    }

    fn merged(&self) -> bool {
        self.pr.merged_at.is_some()
    }

    /// The commits GitHub would list: the model's, or just the head.
    fn commit_shas(&self) -> Vec<String> {
        if self.pr.commits.is_empty() {
            self.pr.head_sha.iter().cloned().collect()
        } else {
            self.pr.commits.clone()
        }
    }

    fn head_sha(&self, repo: &str) -> String {
        self.pr
            .head_sha
            .clone()
            .or_else(|| self.pr.commits.last().cloned())
            .unwrap_or_else(|| fake_sha(&format!("head {repo}#{}", self.pr.number)))
    }
}

struct ReviewRecord {
    id: u64,
    user: String,
    state: String,
    body: String,
    commit_id: Option<String>,
    submitted_at: Option<i64>,
    author_association: String,
}

struct CommentRecord {
    id: u64,
    user: String,
    body: String,
    created_at: i64,
    author_association: String,
}

struct CommitCommentRecord {
    id: u64,
    user: String,
    commit_id: String,
    body: String,
    path: Option<String>,
    position: Option<u64>,
    line: Option<u64>,
    created_at: i64,
    author_association: String,
}

/// The association given, else the model's, else `NONE`.
fn first_non_empty(given: &str, model: &str) -> String {
    [given, model].into_iter().find(|a| !a.is_empty()).unwrap_or("NONE").to_string()
}

fn split_repo(repo: &str) -> (&str, &str) {
    repo.split_once('/').expect("a repository is named `owner/name`")
}

fn repo_key(owner: &str, name: &str) -> String {
    format!("{}/{}", owner.to_ascii_lowercase(), name.to_ascii_lowercase())
}

impl State {
    fn new(url: String, now: i64) -> State {
        State {
            url,
            repos: BTreeMap::new(),
            token_users: HashMap::new(),
            required_token: None,
            authenticated: Bucket::new(AUTHENTICATED_LIMIT, now),
            unauthenticated: Bucket::new(UNAUTHENTICATED_LIMIT, now),
            latency: Duration::ZERO,
            faults: Vec::new(),
            log: Vec::new(),
            posted_reviews: Vec::new(),
            posted_comments: Vec::new(),
            posted_commit_comments: Vec::new(),
            next_id: 3_000_000_000,
            requests_seen: 0,
            graphql: Bucket::new(AUTHENTICATED_LIMIT, now),
            graphql_enabled: true,
            graphql_points: 0,
        }
    }

    fn repo_entry(&mut self, owner: &str, name: &str) -> &mut RepoState {
        self.repos.entry(repo_key(owner, name)).or_insert_with(|| RepoState {
            owner: owner.to_string(),
            name: name.to_string(),
            id: 100_000_000 + hash64(repo_key(owner, name).as_bytes()) % 900_000_000,
            default_branch: "main".to_string(),
            pulls: BTreeMap::new(),
            commit_links: BTreeMap::new(),
            comments: BTreeMap::new(),
            commit_comments: Vec::new(),
            associations: HashMap::new(),
            collaborators: BTreeMap::new(),
        })
    }

    fn pull_mut(&mut self, repo: &str, number: u64) -> &mut PullState {
        let (owner, name) = split_repo(repo);
        self.repos
            .get_mut(&repo_key(owner, name))
            .and_then(|r| r.pulls.get_mut(&number))
            .unwrap_or_else(|| panic!("the fake GitHub has no pull request {repo}#{number}: add_pull it first"))
    }

    fn take_fault(&mut self, path: &str, method: &str) -> Option<Fault> {
        let index = self
            .faults
            .iter()
            .position(|f| path.starts_with(&f.prefix) && f.method.as_deref().is_none_or(|m| m == method))?;
        let injected = &mut self.faults[index];
        injected.times -= 1;
        let fault = injected.fault.clone();
        if injected.times == 0 {
            self.faults.remove(index);
        }
        Some(fault)
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn respond(&mut self, req: &Req, fault: Option<&Fault>, now: i64) -> Outcome {
        self.requests_seen += 1;
        let outcome = self.respond_inner(req, fault, now);
        let status = match &outcome {
            Outcome::Reply(reply) => Some(reply.status),
            Outcome::Drop => None,
            Outcome::Cut { status, .. } => Some(*status),
        };
        self.log.push(LoggedRequest {
            method: req.method.to_string(),
            path: req.path.clone(),
            query: req.query.clone(),
            status,
            if_none_match: req.if_none_match.is_some(),
            authorization: req.authorization,
            auth_scheme: req.auth_scheme.clone(),
            body: (!req.body.is_empty()).then(|| String::from_utf8_lossy(&req.body).into_owned()),
            fault: fault.cloned(),
        });
        outcome
    }

    fn respond_inner(&mut self, req: &Req, fault: Option<&Fault>, now: i64) -> Outcome {
        match fault {
            Some(Fault::Drop) => return Outcome::Drop,
            Some(Fault::NotGitHub) => {
                return Outcome::Reply(Reply {
                    status: 200,
                    content_type: Some("text/html; charset=utf-8"),
                    headers: vec![("server".into(), "nginx".into())],
                    body: NOT_GITHUB_HTML.as_bytes().to_vec(),
                    free: true,
                });
            }
            _ => {}
        }
        let authenticated = req.token.is_some();
        let login = req.token.as_ref().map(|t| self.token_users.get(t).cloned().unwrap_or_else(|| DEFAULT_USER.into()));
        self.bucket(authenticated).refill(now);

        let mut reply = match fault {
            Some(Fault::Status(code)) => {
                let code = StatusCode::from_u16(*code).map(|s| s.as_u16()).unwrap_or(500);
                Reply::error(code, status_message(code), &[], DOCS_URL)
            }
            Some(Fault::SecondaryRateLimit { retry_after }) => {
                Reply::error(403, &self.secondary_message(), &[], SECONDARY_DOCS_URL)
                    .header("retry-after", retry_after.to_string())
            }
            Some(Fault::TooManyRequests { retry_after }) => {
                Reply::error(429, &self.secondary_message(), &[], SECONDARY_DOCS_URL)
                    .header("retry-after", retry_after.to_string())
            }
            Some(Fault::MalformedJson) => Reply::raw_json(200, MALFORMED_JSON),
            _ => self.checked_route(req, login.as_deref(), now),
        };

        let cut = matches!(fault, Some(Fault::CutBody));
        if req.method == Method::GET && reply.status == 200 && !matches!(fault, Some(Fault::MalformedJson)) {
            let etag = format!("\"{}\"", etag_hex(&reply.body));
            let matches = req.if_none_match.as_deref().is_some_and(|sent| etag_matches(sent, &etag));
            if matches && !cut {
                reply = Reply { status: 304, content_type: None, headers: Vec::new(), body: Vec::new(), free: true };
            }
            reply.headers.push(("etag".into(), etag));
            reply.headers.push(("cache-control".into(), "private, max-age=60, s-maxage=60".into()));
        }

        // GraphQL's answers carry its own bucket (its points are taken by
        // the query's cost, not one per request).
        let graphql = is_graphql(req) && self.graphql_enabled;
        let (bucket, resource) =
            if graphql { (&mut self.graphql, "graphql") } else { (self.bucket(authenticated), "core") };
        if !reply.free {
            bucket.remaining = bucket.remaining.saturating_sub(1);
        }
        let rate_headers = [
            ("x-ratelimit-limit", bucket.limit.to_string()),
            ("x-ratelimit-remaining", bucket.remaining.to_string()),
            ("x-ratelimit-reset", bucket.reset.to_string()),
            ("x-ratelimit-used", (bucket.limit.saturating_sub(bucket.remaining)).to_string()),
            ("x-ratelimit-resource", resource.to_string()),
        ];
        reply.headers.extend(rate_headers.into_iter().map(|(k, v)| (k.to_string(), v)));
        reply.headers.push(("x-github-api-version-selected".into(), "2022-11-28".into()));
        reply.headers.push(("x-github-media-type".into(), "github.v3; format=json".into()));
        reply.headers.push(("x-github-request-id".into(), self.request_id()));
        reply.headers.push(("server".into(), "github.com".into()));
        reply.headers.push(("vary".into(), "Accept, Authorization, Cookie, X-GitHub-OTP".into()));

        if cut {
            Outcome::Cut { status: reply.status, bytes: reply.into_cut_bytes() }
        } else if matches!(fault, Some(Fault::DropAfterHandling)) {
            Outcome::Drop
        } else {
            Outcome::Reply(reply)
        }
    }

    fn bucket(&mut self, authenticated: bool) -> &mut Bucket {
        if authenticated {
            &mut self.authenticated
        } else {
            &mut self.unauthenticated
        }
    }

    fn request_id(&self) -> String {
        format!("FAKE:{:04X}:{:06X}", self.requests_seen >> 24, self.requests_seen & 0xFF_FFFF)
    }

    fn secondary_message(&self) -> String {
        format!(
            "{SECONDARY_RATE_LIMIT_MESSAGE}. Please wait a few minutes before you try again. \
             If you reach out to GitHub Support for help, please include the request ID {}.",
            self.request_id()
        )
    }

    /// Token, then rate limit, then the route.
    fn checked_route(&mut self, req: &Req, login: Option<&str>, now: i64) -> Reply {
        if let Some(required) = &self.required_token {
            if req.token.as_deref() != Some(required.as_str()) {
                let mut reply = Reply::error(401, "Bad credentials", &[], DOCS_URL);
                reply.free = true;
                return reply;
            }
        }
        let authenticated = req.token.is_some();
        if !is_graphql(req) && self.bucket(authenticated).remaining == 0 {
            let message = match login {
                Some(login) => format!("API rate limit exceeded for user ID {}.", user_id(login)),
                None => "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests \
                         get a higher rate limit. Check out the documentation for more details.)"
                    .to_string(),
            };
            let mut reply = Reply::error(403, &message, &[], RATE_LIMIT_DOCS_URL);
            reply.free = true;
            return reply;
        }
        self.route(req, login, now)
    }

    fn route(&mut self, req: &Req, login: Option<&str>, now: i64) -> Reply {
        let segments: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
        let get = req.method == Method::GET;
        let post = req.method == Method::POST;
        match segments.as_slice() {
            // The token's own account (as GitHub: 401 without a token).
            ["user"] if get => match login {
                Some(login) => Reply::json(200, &user_json(&self.url, login)),
                None => Reply::error(401, "Requires authentication", &[], "https://docs.github.com/rest/users/users"),
            },
            ["graphql"] if post && self.graphql_enabled => match login {
                None => {
                    let docs =
                        "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql";
                    let mut reply = Reply::error(401, "This endpoint requires you to be authenticated.", &[], docs);
                    reply.free = true;
                    reply
                }
                Some(login) => {
                    let answer = graphql::answer(&self.repos, &mut self.graphql, &req.body, login, now);
                    self.graphql_points += answer.points;
                    let mut reply = Reply::json(answer.status, &answer.body);
                    reply.free = true;
                    reply
                }
            },
            ["rate_limit"] if get => {
                let mut reply = self.rate_limit_reply(req.token.is_some(), now);
                reply.free = true;
                reply
            }
            ["repos", owner, name, rest @ ..] => {
                let url = self.url.clone();
                let key = repo_key(owner, name);
                if !self.repos.contains_key(&key) {
                    return Reply::not_found();
                }
                match rest {
                    [] if get => Reply::json(200, &repo_json(&url, &self.repos[&key])),
                    ["pulls"] if get => list_pulls(&url, &self.repos[&key], req),
                    ["collaborators"] if get => list_collaborators(&url, &self.repos[&key], req, login),
                    ["pulls", number] if get => with_pull(&self.repos[&key], number, |repo, pull| {
                        Reply::json(200, &pull_json(&url, repo, pull, true))
                    }),
                    ["pulls", number, "reviews"] if get => with_pull(&self.repos[&key], number, |repo, pull| {
                        let reviews: Vec<Value> =
                            sorted_reviews(pull).map(|r| review_json(&url, repo, pull, r)).collect();
                        paginate(&url, req, reviews)
                    }),
                    ["pulls", number, "reviews"] if post => self.post_review(&key, number, req, login, now),
                    ["pulls", number, "reviews", id] if get => with_pull(&self.repos[&key], number, |repo, pull| {
                        let id: Option<u64> = id.parse().ok();
                        match pull.reviews.iter().find(|r| Some(r.id) == id) {
                            Some(review) => Reply::json(200, &review_json(&url, repo, pull, review)),
                            None => Reply::not_found(),
                        }
                    }),
                    ["pulls", number, "commits"] if get => with_pull(&self.repos[&key], number, |repo, pull| {
                        paginate(&url, req, commits_json(&url, repo, pull))
                    }),
                    ["commits", sha, "pulls"] if get => {
                        let repo = &self.repos[&key];
                        let pulls: Vec<Value> =
                            linked_pulls(repo, sha).into_iter().map(|p| pull_json(&url, repo, p, false)).collect();
                        paginate(&url, req, pulls)
                    }
                    // Authentication is checked before the sha.
                    ["commits", sha, "comments"]
                        if (get || (post && login.is_some())) && !self.repos[&key].has_commit(sha) =>
                    {
                        let docs = if get { LIST_COMMIT_COMMENTS_DOCS_URL } else { COMMIT_COMMENTS_DOCS_URL };
                        Reply::error(422, &format!("No commit found for SHA: {sha}"), &[], docs)
                    }
                    ["commits", sha, "comments"] if get => {
                        let repo = &self.repos[&key];
                        let comments: Vec<&CommitCommentRecord> = repo.comments_on(sha).collect();
                        paginate_with(&url, req, comments, |c| commit_comment_json(&url, repo, c))
                    }
                    ["commits", sha, "comments"] if post => self.post_commit_comment(&key, sha, req, login, now),
                    ["issues", number, "comments"] if get => with_pull(&self.repos[&key], number, |repo, pull| {
                        let comments: Vec<Value> = repo
                            .comments
                            .get(&pull.pr.number)
                            .into_iter()
                            .flatten()
                            .map(|c| comment_json(&url, repo, pull.pr.number, c))
                            .collect();
                        paginate(&url, req, comments)
                    }),
                    ["issues", number, "comments"] if post => self.post_comment(&key, number, req, login, now),
                    _ => Reply::not_found(),
                }
            }
            _ => Reply::not_found(),
        }
    }

    fn rate_limit_reply(&mut self, authenticated: bool, now: i64) -> Reply {
        let bucket = self.bucket(authenticated);
        let core = json!({
            "limit": bucket.limit,
            "used": bucket.limit.saturating_sub(bucket.remaining),
            "remaining": bucket.remaining,
            "reset": bucket.reset,
        });
        let search_limit = if authenticated { 30 } else { 10 };
        let search = json!({ "limit": search_limit, "used": 0, "remaining": search_limit, "reset": now + 60 });
        let graphql = if authenticated {
            let b = &self.graphql;
            json!({ "limit": b.limit, "used": b.limit - b.remaining, "remaining": b.remaining, "reset": b.reset })
        } else {
            json!({ "limit": 0, "used": 0, "remaining": 0, "reset": now + RATE_WINDOW_SECS })
        };
        let manifest = json!({ "limit": 5000, "used": 0, "remaining": 5000, "reset": now + RATE_WINDOW_SECS });
        Reply::json(
            200,
            &json!({
                "resources": {
                    "core": core.clone(),
                    "search": search,
                    "graphql": graphql,
                    "integration_manifest": manifest,
                },
                "rate": core,
            }),
        )
    }

    fn post_review(&mut self, key: &str, number: &str, req: &Req, login: Option<&str>, now: i64) -> Reply {
        let Some(login) = login else {
            return Reply::error(401, "Requires authentication", &[], DOCS_URL);
        };
        let number: u64 = match number.parse() {
            Ok(n) if self.repos[key].pulls.contains_key(&n) => n,
            _ => return Reply::not_found(),
        };
        let Some(body) = req.json_body().filter(Value::is_object) else {
            return Reply::error(400, "Problems parsing JSON", &[], REVIEWS_DOCS_URL);
        };
        let text = body.get("body").and_then(Value::as_str).unwrap_or("").to_string();
        let has_inline = body.get("comments").and_then(Value::as_array).is_some_and(|c| !c.is_empty());
        let state = match body.get("event").and_then(Value::as_str) {
            None => "PENDING",
            Some("APPROVE") => "APPROVED",
            Some("REQUEST_CHANGES") => "CHANGES_REQUESTED",
            Some("COMMENT") => "COMMENTED",
            Some(_) => {
                let error = "Variable $event of type PullRequestReviewEvent was provided invalid value";
                return Reply::error(422, "Unprocessable Entity", &[error], REVIEWS_DOCS_URL);
            }
        };
        let repo = &self.repos[key];
        let author_association = repo.association(login);
        let full_name = repo.full_name();
        let pull = &repo.pulls[&number];
        let own = pull.pr.author.eq_ignore_ascii_case(login);
        if own && state == "APPROVED" {
            let error = "Review Can not approve your own pull request";
            return Reply::error(422, "Unprocessable Entity", &[error], REVIEWS_DOCS_URL);
        }
        if own && state == "CHANGES_REQUESTED" {
            let error = "Review Can not request changes on your own pull request";
            return Reply::error(422, "Unprocessable Entity", &[error], REVIEWS_DOCS_URL);
        }
        if matches!(state, "CHANGES_REQUESTED" | "COMMENTED") && text.trim().is_empty() && !has_inline {
            let error = format!("Review body is required for {}", body["event"].as_str().unwrap_or_default());
            return Reply::error(422, "Unprocessable Entity", &[error.as_str()], REVIEWS_DOCS_URL);
        }
        let head = pull.head_sha(&full_name);
        let commit_id = match body.get("commit_id").and_then(Value::as_str).filter(|s| !s.is_empty()) {
            None => head,
            Some(sha) if sha == head || pull.commit_shas().iter().any(|c| c == sha) => sha.to_string(),
            // What GitHub answers for a sha that is not one of the pull
            // request's commits (a merge commit, another branch's commit…).
            Some(_) => {
                let error = "The commitOID is not part of the pull request";
                return Reply::error(422, "Unprocessable Entity", &[error], REVIEWS_DOCS_URL);
            }
        };
        let id = self.new_id();
        let record = ReviewRecord {
            id,
            user: login.to_string(),
            state: state.to_string(),
            body: text.clone(),
            commit_id: Some(commit_id.clone()),
            submitted_at: (state != "PENDING").then_some(now),
            author_association,
        };
        let pull =
            self.repos.get_mut(key).and_then(|r| r.pulls.get_mut(&number)).expect("the pull request was checked above");
        pull.pr.updated_at = Some(now);
        pull.reviews.push(record);
        let repo = &self.repos[key];
        let pull = &repo.pulls[&number];
        let review = pull.reviews.last().expect("the review was just pushed");
        let reply = Reply::json(200, &review_json(&self.url, repo, pull, review));
        self.posted_reviews.push(PostedReview {
            repo: full_name,
            pr: number,
            id,
            user: login.to_string(),
            state: state.to_string(),
            body: text,
            commit_id: Some(commit_id),
        });
        reply
    }

    fn post_comment(&mut self, key: &str, number: &str, req: &Req, login: Option<&str>, now: i64) -> Reply {
        let Some(login) = login else {
            return Reply::error(401, "Requires authentication", &[], DOCS_URL);
        };
        let number: u64 = match number.parse() {
            Ok(n) if self.repos[key].pulls.contains_key(&n) => n,
            _ => return Reply::not_found(),
        };
        let Some(body) = req.json_body().filter(Value::is_object) else {
            return Reply::error(400, "Problems parsing JSON", &[], COMMENTS_DOCS_URL);
        };
        let Some(text) = body.get("body").and_then(Value::as_str).filter(|s| !s.is_empty()) else {
            return Reply::error(422, "Invalid request.\n\n\"body\" wasn't supplied.", &[], COMMENTS_DOCS_URL);
        };
        let text = text.to_string();
        let id = self.new_id();
        let repo = self.repos.get_mut(key).expect("the repository was checked above");
        let record = CommentRecord {
            id,
            user: login.to_string(),
            body: text.clone(),
            created_at: now,
            author_association: repo.association(login),
        };
        let full_name = repo.full_name();
        if let Some(pull) = repo.pulls.get_mut(&number) {
            pull.pr.updated_at = Some(now);
        }
        repo.comments.entry(number).or_default().push(record);
        let repo = &self.repos[key];
        let comment = repo.comments[&number].last().expect("the comment was just pushed");
        let value = comment_json(&self.url, repo, number, comment);
        let location = value["url"].as_str().unwrap_or_default().to_string();
        self.posted_comments.push(PostedComment {
            repo: full_name,
            issue: number,
            id,
            user: login.to_string(),
            body: text,
        });
        Reply::json(201, &value).header("location", location)
    }

    fn post_commit_comment(&mut self, key: &str, sha: &str, req: &Req, login: Option<&str>, now: i64) -> Reply {
        let Some(login) = login else {
            return Reply::error(401, "Requires authentication", &[], DOCS_URL);
        };
        let Some(body) = req.json_body().filter(Value::is_object) else {
            return Reply::error(400, "Problems parsing JSON", &[], COMMIT_COMMENTS_DOCS_URL);
        };
        let Some(text) = body.get("body").and_then(Value::as_str).filter(|s| !s.is_empty()) else {
            return Reply::error(422, "Invalid request.\n\n\"body\" wasn't supplied.", &[], COMMIT_COMMENTS_DOCS_URL);
        };
        // GitHub validates the optional fields against the schema first.
        let invalid = |field: &str, kind: &str| {
            let message = format!("Invalid request.\n\nFor 'properties/{field}', {} is not {kind}.", body[field]);
            Reply::error(422, &message, &[], COMMIT_COMMENTS_DOCS_URL)
        };
        let path = match body.get("path") {
            None | Some(Value::Null) => None,
            Some(Value::String(path)) => Some(path.clone()),
            Some(_) => return invalid("path", "a string"),
        };
        let mut numbers = [None, None];
        for (field, slot) in ["position", "line"].into_iter().zip(&mut numbers) {
            match body.get(field) {
                None | Some(Value::Null) => {}
                Some(value) => match value.as_u64() {
                    Some(n) => *slot = Some(n),
                    None => return invalid(field, "an integer"),
                },
            }
        }
        let [position, line] = numbers;
        let text = text.to_string();
        let id = self.new_id();
        let repo = self.repos.get_mut(key).expect("the repository was checked above");
        let commit_id = repo.complete_sha(sha);
        let record = CommitCommentRecord {
            id,
            user: login.to_string(),
            commit_id: commit_id.clone(),
            body: text.clone(),
            path,
            position,
            line,
            created_at: now,
            author_association: repo.association(login),
        };
        repo.commit_comments.push(record);
        let repo = &self.repos[key];
        let comment = repo.commit_comments.last().expect("the comment was just pushed");
        let value = commit_comment_json(&self.url, repo, comment);
        let location = value["url"].as_str().unwrap_or_default().to_string();
        self.posted_commit_comments.push(PostedCommitComment {
            repo: repo.full_name(),
            sha: commit_id,
            id,
            user: login.to_string(),
            body: text,
        });
        Reply::json(201, &value).header("location", location)
    }
}

fn with_pull(repo: &RepoState, number: &str, answer: impl FnOnce(&RepoState, &PullState) -> Reply) -> Reply {
    match number.parse::<u64>().ok().and_then(|n| repo.pulls.get(&n)) {
        Some(pull) => answer(repo, pull),
        None => Reply::not_found(),
    }
}

fn sorted_reviews(pull: &PullState) -> impl Iterator<Item = &ReviewRecord> {
    let mut reviews: Vec<&ReviewRecord> = pull.reviews.iter().collect();
    // Oldest first; pending reviews (not submitted) last.
    reviews.sort_by_key(|r| (r.submitted_at.is_none(), r.submitted_at, r.id));
    reviews.into_iter()
}

fn list_pulls(url: &str, repo: &RepoState, req: &Req) -> Reply {
    let state = req.param("state").unwrap_or("open");
    if !matches!(state, "open" | "closed" | "all") {
        let error = format!("state must be one of open, closed, all; got {state:?}");
        return Reply::error(422, "Validation Failed", &[error.as_str()], DOCS_URL);
    }
    let base = req.param("base");
    let sort = req.param("sort").unwrap_or("created");
    let descending = match req.param("direction") {
        Some(direction) => direction == "desc",
        None => sort == "created",
    };
    let mut pulls: Vec<&PullState> = repo
        .pulls
        .values()
        .filter(|p| match state {
            "open" => !p.merged(),
            "closed" => p.merged(),
            _ => true,
        })
        .filter(|p| base.is_none_or(|b| p.pr.base_branch == b))
        .collect();
    if sort == "updated" {
        pulls.sort_by_key(|p| (p.updated_at(), p.pr.number));
    } else {
        pulls.sort_by_key(|p| (p.created_at(), p.pr.number));
    }
    if descending {
        pulls.reverse();
    }
    // Only the requested page is turned into JSON: a list of thousands
    // stays cheap to page through.
    paginate_with(url, req, pulls, |p| pull_json(url, repo, p, false))
}

fn linked_pulls<'a>(repo: &'a RepoState, sha: &str) -> Vec<&'a PullState> {
    let explicit = repo.commit_links.get(sha);
    repo.pulls
        .values()
        .filter(|p| {
            explicit.is_some_and(|numbers| numbers.contains(&p.pr.number))
                || p.pr.merge_commit_sha.as_deref() == Some(sha)
                || p.pr.head_sha.as_deref() == Some(sha)
                || p.pr.commits.iter().any(|c| c == sha)
        })
        .collect()
}

/// One page of `items` with GitHub's `Link` header: `prev`, `next`, `last`,
/// `first`, on absolute URLs that keep the request's other parameters.
fn paginate(url: &str, req: &Req, items: Vec<Value>) -> Reply {
    paginate_with(url, req, items, |v| v)
}

/// [`paginate`], converting only the page's items to JSON.
fn paginate_with<T>(url: &str, req: &Req, items: Vec<T>, to_json: impl Fn(T) -> Value) -> Reply {
    let per_page =
        req.param("per_page").and_then(|v| v.parse::<usize>().ok()).filter(|n| *n > 0).unwrap_or(30).min(100);
    let page = req.param("page").and_then(|v| v.parse::<usize>().ok()).filter(|n| *n > 0).unwrap_or(1);
    let total = items.len();
    let last = total.div_ceil(per_page).max(1);
    let start = (page - 1).saturating_mul(per_page);
    let slice: Vec<Value> = items.into_iter().skip(start).take(per_page).map(to_json).collect();
    let link =
        |target: usize, rel: &str| format!("<{url}{}?{}>; rel=\"{rel}\"", req.path, with_page(&req.query, target));
    let mut links = Vec::new();
    if page > 1 {
        links.push(link(page - 1, "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
        links.push(link(last, "last"));
    }
    if page > 1 {
        links.push(link(1, "first"));
    }
    let reply = Reply::json(200, &Value::Array(slice));
    if links.is_empty() {
        reply
    } else {
        reply.header("link", links.join(", "))
    }
}

/// The raw query with `page` set to `page` (in place, or appended).
fn with_page(query: &str, page: usize) -> String {
    let mut found = false;
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            if pct_decode(pair.split_once('=').map_or(pair, |(k, _)| k)) == "page" {
                found = true;
                format!("page={page}")
            } else {
                pair.to_string()
            }
        })
        .collect();
    if !found {
        pairs.push(format!("page={page}"));
    }
    pairs.join("&")
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (pct_decode(k), pct_decode(v))
        })
        .collect()
}

fn pct_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        match (bytes[i], hex) {
            (b'%', Some(hex)) => {
                let hex = std::str::from_utf8(hex).expect("hex digits are ASCII");
                out.push(u8::from_str_radix(hex, 16).expect("two hex digits make a byte"));
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pct_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn etag_matches(sent: &str, etag: &str) -> bool {
    sent.split(',').map(str::trim).any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

fn status_message(code: u16) -> &'static str {
    match code {
        400 => "Bad Request",
        401 => "Bad credentials",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Validation Failed",
        500 => "Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => StatusCode::from_u16(code).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error"),
    }
}

// ---------------------------------------------------------------------------
// GitHub's JSON shapes

fn now_unix() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// `2024-05-06T09:00:00Z`.
fn iso(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

/// FNV-1a, 64 bits: stable ids and hashes across runs and machines.
fn hash64(bytes: &[u8]) -> u64 {
    hash64_from(0xcbf2_9ce4_8422_2325, bytes)
}

fn hash64_from(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// 32 hex digits of the body.
fn etag_hex(body: &[u8]) -> String {
    format!("{:016x}{:016x}", hash64(body), hash64_from(0x6c62_272e_07bb_0142, body))
}

/// A stable, plausible 40-hex-digit sha for objects the model does not name.
fn fake_sha(seed: &str) -> String {
    let a = hash64(seed.as_bytes());
    let b = hash64_from(a, b"sha");
    let c = hash64_from(b, seed.as_bytes());
    format!("{a:016x}{b:016x}{c:016x}")[..40].to_string()
}

fn user_id(login: &str) -> u64 {
    1_000_000 + hash64(login.to_ascii_lowercase().as_bytes()) % 90_000_000
}

fn may_push(role: &str) -> bool {
    matches!(role, "admin" | "maintain" | "write")
}

/// `GET /repos/{owner}/{repo}/collaborators`: for those who may push.
fn list_collaborators(url: &str, repo: &RepoState, req: &Req, login: Option<&str>) -> Reply {
    let docs = "https://docs.github.com/rest/collaborators/collaborators#list-repository-collaborators";
    if !login.and_then(|l| repo.collaborators.get(l)).is_some_and(|role| may_push(role)) {
        return Reply::error(403, "Must have push access to view repository collaborators.", &[], docs);
    }
    let items: Vec<Value> = repo
        .collaborators
        .iter()
        .map(|(login, role)| {
            let mut user = user_json(url, login);
            let push = may_push(role);
            user["permissions"] = json!({
                "admin": role == "admin",
                "maintain": matches!(role.as_str(), "admin" | "maintain"),
                "push": push,
                "triage": push || role == "triage",
                "pull": true,
            });
            user["role_name"] = json!(role);
            user
        })
        .collect();
    paginate(url, req, items)
}

fn user_json(url: &str, login: &str) -> Value {
    let id = user_id(login);
    let l = pct_encode(login);
    let bot = login.ends_with("[bot]");
    let html_url = if bot {
        format!("https://github.com/apps/{}", pct_encode(login.trim_end_matches("[bot]")))
    } else {
        format!("https://github.com/{l}")
    };
    json!({
        "login": login,
        "id": id,
        "node_id": format!("U_kgDO{id:08X}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": format!("{url}/users/{l}"),
        "html_url": html_url,
        "followers_url": format!("{url}/users/{l}/followers"),
        "following_url": format!("{url}/users/{l}/following{{/other_user}}"),
        "gists_url": format!("{url}/users/{l}/gists{{/gist_id}}"),
        "starred_url": format!("{url}/users/{l}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{url}/users/{l}/subscriptions"),
        "organizations_url": format!("{url}/users/{l}/orgs"),
        "repos_url": format!("{url}/users/{l}/repos"),
        "events_url": format!("{url}/users/{l}/events{{/privacy}}"),
        "received_events_url": format!("{url}/users/{l}/received_events"),
        "type": if bot { "Bot" } else { "User" },
        "user_view_type": "public",
        "site_admin": false,
    })
}

/// Builds an object from fields without `json!`'s recursion for big objects.
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn repo_api(url: &str, repo: &RepoState) -> String {
    format!("{url}/repos/{}/{}", pct_encode(&repo.owner), pct_encode(&repo.name))
}

fn repo_html(repo: &RepoState) -> String {
    format!("https://github.com/{}/{}", pct_encode(&repo.owner), pct_encode(&repo.name))
}

fn repo_json(url: &str, repo: &RepoState) -> Value {
    let api = repo_api(url, repo);
    let html = repo_html(repo);
    object([
        ("id", repo.id.into()),
        ("node_id", format!("R_kgDO{:08X}", repo.id).into()),
        ("name", repo.name.clone().into()),
        ("full_name", repo.full_name().into()),
        ("owner", user_json(url, &repo.owner)),
        ("private", false.into()),
        ("html_url", html.clone().into()),
        ("description", Value::Null),
        ("fork", false.into()),
        ("url", api.clone().into()),
        ("pulls_url", format!("{api}/pulls{{/number}}").into()),
        ("issues_url", format!("{api}/issues{{/number}}").into()),
        ("commits_url", format!("{api}/commits{{/sha}}").into()),
        ("git_url", format!("git://github.com/{}.git", repo.full_name()).into()),
        ("ssh_url", format!("git@github.com:{}.git", repo.full_name()).into()),
        ("clone_url", format!("{html}.git").into()),
        ("default_branch", repo.default_branch.clone().into()),
        ("visibility", "public".into()),
        ("archived", false.into()),
        ("disabled", false.into()),
        ("created_at", iso(FALLBACK_TIME - 365 * 86_400).into()),
        ("updated_at", iso(FALLBACK_TIME).into()),
        ("pushed_at", iso(FALLBACK_TIME).into()),
    ])
}

fn label_json(url: &str, repo: &RepoState, name: &str) -> Value {
    let id = 1_000_000_000 + hash64(format!("{} {name}", repo.full_name()).as_bytes()) % 1_000_000_000;
    json!({
        "id": id,
        "node_id": format!("LA_kwDO{id:08X}"),
        "url": format!("{}/labels/{}", repo_api(url, repo), pct_encode(name)),
        "name": name,
        "color": format!("{:06x}", hash64(name.as_bytes()) & 0xFF_FFFF),
        "default": false,
        "description": Value::Null,
    })
}

fn pull_json(url: &str, repo: &RepoState, pull: &PullState, full: bool) -> Value {
    let pr = &pull.pr;
    let n = pr.number;
    let api = repo_api(url, repo);
    let html = format!("{}/pull/{n}", repo_html(repo));
    let self_url = format!("{api}/pulls/{n}");
    let issue_url = format!("{api}/issues/{n}");
    let comments_url = format!("{api}/issues/{n}/comments");
    let review_comments_url = format!("{self_url}/comments");
    let review_comment_url = format!("{api}/pulls/comments{{/number}}");
    let commits_url = format!("{self_url}/commits");
    let head_sha = pull.head_sha(&repo.full_name());
    let statuses_url = format!("{api}/statuses/{head_sha}");
    let head_ref = format!("pr-{n}");
    let branch = |label: String, reference: &str, sha: String| {
        json!({
            "label": label,
            "ref": reference,
            "sha": sha,
            "user": user_json(url, &repo.owner),
            "repo": repo_json(url, repo),
        })
    };
    let base_sha = fake_sha(&format!("base {} {}", repo.full_name(), pr.base_branch));
    let merged_at = pr.merged_at.map(iso);
    let mut value = object([
        ("url", self_url.clone().into()),
        ("id", (2_000_000_000 + hash64(format!("{} #{n}", repo.full_name()).as_bytes()) % 1_000_000_000).into()),
        ("node_id", format!("PR_kwDO{:08X}{n:X}", repo.id).into()),
        ("html_url", html.clone().into()),
        ("diff_url", format!("{html}.diff").into()),
        ("patch_url", format!("{html}.patch").into()),
        ("issue_url", issue_url.clone().into()),
        ("commits_url", commits_url.clone().into()),
        ("review_comments_url", review_comments_url.clone().into()),
        ("review_comment_url", review_comment_url.clone().into()),
        ("comments_url", comments_url.clone().into()),
        ("statuses_url", statuses_url.clone().into()),
        ("number", n.into()),
        ("state", if pull.merged() { "closed" } else { "open" }.into()),
        ("locked", false.into()),
        ("title", pr.title.clone().into()),
        ("user", user_json(url, &pr.author)),
        ("body", if pr.body.is_empty() { Value::Null } else { pr.body.clone().into() }),
        ("labels", pr.labels.iter().map(|l| label_json(url, repo, l)).collect::<Vec<_>>().into()),
        ("milestone", Value::Null),
        ("active_lock_reason", Value::Null),
        ("created_at", iso(pull.created_at()).into()),
        ("updated_at", iso(pull.updated_at()).into()),
        ("closed_at", merged_at.clone().into()),
        ("merged_at", merged_at.into()),
        ("merge_commit_sha", pr.merge_commit_sha.clone().into()),
        ("assignee", Value::Null),
        ("assignees", json!([])),
        ("requested_reviewers", json!([])),
        ("requested_teams", json!([])),
        ("head", branch(format!("{}:{head_ref}", repo.owner), &head_ref, head_sha)),
        ("base", branch(format!("{}:{}", repo.owner, pr.base_branch), &pr.base_branch, base_sha)),
        (
            "_links",
            json!({
                "self": { "href": self_url },
                "html": { "href": html },
                "issue": { "href": issue_url },
                "comments": { "href": comments_url },
                "review_comments": { "href": review_comments_url },
                "review_comment": { "href": review_comment_url },
                "commits": { "href": commits_url },
                "statuses": { "href": statuses_url },
            }),
        ),
        ("author_association", pull.author_association.clone().into()),
        ("auto_merge", Value::Null),
        ("draft", false.into()),
    ]);
    if full {
        let fields = value.as_object_mut().expect("a pull request is an object");
        let merged_by = pr.merged_by.as_deref().map(|login| user_json(url, login)).unwrap_or(Value::Null);
        let extra = object([
            ("merged", pull.merged().into()),
            ("mergeable", Value::Null),
            ("rebaseable", Value::Null),
            ("mergeable_state", "unknown".into()),
            ("merged_by", merged_by),
            ("comments", repo.comments.get(&n).map_or(0, Vec::len).into()),
            ("review_comments", 0.into()),
            ("maintainer_can_modify", false.into()),
            ("commits", pull.commit_shas().len().into()),
            ("additions", 0.into()),
            ("deletions", 0.into()),
            ("changed_files", 0.into()),
        ]);
        if let Value::Object(extra) = extra {
            fields.extend(extra);
        }
    }
    value
}

fn review_json(url: &str, repo: &RepoState, pull: &PullState, review: &ReviewRecord) -> Value {
    let html = format!("{}/pull/{}#pullrequestreview-{}", repo_html(repo), pull.pr.number, review.id);
    let pull_url = format!("{}/pulls/{}", repo_api(url, repo), pull.pr.number);
    let mut value = json!({
        "id": review.id,
        "node_id": format!("PRR_kwDO{:010X}", review.id),
        "user": user_json(url, &review.user),
        "body": review.body,
        "state": review.state,
        "html_url": html,
        "pull_request_url": pull_url,
        "author_association": review.author_association,
        "_links": {
            "html": { "href": html },
            "pull_request": { "href": pull_url },
        },
        "commit_id": review.commit_id,
    });
    if let Some(at) = review.submitted_at {
        value["submitted_at"] = iso(at).into();
    }
    value
}

fn commits_json(url: &str, repo: &RepoState, pull: &PullState) -> Vec<Value> {
    let api = repo_api(url, repo);
    let shas = pull.commit_shas();
    let author = &pull.pr.author;
    let mut parent = fake_sha(&format!("base {} {}", repo.full_name(), pull.pr.base_branch));
    let mut commits = Vec::with_capacity(shas.len());
    for (i, sha) in shas.iter().enumerate() {
        let date = iso(pull.created_at() + 60 * i as i64);
        let person = json!({ "name": author, "email": format!("{author}@users.noreply.github.com"), "date": date });
        let message = if shas.len() == 1 {
            pull.pr.title.clone()
        } else {
            format!("{} ({}/{})", pull.pr.title, i + 1, shas.len())
        };
        let tree = fake_sha(&format!("tree {sha}"));
        commits.push(json!({
            "sha": sha,
            "node_id": format!("C_kwDO{:08X}{}", repo.id, &sha[..sha.len().min(12)]),
            "url": format!("{api}/commits/{sha}"),
            "html_url": format!("{}/commit/{sha}", repo_html(repo)),
            "comments_url": format!("{api}/commits/{sha}/comments"),
            "commit": {
                "author": person.clone(),
                "committer": person,
                "message": message,
                "tree": { "sha": tree, "url": format!("{api}/git/trees/{tree}") },
                "url": format!("{api}/git/commits/{sha}"),
                "comment_count": repo.comments_on(sha).count(),
                "verification": { "verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null },
            },
            "author": user_json(url, author),
            "committer": user_json(url, author),
            "parents": [{
                "sha": parent,
                "url": format!("{api}/commits/{parent}"),
                "html_url": format!("{}/commit/{parent}", repo_html(repo)),
            }],
        }));
        parent = sha.clone();
    }
    commits
}

fn comment_json(url: &str, repo: &RepoState, number: u64, comment: &CommentRecord) -> Value {
    let api = repo_api(url, repo);
    json!({
        "id": comment.id,
        "node_id": format!("IC_kwDO{:010X}", comment.id),
        "url": format!("{api}/issues/comments/{}", comment.id),
        "html_url": format!("{}/pull/{number}#issuecomment-{}", repo_html(repo), comment.id),
        "issue_url": format!("{api}/issues/{number}"),
        "body": comment.body,
        "user": user_json(url, &comment.user),
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.created_at),
        "author_association": comment.author_association,
        "performed_via_github_app": null,
    })
}

fn commit_comment_json(url: &str, repo: &RepoState, comment: &CommitCommentRecord) -> Value {
    let sha = &comment.commit_id;
    json!({
        "html_url": format!("{}/commit/{sha}#commitcomment-{}", repo_html(repo), comment.id),
        "url": format!("{}/comments/{}", repo_api(url, repo), comment.id),
        "id": comment.id,
        "node_id": format!("CC_kwDO{:010X}", comment.id),
        "body": comment.body,
        "path": comment.path,
        "position": comment.position,
        "line": comment.line,
        "commit_id": sha,
        "user": user_json(url, &comment.user),
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.created_at),
        "author_association": comment.author_association,
    })
}
