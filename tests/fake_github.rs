//! The fake GitHub of `support/fake_github.rs`, driven by octocrab itself:
//! every route's JSON must deserialize into octocrab 0.54's models, and the
//! pagination, conditional requests, rate limits, tokens and faults must
//! behave as GitHub's do (and as octocrab sees them).

mod support;

use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use http::header::{HeaderMap, HeaderValue, IF_NONE_MATCH};
use octocrab::commits::PullRequestTarget;
use octocrab::models::commits::Comment as CommitComment;
use octocrab::models::pulls::{ReviewAction, ReviewState as OctoReviewState};
use octocrab::models::repos::RepoCommit;
use octocrab::models::{issues, pulls, RateLimit, Repository};
use octocrab::service::middleware::cache::mem::InMemoryCache;
use octocrab::service::middleware::retry::RetryConfig;
use octocrab::Octocrab;
use rearview::model::{PullRequest, Review, ReviewState};
use serde_json::Value;
use support::fake_github::{FakeGitHub, Fault, LoggedRequest, NOT_FOUND_JSON, NOT_GITHUB_HTML};

const TOKEN: &str = "ghp_FAKEtoken0123456789secretDoNotLeak";
const REPO: &str = "python/cpython";
/// 2024-05-06T09:00:00Z.
const T0: i64 = 1_714_986_000;

/// What octocrab's raw `_get`/`_post` return (`hyper::body::Bytes` is `bytes::Bytes`).
type RawResponse = http::Response<http_body_util::combinators::BoxBody<hyper::body::Bytes, octocrab::Error>>;

// ---------------------------------------------------------------------------
// Helpers

fn client(gh: &FakeGitHub, token: Option<&str>) -> Octocrab {
    builder(gh, token).build().expect("build octocrab")
}

/// Without octocrab's default retries (`RetryConfig::Simple(3)`), so that
/// every fault reaches the caller.
fn client_without_retry(gh: &FakeGitHub, token: Option<&str>) -> Octocrab {
    builder(gh, token).add_retry_config(RetryConfig::None).build().expect("build octocrab")
}

fn builder(
    gh: &FakeGitHub,
    token: Option<&str>,
) -> octocrab::OctocrabBuilder<
    octocrab::NoSvc,
    octocrab::DefaultOctocrabBuilderConfig,
    octocrab::NoAuth,
    octocrab::NotLayerReady,
> {
    let mut builder = Octocrab::builder().base_uri(gh.url()).expect("the fake's URL is a valid base URI");
    if let Some(token) = token {
        builder = builder.personal_token(token.to_string());
    }
    builder
}

fn pull(number: u64, base: &str, merged_at: Option<i64>, updated_at: i64) -> PullRequest {
    PullRequest {
        number,
        title: format!("gh-{number}: fix the thing"),
        body: format!("Body of #{number}"),
        author: format!("author{number}"),
        author_association: "CONTRIBUTOR".into(),
        merged_by: merged_at.map(|_| "merger".to_string()),
        merged_at,
        merge_commit_sha: merged_at.map(|_| format!("{number:0>40}")),
        head_sha: Some(format!("{:x>40}", number)),
        base_branch: base.into(),
        labels: vec!["type-bug".into(), "needs backport to 3.12".into()],
        updated_at: Some(updated_at),
        commits: vec![format!("{:a>40}", number), format!("{:x>40}", number)],
    }
}

/// Five merged pull requests on `main` (updated out of number order), one
/// merged on `3.12`, one open on `main`, and reviews on #1.
fn seeded() -> FakeGitHub {
    let gh = FakeGitHub::start();
    gh.add_repo("python", "cpython");
    for (number, updated) in [(1, 500), (2, 100), (3, 400), (4, 200), (5, 300)] {
        gh.add_pull(REPO, &pull(number, "main", Some(T0 + number as i64), T0 + updated), "CONTRIBUTOR");
    }
    gh.add_pull(REPO, &pull(6, "3.12", Some(T0 + 6), T0 + 600), "MEMBER");
    gh.add_pull(REPO, &pull(7, "main", None, T0 + 700), "");
    for (id, state, at) in [(11, ReviewState::Approved, T0 - 10), (10, ReviewState::ChangesRequested, T0 - 20)] {
        let review = Review {
            id,
            pr: 1,
            user: "reviewer".into(),
            state,
            commit_id: Some(format!("{:x>40}", 1)),
            submitted_at: Some(at),
            author_association: "NONE".into(),
            marker: None,
        };
        gh.add_review(REPO, &review, "MEMBER"); // the argument wins over the model's
    }
    gh
}

async fn raw_get(octo: &Octocrab, route: &str) -> RawResponse {
    octo._get(route).await.unwrap_or_else(|e| panic!("GET {route}: {e}"))
}

async fn raw_get_with(octo: &Octocrab, route: &str, headers: HeaderMap) -> RawResponse {
    octo._get_with_headers(route, Some(headers)).await.unwrap_or_else(|e| panic!("GET {route}: {e}"))
}

fn header(response: &RawResponse, name: &str) -> Option<String> {
    response.headers().get(name).map(|v| v.to_str().expect("an ASCII header").to_string())
}

async fn body(octo: &Octocrab, response: RawResponse) -> String {
    octo.body_to_string(response).await.expect("read the whole body")
}

/// GETs `route`, expects a 200, and deserializes the body as `T`.
async fn get_as<T: serde::de::DeserializeOwned>(octo: &Octocrab, route: &str) -> (T, Value) {
    let response = raw_get(octo, route).await;
    assert_eq!(response.status(), 200, "GET {route}");
    let text = body(octo, response).await;
    let typed = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("GET {route}: does not deserialize into {}: {e}\n{text}", std::any::type_name::<T>())
    });
    (typed, serde_json::from_str(&text).expect("valid JSON"))
}

fn status_of(error: &octocrab::Error) -> Option<u16> {
    match error {
        octocrab::Error::GitHub { source, .. } => Some(source.status_code.as_u16()),
        _ => None,
    }
}

fn message_of(error: &octocrab::Error) -> String {
    match error {
        octocrab::Error::GitHub { source, .. } => source.message.clone(),
        other => panic!("expected a GitHub error, got {other}"),
    }
}

fn errors_of(error: &octocrab::Error) -> Vec<Value> {
    match error {
        octocrab::Error::GitHub { source, .. } => source.errors.clone().unwrap_or_default(),
        other => panic!("expected a GitHub error, got {other}"),
    }
}

fn statuses(log: &[LoggedRequest]) -> Vec<Option<u16>> {
    log.iter().map(|r| r.status).collect()
}

fn if_none_match(etag: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(IF_NONE_MATCH, HeaderValue::from_str(etag).expect("an ETag is a valid header value"));
    headers
}

// ---------------------------------------------------------------------------
// Shapes

