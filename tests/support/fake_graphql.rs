//! The fake GitHub's GraphQL endpoint, `POST /graphql`, answered from the
//! same pull requests, reviews and commit links as its REST side.
//!
//! A query goes through what GitHub does with one, in order:
//! 1. parse (`graphql-parser`); a syntax error is a GraphQL error;
//! 2. check against `github_schema.graphql` (a part of GitHub's public
//!    schema): unknown fields, arguments, types, enum values, undeclared or
//!    unused variables and fragments are errors, and nothing runs;
//! 3. cost, by GitHub's published rules: every connection needs `first` or
//!    `last` (1 to 100); each connection adds the number of times it is
//!    resolved (the product of the `first`s above it) to the requests, and
//!    its `first` times that to the nodes; a query may ask for at most
//!    500,000 nodes; it costs `max(1, round(requests / 100))` points;
//! 4. the points are taken from the GraphQL bucket (5,000 an hour by
//!    default, apart from REST's); a query that does not fit gets
//!    `RATE_LIMITED`, with status 200 as GitHub answers;
//! 5. run. A field the schema has but the fake does not model is an error
//!    naming it, never a silent null. Unknown repositories and pull
//!    requests are `NOT_FOUND` errors beside a null, as on GitHub.
//!
//! Cursors are opaque to the client and stable: they name the position of
//! an item by its sort key, so a page after one that moved is not skipped.

#[path = "fake_graphql/schema.rs"]
mod schema;

use std::collections::{BTreeMap, HashMap, HashSet};

use graphql_parser::query as q;
use serde_json::{json, Map, Value};

use super::{iso, linked_pulls, repo_key, user_id, Bucket, PullState, RepoState, ReviewRecord};
use schema::{error, schema, Checker, Fragments, Kind, TypeRef};

/// The most nodes one query may ask for.
pub const NODE_LIMIT: u64 = 500_000;
const MAX_PAGE: u64 = 100;
const DOCS: &str = "https://docs.github.com/graphql";

/// What a query costs by GitHub's rules.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub requests: u64,
    pub nodes: u64,
}

impl Cost {
    pub fn points(&self) -> u64 {
        ((self.requests as f64 / 100.0).round() as u64).max(1)
    }
}

/// The answer to one request: status, JSON, and the points it cost.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) body: Value,
    pub(super) points: u64,
}

impl Answer {
    fn errors(errors: Vec<Value>) -> Answer {
        Answer { status: 200, body: json!({ "errors": errors }), points: 0 }
    }
}

