//! HTTP as GitHub speaks it, for REST and GraphQL alike: headers, error
//! bodies, pagination links, URL encoding, transport errors in one line,
//! and the jitter of retries.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;

pub fn timestamp(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp())
}

pub fn header(headers: &HeaderMap, name: impl http::header::AsHeaderName) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = header(headers, RETRY_AFTER)?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds.min(3600)))
}

/// GitHub's `{"message": …}`, or the start of whatever came instead.
pub fn error_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Message {
        message: String,
    }
    match serde_json::from_slice::<Message>(body) {
        Ok(m) => m.message,
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(120)]).trim().to_string(),
    }
}

/// The message and GitHub's `errors` list (422s explain themselves there).
pub fn error_details(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Details {
        message: String,
        #[serde(default)]
        errors: Vec<serde_json::Value>,
    }
    match serde_json::from_slice::<Details>(body) {
        Ok(d) => {
            let errors: Vec<String> = d
                .errors
                .iter()
                .map(|e| match e {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.get("message").and_then(|m| m.as_str()).map(str::to_string).unwrap_or_default(),
                })
                .filter(|e| !e.is_empty())
                .collect();
            if errors.is_empty() {
                d.message
            } else {
                format!("{}: {}", d.message, errors.join("; "))
            }
        }
        Err(_) => error_message(body),
    }
}

/// `<https://…?page=2>; rel="next", <…>; rel="last"` → the next URL.
pub fn parse_next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.trim().split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p == "rel=\"next\"" || p == "rel=next"
        });
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

/// `https://host:port` of a URL.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split('/').next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A transport error in one line, without request details (the request
/// carries the token; the error never does, but say only what failed).
pub fn describe_octocrab_error(e: octocrab::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    clip(&text.replace('\n', " "), 200)
}

pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max).collect();
        s.push('…');
        s
    }
}

/// A number in [0, 1) that differs between calls (jitter, not crypto).
pub fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = chrono::Utc::now().timestamp_subsec_nanos() as u64;
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ seed;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// How GitHub refused a request for its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// A secondary limit that says when to come back.
    RetryAfter(Duration),
    /// The primary limit (REST requests or GraphQL points) is used up
    /// until the reset the headers name.
    UsedUp,
    /// A secondary limit that says nothing of when: a minute's wait.
    Secondary,
}

/// Whether an answer is a limit, and which (REST and GraphQL alike).
pub fn limited(status: u16, headers: &HeaderMap, message: &str) -> Option<Limited> {
    if !matches!(status, 403 | 429) {
        return None;
    }
    if let Some(wait) = retry_after(headers) {
        return Some(Limited::RetryAfter(wait));
    }
    if header(headers, "x-ratelimit-remaining").as_deref() == Some("0") {
        return Some(Limited::UsedUp);
    }
    if status == 429 || message.to_ascii_lowercase().contains("secondary rate limit") {
        return Some(Limited::Secondary);
    }
    None
}

/// A request's outcome within its timeout: the answer, or what failed in
/// one line (no answer in time, or the transport's failure).
pub fn in_time<T>(
    sent: Result<Result<T, String>, tokio::time::error::Elapsed>,
    timeout: Duration,
) -> Result<T, String> {
    match sent {
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs_f64())),
        Ok(outcome) => outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_told_apart() {
        let mut headers = HeaderMap::new();
        assert_eq!(limited(403, &headers, "Resource not accessible by integration"), None);
        assert_eq!(limited(429, &headers, ""), Some(Limited::Secondary));
        assert_eq!(limited(403, &headers, "You have exceeded a secondary rate limit"), Some(Limited::Secondary));
        headers.insert("x-ratelimit-remaining", http::HeaderValue::from_static("0"));
        assert_eq!(limited(403, &headers, "API rate limit exceeded"), Some(Limited::UsedUp));
        headers.insert(RETRY_AFTER, http::HeaderValue::from_static("7"));
        assert_eq!(limited(403, &headers, ""), Some(Limited::RetryAfter(Duration::from_secs(7))));
        assert_eq!(limited(500, &headers, ""), None);
    }

    #[test]
    fn next_links() {
        let link = r#"<https://api.github.com/repos/o/r/pulls?page=2>; rel="next", <https://api.github.com/repos/o/r/pulls?page=9>; rel="last""#;
        assert_eq!(parse_next_link(link).as_deref(), Some("https://api.github.com/repos/o/r/pulls?page=2"));
        let last = r#"<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=3>; rel="prev""#;
        assert_eq!(parse_next_link(last), None);
        assert_eq!(parse_next_link("garbage"), None);
    }

    #[test]
    fn encoding_and_origins() {
        assert_eq!(percent_encode("release/1.0 & more"), "release%2F1.0%20%26%20more");
        assert_eq!(origin_of("https://ghe.example.com/api/v3").as_deref(), Some("https://ghe.example.com"));
        assert_eq!(origin_of("http://127.0.0.1:9999").as_deref(), Some("http://127.0.0.1:9999"));
        assert_eq!(origin_of("ftp://x"), None);
    }

    #[test]
    fn jitter_stays_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