#[tokio::test]
async fn every_route_deserializes_into_octocrab_models() {
    let gh = seeded();
    let octo = client(&gh, Some(TOKEN));

    let (repo, _) = get_as::<Repository>(&octo, "/repos/python/cpython").await;
    assert_eq!(repo.full_name.as_deref(), Some("python/cpython"));
    assert_eq!(repo.default_branch.as_deref(), Some("main"));
    assert_eq!(repo.owner.expect("an owner").login, "python");

    let (list, raw) = get_as::<Vec<pulls::PullRequest>>(&octo, "/repos/python/cpython/pulls?state=all").await;
    assert_eq!(list.len(), 7);
    for (pr, raw) in list.iter().zip(raw.as_array().expect("an array")) {
        let fields = raw.as_object().expect("an object");
        assert!(!fields.contains_key("merged_by"), "the list endpoint omits merged_by: #{}", pr.number);
        assert!(!fields.contains_key("merged"), "the list endpoint omits merged: #{}", pr.number);
        assert!(pr.user.is_some() && pr.head.sha.len() == 40 && pr.base.repo.is_some());
    }

    let (one, raw) = get_as::<pulls::PullRequest>(&octo, "/repos/python/cpython/pulls/1").await;
    assert_eq!(raw["merged_at"], "2024-05-06T09:00:01Z", "GitHub's ISO 8601, to the second, in UTC");
    assert_eq!(one.merged, Some(true));
    assert_eq!(one.merged_by.as_ref().map(|u| u.login.as_str()), Some("merger"));
    assert_eq!(one.merged_at.map(|t| t.timestamp()), Some(T0 + 1));
    assert_eq!(one.updated_at.map(|t| t.to_rfc3339()), Some("2024-05-06T09:08:20+00:00".into()));
    assert_eq!(one.merge_commit_sha.as_deref(), Some(format!("{:0>40}", 1).as_str()));
    assert_eq!(one.head.sha, format!("{:x>40}", 1));
    assert_eq!(one.base.ref_field, "main");
    assert_eq!(one.user.as_ref().map(|u| u.login.as_str()), Some("author1"));
    assert!(matches!(one.author_association, Some(octocrab::models::AuthorAssociation::Contributor)));
    let labels: Vec<String> = one.labels.unwrap_or_default().into_iter().map(|l| l.name).collect();
    assert_eq!(labels, ["type-bug", "needs backport to 3.12"]);
    let (open, _) = get_as::<pulls::PullRequest>(&octo, "/repos/python/cpython/pulls/7").await;
    assert_eq!((open.merged, open.merged_by.is_none()), (Some(false), true));
    assert!(matches!(open.state, Some(octocrab::models::IssueState::Open)));
    // The model's author_association is used when add_pull gets "".
    assert!(matches!(open.author_association, Some(octocrab::models::AuthorAssociation::Contributor)));

    let (reviews, raw) = get_as::<Vec<pulls::Review>>(&octo, "/repos/python/cpython/pulls/1/reviews").await;
    let ids: Vec<u64> = reviews.iter().map(|r| r.id.0).collect();
    assert_eq!(ids, [10, 11], "oldest first");
    assert_eq!(reviews[1].state, Some(OctoReviewState::Approved));
    assert_eq!(reviews[0].state, Some(OctoReviewState::ChangesRequested));
    assert_eq!(reviews[1].submitted_at.map(|t| t.timestamp()), Some(T0 - 10));
    assert_eq!(reviews[1].commit_id.as_deref(), Some(format!("{:x>40}", 1).as_str()));
    assert_eq!(reviews[1].user.as_ref().map(|u| u.login.as_str()), Some("reviewer"));
    assert!(matches!(reviews[1].author_association, Some(octocrab::models::AuthorAssociation::Member)));
    assert!(raw[0]["_links"]["pull_request"]["href"].is_string());
    let (review, _) = get_as::<pulls::Review>(&octo, "/repos/python/cpython/pulls/1/reviews/11").await;
    assert_eq!(review.id.0, 11);

    let (commits, _) = get_as::<Vec<RepoCommit>>(&octo, "/repos/python/cpython/pulls/1/commits").await;
    let shas: Vec<&str> = commits.iter().map(|c| c.sha.as_str()).collect();
    assert_eq!(shas, [format!("{:a>40}", 1), format!("{:x>40}", 1)]);
    assert_eq!(commits[1].parents[0].sha.as_deref(), Some(shas[0]), "each commit's parent is the previous one");
    assert_eq!(commits[0].author.as_ref().map(|a| a.login.as_str()), Some("author1"));

    let (linked, _) =
        get_as::<Vec<pulls::PullRequest>>(&octo, &format!("/repos/python/cpython/commits/{:0>40}/pulls", 3)).await;
    assert_eq!(linked.iter().map(|p| p.number).collect::<Vec<_>>(), [3]);

    let (rate, _) = get_as::<RateLimit>(&octo, "/rate_limit").await;
    assert_eq!(rate.rate.limit, 5000);
    assert_eq!(rate.resources.core, rate.rate);

    // POST answers deserialize too, and later lists show what was posted.
    let response = octo
        ._post("/repos/python/cpython/pulls/2/reviews", Some(&serde_json::json!({"body": "LGTM", "event": "APPROVE"})))
        .await
        .expect("POST a review");
    assert_eq!(response.status(), 200);
    let posted: pulls::Review = serde_json::from_str(&body(&octo, response).await).expect("a review");
    assert_eq!(posted.state, Some(OctoReviewState::Approved));
    let response = octo
        ._post("/repos/python/cpython/issues/2/comments", Some(&serde_json::json!({"body": "Thanks!"})))
        .await
        .expect("POST a comment");
    assert_eq!(response.status(), 201);
    assert!(header(&response, "location").is_some_and(|l| l.starts_with(&gh.url())));
    let comment: issues::Comment = serde_json::from_str(&body(&octo, response).await).expect("a comment");
    assert_eq!(comment.body.as_deref(), Some("Thanks!"));
    let (comments, _) = get_as::<Vec<issues::Comment>>(&octo, "/repos/python/cpython/issues/2/comments").await;
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].user.login, "rearview-user");
}

#[tokio::test]
async fn octocrab_typed_calls_work_against_every_route() {
    let gh = seeded();
    gh.set_token_user(TOKEN, "carol");
    let octo = client(&gh, Some(TOKEN));

    let repo = octo.repos("python", "cpython").get().await.expect("get the repository");
    assert_eq!(repo.name, "cpython");

    let page = octo
        .pulls("python", "cpython")
        .list()
        .state(octocrab::params::State::Closed)
        .base("main")
        .sort(octocrab::params::pulls::Sort::Updated)
        .direction(octocrab::params::Direction::Descending)
        .per_page(100)
        .send()
        .await
        .expect("list pull requests");
    assert_eq!(page.items.iter().map(|p| p.number).collect::<Vec<_>>(), [1, 3, 5, 4, 2]);
    assert!(page.next.is_none());

    let pr = octo.pulls("python", "cpython").get(5).await.expect("get a pull request");
    assert_eq!(pr.merged_by.map(|u| u.login), Some("merger".to_string()));

    let reviews = octo.pulls("python", "cpython").list_reviews(1).send().await.expect("list reviews");
    assert_eq!(reviews.items.len(), 2);

    let commits =
        octo.pulls("python", "cpython").pr_commits(1).send().await.expect("list the commits of a pull request");
    assert_eq!(commits.items.len(), 2);

    let linked = octo
        .commits("python", "cpython")
        .associated_pull_requests(PullRequestTarget::Sha(format!("{:a>40}", 6)))
        .send()
        .await
        .expect("pull requests of a commit");
    assert_eq!(linked.items.iter().map(|p| p.number).collect::<Vec<_>>(), [6]);

    // `pull_number(..).reviews().create_review(..)` is deprecated in 0.54;
    // a typed POST with the same body (`comments` included) is what is left.
    let request = serde_json::json!({
        "commit_id": format!("{:x>40}", 3),
        "body": "Looks right.",
        "event": ReviewAction::Approve,
        "comments": [],
    });
    let posted: pulls::Review =
        octo.post("/repos/python/cpython/pulls/3/reviews", Some(&request)).await.expect("create a review");
    assert_eq!(posted.user.map(|u| u.login), Some("carol".to_string()));
    let comment = octo.issues("python", "cpython").create_comment(3, "Approved after merge.").await.expect("comment");
    assert_eq!(comment.user.login, "carol");
    let comments = octo.issues("python", "cpython").list_comments(3).send().await.expect("list comments");
    assert_eq!(comments.items.len(), 1);

    let rate = octo.ratelimit().get().await.expect("get the rate limit");
    assert_eq!(rate.resources.core.limit, 5000);
}

// ---------------------------------------------------------------------------
// Lists and state

