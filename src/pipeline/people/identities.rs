//! One person behind many identities: git emails (already through the
//! mailmap), GitHub logins, and the links between them (the forge's
//! email-to-login map, GitHub's noreply addresses, a ledger reviewer's
//! email). A union-find over emails and logins.

use std::collections::{BTreeMap, HashMap};

use crate::model::Person;

/// One node: a lower-cased email, login, or (for an identity without an
/// email) name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Email(String),
    Login(String),
    Name(String),
}

/// What is known of one identity, gathered as it is added.
#[derive(Debug, Default)]
struct Known {
    /// The names a git identity carried, with how often.
    names: BTreeMap<String, u32>,
}

#[derive(Debug, Default)]
pub struct Identities {
    ids: HashMap<Node, usize>,
    nodes: Vec<Node>,
    known: Vec<Known>,
    parent: Vec<usize>,
}

/// GitHub's web-flow committer: the merge button, not a person.
pub fn is_github_web_flow(who: &Person) -> bool {
    who.email.eq_ignore_ascii_case("noreply@github.com")
}

/// Names that many people leave in their git config, or that a tool uses.
const SHARED_NAMES: &[&str] = &["your name", "github action", "github actions", "github enterprise", "unknown author"];

/// A name to merge identities by: at least two words, not a bot's, not a
/// placeholder; lower-cased, spaces collapsed.
fn distinctive(name: &str) -> Option<String> {
    let words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
    let name = words.join(" ");
    (words.len() >= 2 && !name.contains("[bot]") && !SHARED_NAMES.contains(&name.as_str())).then_some(name)
}

/// The login in a GitHub noreply address (`123+login@users.noreply.github.com`).
fn noreply_login(email: &str) -> Option<&str> {
    let local = email.strip_suffix("@users.noreply.github.com")?;
    let login = local.split_once('+').map_or(local, |(_, l)| l);
    (!login.is_empty()).then_some(login)
}

impl Identities {
    fn node(&mut self, node: Node) -> usize {
        if let Some(&id) = self.ids.get(&node) {
            return id;
        }
        let id = self.nodes.len();
        self.ids.insert(node.clone(), id);
        self.nodes.push(node);
        self.known.push(Known::default());
        self.parent.push(id);
        id
    }

    fn root(&mut self, mut id: usize) -> usize {
        while self.parent[id] != id {
            self.parent[id] = self.parent[self.parent[id]];
            id = self.parent[id];
        }
        id
    }

    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        if a != b {
            // The smaller id stays root: the first identity seen names the set.
            let (keep, fold) = if a < b { (a, b) } else { (b, a) };
            self.parent[fold] = keep;
        }
    }

    /// A git identity (through the mailmap already), linked to its login
    /// when `login_of` knows the email or it is a noreply address.
    pub fn git(&mut self, who: &Person, login_of: &HashMap<String, String>) -> usize {
        let email = who.email.trim().to_ascii_lowercase();
        let id = if email.is_empty() {
            self.node(Node::Name(who.name.trim().to_lowercase()))
        } else {
            self.node(Node::Email(email.clone()))
        };
        if !who.name.trim().is_empty() {
            *self.known[id].names.entry(who.name.trim().to_string()).or_default() += 1;
        }
        // One name under several addresses is one person, as `git
        // shortlog` counts them, when the name is distinctive enough.
        if let Some(name) = distinctive(&who.name) {
            let named = self.node(Node::Name(name));
            self.join(id, named);
        }
        let login = login_of.get(&email).map(String::as_str).or_else(|| noreply_login(&email));
        if let Some(login) = login {
            let login = self.login(login);
            self.join(id, login);
        }
        id
    }

    /// A git identity as recorded and as the mailmap resolved it: one
    /// person, whose emails include the recorded one.
    pub fn git_mapped(&mut self, recorded: &Person, resolved: &Person, login_of: &HashMap<String, String>) -> usize {
        let id = self.git(resolved, login_of);
        let email = recorded.email.trim().to_ascii_lowercase();
        if !email.is_empty() && !email.eq_ignore_ascii_case(resolved.email.trim()) {
            let alias = self.node(Node::Email(email));
            self.join(id, alias);
        }
        id
    }

    pub fn login(&mut self, login: &str) -> usize {
        self.node(Node::Login(login.trim().trim_start_matches('@').to_ascii_lowercase()))
    }

    /// A login and an email known to be one person (a ledger reviewer).
    pub fn link(&mut self, login: &str, email: &str) {
        let login = self.login(login);
        if !email.trim().is_empty() {
            let email = self.node(Node::Email(email.trim().to_ascii_lowercase()));
            self.join(login, email);
        }
    }

    /// The person an identity belongs to: a dense index, stable for one
    /// set of identities. Call after every identity was added.
    pub fn people(&mut self) -> People {
        let mut index: HashMap<usize, usize> = HashMap::new();
        let mut person_of = Vec::with_capacity(self.nodes.len());
        let mut members: Vec<Members> = Vec::new();
        for id in 0..self.nodes.len() {
            let root = self.root(id);
            let next = index.len();
            let person = *index.entry(root).or_insert(next);
            if person == members.len() {
                members.push(Members::default());
            }
            person_of.push(person);
            let m = &mut members[person];
            match &self.nodes[id] {
                Node::Email(e) => m.emails.push(e.clone()),
                Node::Login(l) => m.logins.push(l.clone()),
                Node::Name(_) => {}
            }
            for (name, n) in &self.known[id].names {
                *m.names.entry(name.clone()).or_default() += n;
            }
        }
        People { ids: self.ids.clone(), person_of, members }
    }
}

