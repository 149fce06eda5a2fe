//! The queries a sync sends, and their answers mapped into the same model
//! as REST's.
//!
//! What differs from REST and is mapped here: a bot's `author { login }` is
//! `dependabot` with `__typename: "Bot"` where REST says `dependabot[bot]`
//! (so the model keeps REST's form, which bot detection knows); a deleted
//! account is `null` where REST says `ghost`; a review's number is its
//! `databaseId`; commits are `{ oid }` objects.
//!
//! Page sizes follow GitHub's cost rule: a query costs
//! `max(1, round(requests / 100))` points, where each connection adds the
//! number of times it is resolved. A page of `n` pull requests with their
//! reviews and labels resolves `1 + 2n` connections, so 74 is the largest
//! page that costs one point (149 rounds to 1; a page of 100 costs 2, and
//! pays 50 pull requests a point instead of 74). Batches by number or by
//! commit stay at or under 100 connections for the same reason.
//!
//! Strings from the caller (branch names, cursors, shas) travel as
//! variables, never inside the query text; numbers are written in it.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::forge::outbox::marker_kind;
use crate::model::{PullRequest, RepoSlug, Review, ReviewState};

/// Pull requests per page of a branch's listing (one point; see above).
pub const PAGE: usize = 74;
/// The first page when the branch was synced before: usually all there is.
pub const PROBE: usize = 5;
/// Pull requests fetched whole by number per query (two connections each).
pub const PULL_BATCH: usize = 50;
/// Reviews or commits continued, or commits looked up, per query.
pub const CONNECTION_BATCH: usize = 100;

const REVIEW_FIELDS: &str =
    "fragment Review on PullRequestReview { databaseId state submittedAt authorAssociation body author { __typename login } commit { oid } }";

const PULL_FIELDS: &str =
    "fragment Pull on PullRequest { number title body updatedAt mergedAt headRefOid baseRefName authorAssociation \
author { __typename login } mergedBy { __typename login } mergeCommit { oid } labels(first: 100) { nodes { name } } \
reviews(first: 100) { pageInfo { hasNextPage endCursor } nodes { ...Review } } }";

const RATE: &str = "rateLimit { cost remaining resetAt limit }";

/// Merged pull requests into `$base`, most recently updated first.
pub fn merged_page(slug: &RepoSlug, base: &str, first: usize, after: Option<&str>) -> (String, Value) {
    let text = format!(
        "query($owner: String!, $name: String!, $base: String!, $first: Int!, $after: String) {{ {RATE} \
         repository(owner: $owner, name: $name) {{ pullRequests(baseRefName: $base, states: [MERGED], first: $first, \
         after: $after, orderBy: {{field: UPDATED_AT, direction: DESC}}) {{ pageInfo {{ hasNextPage endCursor }} \
         nodes {{ ...Pull }} }} }} }} {PULL_FIELDS} {REVIEW_FIELDS}"
    );
    let variables = json!({ "owner": slug.owner, "name": slug.name, "base": base, "first": first, "after": after });
    (text, variables)
}

/// Whole pull requests by number (`p0`, `p1`… in the answer).
pub fn pulls_by_number(slug: &RepoSlug, numbers: &[u64]) -> (String, Value) {
    let aliases: String =
        numbers.iter().enumerate().map(|(i, n)| format!("p{i}: pullRequest(number: {n}) {{ ...Pull }} ")).collect();
    let text = format!(
        "query($owner: String!, $name: String!) {{ {RATE} repository(owner: $owner, name: $name) {{ {aliases}}} }} \
         {PULL_FIELDS} {REVIEW_FIELDS}"
    );
    (text, json!({ "owner": slug.owner, "name": slug.name }))
}

/// Pull requests by number, each with the cursor to go on from (`None`:
/// the start of the connection).
pub type Continuations = [(u64, Option<String>)];

/// A query over some pull requests' connections, with its variables.
pub type ContinuationQuery = fn(&RepoSlug, &Continuations) -> (String, Value);

/// More reviews of pull requests, each after its cursor.
pub fn more_reviews(slug: &RepoSlug, pages: &Continuations) -> (String, Value) {
    continuation(slug, pages.iter().map(|(n, c)| (*n, c.as_deref())), "reviews", "...Review", REVIEW_FIELDS)
}

/// The commits of pull requests, each from its cursor (`None`: the start).
pub fn commits(slug: &RepoSlug, pages: &Continuations) -> (String, Value) {
    continuation(slug, pages.iter().map(|(n, c)| (*n, c.as_deref())), "commits", "commit { oid }", "")
}

