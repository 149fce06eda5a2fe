//! GitHub through octocrab: octocrab carries requests (base URL, auth,
//! TLS); this layer adds what a long sync needs: bounded concurrency, ETags,
//! Link pagination, rate-limit bookkeeping, and retries with backoff that
//! honour `retry-after`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LINK};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::http::{
    clip, describe_octocrab_error, error_details, error_message, header, in_time, jitter, limited, origin_of,
    parse_next_link, percent_encode, timestamp, Limited,
};
use super::token::Token;
use super::{Fetched, Forge, ForgeError, Page, Result, SyncEvent};
use crate::model::RepoSlug;
use crate::model::{PullRequest, Review, ReviewState};

/// How the client behaves; the defaults suit api.github.com.
#[derive(Debug, Clone)]
pub struct Settings {
    /// API base URL, e.g. `https://api.github.com` or `https://ghe/api/v3`.
    pub api: String,
    pub repo: RepoSlug,
    pub token: Option<Token>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per request, including its body.
    pub timeout: Duration,
    /// Tries per request before giving up (server errors, dropped connections).
    pub attempts: u32,
    /// First backoff; doubles per retry, with jitter.
    pub backoff: Duration,
    /// The longest wait for a rate limit to reset before failing instead.
    pub max_rate_wait: Duration,
}

impl Settings {
    pub fn new(api: &str, repo: RepoSlug, token: Option<Token>) -> Settings {
        Settings {
            // Userinfo is never sent (the token is); kept, messages would echo it.
            api: super::remote::redact(api).trim_end_matches('/').to_string(),
            repo,
            token,
            concurrency: 8,
            timeout: Duration::from_secs(30),
            attempts: 5,
            backoff: Duration::from_millis(250),
            max_rate_wait: Duration::from_secs(15 * 60),
        }
    }
}

/// Counters for the CLI summary and the tests.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub not_modified: AtomicU64,
    pub retries: AtomicU64,
}

#[derive(Debug, Clone, Copy)]
struct RateLimit {
    remaining: u64,
    limit: u64,
    reset: i64,
}

pub struct GitHub {
    client: Octocrab,
    settings: Settings,
    permits: tokio::sync::Semaphore,
    rate: Mutex<Option<RateLimit>>,
    events: Arc<dyn Fn(SyncEvent) + Send + Sync>,
    pub stats: Stats,
    /// The API's scheme and authority: pagination links may not leave it.
    origin: String,
}

/// A response with its body read in full.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) body: Vec<u8>,
}

impl GitHub {
    pub fn new(settings: Settings, events: Arc<dyn Fn(SyncEvent) + Send + Sync>) -> Result<GitHub> {
        let mut builder = Octocrab::builder()
            .base_uri(settings.api.as_str())
            .map_err(|e| ForgeError::Client(format!("API URL `{}`: {e}", settings.api)))?
            // Retries are ours: they must honour retry-after and report progress.
            .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
            .set_connect_timeout(Some(settings.timeout))
            .set_read_timeout(Some(settings.timeout));
        if let Some(token) = &settings.token {
            builder = builder.personal_token(token.expose().to_string());
        }
        let client = builder.build().map_err(|e| ForgeError::Client(e.to_string()))?;
        let origin = origin_of(&settings.api)
            .ok_or_else(|| ForgeError::Client(format!("API URL `{}` is not an http(s) URL", settings.api)))?;
        Ok(GitHub {
            client,
            permits: tokio::sync::Semaphore::new(settings.concurrency.max(1)),
            settings,
            rate: Mutex::new(None),
            events,
            stats: Stats::default(),
            origin,
        })
    }

    pub(super) fn settings(&self) -> &Settings {
        &self.settings
    }

    pub(super) fn emit(&self, event: SyncEvent) {
        (self.events)(event)
    }

    pub fn repo(&self) -> &RepoSlug {
        &self.settings.repo
    }

    pub(super) fn repo_path(&self) -> String {
        format!("/repos/{}/{}", self.settings.repo.owner, self.settings.repo.name)
    }

