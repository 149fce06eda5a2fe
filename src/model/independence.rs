//! Who may not approve a change (DESIGN "Independent approval"): its
//! parties, and how a reviewer — a GitHub review's login, or a ledger
//! entry's reviewer and git email — is matched against them.

use serde::{Deserialize, Serialize};

use super::Person;

/// Why someone's approval of a change is not independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PrAuthor,
    Author,
    CoAuthor,
    Committer,
    /// Asked a bot for this backport (merged its original).
    Requester,
}

impl Role {
    pub fn describe(self) -> &'static str {
        match self {
            Role::PrAuthor => "the pull request's author",
            Role::Author => "the commit's author",
            Role::CoAuthor => "a co-author",
            Role::Committer => "the committer",
            Role::Requester => "who asked for this backport",
        }
    }
}

/// Someone whose approval of a change does not count, known by login, by
/// git identity, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
}

impl Party {
    /// Whether `who` (a login, an email or a name, as the ledger records a
    /// reviewer) with git email `email` (may be empty) is this party: by
    /// login, else by email, else by name.
    pub fn is(&self, who: &str, email: &str) -> bool {
        if self.login.as_deref().is_some_and(|l| !who.is_empty() && l.eq_ignore_ascii_case(who)) {
            return true;
        }
        let Some(person) = &self.person else { return false };
        let emails = [email, if who.contains('@') { who } else { "" }];
        if emails.iter().any(|e| !e.is_empty() && e.eq_ignore_ascii_case(&person.email)) {
            return true;
        }
        // No email to go by: git's user.name or $USER against the name.
        email.is_empty() && !who.contains('@') && !who.is_empty() && person.name == who
    }

    /// Who this party is known as: login, else email, else name.
    pub fn known_as(&self) -> String {
        match (&self.login, &self.person) {
            (Some(login), _) => login.clone(),
            (None, Some(p)) if !p.email.is_empty() => p.email.clone(),
            (None, Some(p)) => p.name.clone(),
            (None, None) => String::new(),
        }
    }
}

/// Why an approval by `who` (git email `email`) would not count, in one
/// line naming the rule; `None` when it would.
pub fn not_independent(parties: &[Party], who: &str, email: &str) -> Option<String> {
    party_of(parties, who, email).map(|p| {
        let known = p.known_as();
        let also = if known.eq_ignore_ascii_case(who) { String::new() } else { format!(" ({known})") };
        format!(
            "{who} is {}{also}: an approval counts only from someone who is not an author, co-author or committer",
            p.role.describe()
        )
    })
}

/// The first of `parties` that `who` (with git email `email`) is.
pub fn party_of<'a>(parties: &'a [Party], who: &str, email: &str) -> Option<&'a Party> {
    parties.iter().find(|p| p.is(who, email))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(role: Role, login: Option<&str>, name: &str, email: &str) -> Party {
        Party {
            role,
            login: login.map(str::to_string),
            person: Some(Person { name: name.into(), email: email.into() }),
        }
    }

    #[test]
    fn matches_by_login_email_or_name() {
        let alice = party(Role::Author, Some("alice"), "Alice A", "alice@example.org");
        assert!(alice.is("ALICE", ""));
        assert!(alice.is("alice-gh", "Alice@Example.org"));
        assert!(alice.is("alice@example.org", ""));
        assert!(!alice.is("bob", "bob@example.org"));
        assert!(!alice.is("bob", ""));
        let nameless = party(Role::Committer, None, "carol", "");
        assert!(nameless.is("carol", ""));
        assert!(!nameless.is("carol@example.org", "carol@example.org"));
    }
}