fn continuation<'a>(
    slug: &RepoSlug,
    pages: impl Iterator<Item = (u64, Option<&'a str>)>,
    connection: &str,
    node: &str,
    fragments: &str,
) -> (String, Value) {
    let mut declared = String::new();
    let mut aliases = String::new();
    let mut variables = Map::new();
    variables.insert("owner".into(), json!(slug.owner));
    variables.insert("name".into(), json!(slug.name));
    for (i, (number, cursor)) in pages.enumerate() {
        declared.push_str(&format!(", $c{i}: String"));
        aliases.push_str(&format!(
            "p{i}: pullRequest(number: {number}) {{ number {connection}(first: 100, after: $c{i}) {{ \
             pageInfo {{ hasNextPage endCursor }} nodes {{ {node} }} }} }} "
        ));
        variables.insert(format!("c{i}"), json!(cursor));
    }
    let text = format!(
        "query($owner: String!, $name: String!{declared}) {{ {RATE} repository(owner: $owner, name: $name) {{ {aliases}}} }} {fragments}"
    );
    (text, Value::Object(variables))
}

/// The pull requests that hold each commit (`c0`, `c1`…).
pub fn pulls_for_commits(slug: &RepoSlug, shas: &[String]) -> (String, Value) {
    let mut declared = String::new();
    let mut aliases = String::new();
    let mut variables = Map::new();
    variables.insert("owner".into(), json!(slug.owner));
    variables.insert("name".into(), json!(slug.name));
    for (i, sha) in shas.iter().enumerate() {
        declared.push_str(&format!(", $o{i}: GitObjectID!"));
        aliases.push_str(&format!(
            "c{i}: object(oid: $o{i}) {{ ... on Commit {{ associatedPullRequests(first: 10) {{ nodes {{ number }} }} }} }} "
        ));
        variables.insert(format!("o{i}"), json!(sha));
    }
    let text = format!(
        "query($owner: String!, $name: String!{declared}) {{ {RATE} repository(owner: $owner, name: $name) {{ {aliases}}} }}"
    );
    (text, Value::Object(variables))
}

/// Whether GitHub would take `sha` as a `GitObjectID` (else it refuses
/// the whole query, so such commits are never asked about).
pub fn is_object_id(sha: &str) -> bool {
    sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit())
}

// ---------------------------------------------------------------- answers