/// Answers one `POST /graphql` body for `login`.
pub(super) fn answer(
    repos: &BTreeMap<String, RepoState>,
    bucket: &mut Bucket,
    body: &[u8],
    login: &str,
    now: i64,
) -> Answer {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return Answer {
            status: 400,
            body: json!({ "message": "Problems parsing JSON", "documentation_url": DOCS }),
            points: 0,
        };
    };
    let Some(text) = request.get("query").and_then(Value::as_str) else {
        return Answer::errors(vec![json!({ "message": "A query attribute must be specified and must be a string." })]);
    };
    let empty = Map::new();
    let given = request.get("variables").and_then(Value::as_object).unwrap_or(&empty);
    let document = match q::parse_query::<&str>(text) {
        Ok(document) => document,
        Err(e) => return Answer::errors(vec![json!({ "message": format!("Parse error: {}", e.to_string().trim()) })]),
    };
    let mut operations = Vec::new();
    let mut fragments: Fragments = HashMap::new();
    for definition in &document.definitions {
        match definition {
            q::Definition::Operation(operation) => operations.push(operation),
            q::Definition::Fragment(fragment) => {
                fragments.insert(fragment.name, fragment);
            }
        }
    }
    let wanted = request.get("operationName").and_then(Value::as_str);
    let chosen = operations.iter().find(|op| wanted.is_none_or(|w| operation_name(op) == Some(w)));
    let (definitions, set) = match chosen {
        Some(q::OperationDefinition::Query(query)) if operations.len() == 1 || wanted.is_some() => {
            (&query.variable_definitions[..], &query.selection_set)
        }
        Some(q::OperationDefinition::SelectionSet(set)) if operations.len() == 1 => (&[][..], set),
        Some(q::OperationDefinition::Mutation(_) | q::OperationDefinition::Subscription(_)) => {
            return Answer::errors(vec![json!({ "message": "the fake GitHub models queries only, not mutations" })])
        }
        _ => {
            let message = match wanted {
                Some(name) => format!("No operation named \"{name}\""),
                None => "An operation name is required".to_string(),
            };
            return Answer::errors(vec![json!({ "message": message })]);
        }
    };

    // Variables: declared types, given or default values.
    let mut declared = HashMap::new();
    let mut variables = Map::new();
    let mut errors = Vec::new();
    for definition in definitions {
        let ty = TypeRef::from_query(&definition.var_type);
        if schema().kind(ty.name()).is_none_or(|k| matches!(k, Kind::Object | Kind::Interface)) {
            errors.push(
                json!({ "message": format!("{} isn't a valid input type (on ${})", ty.text(), definition.name) }),
            );
        }
        let value = match (given.get(definition.name), &definition.default_value) {
            (Some(value), _) => value.clone(),
            (None, Some(default)) => literal(default, &Map::new()),
            (None, None) => Value::Null,
        };
        if value.is_null() && matches!(ty, TypeRef::NonNull(_)) {
            errors.push(json!({
                "message": format!("Variable ${} of type {} was provided invalid value", definition.name, ty.text()),
                "extensions": { "value": null, "problems": [{ "path": [], "explanation": "Expected value to not be null" }] },
            }));
        }
        variables.insert(definition.name.to_string(), value);
        declared.insert(definition.name, ty);
    }
    let mut checker = Checker {
        schema: schema(),
        fragments: &fragments,
        variables: declared,
        used_fragments: HashSet::new(),
        used_variables: HashSet::new(),
        errors,
    };
    checker.selection_set("Query", set, &mut Vec::new());
    for name in fragments.keys().filter(|name| !checker.used_fragments.contains(*name)) {
        let message = format!("Fragment {name} was defined, but not used");
        checker.errors.push(error(message, &[], None, Some("useAndDefineFragment")));
    }
    for name in checker.variables.keys().filter(|name| !checker.used_variables.contains(*name)) {
        let message = format!("Variable ${name} is declared by anonymous query but not used");
        checker.errors.push(error(message, &[], None, Some("variableNotUsed")));
    }
    if !checker.errors.is_empty() {
        return Answer::errors(checker.errors);
    }

    let mut coster = Coster { fragments: &fragments, variables: &variables, cost: Cost::default(), errors: Vec::new() };
    coster.selection_set("Query", set, 1, &mut Vec::new());
    if !coster.errors.is_empty() {
        return Answer::errors(coster.errors);
    }
    let cost = coster.cost;
    if cost.nodes > NODE_LIMIT {
        return Answer::errors(vec![json!({
            "type": "MAX_NODE_LIMIT_EXCEEDED",
            "message": format!("This query requests up to {} possible nodes which exceeds the maximum limit of 500,000.", cost.nodes),
        })]);
    }
    bucket.refill(now);
    let points = cost.points();
    if bucket.remaining < points {
        return Answer::errors(vec![json!({
            "type": "RATE_LIMITED",
            "message": format!("API rate limit already exceeded for user ID {}.", user_id(login)),
        })]);
    }
    bucket.remaining -= points;

    let rate = json!({
        "cost": points,
        "limit": bucket.limit,
        "nodeCount": cost.nodes,
        "remaining": bucket.remaining,
        "resetAt": iso(bucket.reset),
        "used": bucket.limit - bucket.remaining,
    });
    let mut run = Run { repos, fragments: &fragments, variables: &variables, rate, errors: Vec::new() };
    let data = run.selection_set(&Node::Query, "Query", set, &mut Vec::new());
    let mut body = json!({ "data": data });
    if !run.errors.is_empty() {
        body["errors"] = Value::Array(run.errors);
    }
    Answer { status: 200, body, points }
}

fn operation_name<'q>(operation: &q::OperationDefinition<'q, &'q str>) -> Option<&'q str> {
    match operation {
        q::OperationDefinition::Query(query) => query.name,
        q::OperationDefinition::Mutation(m) => m.name,
        q::OperationDefinition::Subscription(s) => s.name,
        q::OperationDefinition::SelectionSet(_) => None,
    }
}

