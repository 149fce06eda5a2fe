//! Which GitHub repository a clone belongs to, from its remote URL.

use crate::model::RepoSlug;

/// The host and path of a remote URL in any of git's forms:
/// `https://host/o/r.git`, `ssh://git@host/o/r`, `git@host:o/r.git`.
/// Credentials embedded in the URL are dropped, never returned.
fn host_and_path(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    if let Some((scheme, rest)) = url.split_once("://") {
        if !matches!(scheme, "https" | "http" | "ssh" | "git" | "git+ssh") {
            return None;
        }
        let (authority, path) = rest.split_once('/')?;
        let host = authority.rsplit('@').next()?;
        let host = host.split(':').next()?;
        return Some((host.to_ascii_lowercase(), path.to_string()));
    }
    // scp-like: [user@]host:path
    let (authority, path) = url.split_once(':')?;
    if authority.contains('/') {
        return None;
    }
    let host = authority.rsplit('@').next()?;
    Some((host.to_ascii_lowercase(), path.trim_start_matches('/').to_string()))
}

/// The repository a remote URL points to, if it is on `web_host` (e.g.
/// `github.com`, or a GitHub Enterprise host).
pub fn slug_from_remote(url: &str, web_host: &str) -> Option<RepoSlug> {
    let (host, path) = host_and_path(url)?;
    let on_host = host == web_host || host == format!("www.{web_host}") || host == format!("ssh.{web_host}");
    if !on_host {
        return None;
    }
    RepoSlug::parse(path.trim_end_matches('/'))
}

/// The web host for an API base URL: `https://api.github.com` →
/// `github.com`; `https://ghe.example.com/api/v3` → `ghe.example.com`.
pub fn web_host(api: &str) -> String {
    let api = redact(api);
    let rest = api.split_once("://").map(|(_, r)| r).unwrap_or(&api);
    let host = rest.split(['/', ':']).next().unwrap_or(rest).to_ascii_lowercase();
    host.strip_prefix("api.").map(str::to_string).unwrap_or(host)
}

/// A URL with any credentials (`user:password@`) removed, for messages
/// and for the API base, whose userinfo nothing sends.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    // The authority ends at the path, the query or the fragment.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{tail}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(url: &str) -> Option<String> {
        slug_from_remote(url, "github.com").map(|s| s.to_string())
    }

    #[test]
    fn remote_forms() {
        let cases = [
            ("https://github.com/python/cpython.git", Some("python/cpython")),
            ("https://github.com/python/cpython", Some("python/cpython")),
            ("https://github.com/python/cpython/", Some("python/cpython")),
            ("https://x-access-token:ghp_secret@github.com/python/cpython.git", Some("python/cpython")),
            ("git@github.com:python/cpython.git", Some("python/cpython")),
            ("ssh://git@github.com/python/cpython.git", Some("python/cpython")),
            ("ssh://git@ssh.github.com:443/python/cpython.git", Some("python/cpython")),
            ("https://gitlab.com/python/cpython.git", None),
            ("/srv/git/cpython.git", None),
            ("https://github.com/python", None),
            ("https://github.com/../etc", None),
        ];
        for (url, want) in cases {
            assert_eq!(slug(url).as_deref(), want, "{url}");
        }
        assert_eq!(
            slug_from_remote("git@ghe.corp.example:team/tool.git", "ghe.corp.example").map(|s| s.to_string()),
            Some("team/tool".to_string())
        );
    }

    #[test]
    fn web_hosts() {
        assert_eq!(web_host("https://api.github.com"), "github.com");
        assert_eq!(web_host("https://ghe.example.com/api/v3"), "ghe.example.com");
        assert_eq!(web_host("http://127.0.0.1:8080"), "127.0.0.1");
    }

    #[test]
    fn credentials_are_redacted() {
        assert_eq!(redact("https://u:pw@ghe.example.com"), "https://ghe.example.com");
        assert_eq!(redact("https://u:pw@host:8443?x=1"), "https://host:8443?x=1");
        assert_eq!(redact("https://u:p@w@host/api/v3"), "https://host/api/v3");
        assert_eq!(redact("https://host/a@b"), "https://host/a@b", "an @ in the path is no userinfo");
        assert_eq!(web_host("https://u:pw@api.github.com"), "github.com");
        assert_eq!(redact("https://user:ghp_secret@github.com/o/r.git"), "https://github.com/o/r.git");
        assert_eq!(redact("git@github.com:o/r.git"), "git@github.com:o/r.git");
    }
}