#[tokio::test]
async fn pulls_are_filtered_sorted_and_paginated_with_link_headers() {
    let gh = seeded();
    let octo = client(&gh, Some(TOKEN));
    let url = gh.url();
    let route = "/repos/python/cpython/pulls?state=closed&base=main&sort=updated&direction=desc&per_page=2";
    let link = |page: usize, rel: &str| {
        format!("<{url}/repos/python/cpython/pulls?state=closed&base=main&sort=updated&direction=desc&per_page=2&page={page}>; rel=\"{rel}\"")
    };

    let first = raw_get(&octo, route).await;
    assert_eq!(header(&first, "link"), Some(format!("{}, {}", link(2, "next"), link(3, "last"))));
    let numbers = |text: &str| -> Vec<u64> {
        let value: Value = serde_json::from_str(text).expect("JSON");
        value.as_array().expect("an array").iter().map(|p| p["number"].as_u64().expect("a number")).collect()
    };
    assert_eq!(numbers(&body(&octo, first).await), [1, 3]);

    let second = raw_get(&octo, &format!("{route}&page=2")).await;
    assert_eq!(
        header(&second, "link"),
        Some([link(1, "prev"), link(3, "next"), link(3, "last"), link(1, "first")].join(", "))
    );
    assert_eq!(numbers(&body(&octo, second).await), [5, 4]);

    let third = raw_get(&octo, &format!("{route}&page=3")).await;
    assert_eq!(header(&third, "link"), Some([link(2, "prev"), link(1, "first")].join(", ")));
    assert_eq!(numbers(&body(&octo, third).await), [2]);

    // `page` given first is replaced in place; the other parameters stay.
    let response = raw_get(&octo, "/repos/python/cpython/pulls?page=1&state=all&per_page=3").await;
    let next = format!("<{url}/repos/python/cpython/pulls?page=2&state=all&per_page=3>; rel=\"next\"");
    assert!(header(&response, "link").is_some_and(|l| l.starts_with(&next)), "{:?}", header(&response, "link"));

    // Defaults: state=open, 30 a page, no Link when everything fits.
    let response = raw_get(&octo, "/repos/python/cpython/pulls").await;
    assert_eq!(header(&response, "link"), None);
    assert_eq!(numbers(&body(&octo, response).await), [7]);
    // per_page is capped at 100.
    let response = raw_get(&octo, "/repos/python/cpython/pulls?state=all&per_page=1000").await;
    assert_eq!(numbers(&body(&octo, response).await).len(), 7);
    let response = raw_get(&octo, "/repos/python/cpython/pulls?state=closed&base=3.12").await;
    assert_eq!(numbers(&body(&octo, response).await), [6]);

    // octocrab follows the Link header.
    let page = octo
        .pulls("python", "cpython")
        .list()
        .state(octocrab::params::State::Closed)
        .base("main")
        .sort(octocrab::params::pulls::Sort::Updated)
        .direction(octocrab::params::Direction::Descending)
        .per_page(2)
        .send()
        .await
        .expect("first page");
    assert_eq!(
        page.next.as_ref().map(|u| u.to_string()),
        Some(link(2, "next")[1..].split('>').next().expect("a URL").to_string())
    );
    gh.clear_log();
    let all = octo.all_pages(page).await.expect("every page");
    assert_eq!(all.iter().map(|p| p.number).collect::<Vec<_>>(), [1, 3, 5, 4, 2]);
    // The absolute `next` URLs are on the base URI's authority, so octocrab
    // still attaches the token to them.
    let log = gh.requests();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|r| r.authorization), "{log:#?}");
}

#[tokio::test]
async fn posted_reviews_and_comments_appear_in_later_lists_and_bump_updated_at() {
    let gh = seeded();
    gh.set_token_user(TOKEN, "carol");
    gh.set_association(REPO, "carol", "MEMBER");
    let octo = client(&gh, Some(TOKEN));
    let before = octo.pulls("python", "cpython").get(2).await.expect("get #2");

    let review =
        serde_json::json!({"body": "Reviewed after merge", "event": "APPROVE", "commit_id": format!("{:x>40}", 2)});
    let response = octo._post("/repos/python/cpython/pulls/2/reviews", Some(&review)).await.expect("POST");
    assert_eq!(response.status(), 200);

    let reviews = octo.pulls("python", "cpython").list_reviews(2).send().await.expect("list reviews");
    assert_eq!(reviews.items.len(), 1);
    let posted = &reviews.items[0];
    assert_eq!(posted.state, Some(OctoReviewState::Approved));
    assert_eq!(posted.user.as_ref().map(|u| u.login.as_str()), Some("carol"));
    assert_eq!(posted.body.as_deref(), Some("Reviewed after merge"));
    assert_eq!(posted.commit_id.as_deref(), Some(format!("{:x>40}", 2).as_str()));
    assert!(matches!(posted.author_association, Some(octocrab::models::AuthorAssociation::Member)));

    let after = octo.pulls("python", "cpython").get(2).await.expect("get #2");
    assert!(after.updated_at > before.updated_at, "{:?} then {:?}", before.updated_at, after.updated_at);
    // Now the most recently updated of the merged ones.
    let page = octo
        .pulls("python", "cpython")
        .list()
        .state(octocrab::params::State::Closed)
        .sort(octocrab::params::pulls::Sort::Updated)
        .direction(octocrab::params::Direction::Descending)
        .send()
        .await
        .expect("list");
    assert_eq!(page.items[0].number, 2);

    // Without commit_id: the head. REQUEST_CHANGES and COMMENT map too.
    for (event, state) in
        [("REQUEST_CHANGES", OctoReviewState::ChangesRequested), ("COMMENT", OctoReviewState::Commented)]
    {
        let response = octo
            ._post("/repos/python/cpython/pulls/4/reviews", Some(&serde_json::json!({"body": "Hmm", "event": event})))
            .await
            .expect("POST");
        let review: pulls::Review = serde_json::from_str(&body(&octo, response).await).expect("a review");
        assert_eq!(review.state, Some(state));
        assert_eq!(review.commit_id.as_deref(), Some(format!("{:x>40}", 4).as_str()));
    }
    let recorded: Vec<(u64, String)> = gh.posted_reviews().into_iter().map(|r| (r.pr, r.state)).collect();
    assert_eq!(recorded, [(2, "APPROVED".into()), (4, "CHANGES_REQUESTED".into()), (4, "COMMENTED".into())]);

    // GitHub refuses to let authors approve their own pull request.
    gh.set_token_user("author-token", "author5");
    let author = client(&gh, Some("author-token"));
    let error =
        octo_post_error(&author, "/repos/python/cpython/pulls/5/reviews", serde_json::json!({"event": "APPROVE"}))
            .await;
    assert_eq!(status_of(&error), Some(422));
    // A body is required to request changes or comment.
    let error =
        octo_post_error(&octo, "/repos/python/cpython/pulls/5/reviews", serde_json::json!({"event": "COMMENT"})).await;
    assert_eq!(status_of(&error), Some(422));
    // Posting needs a token.
    let anonymous = client(&gh, None);
    let error =
        octo_post_error(&anonymous, "/repos/python/cpython/issues/5/comments", serde_json::json!({"body": "hi"})).await;
    assert_eq!((status_of(&error), message_of(&error)), (Some(401), "Requires authentication".to_string()));
    assert_eq!(gh.posted_reviews().len(), 3);
    assert!(gh.posted_comments().is_empty());
}