/// A literal from the query as JSON, variables filled in.
fn literal<'q>(value: &q::Value<'q, &'q str>, variables: &Map<String, Value>) -> Value {
    match value {
        q::Value::Variable(name) => variables.get(*name).cloned().unwrap_or(Value::Null),
        q::Value::Int(n) => json!(n.as_i64()),
        q::Value::Float(f) => json!(f),
        q::Value::String(text) => json!(text),
        q::Value::Boolean(b) => json!(b),
        q::Value::Null => Value::Null,
        q::Value::Enum(name) => json!(name),
        q::Value::List(items) => Value::Array(items.iter().map(|v| literal(v, variables)).collect()),
        q::Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.to_string(), literal(v, variables))).collect())
        }
    }
}

/// A field's arguments as JSON: given ones, then the schema's defaults.
fn arguments<'q>(
    def: &schema::FieldDef,
    field: &q::Field<'q, &'q str>,
    variables: &Map<String, Value>,
) -> Map<String, Value> {
    let mut args = Map::new();
    for (name, arg) in &def.args {
        let given = field.arguments.iter().find(|(n, _)| n == name).map(|(_, v)| literal(v, variables));
        if let Some(value) = given.or_else(|| arg.default.clone()) {
            args.insert(name.clone(), value);
        }
    }
    args
}

// ---------------------------------------------------------------------------
// Cost

struct Coster<'q> {
    fragments: &'q Fragments<'q>,
    variables: &'q Map<String, Value>,
    cost: Cost,
    errors: Vec<Value>,
}

impl<'q> Coster<'q> {
    fn selection_set(
        &mut self,
        type_name: &str,
        set: &'q q::SelectionSet<'q, &'q str>,
        times: u64,
        path: &mut Vec<String>,
    ) {
        for selection in &set.items {
            match selection {
                q::Selection::Field(field) => self.field(type_name, field, times, path),
                q::Selection::InlineFragment(fragment) => {
                    let condition = match &fragment.type_condition {
                        Some(q::TypeCondition::On(name)) => name,
                        None => type_name,
                    };
                    self.selection_set(condition, &fragment.selection_set, times, path);
                }
                q::Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self.fragments.get(spread.fragment_name) {
                        let q::TypeCondition::On(condition) = &fragment.type_condition;
                        self.selection_set(condition, &fragment.selection_set, times, path);
                    }
                }
            }
        }
    }

    fn field(&mut self, type_name: &str, field: &'q q::Field<'q, &'q str>, times: u64, path: &mut Vec<String>) {
        let Some(def) = schema().field(type_name, field.name) else { return };
        let inner = def.ty.name();
        if !matches!(schema().kind(inner), Some(Kind::Object | Kind::Interface)) {
            return;
        }
        path.push(field.alias.unwrap_or(field.name).to_string());
        let mut times = times;
        if inner.ends_with("Connection") {
            let args = arguments(def, field, self.variables);
            let bound =
                ["first", "last"].iter().find_map(|name| args.get(*name).and_then(Value::as_i64).map(|n| (*name, n)));
            match bound {
                None => {
                    self.errors.push(json!({
                        "type": "MISSING_PAGINATION_BOUNDARIES",
                        "path": path.clone(),
                        "locations": [{ "line": field.position.line, "column": field.position.column }],
                        "message": format!("You must provide a `first` or `last` value to properly paginate the `{}` connection.", field.name),
                    }));
                    path.pop();
                    return;
                }
                Some((name, n)) if n < 0 || n as u64 > MAX_PAGE => {
                    self.errors.push(json!({
                        "type": "EXCESSIVE_PAGINATION",
                        "path": path.clone(),
                        "locations": [{ "line": field.position.line, "column": field.position.column }],
                        "message": format!("Requesting {n} records on the `{}` connection exceeds the `{name}` limit of 100 records.", field.name),
                    }));
                    path.pop();
                    return;
                }
                Some((_, n)) => {
                    self.cost.requests += times;
                    self.cost.nodes += times * n as u64;
                    times *= n as u64;
                }
            }
        }
        self.selection_set(inner, &field.selection_set, times, path);
        path.pop();
    }
}

// ---------------------------------------------------------------------------
// Running a query

