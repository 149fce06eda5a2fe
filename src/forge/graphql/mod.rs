//! GitHub's GraphQL API for a sync's bulk reads: one query brings a page of
//! merged pull requests with their reviews and labels, where REST needs a
//! request per pull request.
//!
//! Queries go over the same octocrab client as REST (base URL, token, TLS),
//! posted to the GraphQL endpoint of the API host: `/graphql` beside
//! `https://api.github.com`, `/api/graphql` for an Enterprise host's
//! `/api/v3`. (octocrab's own `graphql()` posts under the REST base and
//! hides the status and headers a retry needs, so the request is built here.)
//!
//! Every query asks for `rateLimit { cost remaining resetAt limit }`. The
//! client keeps a points budget from those answers: it reserves a query's
//! expected cost before sending, waits for the reset when the budget cannot
//! pay, and keeps few queries in flight (GitHub's secondary limits punish
//! concurrent GraphQL). Failures are retried like REST's: server errors,
//! timeouts, dropped connections and malformed answers with backoff,
//! secondary limits after `retry-after`, `RATE_LIMITED` after the reset.

pub mod queries;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::github::GitHub;
use super::http::{clip, error_message, header, in_time, limited, timestamp, Limited};
use super::{ForgeError, Result, SyncEvent};

/// Queries in flight at once: GitHub asks integrators not to run GraphQL
/// queries concurrently, and counts them against a secondary limit.
const IN_FLIGHT: usize = 2;

/// Queries and points spent, for the summary, the bench and the tests.
#[derive(Debug, Default)]
pub struct QueryStats {
    pub queries: AtomicU64,
    pub points: AtomicU64,
}

/// The points budget as the latest answer left it.
#[derive(Debug, Default)]
struct Budget {
    remaining: Option<u64>,
    limit: u64,
    reset: i64,
    /// Expected costs of the queries in flight.
    reserved: u64,
}

/// A GraphQL error as GitHub sends it (beside data, or instead of it).
#[derive(Debug, Clone, Deserialize)]
pub struct QueryError {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub path: Vec<Value>,
}