#[tokio::test]
async fn a_review_on_a_commit_outside_the_pull_request_is_refused() {
    let gh = seeded();
    let octo = client(&gh, Some(TOKEN));
    // The merge commit of #2 is not one of its commits; nor is #3's head.
    for foreign in [format!("{:0>40}", 2), format!("{:x>40}", 3), "0123abc".to_string()] {
        let request = serde_json::json!({"body": "LGTM", "event": "APPROVE", "commit_id": foreign});
        let response = octo._post("/repos/python/cpython/pulls/2/reviews", Some(&request)).await.expect("POST");
        assert_eq!(response.status(), 422, "{foreign}");
        let text = body(&octo, response).await;
        let json: Value = serde_json::from_str(&text).expect("GitHub's error JSON");
        assert_eq!(json["message"], "Unprocessable Entity");
        assert_eq!(json["errors"], serde_json::json!(["The commitOID is not part of the pull request"]));
        assert!(json["documentation_url"].as_str().is_some_and(|d| d.starts_with("https://docs.github.com/rest/")));
    }
    let request = serde_json::json!({"event": "APPROVE", "commit_id": format!("{:0>40}", 2)});
    let error = octo_post_error(&octo, "/repos/python/cpython/pulls/2/reviews", request).await;
    assert_eq!((status_of(&error), message_of(&error)), (Some(422), "Unprocessable Entity".to_string()));
    assert_eq!(errors_of(&error), [Value::from("The commitOID is not part of the pull request")]);
    assert!(gh.posted_reviews().is_empty());
    assert!(octo.pulls("python", "cpython").list_reviews(2).send().await.expect("list").items.is_empty());

    // Any of its own commits is fine, not only the head.
    let own = format!("{:a>40}", 2);
    let request = serde_json::json!({"body": "First commit is fine", "event": "COMMENT", "commit_id": own});
    let posted: pulls::Review =
        octo.post("/repos/python/cpython/pulls/2/reviews", Some(&request)).await.expect("a commit of #2");
    assert_eq!(posted.commit_id.as_deref(), Some(own.as_str()));
    let reviews = octo.pulls("python", "cpython").list_reviews(2).send().await.expect("list").items;
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].body.as_deref(), Some("First commit is fine"));
    let html = format!("https://github.com/python/cpython/pull/2#pullrequestreview-{}", posted.id.0);
    assert_eq!(reviews[0].html_url.as_str(), html);
}

// ---------------------------------------------------------------------------
// Commit comments

#[tokio::test]
async fn commit_comments_round_trip_paginated_into_octocrab_models() {
    let gh = seeded();
    gh.set_token_user(TOKEN, "carol");
    gh.set_association(REPO, "carol", "COLLABORATOR");
    let octo = client(&gh, Some(TOKEN));
    let sha = format!("{:a>40}", 1);
    gh.add_commit_comment(REPO, &sha, "alice", "Seeded before any POST");

    let mut posted = Vec::new();
    for i in 1..=3u64 {
        let comment = octo
            .commits("python", "cpython")
            .create_comment(&sha, format!("Note {i}"))
            .path("Lib/os.py")
            .position(i)
            .line(10 + i)
            .send()
            .await
            .expect("create a commit comment");
        assert_eq!(comment.commit_id, sha);
        assert_eq!(
            (comment.path.as_deref(), comment.position, comment.line),
            (Some("Lib/os.py"), Some(i), Some(10 + i))
        );
        assert_eq!(comment.user.as_ref().map(|u| u.login.as_str()), Some("carol"));
        assert!(matches!(comment.author_association, octocrab::models::AuthorAssociation::Collaborator));
        let html = format!("https://github.com/python/cpython/commit/{sha}#commitcomment-{}", comment.id.0);
        assert_eq!(comment.html_url.as_str(), html);
        assert_eq!(comment.url.as_str(), format!("{}/repos/python/cpython/comments/{}", gh.url(), comment.id.0));
        assert_eq!(comment.updated_at, Some(comment.created_at));
        posted.push(comment.id.0);
    }
    // The raw answer: 201, a Location, `null` for what was not given.
    let response = octo
        ._post(&format!("/repos/python/cpython/commits/{sha}/comments"), Some(&serde_json::json!({"body": "Raw"})))
        .await
        .expect("POST a commit comment");
    assert_eq!(response.status(), 201);
    let location = header(&response, "location").expect("a Location header");
    let raw: Value = serde_json::from_str(&body(&octo, response).await).expect("JSON");
    assert_eq!(location, raw["url"].as_str().expect("a url"));
    assert_eq!(
        (raw["path"].clone(), raw["position"].clone(), raw["line"].clone()),
        (Value::Null, Value::Null, Value::Null)
    );
    assert!(raw["node_id"].as_str().is_some_and(|n| !n.is_empty()));
    // An abbreviated sha of a commit the fake knows is completed; another commit's comments stay apart.
    let other = "3f2a9c1d0b7e4a5f6c8d9e0f1a2b3c4d5e6f7a8b".to_string();
    gh.link_commit(REPO, &other, 1);
    let elsewhere =
        octo.commits("python", "cpython").create_comment(&other[..7], "On the head").send().await.expect("post");
    assert_eq!(elsewhere.commit_id, other);
    // A sha the fake knows is a commit even when it is not hex, like this head.
    let head = format!("{:x>40}", 1);
    octo.commits("python", "cpython").create_comment(&head, "Known head").send().await.expect("a known sha");

    let route = format!("/repos/python/cpython/commits/{sha}/comments?per_page=2");
    let first = raw_get(&octo, &route).await;
    let link = |page: usize, rel: &str| format!("<{}{route}&page={page}>; rel=\"{rel}\"", gh.url());
    assert_eq!(header(&first, "link"), Some(format!("{}, {}", link(2, "next"), link(3, "last"))));
    let (page, _) = get_as::<Vec<CommitComment>>(&octo, &format!("{route}&page=3")).await;
    assert_eq!(page.iter().map(|c| c.body.as_deref()).collect::<Vec<_>>(), [Some("Raw")]);

    let page = octo
        .repos("python", "cpython")
        .comments()
        .list()
        .commit_sha(sha.clone())
        .per_page(2u8)
        .send()
        .await
        .expect("first page");
    assert!(page.next.is_some());
    let all = octo.all_pages(page).await.expect("every page");
    let bodies: Vec<&str> = all.iter().map(|c| c.body.as_deref().expect("a body")).collect();
    assert_eq!(bodies, ["Seeded before any POST", "Note 1", "Note 2", "Note 3", "Raw"], "oldest first");
    assert_eq!(all[0].user.as_ref().map(|u| u.login.as_str()), Some("alice"));
    assert!(matches!(all[0].author_association, octocrab::models::AuthorAssociation::None));
    assert_eq!(all[1..4].iter().map(|c| c.id.0).collect::<Vec<_>>(), posted);
    // Listed through an abbreviated sha too; the other commits' lists have theirs.
    let (short, _) =
        get_as::<Vec<CommitComment>>(&octo, &format!("/repos/python/cpython/commits/{}/comments", &sha[..12])).await;
    assert_eq!(short.len(), 5);
    let (linked, _) =
        get_as::<Vec<CommitComment>>(&octo, &format!("/repos/python/cpython/commits/{other}/comments")).await;
    assert_eq!(linked.iter().map(|c| c.id).collect::<Vec<_>>(), [elsewhere.id]);
    let (on_head, _) =
        get_as::<Vec<CommitComment>>(&octo, &format!("/repos/python/cpython/commits/{head}/comments")).await;
    assert_eq!(on_head.iter().map(|c| c.body.as_deref()).collect::<Vec<_>>(), [Some("Known head")]);
    // The pull request's commits count them.
    let (_, commits) = get_as::<Vec<RepoCommit>>(&octo, "/repos/python/cpython/pulls/1/commits").await;
    assert_eq!(
        (commits[0]["commit"]["comment_count"].as_u64(), commits[1]["commit"]["comment_count"].as_u64()),
        (Some(5), Some(1))
    );
    // Any hex sha is a commit; anything else is GitHub's 422.
    let (none, _) = get_as::<Vec<CommitComment>>(&octo, "/repos/python/cpython/commits/0123abc/comments").await;
    assert!(none.is_empty());
    let error = octo.repos("python", "cpython").comments().list().commit_sha("cherry").send().await.expect_err("422");
    assert_eq!((status_of(&error), message_of(&error)), (Some(422), "No commit found for SHA: cherry".to_string()));
    let error = octo.commits("python", "cpython").create_comment("0123ab", "too short").send().await.expect_err("422");
    assert_eq!((status_of(&error), message_of(&error)), (Some(422), "No commit found for SHA: 0123ab".to_string()));
    let error =
        octo.commits("python", "nope").create_comment(&sha, "no such repository").send().await.expect_err("404");
    assert_eq!(status_of(&error), Some(404));

    let recorded: Vec<(String, String, String, String)> =
        gh.posted_commit_comments().into_iter().map(|c| (c.repo, c.sha, c.user, c.body)).collect();
    let expected: Vec<(String, String, String, String)> = [
        (&sha, "Note 1"),
        (&sha, "Note 2"),
        (&sha, "Note 3"),
        (&sha, "Raw"),
        (&other, "On the head"),
        (&head, "Known head"),
    ]
    .into_iter()
    .map(|(sha, body)| (REPO.to_string(), sha.clone(), "carol".to_string(), body.to_string()))
    .collect();
    assert_eq!(recorded, expected, "seeded comments are not posted ones");
    assert_eq!(gh.posted_commit_comments()[..3].iter().map(|c| c.id).collect::<Vec<_>>(), posted);
}

