//! Finding the GitHub token: `GITHUB_TOKEN`, `GH_TOKEN`, `gh auth token`,
//! then the config's `token_command`. The token is wrapped so that it can
//! never be printed by accident.

use std::process::{Command, Stdio};

/// A secret token. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(secret: String) -> Option<Token> {
        let secret = secret.trim().to_string();
        // A token is one printable word; anything else is a mistake.
        let plausible = !secret.is_empty() && secret.len() < 1024 && secret.chars().all(|c| c.is_ascii_graphic());
        plausible.then_some(Token(secret))
    }

    /// A name for this token at `api` that does not reveal it: the key of
    /// the login it acts as, cached in the store.
    pub fn key(&self, api: &str) -> String {
        use sha1::{Digest, Sha1};
        let digest =
            Sha1::new().chain_update(api.as_bytes()).chain_update([0]).chain_update(self.0.as_bytes()).finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The secret itself, for the HTTP client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Where the token came from (shown to the user; the token never is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    Env(&'static str),
    GhCli,
    Command,
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSource::Env(var) => write!(f, "${var}"),
            TokenSource::GhCli => f.write_str("`gh auth token`"),
            TokenSource::Command => f.write_str("config token_command"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("config token_command `{command}` failed ({status}); fix it or set GITHUB_TOKEN")]
    CommandFailed { command: String, status: String },
    #[error("config token_command `{command}` printed no usable token; fix it or set GITHUB_TOKEN")]
    CommandEmpty { command: String },
}

/// Looks for a token in order; `None` means unauthenticated.
pub fn discover(host: &str, token_command: Option<&str>) -> Result<Option<(Token, TokenSource)>, TokenError> {
    for var in ["GITHUB_TOKEN", "GH_TOKEN"] {
        if let Some(token) = std::env::var(var).ok().and_then(Token::new) {
            return Ok(Some((token, TokenSource::Env(var))));
        }
    }
    if let Some(token) = gh_auth_token(host) {
        return Ok(Some((token, TokenSource::GhCli)));
    }
    let Some(command) = token_command else { return Ok(None) };
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| TokenError::CommandFailed { command: command.to_string(), status: e.to_string() })?;
    if !output.status.success() {
        return Err(TokenError::CommandFailed { command: command.to_string(), status: output.status.to_string() });
    }
    let token = String::from_utf8(output.stdout).ok().and_then(Token::new);
    match token {
        Some(token) => Ok(Some((token, TokenSource::Command))),
        None => Err(TokenError::CommandEmpty { command: command.to_string() }),
    }
}

/// `gh auth token --hostname HOST`, when the GitHub CLI is installed and
/// logged in; silence otherwise.
fn gh_auth_token(host: &str) -> Option<Token> {
    let output = Command::new("gh")
        .args(["auth", "token", "--hostname", host])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok().and_then(Token::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_print() {
        let t = Token::new("ghp_supersecret\n".into()).expect("plausible");
        assert_eq!(t.expose(), "ghp_supersecret");
        assert_eq!(format!("{t:?}"), "Token(***)");
        assert!(Token::new("  ".into()).is_none());
        assert!(Token::new("two words".into()).is_none());
    }
}