enum Node<'s> {
    Query,
    RateLimit,
    Repository(&'s RepoState),
    Pull(&'s RepoState, &'s PullState),
    Review(&'s RepoState, &'s ReviewRecord),
    /// A login as the REST side keeps it: `name[bot]` is a bot.
    Actor(&'s str),
    Commit(&'s RepoState, String),
    PullCommit(&'s RepoState, String),
    Label(&'s str),
    Connection(Vec<Node<'s>>, usize, PageInfo),
    PageInfo(PageInfo),
}

#[derive(Clone)]
struct PageInfo {
    has_next: bool,
    has_previous: bool,
    start: Option<String>,
    end: Option<String>,
}

impl Node<'_> {
    /// The object's own type (an interface field's value is one of these).
    fn type_name(&self) -> &'static str {
        match self {
            Node::Query => "Query",
            Node::RateLimit => "RateLimit",
            Node::Repository(_) => "Repository",
            Node::Pull(..) => "PullRequest",
            Node::Review(..) => "PullRequestReview",
            Node::Actor(login) if login.ends_with("[bot]") => "Bot",
            Node::Actor(_) => "User",
            Node::Commit(..) => "Commit",
            Node::PullCommit(..) => "PullRequestCommit",
            Node::Label(_) => "Label",
            Node::Connection(..) => "Connection",
            Node::PageInfo(_) => "PageInfo",
        }
    }
}

enum Out<'s> {
    Scalar(Value),
    One(Node<'s>),
    Many(Vec<Node<'s>>),
}

enum Fail {
    /// In the schema, but the fake does not answer it.
    NotModeled,
    /// A GraphQL error (message, type); the field is null.
    Error(String, &'static str),
}

struct Run<'s, 'q> {
    repos: &'s BTreeMap<String, RepoState>,
    fragments: &'q Fragments<'q>,
    variables: &'q Map<String, Value>,
    rate: Value,
    errors: Vec<Value>,
}

impl<'s, 'q> Run<'s, 'q> {
    fn selection_set(
        &mut self,
        node: &Node<'s>,
        type_name: &str,
        set: &'q q::SelectionSet<'q, &'q str>,
        path: &mut Vec<String>,
    ) -> Value {
        let mut out = Map::new();
        self.fill(node, type_name, set, path, &mut out);
        Value::Object(out)
    }

    fn fill(
        &mut self,
        node: &Node<'s>,
        type_name: &str,
        set: &'q q::SelectionSet<'q, &'q str>,
        path: &mut Vec<String>,
        out: &mut Map<String, Value>,
    ) {
        for selection in &set.items {
            match selection {
                q::Selection::Field(field) => {
                    let key = field.alias.unwrap_or(field.name).to_string();
                    path.push(key.clone());
                    let value = self.field(node, type_name, field, path);
                    path.pop();
                    merge(out, key, value);
                }
                q::Selection::InlineFragment(fragment) => {
                    let condition: &str = match &fragment.type_condition {
                        Some(q::TypeCondition::On(name)) => name,
                        None => type_name,
                    };
                    if schema().fits(node.type_name(), condition) || condition == type_name {
                        self.fill(node, condition, &fragment.selection_set, path, out);
                    }
                }
                q::Selection::FragmentSpread(spread) => {
                    let Some(fragment) = self.fragments.get(spread.fragment_name) else { continue };
                    let q::TypeCondition::On(condition) = &fragment.type_condition;
                    if schema().fits(node.type_name(), condition) || *condition == type_name {
                        self.fill(node, condition, &fragment.selection_set, path, out);
                    }
                }
            }
        }
    }

    fn field(
        &mut self,
        node: &Node<'s>,
        type_name: &str,
        field: &'q q::Field<'q, &'q str>,
        path: &mut Vec<String>,
    ) -> Value {
        if field.name == "__typename" {
            return json!(node.type_name());
        }
        let Some(def) = schema().field(type_name, field.name) else { return Value::Null };
        let args = arguments(def, field, self.variables);
        match self.resolve(node, field.name, &args) {
            Ok(Out::Scalar(value)) => value,
            Ok(Out::One(child)) => self.object(&child, &def.ty, field, path),
            Ok(Out::Many(children)) => {
                let mut items = Vec::with_capacity(children.len());
                for (i, child) in children.iter().enumerate() {
                    path.push(i.to_string());
                    items.push(self.object(child, &def.ty, field, path));
                    path.pop();
                }
                Value::Array(items)
            }
            Err(Fail::NotModeled) => {
                let message = format!("the fake GitHub does not model {type_name}.{}", field.name);
                self.errors.push(error(message, path, Some(field.position), Some("notModeledByTheFake")));
                Value::Null
            }
            Err(Fail::Error(message, kind)) => {
                let mut value = error(message, path, Some(field.position), None);
                value["type"] = json!(kind);
                self.errors.push(value);
                Value::Null
            }
        }
    }

    fn object(
        &mut self,
        child: &Node<'s>,
        ty: &TypeRef,
        field: &'q q::Field<'q, &'q str>,
        path: &mut Vec<String>,
    ) -> Value {
        let inner = ty.name();
        let type_name = match schema().kind(inner) {
            Some(Kind::Interface) => child.type_name(),
            _ => inner,
        };
        self.selection_set(child, type_name, &field.selection_set, path)
    }

    fn resolve(&self, node: &Node<'s>, field: &str, args: &Map<String, Value>) -> Result<Out<'s>, Fail> {
        let text = |s: &str| Ok(Out::Scalar(json!(s)));
        let scalar = |v: Value| Ok(Out::Scalar(v));
        let null = || Ok(Out::Scalar(Value::Null));
        match node {
            Node::Query => match field {
                "rateLimit" => Ok(Out::One(Node::RateLimit)),
                "repository" => {
                    let owner = args.get("owner").and_then(Value::as_str).unwrap_or("");
                    let name = args.get("name").and_then(Value::as_str).unwrap_or("");
                    match self.repos.get(&repo_key(owner, name)) {
                        Some(repo) => Ok(Out::One(Node::Repository(repo))),
                        None => Err(Fail::Error(
                            format!("Could not resolve to a Repository with the name '{owner}/{name}'."),
                            "NOT_FOUND",
                        )),
                    }
                }
                _ => Err(Fail::NotModeled),
            },
            Node::RateLimit => match self.rate.get(field) {
                Some(value) => scalar(value.clone()),
                None => Err(Fail::NotModeled),
            },
            Node::Repository(repo) => match field {
                "name" => text(&repo.name),
                "nameWithOwner" => text(&repo.full_name()),
                "pullRequests" => pull_requests(repo, args),
                "pullRequest" => {
                    let number = args.get("number").and_then(Value::as_u64).unwrap_or(0);
                    match repo.pulls.get(&number) {
                        Some(pull) => Ok(Out::One(Node::Pull(repo, pull))),
                        None => Err(Fail::Error(
                            format!("Could not resolve to a PullRequest with the number of {number}."),
                            "NOT_FOUND",
                        )),
                    }
                }
                "object" if args.contains_key("expression") => Err(Fail::NotModeled),
                "object" => match args.get("oid").and_then(Value::as_str) {
                    Some(oid) if repo.has_commit(oid) => Ok(Out::One(Node::Commit(repo, repo.complete_sha(oid)))),
                    _ => null(),
                },
                _ => Err(Fail::NotModeled),
            },
            Node::Pull(repo, pull) => {
                let pr = &pull.pr;
                match field {
                    "number" => scalar(json!(pr.number)),
                    "title" => text(&pr.title),
                    "body" => text(&pr.body),
                    "createdAt" => text(&iso(pull.created_at())),
                    "updatedAt" => text(&iso(pull.updated_at())),
                    "mergedAt" => scalar(pr.merged_at.map(iso).map_or(Value::Null, Value::from)),
                    "merged" => scalar(json!(pull.merged())),
                    "state" => text(if pull.merged() { "MERGED" } else { "OPEN" }),
                    "headRefOid" => text(&pull.head_sha(&repo.full_name())),
                    "headRefName" => text(&format!("pr-{}", pr.number)),
                    "baseRefName" => text(&pr.base_branch),
                    "authorAssociation" => text(&pull.author_association),
                    "author" => Ok(actor(&pr.author)),
                    "mergedBy" => Ok(pr.merged_by.as_deref().map_or(Out::Scalar(Value::Null), actor)),
                    "mergeCommit" => match &pr.merge_commit_sha {
                        Some(sha) => Ok(Out::One(Node::Commit(repo, sha.clone()))),
                        None => null(),
                    },
                    "labels" => {
                        let items = pr.labels.iter().enumerate().map(|(i, l)| (i as i64, 0, Node::Label(l))).collect();
                        connection(items, false, args)
                    }
                    "reviews" if args.contains_key("states") || args.contains_key("author") => Err(Fail::NotModeled),
                    "reviews" => {
                        let items = pull
                            .reviews
                            .iter()
                            .map(|r| (r.submitted_at.unwrap_or(i64::MAX), r.id, Node::Review(repo, r)))
                            .collect();
                        connection(items, false, args)
                    }
                    "commits" => {
                        let items = pull
                            .commit_shas()
                            .into_iter()
                            .enumerate()
                            .map(|(i, sha)| (i as i64, 0, Node::PullCommit(repo, sha)))
                            .collect();
                        connection(items, false, args)
                    }
                    _ => Err(Fail::NotModeled),
                }
            }
            Node::Review(repo, review) => match field {
                "databaseId" => scalar(json!(review.id)),
                "state" => text(&review.state),
                "body" => text(&review.body),
                "submittedAt" => scalar(review.submitted_at.map(iso).map_or(Value::Null, Value::from)),
                "authorAssociation" => text(&review.author_association),
                "author" => Ok(actor(&review.user)),
                "commit" => match &review.commit_id {
                    Some(sha) => Ok(Out::One(Node::Commit(repo, sha.clone()))),
                    None => null(),
                },
                _ => Err(Fail::NotModeled),
            },
            Node::Actor(login) => match field {
                // GraphQL names a bot without REST's `[bot]`.
                "login" => text(login.strip_suffix("[bot]").unwrap_or(login)),
                "databaseId" => scalar(json!(user_id(login))),
                _ => Err(Fail::NotModeled),
            },
            Node::Commit(repo, sha) => match field {
                "oid" => text(sha),
                "abbreviatedOid" => text(&sha[..sha.len().min(7)]),
                "associatedPullRequests" => {
                    let items = linked_pulls(repo, sha)
                        .into_iter()
                        .map(|p| (p.created_at(), p.pr.number, Node::Pull(repo, p)))
                        .collect();
                    let desc =
                        args.get("orderBy").and_then(|o| o.get("direction")).and_then(Value::as_str) == Some("DESC");
                    connection(items, desc, args)
                }
                _ => Err(Fail::NotModeled),
            },
            Node::PullCommit(repo, sha) => match field {
                "commit" => Ok(Out::One(Node::Commit(repo, sha.clone()))),
                _ => Err(Fail::NotModeled),
            },
            Node::Label(name) => match field {
                "name" => text(name),
                _ => Err(Fail::NotModeled),
            },
            Node::Connection(nodes, total, info) => match field {
                "nodes" => Ok(Out::Many(nodes.iter().map(clone_node).collect())),
                "pageInfo" => Ok(Out::One(Node::PageInfo(info.clone()))),
                "totalCount" => scalar(json!(total)),
                _ => Err(Fail::NotModeled),
            },
            Node::PageInfo(info) => match field {
                "hasNextPage" => scalar(json!(info.has_next)),
                "hasPreviousPage" => scalar(json!(info.has_previous)),
                "startCursor" => scalar(info.start.clone().map_or(Value::Null, Value::from)),
                "endCursor" => scalar(info.end.clone().map_or(Value::Null, Value::from)),
                _ => Err(Fail::NotModeled),
            },
        }
    }
}

fn clone_node<'s>(node: &Node<'s>) -> Node<'s> {
    match node {
        Node::Query => Node::Query,
        Node::RateLimit => Node::RateLimit,
        Node::Repository(r) => Node::Repository(r),
        Node::Pull(r, p) => Node::Pull(r, p),
        Node::Review(r, v) => Node::Review(r, v),
        Node::Actor(l) => Node::Actor(l),
        Node::Commit(r, s) => Node::Commit(r, s.clone()),
        Node::PullCommit(r, s) => Node::PullCommit(r, s.clone()),
        Node::Label(l) => Node::Label(l),
        Node::Connection(n, t, i) => Node::Connection(n.iter().map(clone_node).collect(), *t, i.clone()),
        Node::PageInfo(i) => Node::PageInfo(i.clone()),
    }
}

/// A deleted account (`ghost` on the REST side) is null in GraphQL.
fn actor(login: &str) -> Out<'_> {
    if login == "ghost" {
        Out::Scalar(Value::Null)
    } else {
        Out::One(Node::Actor(login))
    }
}

/// Two selections of the same response key merge their fields.
fn merge(out: &mut Map<String, Value>, key: String, value: Value) {
    match (out.get_mut(&key), value) {
        (Some(Value::Object(old)), Value::Object(new)) => {
            for (k, v) in new {
                merge(old, k, v);
            }
        }
        (_, value) => {
            out.insert(key, value);
        }
    }
}

fn pull_requests<'s>(repo: &'s RepoState, args: &Map<String, Value>) -> Result<Out<'s>, Fail> {
    if args.contains_key("headRefName") || args.contains_key("labels") {
        return Err(Fail::NotModeled);
    }
    let states: Option<Vec<&str>> =
        args.get("states").and_then(Value::as_array).map(|s| s.iter().filter_map(Value::as_str).collect());
    let base = args.get("baseRefName").and_then(Value::as_str);
    let field = args.get("orderBy").and_then(|o| o.get("field")).and_then(Value::as_str);
    let desc = args.get("orderBy").and_then(|o| o.get("direction")).and_then(Value::as_str) == Some("DESC");
    if field == Some("COMMENTS") {
        return Err(Fail::NotModeled);
    }
    let items = repo
        .pulls
        .values()
        .filter(|p| base.is_none_or(|b| p.pr.base_branch == b))
        .filter(|p| states.as_ref().is_none_or(|states| states.contains(&if p.merged() { "MERGED" } else { "OPEN" })))
        .map(|p| {
            let key = if field == Some("UPDATED_AT") { p.updated_at() } else { p.created_at() };
            (key, p.pr.number, Node::Pull(repo, p))
        })
        .collect();
    connection(items, desc, args)
}

/// One page of `items` (sort key, tie-break, node) in the order asked.
fn connection<'s>(items: Vec<(i64, u64, Node<'s>)>, desc: bool, args: &Map<String, Value>) -> Result<Out<'s>, Fail> {
    if args.contains_key("last") || args.contains_key("before") {
        return Err(Fail::NotModeled);
    }
    let total = items.len();
    let after = match args.get("after").and_then(Value::as_str) {
        None => None,
        Some(cursor) => Some(decode_cursor(cursor).ok_or_else(|| {
            Fail::Error(format!("`{cursor}` does not appear to be a valid cursor."), "INVALID_CURSOR_ARGUMENTS")
        })?),
    };
    let order = |a: &(i64, u64, Node<'s>), b: &(i64, u64, Node<'s>)| {
        let ordered = (a.0, a.1).cmp(&(b.0, b.1));
        if desc {
            ordered.reverse()
        } else {
            ordered
        }
    };
    // Only what comes after the cursor, and of that only the page is sorted:
    // a hundred thousand pull requests page as fast as a few.
    let mut rest: Vec<(i64, u64, Node<'s>)> = items
        .into_iter()
        .filter(|(k, id, _)| after.is_none_or(|a| if desc { (*k, *id) < a } else { (*k, *id) > a }))
        .collect();
    let has_previous = rest.len() < total;
    let first = args.get("first").and_then(Value::as_u64).unwrap_or(0) as usize;
    let has_next = rest.len() > first;
    if has_next && first > 0 {
        rest.select_nth_unstable_by(first - 1, order);
    }
    rest.truncate(first);
    rest.sort_unstable_by(order);
    let info = PageInfo {
        has_next,
        has_previous,
        start: rest.first().map(|(k, id, _)| encode_cursor(*k, *id)),
        end: rest.last().map(|(k, id, _)| encode_cursor(*k, *id)),
    };
    Ok(Out::One(Node::Connection(rest.into_iter().map(|(_, _, n)| n).collect(), total, info)))
}

fn encode_cursor(key: i64, id: u64) -> String {
    format!("cursor:v2:{key}:{id}").bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(cursor: &str) -> Option<(i64, u64)> {
    if !cursor.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..cursor.len()).step_by(2).map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok()).collect();
    let text = String::from_utf8(bytes?).ok()?;
    let rest = text.strip_prefix("cursor:v2:")?;
    let (key, id) = rest.split_once(':')?;
    Some((key.parse().ok()?, id.parse().ok()?))
}