#[tokio::test]
async fn commit_comments_need_a_token_and_a_body() {
    let gh = seeded();
    let sha = format!("{:a>40}", 1);
    let route = format!("/repos/python/cpython/commits/{sha}/comments");
    let anonymous = client(&gh, None);
    for route in [route.as_str(), "/repos/python/cpython/commits/cherry/comments"] {
        let error = octo_post_error(&anonymous, route, serde_json::json!({"body": "hi"})).await;
        assert_eq!((status_of(&error), message_of(&error)), (Some(401), "Requires authentication".to_string()));
    }
    let octo = client(&gh, Some(TOKEN));
    let missing = "Invalid request.\n\n\"body\" wasn't supplied.";
    for request in
        [serde_json::json!({"path": "README.md"}), serde_json::json!({"body": ""}), serde_json::json!({"body": 7})]
    {
        let error = octo_post_error(&octo, &route, request.clone()).await;
        assert_eq!((status_of(&error), message_of(&error)), (Some(422), missing.to_string()), "{request}");
    }
    let error = octo_post_error(&octo, &route, serde_json::json!({"body": "x", "position": "4"})).await;
    assert_eq!(
        (status_of(&error), message_of(&error)),
        (Some(422), "Invalid request.\n\nFor 'properties/position', \"4\" is not an integer.".to_string())
    );
    let raw = octo._post(&route, Some(&"not an object")).await.expect("POST");
    assert_eq!(raw.status(), 400);
    assert!(gh.posted_commit_comments().is_empty());
    let (listed, _) = get_as::<Vec<CommitComment>>(&anonymous, &route).await;
    assert!(listed.is_empty(), "reading needs no token");
}

async fn octo_post_error(octo: &Octocrab, route: &str, body: Value) -> octocrab::Error {
    octo.post::<_, Value>(route, Some(&body)).await.expect_err("the POST is refused")
}

#[tokio::test]
async fn touching_a_pull_request_moves_it_and_changes_its_etag() {
    let gh = seeded();
    let octo = client(&gh, Some(TOKEN));
    let first = raw_get(&octo, "/repos/python/cpython/pulls/2").await;
    let etag = header(&first, "etag").expect("an ETag");
    gh.touch_pull(REPO, 2, T0 + 10_000);
    let second = raw_get_with(&octo, "/repos/python/cpython/pulls/2", if_none_match(&etag)).await;
    assert_eq!(second.status(), 200, "a changed resource is not 304");
    let page = octo
        .pulls("python", "cpython")
        .list()
        .state(octocrab::params::State::All)
        .sort(octocrab::params::pulls::Sort::Updated)
        .direction(octocrab::params::Direction::Descending)
        .send()
        .await
        .expect("list");
    assert_eq!(page.items[0].number, 2);
    assert_eq!(gh.pulls_count(), 7);
}

#[tokio::test]
async fn commits_link_to_their_pull_requests() {
    let gh = seeded();
    gh.link_commit(REPO, "cherry", 3);
    gh.link_commit(REPO, "cherry", 1);
    let octo = client(&gh, Some(TOKEN));
    let numbers = |pulls: Vec<pulls::PullRequest>| pulls.into_iter().map(|p| p.number).collect::<Vec<_>>();
    let (linked, _) = get_as::<Vec<pulls::PullRequest>>(&octo, "/repos/python/cpython/commits/cherry/pulls").await;
    assert_eq!(numbers(linked), [1, 3]);
    let (none, _) = get_as::<Vec<pulls::PullRequest>>(&octo, "/repos/python/cpython/commits/unknown/pulls").await;
    assert!(none.is_empty());
    // The merge commit, the head and every commit of a pull request link to it.
    for sha in [format!("{:0>40}", 4), format!("{:x>40}", 4), format!("{:a>40}", 4)] {
        let (linked, _) =
            get_as::<Vec<pulls::PullRequest>>(&octo, &format!("/repos/python/cpython/commits/{sha}/pulls")).await;
        assert_eq!(numbers(linked), [4]);
    }
}

// ---------------------------------------------------------------------------
// Conditional requests and rate limits

#[tokio::test]
async fn conditional_requests_answer_304_without_spending_rate_limit() {
    let gh = seeded();
    let octo = client(&gh, Some(TOKEN));
    for route in [
        "/repos/python/cpython",
        "/repos/python/cpython/pulls?state=closed&per_page=2",
        "/repos/python/cpython/pulls/1",
        "/repos/python/cpython/pulls/1/reviews",
        "/repos/python/cpython/pulls/1/commits",
        "/repos/python/cpython/issues/1/comments",
        "/repos/python/cpython/commits/cherry/pulls",
    ] {
        let first = raw_get(&octo, route).await;
        let etag = header(&first, "etag").expect("an ETag on every GET");
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34, "strong, hex: {etag}");
        let remaining = header(&first, "x-ratelimit-remaining").expect("a remaining count");
        let spent = gh.rate_remaining();

        let second = raw_get_with(&octo, route, if_none_match(&etag)).await;
        assert_eq!(second.status(), 304, "{route}");
        assert_eq!(header(&second, "etag"), Some(etag.clone()));
        assert_eq!(header(&second, "x-ratelimit-remaining"), Some(remaining), "a 304 is free: {route}");
        assert_eq!(body(&octo, second).await, "");
        assert_eq!(gh.rate_remaining(), spent);

        // A weak comparison in a list matches too, as HTTP says.
        let weak = raw_get_with(&octo, route, if_none_match(&format!("\"0000\", W/{etag}"))).await;
        assert_eq!(weak.status(), 304, "{route}");

        let stale = raw_get_with(&octo, route, if_none_match("\"0000\"")).await;
        assert_eq!(stale.status(), 200);
        assert_eq!(gh.rate_remaining(), spent - 1);
    }
    let log = gh.requests();
    assert_eq!(log.iter().filter(|r| r.if_none_match).count(), 21);

    // octocrab's typed calls treat a bare 304 as an error…
    let etag = header(&raw_get(&octo, "/repos/python/cpython").await, "etag").expect("an ETag");
    let error = octo
        .get_with_headers::<Repository, _, ()>("/repos/python/cpython", None, Some(if_none_match(&etag)))
        .await
        .expect_err("304 is not a success for octocrab");
    assert_eq!(status_of(&error), Some(304));

    // …unless its HTTP cache is on: then it sends If-None-Match itself and
    // serves the cached body on a 304.
    let cached = builder(&gh, Some(TOKEN)).cache(InMemoryCache::new()).build().expect("build octocrab");
    let first = cached.repos("python", "cpython").get().await.expect("first GET");
    gh.clear_log();
    let remaining = gh.rate_remaining();
    let second = cached.repos("python", "cpython").get().await.expect("second GET, from the cache");
    assert_eq!(first.id, second.id);
    assert_eq!(statuses(&gh.requests()), [Some(304)]);
    assert!(gh.requests()[0].if_none_match);
    assert_eq!(gh.rate_remaining(), remaining);
}

