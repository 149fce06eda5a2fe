//! The fake GitHub's GraphQL endpoint, driven by octocrab's `graphql`: it
//! checks queries against the part of GitHub's schema in
//! `support/github_schema.graphql`, costs them by GitHub's rules, pages
//! with stable cursors, runs out of points the way GitHub does, and answers
//! rearview's own queries without a single error.

mod support;

use octocrab::Octocrab;
use rearview::forge::graphql::queries;
use rearview::model::{PullRequest, RepoSlug, Review, ReviewState};
use serde_json::{json, Value};
use support::fake_github::FakeGitHub;

const TOKEN: &str = "ghp_FAKEgraphqlToken0123456789";
const REPO: &str = "python/cpython";
/// 2024-05-06T09:00:00Z.
const T0: i64 = 1_714_986_000;

fn client(gh: &FakeGitHub) -> Octocrab {
    Octocrab::builder()
        .base_uri(gh.url())
        .expect("the fake's URL is a valid base URI")
        .personal_token(TOKEN.to_string())
        .build()
        .expect("build octocrab")
}

fn sha(kind: &str, n: u64) -> String {
    format!("{:0>40}", format!("{n:x}{}", kind.len()))
}

fn pull(number: u64, base: &str, author: &str, updated_at: i64) -> PullRequest {
    PullRequest {
        number,
        title: format!("gh-{number}: change"),
        body: "body".into(),
        author: author.into(),
        author_association: "MEMBER".into(),
        merged_by: Some("carol".into()),
        merged_at: Some(updated_at - 60),
        merge_commit_sha: Some(sha("merge", number)),
        head_sha: Some(sha("head", number)),
        base_branch: base.into(),
        labels: vec!["type-bug".into()],
        updated_at: Some(updated_at),
        commits: vec![sha("first", number), sha("head", number)],
    }
}

fn review(id: u64, pr: u64, user: &str, commit: String) -> Review {
    Review {
        id,
        pr,
        user: user.into(),
        state: ReviewState::Approved,
        commit_id: Some(commit),
        submitted_at: Some(T0),
        author_association: "MEMBER".into(),
        marker: None,
    }
}

/// 250 merged pull requests into main, one a bot's, one by a deleted
/// account, each reviewed; #7 has 150 reviews.
fn seeded() -> FakeGitHub {
    let gh = FakeGitHub::start();
    for n in 1..=250u64 {
        let author = match n {
            3 => "dependabot[bot]",
            4 => "ghost",
            _ => "alice",
        };
        gh.add_pull(REPO, &pull(n, "main", author, T0 + n as i64 * 60), "MEMBER");
        gh.add_review(REPO, &review(n * 1000, n, "bob", sha("head", n)), "MEMBER");
    }
    for i in 1..150u64 {
        gh.add_review(REPO, &review(7000 + i, 7, "bob", sha("first", 7)), "MEMBER");
    }
    gh
}

/// The whole answer, errors and all (octocrab's `graphql` keeps only the data).
async fn post(gh: &FakeGitHub, query: &str, variables: Value) -> Value {
    let octo = client(gh);
    let payload = json!({ "query": query, "variables": variables });
    let response = octo._post("/graphql", Some(&payload)).await.expect("POST /graphql");
    assert_eq!(response.status(), 200, "{query}");
    let text = octo.body_to_string(response).await.expect("read the body");
    serde_json::from_str(&text).expect("a JSON answer")
}

fn messages(answer: &Value) -> Vec<String> {
    answer["errors"].as_array().into_iter().flatten().map(|e| e["message"].as_str().unwrap_or("").to_string()).collect()
}

fn slug() -> RepoSlug {
    RepoSlug { owner: "python".into(), name: "cpython".into() }
}