impl QueryError {
    /// The alias or field the error is about (its path's second step under
    /// `repository`, or its first).
    pub fn names(&self, key: &str) -> bool {
        self.path.iter().any(|p| p.as_str() == Some(key))
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<QueryError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitField {
    cost: u64,
    remaining: u64,
    reset_at: String,
    limit: u64,
}

pub struct GraphQl<'g> {
    github: &'g GitHub,
    url: String,
    in_flight: tokio::sync::Semaphore,
    budget: Mutex<Budget>,
    pub stats: QueryStats,
}

/// The GraphQL endpoint of a REST API base URL.
pub fn endpoint(api: &str) -> String {
    let api = api.trim_end_matches('/');
    match api.strip_suffix("/api/v3") {
        Some(host) => format!("{host}/api/graphql"),
        None => format!("{api}/graphql"),
    }
}

impl<'g> GraphQl<'g> {
    pub fn new(github: &'g GitHub) -> GraphQl<'g> {
        GraphQl {
            url: endpoint(&github.settings().api),
            github,
            in_flight: tokio::sync::Semaphore::new(IN_FLIGHT),
            budget: Mutex::new(Budget::default()),
            stats: QueryStats::default(),
        }
    }

    pub fn github(&self) -> &GitHub {
        self.github
    }

    /// Runs one query expected to cost `cost` points; `what` names it in
    /// errors. Returns the data with the errors GitHub sent beside it (a
    /// `NOT_FOUND` for one alias of a batch, say).
    pub async fn query<T: DeserializeOwned>(
        &self,
        text: &str,
        variables: Value,
        cost: u64,
        what: &str,
    ) -> Result<(T, Vec<QueryError>)> {
        let payload = serde_json::json!({ "query": text, "variables": variables });
        let settings = self.github.settings();
        let mut last_failure = String::new();
        let mut reached = false;
        for attempt in 1..=settings.attempts {
            self.reserve(cost).await?;
            let sent = {
                let _permit = self.in_flight.acquire().await.map_err(|e| ForgeError::Client(e.to_string()))?;
                self.github.stats.requests.fetch_add(1, Ordering::Relaxed);
                self.stats.queries.fetch_add(1, Ordering::Relaxed);
                tokio::time::timeout(settings.timeout, self.github.send_post(&self.url, &payload)).await
            };
            self.release(cost);
            let answer = match in_time(sent, settings.timeout) {
                Ok(answer) => answer,
                Err(failure) => {
                    last_failure = failure;
                    self.retry_pause(attempt, &last_failure).await;
                    continue;
                }
            };
            reached = true;
            match answer.status {
                200 => {}
                401 => return Err(ForgeError::Unauthorized { api: settings.api.clone() }),
                404 => return Err(ForgeError::NoGraphQl { url: self.url.clone() }),
                403 | 429 => {
                    let message = error_message(&answer.body);
                    last_failure = format!("{} ({})", answer.status, clip(&message, 80));
                    match limited(answer.status, &answer.headers, &message) {
                        Some(Limited::RetryAfter(wait)) => {
                            self.github.wait(wait, "secondary rate limit (retry-after)").await
                        }
                        Some(Limited::UsedUp) => {
                            last_failure = "GraphQL points used up".into();
                            self.spent_all(&answer.headers);
                        }
                        Some(Limited::Secondary) => {
                            self.github.wait(Duration::from_secs(60), "secondary rate limit").await
                        }
                        None => {
                            return Err(ForgeError::Forbidden { url: self.url.clone(), message: clip(&message, 200) })
                        }
                    }
                    continue;
                }
                500..=599 => {
                    last_failure = format!("{} {}", answer.status, clip(&error_message(&answer.body), 80));
                    self.retry_pause(attempt, &last_failure).await;
                    continue;
                }
                status => {
                    return Err(ForgeError::Unexpected {
                        url: self.url.clone(),
                        status,
                        message: clip(&error_message(&answer.body), 200),
                    })
                }
            }
            let envelope = match serde_json::from_slice::<Envelope>(&answer.body) {
                Ok(envelope) => envelope,
                Err(e) => {
                    last_failure = format!("malformed JSON: {}", clip(&e.to_string(), 80));
                    self.retry_pause(attempt, &last_failure).await;
                    continue;
                }
            };
            if envelope.errors.iter().any(|e| matches!(e.kind.as_deref(), Some("RATE_LIMITED" | "RATE_LIMIT"))) {
                last_failure = "GraphQL points used up".into();
                self.spent_all(&answer.headers);
                continue;
            }
            let Some(mut data) = envelope.data.filter(|d| !d.is_null()) else {
                return Err(refused(what, &envelope.errors));
            };
            if let Some(rate) = data.get_mut("rateLimit").map(Value::take) {
                self.note_points(rate);
            }
            return match serde_json::from_value::<T>(data) {
                Ok(value) => Ok((value, envelope.errors)),
                // Data that does not fit the query's shape next to errors:
                // the errors say why.
                Err(_) if !envelope.errors.is_empty() => Err(refused(what, &envelope.errors)),
                Err(e) => Err(ForgeError::BadAnswer { what: what.to_string(), detail: clip(&e.to_string(), 160) }),
            };
        }
        if reached {
            Err(ForgeError::GaveUp { url: self.url.clone(), detail: last_failure, attempts: settings.attempts })
        } else {
            Err(ForgeError::Unreachable { api: settings.api.clone(), detail: last_failure })
        }
    }

    async fn retry_pause(&self, attempt: u32, reason: &str) {
        if attempt < self.github.settings().attempts {
            self.github.pause(attempt, reason).await;
        }
    }

    /// Waits until the budget can pay `cost`, then sets it aside.
    async fn reserve(&self, cost: u64) -> Result<()> {
        loop {
            let wait = {
                let mut budget = self.budget.lock().map_err(|_| ForgeError::Client("budget lock poisoned".into()))?;
                let now = chrono::Utc::now().timestamp();
                match budget.remaining {
                    Some(remaining) if remaining < budget.reserved + cost && budget.reset > now => {
                        Duration::from_secs((budget.reset - now + 1) as u64)
                    }
                    Some(_) if budget.reset <= now => {
                        // The window has reset; the next answer tells the new figures.
                        budget.remaining = None;
                        budget.reserved += cost;
                        return Ok(());
                    }
                    _ => {
                        budget.reserved += cost;
                        return Ok(());
                    }
                }
            };
            if wait > self.github.settings().max_rate_wait {
                let reset = self.budget.lock().map(|b| b.reset).unwrap_or_default();
                return Err(ForgeError::RateLimited {
                    reset: crate::model::rfc3339(reset),
                    hint: " (GraphQL points); run `rearview sync` again after it".into(),
                });
            }
            self.github.wait(wait, "GraphQL points used up until the reset").await;
            if let Ok(mut budget) = self.budget.lock() {
                budget.remaining = None;
            }
        }
    }

    fn release(&self, cost: u64) {
        if let Ok(mut budget) = self.budget.lock() {
            budget.reserved = budget.reserved.saturating_sub(cost);
        }
    }

    /// A `RATE_LIMITED` answer: nothing left until the reset its headers
    /// name (or the one known).
    fn spent_all(&self, headers: &http::HeaderMap) {
        let reset = header(headers, "x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok());
        if let Ok(mut budget) = self.budget.lock() {
            budget.remaining = Some(0);
            match reset {
                Some(reset) => budget.reset = reset,
                // No time given: try again in a minute rather than at once.
                None if budget.reset <= chrono::Utc::now().timestamp() => {
                    budget.reset = chrono::Utc::now().timestamp() + 60
                }
                None => {}
            }
        }
    }

    fn note_points(&self, rate: Value) {
        let Ok(rate) = serde_json::from_value::<RateLimitField>(rate) else { return };
        let used = self.stats.points.fetch_add(rate.cost, Ordering::Relaxed) + rate.cost;
        let reset = timestamp(&rate.reset_at).unwrap_or_default();
        if let Ok(mut budget) = self.budget.lock() {
            // Answers to queries in flight together may arrive in any
            // order: within one window, the least left is the latest.
            let same_window = budget.reset == reset;
            budget.remaining = match budget.remaining {
                Some(known) if same_window => Some(known.min(rate.remaining)),
                _ => Some(rate.remaining),
            };
            budget.limit = rate.limit;
            budget.reset = reset;
        }
        self.github.emit(SyncEvent::Points { used, remaining: rate.remaining, limit: rate.limit, reset });
    }
}

/// GitHub answered with errors and no data.
fn refused(what: &str, errors: &[QueryError]) -> ForgeError {
    if errors.iter().any(|e| e.kind.as_deref() == Some("NOT_FOUND") && e.names("repository")) {
        return ForgeError::NotFound { what: what.to_string(), api: "GitHub's GraphQL API".into() };
    }
    let message = errors.iter().map(|e| e.message.as_str()).filter(|m| !m.is_empty()).collect::<Vec<_>>().join("; ");
    ForgeError::Query { what: what.to_string(), message: clip(&message, 300) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_sits_beside_the_rest_api() {
        assert_eq!(endpoint("https://api.github.com"), "https://api.github.com/graphql");
        assert_eq!(endpoint("https://ghe.example.com/api/v3/"), "https://ghe.example.com/api/graphql");
        assert_eq!(endpoint("http://127.0.0.1:9"), "http://127.0.0.1:9/graphql");
    }
}