#[tokio::test]
async fn the_rate_limit_counts_down_runs_out_and_refills_after_the_reset() {
    let gh = seeded();
    let octo = client(&gh, Some(TOKEN));
    let reset = T0 + 10 * 365 * 86_400;
    gh.set_rate_limit(3, reset);

    let response = raw_get(&octo, "/repos/python/cpython").await;
    let headers: Vec<Option<String>> =
        ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset", "x-ratelimit-resource"]
            .into_iter()
            .map(|name| header(&response, name))
            .collect();
    assert_eq!(
        headers,
        [Some("3".into()), Some("2".into()), Some("1".into()), Some(reset.to_string()), Some("core".into())]
    );
    // /rate_limit itself is free, as on GitHub.
    let rate = octo.ratelimit().get().await.expect("rate limit");
    assert_eq!((rate.rate.limit, rate.rate.remaining, rate.rate.used, rate.rate.reset), (3, 2, 1, reset as u64));
    raw_get(&octo, "/repos/python/cpython").await;
    let last = raw_get(&octo, "/repos/python/cpython").await;
    assert_eq!((last.status().as_u16(), header(&last, "x-ratelimit-remaining")), (200, Some("0".into())));

    let error = octo.repos("python", "cpython").get().await.expect_err("rate limited");
    assert_eq!(status_of(&error), Some(403));
    assert!(message_of(&error).starts_with("API rate limit exceeded for user ID"), "{}", message_of(&error));
    let limited = raw_get(&octo, "/repos/python/cpython").await;
    assert_eq!(header(&limited, "x-ratelimit-remaining"), Some("0".into()));
    assert_eq!(header(&limited, "x-ratelimit-reset"), Some(reset.to_string()));

    // Once the reset time has passed, the next request refills the window.
    gh.set_rate_reset(T0);
    let refilled = raw_get(&octo, "/repos/python/cpython").await;
    assert_eq!(refilled.status(), 200);
    assert_eq!(header(&refilled, "x-ratelimit-remaining"), Some("2".into()));
    let new_reset: i64 = header(&refilled, "x-ratelimit-reset").expect("a reset").parse().expect("unix seconds");
    assert!(new_reset > T0 + 3600);
}

#[tokio::test]
async fn unauthenticated_requests_get_60_an_hour() {
    let gh = seeded();
    let anonymous = client(&gh, None);
    let response = raw_get(&anonymous, "/repos/python/cpython").await;
    assert_eq!(header(&response, "x-ratelimit-limit"), Some("60".into()));
    assert_eq!(header(&response, "x-ratelimit-remaining"), Some("59".into()));
    assert_eq!(gh.unauthenticated_rate_remaining(), 59);
    assert_eq!(gh.rate_remaining(), 5000, "a separate bucket");

    gh.set_unauthenticated_rate_limit(1, T0 + 10 * 365 * 86_400);
    raw_get(&anonymous, "/repos/python/cpython").await;
    let error = anonymous.repos("python", "cpython").get().await.expect_err("rate limited");
    assert_eq!(status_of(&error), Some(403));
    assert!(message_of(&error).starts_with("API rate limit exceeded for 127.0.0.1."));
}

// ---------------------------------------------------------------------------
// Tokens and errors

#[tokio::test]
async fn a_required_token_rejects_missing_or_wrong_ones_and_nothing_keeps_it() {
    let gh = seeded();
    gh.require_token(Some(TOKEN));

    let right = client(&gh, Some(TOKEN));
    right.repos("python", "cpython").get().await.expect("the right token");
    for octo in [client(&gh, Some("ghp_wrong")), client(&gh, None)] {
        let error = octo.repos("python", "cpython").get().await.expect_err("401");
        assert_eq!(status_of(&error), Some(401));
        assert_eq!(message_of(&error), "Bad credentials");
        let raw = raw_get(&octo, "/repos/python/cpython").await;
        assert_eq!(
            body(&octo, raw).await,
            r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#
        );
    }
    let log = gh.requests();
    assert_eq!(
        log.iter().map(|r| (r.authorization, r.auth_scheme.as_deref())).collect::<Vec<_>>(),
        [(true, Some("Bearer")), (true, Some("Bearer")), (true, Some("Bearer")), (false, None), (false, None),]
    );
    assert!(!format!("{log:?}").contains(TOKEN), "the log keeps no token");
    assert!(!format!("{gh:?}").contains(TOKEN), "nor does Debug");

    // octocrab attaches a personal token only to relative URIs and to the
    // base URI's authority: following `next` keeps it…
    let page = right
        .pulls("python", "cpython")
        .list()
        .state(octocrab::params::State::All)
        .per_page(2)
        .send()
        .await
        .expect("page 1");
    let second = right.get_page::<pulls::PullRequest>(&page.next).await.expect("page 2 with the token");
    assert_eq!(second.map(|p| p.items.len()), Some(2));
    // …but the same server under another name gets no token at all.
    gh.clear_log();
    let elsewhere = gh.url().replace("127.0.0.1", "localhost");
    let raw = raw_get(&right, &format!("{elsewhere}/repos/python/cpython")).await;
    assert_eq!(raw.status(), 401);
    assert!(!gh.requests()[0].authorization);
}

#[tokio::test]
async fn unknown_routes_and_resources_are_github_404s() {
    let gh = seeded();
    let octo = client(&gh, Some(TOKEN));
    for route in [
        "/",
        "/users/somebody",
        "/repos/python",
        "/repos/python/nope",
        "/repos/python/nope/pulls",
        "/repos/python/cpython/pulls/999",
        "/repos/python/cpython/pulls/abc",
        "/repos/python/cpython/pulls/1/reviews/999",
        "/repos/python/cpython/pulls/999/reviews",
        "/repos/python/cpython/pulls/999/commits",
        "/repos/python/cpython/issues/999/comments",
        "/repos/python/cpython/branches",
    ] {
        let response = raw_get(&octo, route).await;
        assert_eq!(response.status(), 404, "{route}");
        assert!(header(&response, "x-ratelimit-remaining").is_some());
        assert_eq!(body(&octo, response).await, NOT_FOUND_JSON, "{route}");
    }
    let error = octo.pulls("python", "cpython").get(999).await.expect_err("404");
    assert_eq!((status_of(&error), message_of(&error)), (Some(404), "Not Found".to_string()));
    let error =
        octo_post_error(&octo, "/repos/python/cpython/pulls/999/reviews", serde_json::json!({"event": "APPROVE"}))
            .await;
    assert_eq!(status_of(&error), Some(404));
    // Repositories are case-insensitive, as on GitHub.
    octo.repos("Python", "CPython").get().await.expect("case-insensitive names");
}

// ---------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn status_faults_answer_github_errors_then_normal_again() {
    let gh = seeded();
    let octo = client_without_retry(&gh, Some(TOKEN));
    for code in [500, 502, 401, 404, 503] {
        gh.inject("/repos/python/cpython/pulls", Fault::Status(code), 2);
        for _ in 0..2 {
            let error = octo.pulls("python", "cpython").get(1).await.expect_err("an injected error");
            assert_eq!(status_of(&error), Some(code));
            assert!(!message_of(&error).is_empty());
        }
        octo.pulls("python", "cpython").get(1).await.expect("normal again");
    }
    // Only paths with the prefix are affected.
    gh.inject("/repos/python/cpython/pulls/2", Fault::Status(500), 1);
    octo.pulls("python", "cpython").get(1).await.expect("another path");
    assert!(octo.pulls("python", "cpython").get(2).await.is_err());
    let log = gh.requests();
    assert_eq!(log.iter().filter(|r| r.fault.is_some()).count(), 11);
    assert_eq!(log.last().and_then(|r| r.fault.clone()), Some(Fault::Status(500)));
}