#[tokio::test]
async fn rearviews_queries_pass_the_schema_and_answer_without_errors() {
    let gh = seeded();
    let (text, variables) = queries::merged_page(&slug(), "main", queries::PAGE, None);
    let page = post(&gh, &text, variables).await;
    assert!(page.get("errors").is_none(), "{page:#}");
    let nodes = page["data"]["repository"]["pullRequests"]["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), queries::PAGE);
    assert_eq!(nodes[0]["number"], 250, "most recently updated first");
    assert_eq!(page["data"]["rateLimit"]["cost"], 1, "a page of {} costs one point", queries::PAGE);

    let (text, variables) = queries::pulls_by_number(&slug(), &[3, 4, 7, 9999]);
    let batch = post(&gh, &text, variables).await;
    assert_eq!(batch["data"]["repository"]["p0"]["author"], json!({ "__typename": "Bot", "login": "dependabot" }));
    assert_eq!(batch["data"]["repository"]["p1"]["author"], Value::Null, "a deleted account is null");
    assert_eq!(batch["data"]["repository"]["p2"]["reviews"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(batch["data"]["repository"]["p3"], Value::Null);
    assert_eq!(messages(&batch), ["Could not resolve to a PullRequest with the number of 9999."]);
    assert_eq!(batch["errors"][0]["type"], "NOT_FOUND");
    assert_eq!(batch["errors"][0]["path"], json!(["repository", "p3"]));

    let cursor = batch["data"]["repository"]["p2"]["reviews"]["pageInfo"]["endCursor"].as_str().expect("cursor");
    let (text, variables) = queries::more_reviews(&slug(), &[(7, Some(cursor.to_string()))]);
    let more = post(&gh, &text, variables).await;
    assert!(more.get("errors").is_none(), "{more:#}");
    assert_eq!(more["data"]["repository"]["p0"]["reviews"]["nodes"].as_array().map(Vec::len), Some(50));

    let (text, variables) = queries::commits(&slug(), &[(7, None), (8, None)]);
    let commits = post(&gh, &text, variables).await;
    assert!(commits.get("errors").is_none(), "{commits:#}");
    assert_eq!(commits["data"]["repository"]["p1"]["commits"]["nodes"][1]["commit"]["oid"], sha("head", 8));

    let (text, variables) = queries::pulls_for_commits(&slug(), &[sha("merge", 12), "e".repeat(40)]);
    let links = post(&gh, &text, variables).await;
    assert!(links.get("errors").is_none(), "{links:#}");
    assert_eq!(links["data"]["repository"]["c0"]["associatedPullRequests"]["nodes"], json!([{ "number": 12 }]));
    assert_eq!(links["data"]["repository"]["c1"]["associatedPullRequests"]["nodes"], json!([]));
}

#[tokio::test]
async fn what_the_schema_does_not_have_is_an_error_and_nothing_runs() {
    let gh = seeded();
    let points = gh.graphql_remaining();
    let cases = [
        (
            "{ repository(owner: \"python\", name: \"cpython\") { pullRequests(first: 1) { nodes { numbr } } } }",
            "Field 'numbr' doesn't exist on type 'PullRequest'",
        ),
        (
            "{ repository(owner: \"python\", name: \"cpython\") { pullRequests(first: 1, sort: UPDATED) { totalCount } } }",
            "Field 'pullRequests' doesn't accept argument 'sort'",
        ),
        (
            "{ repository(owner: \"python\", name: \"cpython\") { pullRequests(first: 1, states: [MERGD]) { totalCount } } }",
            "Argument 'argument 'states' on Field 'pullRequests'' has an invalid value (MERGD)",
        ),
        ("{ repository(owner: \"python\") { name } }", "Field 'repository' is missing required arguments: name"),
        ("query { repository(owner: $o, name: \"x\") { name } }", "Variable $o is used by anonymous query but not declared"),
        ("{ rateLimit }", "Field must have selections (field 'rateLimit' returns RateLimit"),
        ("{ rateLimit { cost { x } } }", "Selections can't be made on scalars (field 'cost' returns Int!"),
        ("{ repository(owner: \"python\", name: \"cpython\") { ...Nope } }", "Fragment Nope was used, but not defined"),
        ("{ repository(owner: \"python\", name: \"cpython\") { ... on Commit { oid } } }", "Fragment on Commit can't be spread inside Repository"),
        ("{ repository(owner: \"python\", name: \"cpython\") { name } } fragment F on Repository { name }", "Fragment F was defined, but not used"),
        ("{ repository(owner: \"python\", name: ", "Parse error"),
    ];
    for (query, expected) in cases {
        let answer = post(&gh, query, json!({})).await;
        let said = messages(&answer);
        assert!(said.iter().any(|m| m.contains(expected)), "{query}: {said:#?}");
        assert!(answer.get("data").is_none(), "{query}: nothing runs: {answer:#}");
    }
    assert_eq!(gh.graphql_remaining(), points, "a refused query costs nothing");

    // In GitHub's schema, but not answered by the fake: an error, never a silent null.
    let answer = post(
        &gh,
        "{ repository(owner: \"python\", name: \"cpython\") { pullRequest(number: 1) { author { avatarUrl } } } }",
        json!({}),
    )
    .await;
    assert_eq!(messages(&answer), ["the fake GitHub does not model User.avatarUrl"]);
}

#[tokio::test]
async fn connections_need_bounds_and_cost_by_githubs_rules() {
    let gh = seeded();
    let missing =
        post(&gh, "{ repository(owner: \"python\", name: \"cpython\") { pullRequests { totalCount } } }", json!({}))
            .await;
    assert_eq!(missing["errors"][0]["type"], "MISSING_PAGINATION_BOUNDARIES");
    let excessive = post(
        &gh,
        "{ repository(owner: \"python\", name: \"cpython\") { pullRequests(first: 101) { totalCount } } }",
        json!({}),
    )
    .await;
    assert_eq!(excessive["errors"][0]["type"], "EXCESSIVE_PAGINATION");

    // requests: 1 + n (reviews) + n (labels); cost max(1, round(requests / 100)).
    let cost = |n: u64| {
        format!(
            "{{ rateLimit {{ cost nodeCount }} repository(owner: \"python\", name: \"cpython\") {{ pullRequests(first: {n}) {{ \
             nodes {{ reviews(first: 100) {{ totalCount }} labels(first: 10) {{ totalCount }} }} }} }} }}"
        )
    };
    for (n, points, nodes) in
        [(1, 1, 1 + 100 + 10), (74, 1, 74 + 7400 + 740), (75, 2, 75 + 7500 + 750), (100, 2, 100 + 10_000 + 1000)]
    {
        let answer = post(&gh, &cost(n), json!({})).await;
        assert_eq!(answer["data"]["rateLimit"]["cost"], points, "first: {n}");
        assert_eq!(answer["data"]["rateLimit"]["nodeCount"], nodes, "first: {n}");
    }
    let huge = "{ repository(owner: \"python\", name: \"cpython\") { pullRequests(first: 100) { nodes { reviews(first: 100) { \
                nodes { commit { associatedPullRequests(first: 100) { totalCount } } } } } } } }";
    assert_eq!(post(&gh, huge, json!({})).await["errors"][0]["type"], "MAX_NODE_LIMIT_EXCEEDED");
}

#[tokio::test]
async fn cursors_walk_the_update_order_and_a_moved_pull_request_skips_nothing() {
    let gh = seeded();
    let query = "query($after: String) { repository(owner: \"python\", name: \"cpython\") { \
                 pullRequests(first: 100, after: $after, states: [MERGED], orderBy: {field: UPDATED_AT, direction: DESC}) { \
                 pageInfo { hasNextPage endCursor } nodes { number } } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = post(&gh, query, json!({ "after": after })).await;
        let connection = &page["data"]["repository"]["pullRequests"];
        seen.extend(connection["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["number"].as_u64()));
        if seen.len() == 100 {
            // #5, already listed? No: not yet. It moves to the top mid-walk.
            gh.touch_pull(REPO, 5, T0 + 1_000_000);
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    let expected: Vec<u64> = (1..=250).rev().filter(|n| *n != 5).collect();
    assert_eq!(seen, expected, "every other pull request once, in order; #5 moved above the cursor");
    let bad = post(&gh, query, json!({ "after": "not-a-cursor" })).await;
    assert_eq!(bad["errors"][0]["type"], "INVALID_CURSOR_ARGUMENTS");
}

#[tokio::test]
async fn points_run_out_with_githubs_rate_limited_error_apart_from_rest() {
    let gh = seeded();
    gh.set_graphql_rate_limit(2, chrono::Utc::now().timestamp() + 3600);
    let rest_before = gh.rate_remaining();
    let query = "{ rateLimit { remaining used limit resetAt } }";
    let first = post(&gh, query, json!({})).await;
    assert_eq!(first["data"]["rateLimit"]["remaining"], 1);
    assert_eq!(first["data"]["rateLimit"]["used"], 1);
    post(&gh, query, json!({})).await;
    let refused = post(&gh, query, json!({})).await;
    assert_eq!(refused["errors"][0]["type"], "RATE_LIMITED");
    assert!(messages(&refused)[0].starts_with("API rate limit already exceeded for user ID"));
    assert!(refused.get("data").is_none());
    let log = gh.requests();
    let last = log.last().expect("logged");
    assert_eq!(last.status, Some(200), "GitHub answers a used-up GraphQL limit with 200");
    assert_eq!(gh.rate_remaining(), rest_before, "GraphQL points are not REST requests");

    // octocrab's own `graphql` sees the data of a good answer.
    gh.set_graphql_rate_limit(5, chrono::Utc::now().timestamp() + 3600);
    let data: Value = client(&gh).graphql(&json!({ "query": query })).await.expect("data");
    assert_eq!(data["rateLimit"]["remaining"], 4, "{data:#}");

    // Unauthenticated: GraphQL needs a token.
    let anonymous = Octocrab::builder().base_uri(gh.url()).expect("uri").build().expect("octocrab");
    let response = anonymous._post("/graphql", Some(&json!({ "query": query }))).await.expect("an answer");
    assert_eq!(response.status(), 401);
    let text = anonymous.body_to_string(response).await.expect("body");
    assert!(text.contains("This endpoint requires you to be authenticated."), "{text}");
}

#[tokio::test]
async fn an_unknown_repository_is_null_beside_not_found() {
    let gh = seeded();
    let answer = post(&gh, "{ repository(owner: \"python\", name: \"nope\") { name } }", json!({})).await;
    assert_eq!(answer["data"]["repository"], Value::Null);
    assert_eq!(answer["errors"][0]["type"], "NOT_FOUND");
    assert_eq!(messages(&answer), ["Could not resolve to a Repository with the name 'python/nope'."]);
}