    /// Checks that the repository exists and the server is GitHub; cheap
    /// when `etag` still matches.
    pub async fn check_repository(&self, etag: Option<&str>) -> Result<Option<String>> {
        let path = self.repo_path();
        #[derive(Deserialize)]
        struct Repository {
            #[allow(dead_code)]
            full_name: String,
        }
        match self.get_json::<Repository>(&path, etag, &format!("repository {}", self.settings.repo)).await? {
            (Some(_), etag, _) => Ok(etag),
            (None, _, _) => Ok(etag.map(str::to_string)),
        }
    }

    /// The login the token acts as (`GET /user`).
    pub async fn viewer_login(&self) -> Result<String> {
        #[derive(Deserialize)]
        struct User {
            login: String,
        }
        match self.get_json::<User>("/user", None, "the token's user").await? {
            (Some(user), _, _) => Ok(user.login),
            (None, _, _) => {
                Err(ForgeError::NotGitHub { api: self.settings.api.clone(), detail: "/user answered 304".into() })
            }
        }
    }

    /// GET and decode JSON: `(None, …)` for 304. Returns the ETag and the
    /// `next` link. Malformed bodies are retried like dropped connections.
    async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        etag: Option<&str>,
        what: &str,
    ) -> Result<(Option<T>, Option<String>, Option<String>)> {
        let mut last = String::new();
        for attempt in 1..=self.settings.attempts {
            let answer = self.get(url, etag, what).await?;
            if answer.status == 304 {
                return Ok((None, etag.map(str::to_string), None));
            }
            let content_type = answer.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !content_type.contains("json") {
                return Err(ForgeError::NotGitHub {
                    api: self.settings.api.clone(),
                    detail: format!("{url} answered `{}` instead of JSON", clip(content_type, 60)),
                });
            }
            match serde_json::from_slice::<T>(&answer.body) {
                Ok(value) => {
                    let etag = header(&answer.headers, ETAG);
                    let next = self.next_link(&answer.headers)?;
                    return Ok((Some(value), etag, next));
                }
                Err(e) => {
                    last = e.to_string();
                    if attempt < self.settings.attempts {
                        self.pause(attempt, &format!("malformed JSON from {url}")).await;
                    }
                }
            }
        }
        Err(ForgeError::NotGitHub {
            api: self.settings.api.clone(),
            detail: format!("{url} kept answering malformed JSON: {}", clip(&last, 120)),
        })
    }

    /// Every page of a list, following `next` links.
    pub(super) async fn get_all<T: DeserializeOwned>(
        &self,
        first: &str,
        etag: Option<&str>,
        what: &str,
    ) -> Result<Fetched<Vec<T>>> {
        let (items, first_etag, mut next) = match self.get_json::<Vec<T>>(first, etag, what).await? {
            (None, _, _) => return Ok(Fetched::NotModified),
            (Some(items), etag, next) => (items, etag, next),
        };
        let mut all = items;
        let mut seen = std::collections::HashSet::new();
        while let Some(url) = next {
            if !seen.insert(url.clone()) || seen.len() > 1000 {
                return Err(ForgeError::NotGitHub {
                    api: self.settings.api.clone(),
                    detail: format!("pagination of {first} does not end"),
                });
            }
            let (items, _, following) = self.get_json::<Vec<T>>(&url, None, what).await?;
            all.extend(items.unwrap_or_default());
            next = following;
        }
        Ok(Fetched::Fresh { value: all, etag: first_etag })
    }

    /// One GET with retries: waits out rate limits, backs off on server
    /// errors, timeouts and dropped connections.
    async fn get(&self, url: &str, etag: Option<&str>, what: &str) -> Result<Answer> {
        let mut last_failure = String::new();
        let mut reached = false;
        for attempt in 1..=self.settings.attempts {
            self.wait_for_rate_limit().await?;
            let sent = {
                let _permit = self.permits.acquire().await.map_err(|e| ForgeError::Client(e.to_string()))?;
                self.stats.requests.fetch_add(1, Ordering::Relaxed);
                tokio::time::timeout(self.settings.timeout, self.send(url, etag)).await
            };
            let answer = match in_time(sent, self.settings.timeout) {
                Ok(answer) => answer,
                Err(failure) => {
                    last_failure = failure;
                    self.retry_pause(attempt, &last_failure).await;
                    continue;
                }
            };
            reached = true;
            self.note_rate_limit(&answer.headers);
            match answer.status {
                304 => {
                    self.stats.not_modified.fetch_add(1, Ordering::Relaxed);
                    return Ok(answer);
                }
                200..=299 => return Ok(answer),
                401 => return Err(ForgeError::Unauthorized { api: self.settings.api.clone() }),
                404 => return Err(ForgeError::NotFound { what: what.to_string(), api: self.settings.api.clone() }),
                403 | 429 => {
                    let message = error_message(&answer.body);
                    last_failure = format!("{} ({})", answer.status, clip(&message, 80));
                    match limited(answer.status, &answer.headers, &message) {
                        Some(Limited::RetryAfter(wait)) => self.wait(wait, "secondary rate limit (retry-after)").await,
                        // The primary limit: the next attempt waits for the reset.
                        Some(Limited::UsedUp) => last_failure = "rate limit used up".into(),
                        Some(Limited::Secondary) => self.wait(Duration::from_secs(60), "secondary rate limit").await,
                        None => {
                            return Err(ForgeError::Forbidden { url: url.to_string(), message: clip(&message, 200) })
                        }
                    }
                }
                500..=599 => {
                    last_failure = format!("{} {}", answer.status, clip(&error_message(&answer.body), 80));
                    self.retry_pause(attempt, &last_failure).await;
                }
                status => {
                    return Err(ForgeError::Unexpected {
                        url: url.to_string(),
                        status,
                        message: clip(&error_message(&answer.body), 200),
                    })
                }
            }
        }
        if reached {
            Err(ForgeError::GaveUp { url: url.to_string(), detail: last_failure, attempts: self.settings.attempts })
        } else {
            Err(ForgeError::Unreachable { api: self.settings.api.clone(), detail: last_failure })
        }
    }

    /// Sends one request and reads its whole body; transport failures
    /// (refused, dropped, cut mid-body) come back as text.
    async fn send(&self, url: &str, etag: Option<&str>) -> std::result::Result<Answer, String> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/vnd.github+json"));
        headers.insert("x-github-api-version", HeaderValue::from_static("2022-11-28"));
        if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(t).ok()) {
            headers.insert(IF_NONE_MATCH, tag);
        }
        let uri: http::Uri = url.parse().map_err(|e| format!("bad URL {url}: {e}"))?;
        let response = self.client._get_with_headers(uri, Some(headers)).await.map_err(describe_octocrab_error)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        // A connection cut mid-body is a transport failure, retried like one.
        let body = match response.into_body().collect().await {
            Ok(collected) => collected.to_bytes().to_vec(),
            Err(e) => return Err(format!("connection lost while reading the answer: {}", describe_octocrab_error(e))),
        };
        Ok(Answer { status, headers, body })
    }

    /// What is already posted on a pull request (its reviews) or a commit
    /// (its comments): where to look for a marker before posting again.
    pub async fn posted(&self, target: &PostTarget) -> Result<Vec<Posted>> {
        let (url, what) = match target {
            PostTarget::Review { pr, .. } => {
                (self.reviews_key(*pr), format!("pull request #{pr} of {}", self.settings.repo))
            }
            PostTarget::CommitComment { sha } => (
                format!("{}/commits/{}/comments?per_page=100", self.repo_path(), percent_encode(sha)),
                format!("commit {sha} of {}", self.settings.repo),
            ),
        };
        match self.get_all::<Posted>(&url, None, &what).await? {
            Fetched::Fresh { value, .. } => Ok(value),
            Fetched::NotModified => Ok(Vec::new()),
        }
    }

    /// Posts once, never retried here: a POST repeated after a lost answer
    /// could post twice, so the caller checks for its marker before trying
    /// again.
    pub async fn post(&self, target: &PostTarget, body: &str) -> std::result::Result<Posted, PostError> {
        let (url, payload) = match target {
            PostTarget::Review { pr, event } => (
                format!("{}/pulls/{pr}/reviews", self.repo_path()),
                serde_json::json!({ "body": body, "event": event }),
            ),
            PostTarget::CommitComment { sha } => (
                format!("{}/commits/{}/comments", self.repo_path(), percent_encode(sha)),
                serde_json::json!({ "body": body }),
            ),
        };
        self.wait_for_rate_limit().await.map_err(|e| PostError::Transient(e.to_string()))?;
        let sent = {
            let _permit = self.permits.acquire().await.map_err(|e| PostError::Transient(e.to_string()))?;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            tokio::time::timeout(self.settings.timeout, self.send_post(&url, &payload)).await
        };
        let answer = match sent {
            Err(_) => {
                return Err(PostError::Transient(format!("no answer within {} s", self.settings.timeout.as_secs_f64())))
            }
            Ok(Err(detail)) => return Err(PostError::Transient(detail)),
            Ok(Ok(answer)) => answer,
        };
        self.note_rate_limit(&answer.headers);
        let message = clip(&error_details(&answer.body), 300);
        match answer.status {
            200..=299 => serde_json::from_slice::<Posted>(&answer.body)
                .map_err(|e| PostError::Transient(format!("GitHub's answer to {url} did not decode: {e}"))),
            status if limited(status, &answer.headers, &message).is_some() => {
                Err(PostError::Transient(format!("rate limited ({}): {message}", answer.status)))
            }
            500..=599 => Err(PostError::Transient(format!("{} {message}", answer.status))),
            status => Err(PostError::Refused { status, message }),
        }
    }

    /// The backoff between attempts (jittered, doubling), reported as a wait.
    pub async fn pause_before_retry(&self, attempt: u32, reason: &str) {
        self.retry_pause(attempt, reason).await
    }

    pub(super) async fn send_post(
        &self,
        url: &str,
        payload: &serde_json::Value,
    ) -> std::result::Result<Answer, String> {
        let request = http::Request::builder()
            .method(http::Method::POST)
            .uri(url)
            .header(ACCEPT, "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28");
        let request = self.client.build_request(request, Some(payload)).map_err(describe_octocrab_error)?;
        let response = self.client.execute(request).await.map_err(describe_octocrab_error)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = match response.into_body().collect().await {
            Ok(collected) => collected.to_bytes().to_vec(),
            Err(e) => return Err(format!("connection lost while reading the answer: {}", describe_octocrab_error(e))),
        };
        Ok(Answer { status, headers, body })
    }

    fn note_rate_limit(&self, headers: &HeaderMap) {
        let number = |name: &str| header(headers, name).and_then(|v| v.parse::<i64>().ok());
        let (Some(remaining), Some(limit), Some(reset)) =
            (number("x-ratelimit-remaining"), number("x-ratelimit-limit"), number("x-ratelimit-reset"))
        else {
            return;
        };
        let now = RateLimit { remaining: remaining.max(0) as u64, limit: limit.max(0) as u64, reset };
        if let Ok(mut rate) = self.rate.lock() {
            *rate = Some(now);
        }
        (self.events)(SyncEvent::RateLimit { remaining: now.remaining, limit: now.limit, reset: now.reset });
    }

    async fn wait_for_rate_limit(&self) -> Result<()> {
        let rate = self.rate.lock().ok().and_then(|r| *r);
        let Some(rate) = rate.filter(|r| r.remaining == 0) else { return Ok(()) };
        let now = chrono::Utc::now().timestamp();
        if rate.reset <= now {
            return Ok(());
        }
        let wait = Duration::from_secs((rate.reset - now + 1) as u64);
        if wait > self.settings.max_rate_wait {
            let reset = crate::model::rfc3339(rate.reset);
            let hint = if self.settings.token.is_none() {
                ": unauthenticated requests get 60 an hour; set GITHUB_TOKEN or run `gh auth login`".to_string()
            } else {
                "; run `rearview sync` again after it".to_string()
            };
            return Err(ForgeError::RateLimited { reset, hint });
        }
        self.wait(wait, "rate limit used up").await;
        if let Ok(mut r) = self.rate.lock() {
            // Assume the reset happened; the next answer corrects this.
            *r = None;
        }
        Ok(())
    }

    pub(super) async fn wait(&self, wait: Duration, reason: &str) {
        (self.events)(SyncEvent::Waiting { seconds: wait.as_secs_f64(), reason: reason.to_string() });
        tokio::time::sleep(wait).await;
    }

    /// Exponential backoff with full jitter, before retry `attempt + 1`.
    async fn retry_pause(&self, attempt: u32, reason: &str) {
        if attempt < self.settings.attempts {
            self.pause(attempt, reason).await;
        }
    }

    pub(super) async fn pause(&self, attempt: u32, reason: &str) {
        self.stats.retries.fetch_add(1, Ordering::Relaxed);
        let ceiling = self.settings.backoff.saturating_mul(1 << attempt.min(6));
        let wait = ceiling.mul_f64(0.5 + jitter() / 2.0).min(Duration::from_secs(30));
        self.wait(wait, &format!("retrying after {}", clip(reason, 80))).await;
    }

    /// The `rel="next"` link, if it stays on the API's host (a link
    /// elsewhere would carry the token to a stranger).
    fn next_link(&self, headers: &HeaderMap) -> Result<Option<String>> {
        let Some(link) = header(headers, LINK) else { return Ok(None) };
        let Some(next) = parse_next_link(&link) else { return Ok(None) };
        if !next.starts_with(&format!("{}/", self.origin)) {
            return Err(ForgeError::NotGitHub {
                api: self.settings.api.clone(),
                detail: format!("a pagination link leaves the API host: {}", clip(&next, 120)),
            });
        }
        Ok(Some(next))
    }

    fn first_pulls_url(&self, base: &str) -> String {
        format!(
            "{}/pulls?state=closed&base={}&sort=updated&direction=desc&per_page=100",
            self.repo_path(),
            percent_encode(base)
        )
    }
}