#[tokio::test]
async fn octocrab_retries_5xx_429_and_dropped_connections_by_default() {
    let gh = seeded();
    let octo = client(&gh, Some(TOKEN)); // RetryConfig::Simple(3)
    gh.inject("/repos", Fault::Status(502), 1);
    gh.inject("/repos", Fault::Drop, 1);
    gh.inject("/repos", Fault::TooManyRequests { retry_after: 60 }, 1);
    let started = Instant::now();
    octo.pulls("python", "cpython").get(1).await.expect("retried until it worked");
    assert!(started.elapsed() < Duration::from_secs(30), "Simple retries ignore retry-after");
    assert_eq!(statuses(&gh.requests()), [Some(502), None, Some(429), Some(200)]);

    // Four failures in a row exhaust the three retries.
    gh.clear_log();
    gh.inject("/repos", Fault::Status(500), 4);
    let error = octo.pulls("python", "cpython").get(1).await.expect_err("out of retries");
    assert_eq!(status_of(&error), Some(500));
    assert_eq!(gh.requests().len(), 4);

    // A 403 (secondary rate limit) is not retried.
    gh.clear_log();
    gh.inject("/repos", Fault::SecondaryRateLimit { retry_after: 60 }, 1);
    let error = octo.pulls("python", "cpython").get(1).await.expect_err("not retried");
    assert_eq!(status_of(&error), Some(403));
    assert_eq!(gh.requests().len(), 1);
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error() {
    let gh = seeded();
    let octo = client_without_retry(&gh, Some(TOKEN));
    gh.inject("/repos/python/cpython/pulls/1", Fault::Drop, 1);
    let error = octo._get("/repos/python/cpython/pulls/1").await.expect_err("no response at all");
    assert_eq!(status_of(&error), None, "{error}");
    octo.pulls("python", "cpython").get(1).await.expect("normal again");
    let log = gh.requests();
    assert_eq!(statuses(&log), [None, Some(200)]);
    assert_eq!(gh.rate_remaining(), 4999, "a dropped request costs nothing");
}

#[tokio::test]
async fn drop_after_handling_stores_what_was_posted_but_loses_the_answer() {
    let gh = seeded();
    gh.set_token_user(TOKEN, "carol");
    let octo = client_without_retry(&gh, Some(TOKEN));
    let route = "/repos/python/cpython/pulls/2/reviews";
    gh.inject(route, Fault::DropAfterHandling, 1);
    let remaining = gh.rate_remaining();
    let request = serde_json::json!({"body": "Stored, answer lost", "event": "APPROVE"});
    let error = octo.post::<_, pulls::Review>(route, Some(&request)).await.expect_err("no answer");
    assert_eq!(status_of(&error), None, "a transport error: {error}");
    assert_eq!(gh.rate_remaining(), remaining - 1, "it was handled, so it cost one");

    let stored = gh.posted_reviews();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].pr, stored[0].user.as_str(), stored[0].body.as_str()), (2, "carol", "Stored, answer lost"));
    let log = gh.requests();
    let last = log.last().expect("logged");
    assert_eq!((last.method.as_str(), last.path.as_str(), last.status), ("POST", route, None));
    assert_eq!(last.fault, Some(Fault::DropAfterHandling));
    assert!(last.body.as_deref().is_some_and(|b| b.contains("Stored, answer lost")));
    // The review is there for whoever looks again.
    let reviews = octo.pulls("python", "cpython").list_reviews(2).send().await.expect("list reviews").items;
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].id.0, stored[0].id);
    assert_eq!(reviews[0].body.as_deref(), Some("Stored, answer lost"));
    let html = format!("https://github.com/python/cpython/pull/2#pullrequestreview-{}", stored[0].id);
    assert_eq!(reviews[0].html_url.as_str(), html);

    // octocrab's default retries resend the POST: the review is posted twice.
    gh.inject(route, Fault::DropAfterHandling, 1);
    let retrying = client(&gh, Some(TOKEN));
    let second: pulls::Review = retrying.post(route, Some(&request)).await.expect("the retry got an answer");
    assert_eq!(gh.posted_reviews().len(), 3);
    assert_eq!(gh.posted_reviews()[2].id, second.id.0);
    let log = gh.requests();
    assert_eq!(statuses(&log[log.len() - 2..]), [None, Some(200)]);

    // Same for comments, and a GET is simply unanswered.
    gh.inject("/repos/python/cpython/issues/2/comments", Fault::DropAfterHandling, 1);
    let error = octo.issues("python", "cpython").create_comment(2, "lost").await.expect_err("no answer");
    assert_eq!(status_of(&error), None, "{error}");
    assert_eq!(gh.posted_comments().iter().map(|c| c.body.as_str()).collect::<Vec<_>>(), ["lost"]);
    gh.inject("/repos/python/cpython/pulls/1", Fault::DropAfterHandling, 1);
    let error = octo.pulls("python", "cpython").get(1).await.expect_err("no answer");
    assert_eq!(status_of(&error), None, "{error}");
    octo.pulls("python", "cpython").get(1).await.expect("normal again");
}

#[tokio::test]
async fn slow_answers_wait_then_answer_and_trip_read_timeouts() {
    let gh = seeded();
    let octo = client_without_retry(&gh, Some(TOKEN));
    gh.inject("/rate_limit", Fault::Slow(Duration::from_millis(300)), 1);
    let started = Instant::now();
    octo.ratelimit().get().await.expect("a slow answer is still an answer");
    assert!(started.elapsed() >= Duration::from_millis(300));

    let impatient = builder(&gh, Some(TOKEN))
        .add_retry_config(RetryConfig::None)
        .set_read_timeout(Some(Duration::from_millis(200)))
        .build()
        .expect("build octocrab");
    gh.inject("/rate_limit", Fault::Slow(Duration::from_secs(30)), 1);
    let started = Instant::now();
    let error = impatient.ratelimit().get().await.expect_err("timed out");
    assert!(started.elapsed() < Duration::from_secs(10), "{error}");
    assert_eq!(status_of(&error), None);
}

#[tokio::test]
async fn rate_limit_faults_carry_retry_after() {
    let gh = seeded();
    let octo = client_without_retry(&gh, Some(TOKEN));
    gh.inject("/repos", Fault::SecondaryRateLimit { retry_after: 42 }, 1);
    gh.inject("/repos", Fault::TooManyRequests { retry_after: 7 }, 1);

    let secondary = raw_get(&octo, "/repos/python/cpython").await;
    assert_eq!(secondary.status(), 403);
    assert_eq!(header(&secondary, "retry-after"), Some("42".into()));
    assert_ne!(header(&secondary, "x-ratelimit-remaining"), Some("0".into()), "not the primary limit");
    let text = body(&octo, secondary).await;
    let json: Value = serde_json::from_str(&text).expect("GitHub's error JSON");
    assert!(json["message"].as_str().expect("a message").starts_with("You have exceeded a secondary rate limit"));
    assert!(json["documentation_url"].is_string());

    let too_many = raw_get(&octo, "/repos/python/cpython").await;
    assert_eq!(too_many.status(), 429);
    assert_eq!(header(&too_many, "retry-after"), Some("7".into()));

    octo.repos("python", "cpython").get().await.expect("normal again");
}