#[derive(Debug, Deserialize)]
pub struct RepositoryData<T> {
    pub repository: Option<T>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullsField {
    pub pull_requests: Connection<ApiPull>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection<T> {
    pub page_info: PageInfo,
    #[serde(default = "Vec::new")]
    pub nodes: Vec<Option<T>>,
}

impl<T> Connection<T> {
    /// The cursor to continue from, when there is more.
    pub fn next(&self) -> Option<&str> {
        self.page_info.has_next_page.then_some(self.page_info.end_cursor.as_deref()).flatten()
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    #[serde(rename = "__typename")]
    pub typename: String,
    pub login: String,
}

impl Actor {
    /// REST's login: `name[bot]` for a bot.
    pub fn rest_login(&self) -> String {
        if self.typename == "Bot" && !self.login.ends_with("[bot]") {
            format!("{}[bot]", self.login)
        } else {
            self.login.clone()
        }
    }
}

fn login(actor: Option<&Actor>) -> String {
    actor.map(Actor::rest_login).unwrap_or_else(|| "ghost".into())
}

#[derive(Debug, Deserialize)]
pub struct Oid {
    pub oid: String,
}

#[derive(Debug, Deserialize)]
pub struct Label {
    pub name: String,
}

/// A connection read in one page, without its page info.
#[derive(Debug, Deserialize)]
pub struct Nodes<T> {
    #[serde(default = "Vec::new")]
    pub nodes: Vec<Option<T>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiReview {
    pub database_id: Option<u64>,
    pub state: String,
    pub submitted_at: Option<String>,
    pub author_association: String,
    #[serde(default)]
    pub body: String,
    pub author: Option<Actor>,
    pub commit: Option<Oid>,
}

impl ApiReview {
    /// Pending reviews, unknown states, and reviews without a number (which
    /// could not be told apart when saved) are no evidence.
    pub fn into_model(self, pr: u64) -> Option<Review> {
        Some(Review {
            id: self.database_id?,
            pr,
            user: login(self.author.as_ref()),
            state: ReviewState::parse(&self.state)?,
            commit_id: self.commit.map(|c| c.oid),
            submitted_at: self.submitted_at.as_deref().and_then(crate::forge::http::timestamp),
            author_association: self.author_association,
            marker: marker_kind(&self.body),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiPull {
    pub number: u64,
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub updated_at: String,
    pub merged_at: Option<String>,
    pub head_ref_oid: Option<String>,
    pub base_ref_name: String,
    pub author_association: String,
    pub author: Option<Actor>,
    pub merged_by: Option<Actor>,
    pub merge_commit: Option<Oid>,
    pub labels: Option<Nodes<Label>>,
    pub reviews: Option<Connection<ApiReview>>,
}

impl ApiPull {
    /// The pull request, its first page of reviews, and the cursor to the
    /// rest of them.
    pub fn into_model(self) -> (PullRequest, Vec<Review>, Option<String>) {
        let timestamp = crate::forge::http::timestamp;
        let number = self.number;
        let (reviews, more) = match self.reviews {
            Some(connection) => {
                let more = connection.next().map(str::to_string);
                (connection.nodes.into_iter().flatten().filter_map(|r| r.into_model(number)).collect(), more)
            }
            None => (Vec::new(), None),
        };
        let pr = PullRequest {
            number,
            title: self.title,
            body: self.body,
            author: login(self.author.as_ref()),
            author_association: self.author_association,
            merged_by: self.merged_by.as_ref().map(Actor::rest_login),
            merged_at: self.merged_at.as_deref().and_then(timestamp),
            merge_commit_sha: self.merge_commit.map(|c| c.oid),
            head_sha: self.head_ref_oid,
            base_branch: self.base_ref_name,
            labels: self.labels.map(|l| l.nodes.into_iter().flatten().map(|l| l.name).collect()).unwrap_or_default(),
            updated_at: timestamp(&self.updated_at),
            commits: Vec::new(),
        };
        (pr, reviews, more)
    }
}

/// `p0: pullRequest(…) { number reviews|commits { … } }`.
#[derive(Debug, Deserialize)]
pub struct Continued<T> {
    pub number: u64,
    #[serde(alias = "reviews", alias = "commits")]
    pub connection: Option<Connection<T>>,
}

#[derive(Debug, Deserialize)]
pub struct PullCommit {
    pub commit: Oid,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitPulls {
    pub associated_pull_requests: Option<Nodes<Numbered>>,
}

#[derive(Debug, Deserialize)]
pub struct Numbered {
    pub number: u64,
}

/// The aliases `prefix0`, `prefix1`… of a batch, in order; a missing or
/// null alias (an unknown number or commit) is `None`.
pub fn aliased<T: serde::de::DeserializeOwned>(
    mut fields: Map<String, Value>,
    prefix: char,
    count: usize,
) -> Result<Vec<Option<T>>, serde_json::Error> {
    (0..count)
        .map(|i| match fields.remove(&format!("{prefix}{i}")) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value).map(Some),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bot_keeps_rests_login_and_a_deleted_account_is_ghost() {
        let json = r#"{"number": 7, "title": "Bump x", "body": "", "updatedAt": "2024-05-07T09:00:00Z",
            "mergedAt": "2024-05-06T09:00:00Z", "headRefOid": "h1", "baseRefName": "main",
            "authorAssociation": "NONE", "author": {"__typename": "Bot", "login": "dependabot"},
            "mergedBy": null, "mergeCommit": {"oid": "m1"}, "labels": {"nodes": [{"name": "deps"}]},
            "reviews": {"pageInfo": {"hasNextPage": true, "endCursor": "c1"}, "nodes": [
                {"databaseId": 5, "state": "APPROVED", "submittedAt": "2024-05-06T08:00:00Z",
                 "authorAssociation": "MEMBER", "body": "", "author": null, "commit": {"oid": "h1"}},
                {"databaseId": 6, "state": "PENDING", "submittedAt": null, "authorAssociation": "MEMBER",
                 "body": "", "author": {"__typename": "User", "login": "carol"}, "commit": null}]}}"#;
        let pull: ApiPull = serde_json::from_str(json).expect("decodes");
        let (pr, reviews, more) = pull.into_model();
        assert_eq!(pr.author, "dependabot[bot]");
        assert_eq!(pr.merged_by, None);
        assert_eq!(pr.merge_commit_sha.as_deref(), Some("m1"));
        assert_eq!(pr.labels, ["deps"]);
        assert_eq!(pr.updated_at, Some(1_715_072_400));
        assert_eq!(reviews.len(), 1, "a pending review is no evidence");
        assert_eq!(reviews[0].user, "ghost");
        assert_eq!(reviews[0].commit_id.as_deref(), Some("h1"));
        assert_eq!(more.as_deref(), Some("c1"));
    }

    #[test]
    fn strings_travel_as_variables() {
        let slug = RepoSlug { owner: "o".into(), name: "r\"} evil".into() };
        let (text, variables) = merged_page(&slug, "main\") { x }", PAGE, Some("abc"));
        assert!(!text.contains("evil") && !text.contains("x }\""));
        assert_eq!(variables["base"], "main\") { x }");
        let (text, variables) = pulls_for_commits(&slug, &["a".repeat(40)]);
        assert!(text.contains("$o0: GitObjectID!") && !text.contains(&"a".repeat(40)));
        assert_eq!(variables["o0"], "a".repeat(40));
        assert!(is_object_id(&"0f".repeat(20)) && !is_object_id("0f0f") && !is_object_id(&"zz".repeat(20)));
    }
}