impl Forge for GitHub {
    async fn pulls_page(
        &self,
        base: &str,
        url: Option<&str>,
        etag: Option<&str>,
    ) -> Result<Fetched<Page<PullRequest>>> {
        let first = self.first_pulls_url(base);
        let url = url.unwrap_or(&first);
        let what = format!("repository {}", self.settings.repo);
        match self.get_json::<Vec<ApiPull>>(url, etag, &what).await? {
            (None, _, _) => Ok(Fetched::NotModified),
            (Some(pulls), etag, next) => {
                let items = pulls.into_iter().map(ApiPull::into_model).collect();
                Ok(Fetched::Fresh { value: Page { items, next }, etag })
            }
        }
    }

    async fn pull(&self, number: u64) -> Result<PullRequest> {
        let url = format!("{}/pulls/{number}", self.repo_path());
        let what = format!("pull request #{number} of {}", self.settings.repo);
        match self.get_json::<ApiPull>(&url, None, &what).await? {
            (Some(pull), _, _) => Ok(pull.into_model()),
            (None, _, _) => {
                Err(ForgeError::Unexpected { url, status: 304, message: "not modified without a condition".into() })
            }
        }
    }

    async fn reviews(&self, number: u64, etag: Option<&str>) -> Result<Fetched<Vec<Review>>> {
        let what = format!("pull request #{number} of {}", self.settings.repo);
        match self.get_all::<ApiReview>(&self.reviews_key(number), etag, &what).await? {
            Fetched::NotModified => Ok(Fetched::NotModified),
            Fetched::Fresh { value, etag } => {
                let reviews = value.into_iter().filter_map(|r| r.into_model(number)).collect();
                Ok(Fetched::Fresh { value: reviews, etag })
            }
        }
    }