#[tokio::test]
async fn malformed_json_and_not_github_fail_to_deserialize() {
    let gh = seeded();
    let octo = client_without_retry(&gh, Some(TOKEN));
    gh.inject("/repos/python/cpython/pulls/1", Fault::MalformedJson, 1);
    let raw = raw_get(&octo, "/repos/python/cpython/pulls/1").await;
    assert_eq!(raw.status(), 200);
    assert!(serde_json::from_str::<Value>(&body(&octo, raw).await).is_err());
    gh.inject("/repos/python/cpython/pulls/1", Fault::MalformedJson, 1);
    let error = octo.pulls("python", "cpython").get(1).await.expect_err("not JSON");
    assert_eq!(status_of(&error), None, "{error}");

    gh.inject("/repos/python/cpython/pulls/1", Fault::NotGitHub, 2);
    let raw = raw_get(&octo, "/repos/python/cpython/pulls/1").await;
    assert_eq!(raw.status(), 200);
    assert!(header(&raw, "content-type").is_some_and(|t| t.starts_with("text/html")));
    assert_eq!(header(&raw, "x-ratelimit-limit"), None, "not GitHub: no GitHub headers");
    assert_eq!(header(&raw, "x-github-request-id"), None);
    assert_eq!(body(&octo, raw).await, NOT_GITHUB_HTML);
    let error = octo.pulls("python", "cpython").get(1).await.expect_err("HTML");
    assert_eq!(status_of(&error), None, "{error}");
    octo.pulls("python", "cpython").get(1).await.expect("normal again");
}

#[tokio::test]
async fn a_cut_body_announces_the_full_length_and_stops_halfway() {
    let gh = seeded();
    let octo = client_without_retry(&gh, Some(TOKEN));
    let full = body(&octo, raw_get(&octo, "/repos/python/cpython/pulls/1").await).await;

    gh.inject("/repos/python/cpython/pulls/1", Fault::CutBody, 2);
    let raw = raw_get(&octo, "/repos/python/cpython/pulls/1").await;
    assert_eq!(raw.status(), 200);
    assert_eq!(header(&raw, "content-length"), Some(full.len().to_string()));
    assert!(header(&raw, "x-ratelimit-remaining").is_some());
    let error = octo.body_to_string(raw).await.expect_err("the body stops halfway");
    assert_eq!(status_of(&error), None, "{error}");
    let error = octo.pulls("python", "cpython").get(1).await.expect_err("cut");
    assert_eq!(status_of(&error), None, "{error}");
    octo.pulls("python", "cpython").get(1).await.expect("normal again");
    assert_eq!(statuses(&gh.requests()), [Some(200); 4]);
}

// ---------------------------------------------------------------------------
// Latency, the log, sync use

#[tokio::test]
async fn latency_delays_every_answer_but_requests_in_flight_overlap() {
    let gh = seeded();
    let octo = client(&gh, Some(TOKEN));
    let latency = Duration::from_millis(100);
    gh.set_latency(latency);
    // One request hangs for a long time; the others are answered meanwhile:
    // the server does not queue requests behind a slow one.
    gh.inject("/repos/python/cpython/pulls/1", Fault::Slow(Duration::from_secs(60)), 1);
    let slow = {
        let octo = octo.clone();
        tokio::spawn(async move { octo.pulls("python", "cpython").get(1).await.map(|p| p.number) })
    };
    // Let the slow request reach the server first.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let mut numbers = Vec::new();
    for n in 2..=7 {
        numbers.push(octo.pulls("python", "cpython").get(n).await.expect("a pull request").number);
    }
    assert_eq!(numbers, [2, 3, 4, 5, 6, 7]);
    assert!(started.elapsed() >= latency, "every answer waits for the latency");
    assert!(!slow.is_finished(), "the slow request is still in flight while the others were answered");
    slow.abort();
}

#[tokio::test]
async fn the_log_records_requests_without_secrets() {
    let gh = seeded();
    let octo = client(&gh, Some(TOKEN));
    raw_get(&octo, "/repos/python/cpython/pulls?state=closed&base=main").await;
    let etag = header(&raw_get(&octo, "/repos/python/cpython").await, "etag").expect("an ETag");
    raw_get_with(&octo, "/repos/python/cpython", if_none_match(&etag)).await;
    octo.issues("python", "cpython").create_comment(1, "secret-free comment").await.expect("comment");

    let log = gh.requests();
    assert_eq!(log.len(), 4);
    assert_eq!((log[0].method.as_str(), log[0].path.as_str()), ("GET", "/repos/python/cpython/pulls"));
    assert_eq!(log[0].query, "state=closed&base=main");
    assert_eq!(log[0].query_param("base").as_deref(), Some("main"));
    assert_eq!((log[0].status, log[0].if_none_match, log[0].body.as_deref()), (Some(200), false, None));
    assert_eq!((log[2].status, log[2].if_none_match), (Some(304), true));
    assert_eq!((log[3].method.as_str(), log[3].status), ("POST", Some(201)));
    let posted: Value = serde_json::from_str(log[3].body.as_deref().expect("a POST body")).expect("JSON");
    assert_eq!(posted["body"], "secret-free comment");
    assert!(log.iter().all(|r| r.authorization && r.auth_scheme.as_deref() == Some("Bearer")));
    assert!(!format!("{log:?}").contains(TOKEN));

    // Query values are percent-decoded (`+` is a space) before filtering.
    gh.clear_log();
    let response = raw_get(&octo, "/repos/python/cpython/pulls?state=closed&base=3%2E12&q=a+b%2Fc&odd=%zz").await;
    let numbers: Vec<u64> = serde_json::from_str::<Vec<pulls::PullRequest>>(&body(&octo, response).await)
        .expect("pull requests")
        .into_iter()
        .map(|p| p.number)
        .collect();
    assert_eq!(numbers, [6]);
    let logged = &gh.requests()[0];
    assert_eq!(logged.query, "state=closed&base=3%2E12&q=a+b%2Fc&odd=%zz");
    let decoded: Vec<Option<String>> = ["base", "q", "odd", "absent"].map(|k| logged.query_param(k)).into();
    assert_eq!(decoded, [Some("3.12".into()), Some("a b/c".into()), Some("%zz".into()), None]);
    gh.clear_log();
    assert!(gh.requests().is_empty());
}

/// A plain `#[test]`: no runtime around. Speaks raw HTTP/1.1 over a std
/// socket, with the `token` scheme, and checks that Drop stops the server.
#[test]
fn serves_plain_sync_tests_and_stops_on_drop() {
    let gh = FakeGitHub::start();
    gh.add_repo("octo", "demo");
    gh.require_token(Some("s3cret"));
    let url = gh.url();
    let address = url.strip_prefix("http://").expect("an http URL").to_string();
    assert!(address.starts_with("127.0.0.1:"));

    let exchange = |request: &str| -> String {
        let mut socket = std::net::TcpStream::connect(&address).expect("connect to the fake");
        socket.set_read_timeout(Some(Duration::from_secs(10))).expect("a read timeout");
        socket.write_all(request.as_bytes()).expect("send the request");
        let mut answer = String::new();
        socket.read_to_string(&mut answer).expect("read the answer");
        answer
    };
    let answer = exchange(
        "GET /repos/octo/demo HTTP/1.1\r\nHost: x\r\nAuthorization: token s3cret\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("x-ratelimit-limit: 5000\r\n"), "{answer}");
    assert!(answer.contains("\"full_name\":\"octo/demo\""), "{answer}");
    let answer =
        exchange("GET /repos/octo/demo HTTP/1.1\r\nHost: x\r\nAuthorization: token nope\r\nConnection: close\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 401 Unauthorized\r\n"), "{answer}");
    assert_eq!(gh.requests()[0].auth_scheme.as_deref(), Some("token"));

    gh.inject("/repos", Fault::CutBody, 1);
    let answer = exchange(
        "GET /repos/octo/demo HTTP/1.1\r\nHost: x\r\nAuthorization: token s3cret\r\nConnection: close\r\n\r\n",
    );
    let (head, cut) = answer.split_once("\r\n\r\n").expect("a head, then a body");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .expect("a content-length")
        .parse()
        .expect("a number");
    assert_eq!(cut.len(), length / 2, "exactly half of the body");

    drop(gh);
    assert!(std::net::TcpStream::connect(&address).is_err(), "the server is gone");
}