/// The emails, logins and names of one person.
#[derive(Debug, Clone, Default)]
pub struct Members {
    pub emails: Vec<String>,
    pub logins: Vec<String>,
    pub names: BTreeMap<String, u32>,
}

impl Members {
    /// The name they go by most often, else their login, else an email.
    pub fn name(&self) -> String {
        let most = self.names.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
        most.map(|(n, _)| n.clone())
            .or_else(|| self.logins.first().cloned())
            .or_else(|| self.emails.first().cloned())
            .unwrap_or_default()
    }
}

/// Identities resolved to people.
#[derive(Debug, Clone)]
pub struct People {
    ids: HashMap<Node, usize>,
    person_of: Vec<usize>,
    pub members: Vec<Members>,
}

impl People {
    pub fn of_login(&self, login: &str) -> Option<usize> {
        let node = Node::Login(login.trim().to_ascii_lowercase());
        self.ids.get(&node).map(|&id| self.person_of[id])
    }

    /// The person of a git identity added before.
    #[cfg(test)]
    pub fn of_git(&self, who: &Person) -> Option<usize> {
        let email = who.email.trim().to_ascii_lowercase();
        let node = if email.is_empty() { Node::Name(who.name.trim().to_lowercase()) } else { Node::Email(email) };
        self.ids.get(&node).map(|&id| self.person_of[id])
    }

    /// The person of an identity by the id [`Identities`] gave it.
    pub fn of_id(&self, id: usize) -> usize {
        self.person_of[id]
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, email: &str) -> Person {
        Person { name: name.into(), email: email.into() }
    }

    #[test]
    fn emails_logins_and_noreply_addresses_merge_into_one_person() {
        let mut ids = Identities::default();
        let logins: HashMap<String, String> = [("ann@work.example".to_string(), "ann".to_string())].into();
        ids.git(&p("Ann", "ann@work.example"), &logins);
        ids.git(&p("Ann B.", "9+Ann@users.noreply.github.com"), &logins);
        ids.git(&p("Ann", "ANN@work.example"), &logins);
        ids.git(&p("Bob", "bob@example.org"), &logins);
        ids.git(&p("Dana  Scully", "dana@old.example"), &logins);
        ids.git(&p("dana scully", "dana@new.example"), &logins);
        ids.git(&p("Your Name", "x@example.org"), &logins);
        ids.git(&p("Your Name", "y@example.org"), &logins);
        ids.git(&p("Fox", "fox@one.example"), &logins);
        ids.git(&p("Fox", "fox@two.example"), &logins);
        ids.login("carol");
        ids.link("carol", "carol@example.org");
        let people = ids.people();
        // Ann, Bob, Dana, two "Your Name"s, two Foxes, Carol.
        assert_eq!(people.len(), 8);
        assert_eq!(people.of_git(&p("", "dana@old.example")), people.of_git(&p("", "dana@new.example")));
        assert_ne!(people.of_git(&p("", "x@example.org")), people.of_git(&p("", "y@example.org")));
        assert_ne!(people.of_git(&p("", "fox@one.example")), people.of_git(&p("", "fox@two.example")));
        let ann = people.of_login("ANN").expect("ann");
        assert_eq!(people.of_git(&p("x", "9+ann@users.noreply.github.com")), Some(ann));
        assert_eq!(people.members[ann].name(), "Ann");
        assert_eq!(people.members[ann].emails.len(), 2);
        assert_eq!(people.of_git(&p("", "carol@example.org")), people.of_login("carol"));
        assert_ne!(people.of_git(&p("Bob", "bob@example.org")), Some(ann));
    }

    #[test]
    fn the_merge_button_is_not_a_person() {
        assert!(is_github_web_flow(&p("GitHub", "noreply@github.com")));
        assert!(!is_github_web_flow(&p("Ann", "ann@example.org")));
    }
}