    async fn commits(&self, number: u64) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct ApiCommit {
            sha: String,
        }
        let url = format!("{}/pulls/{number}/commits?per_page=100", self.repo_path());
        let what = format!("pull request #{number} of {}", self.settings.repo);
        match self.get_all::<ApiCommit>(&url, None, &what).await? {
            Fetched::Fresh { value, .. } => Ok(value.into_iter().map(|c| c.sha).collect()),
            Fetched::NotModified => Ok(Vec::new()),
        }
    }

    async fn pulls_for_commit(&self, sha: &str) -> Result<Vec<u64>> {
        #[derive(Deserialize)]
        struct Numbered {
            number: u64,
        }
        let url = format!("{}/commits/{}/pulls", self.repo_path(), percent_encode(sha));
        let what = format!("commit {sha} of {}", self.settings.repo);
        match self.get_json::<Vec<Numbered>>(&url, None, &what).await {
            Ok((Some(pulls), _, _)) => Ok(pulls.into_iter().map(|p| p.number).collect()),
            Ok((None, _, _)) => Ok(Vec::new()),
            // GitHub does not know the commit (never pushed there): no pull request.
            Err(ForgeError::NotFound { .. }) | Err(ForgeError::Unexpected { status: 422, .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    fn pulls_key(&self, base: &str) -> String {
        self.first_pulls_url(base)
    }

    fn reviews_key(&self, number: u64) -> String {
        format!("{}/pulls/{number}/reviews?per_page=100", self.repo_path())
    }
}

// ---------------------------------------------------------------- posting

/// Where a post goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostTarget {
    /// A pull request review; `event` is `APPROVE` or `COMMENT`.
    Review { pr: u64, event: &'static str },
    /// A comment on a commit (a change without a pull request).
    CommitComment { sha: String },
}

/// A review or comment as GitHub shows it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Posted {
    pub id: u64,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

/// Why a post did not land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostError {
    /// GitHub said no (401, 403, 404, 422…): trying again will not help.
    Refused { status: u16, message: String },
    /// The network, a server error or a rate limit: it may have landed or
    /// not; look for the marker, then try again.
    Transient(String),
}

// ---------------------------------------------------------------- GitHub's JSON, only what is used

#[derive(Deserialize)]
struct ApiUser {
    login: String,
}

#[derive(Deserialize)]
struct ApiRef {
    #[serde(rename = "ref")]
    name: String,
    sha: Option<String>,
}

#[derive(Deserialize)]
struct ApiLabel {
    name: String,
}

#[derive(Deserialize)]
struct ApiPull {
    number: u64,
    title: Option<String>,
    body: Option<String>,
    user: Option<ApiUser>,
    author_association: Option<String>,
    merged_by: Option<ApiUser>,
    merged_at: Option<String>,
    merge_commit_sha: Option<String>,
    head: ApiRef,
    base: ApiRef,
    #[serde(default)]
    labels: Vec<ApiLabel>,
    updated_at: Option<String>,
}

impl ApiPull {
    fn into_model(self) -> PullRequest {
        PullRequest {
            number: self.number,
            title: self.title.unwrap_or_default(),
            body: self.body.unwrap_or_default(),
            author: self.user.map(|u| u.login).unwrap_or_else(|| "ghost".into()),
            author_association: self.author_association.unwrap_or_default(),
            merged_by: self.merged_by.map(|u| u.login),
            merged_at: self.merged_at.as_deref().and_then(timestamp),
            merge_commit_sha: self.merge_commit_sha,
            head_sha: self.head.sha,
            base_branch: self.base.name,
            labels: self.labels.into_iter().map(|l| l.name).collect(),
            updated_at: self.updated_at.as_deref().and_then(timestamp),
            commits: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
struct ApiReview {
    id: u64,
    user: Option<ApiUser>,
    #[serde(default)]
    body: Option<String>,
    state: String,
    commit_id: Option<String>,
    submitted_at: Option<String>,
    author_association: Option<String>,
}

impl ApiReview {
    /// Pending (unsubmitted) reviews and unknown states are no evidence.
    fn into_model(self, pr: u64) -> Option<Review> {
        Some(Review {
            id: self.id,
            pr,
            user: self.user.map(|u| u.login).unwrap_or_else(|| "ghost".into()),
            state: ReviewState::parse(&self.state)?,
            commit_id: self.commit_id,
            submitted_at: self.submitted_at.as_deref().and_then(timestamp),
            author_association: self.author_association.unwrap_or_default(),
            marker: self.body.as_deref().and_then(super::outbox::marker_kind),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulls_decode_from_githubs_shape() {
        let json = r#"{"number": 7, "title": "Fix", "body": null, "user": {"login": "alice"},
            "author_association": "MEMBER", "merged_at": "2024-05-06T09:00:00Z", "merge_commit_sha": "abc",
            "head": {"ref": "fix", "sha": "h1"}, "base": {"ref": "main", "sha": "b1"},
            "labels": [{"name": "bug"}], "updated_at": "2024-05-07T09:00:00Z", "extra": 1}"#;
        let pr = serde_json::from_str::<ApiPull>(json).expect("decodes").into_model();
        assert_eq!(pr.number, 7);
        assert_eq!(pr.author, "alice");
        assert_eq!(pr.merged_by, None, "the list endpoint has no merged_by");
        assert_eq!(pr.merged_at, Some(1_714_986_000));
        assert_eq!(pr.labels, ["bug"]);
        assert_eq!(pr.base_branch, "main");
    }
}
