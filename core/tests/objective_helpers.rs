//! `objectives().wait` and `objectives().follow_events` against the local server's deterministic
//! objective simulation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cadenya::models::*;
use cadenya::objectives::{FollowOptions, ObjectiveEvent, WaitOptions};
use cadenya::params::*;
use cadenya::{Client, Error};
use futures_util::TryStreamExt;
use std::time::Duration;

fn kinds(events: &[ObjectiveEvent]) -> Vec<String> {
    events.iter().map(|e| e.data.r#type.clone().unwrap_or_default().replace("OBJECTIVE_EVENT_TYPE_", "")).collect()
}

fn ids(events: &[ObjectiveEvent]) -> Vec<String> {
    events.iter().map(|e| e.metadata.id.clone()).collect()
}

/// Every event of the objective, from one plain walk of list_events once it is terminal.
async fn all_events(client: &Client, id: &str) -> Vec<ObjectiveEvent> {
    let params = ObjectivesListEventsParams { sort_order: Some("asc".into()), ..Default::default() };
    client.objectives().list_events(id, params).auto_paging().try_collect().await.unwrap()
}

/// Waits until the objective asks for approval; returns it.
async fn until_waiting(client: &Client, id: &str) -> Objective {
    client.objectives().wait(id, WaitOptions::default().states([ObjectiveStatusState::Waiting])).await.unwrap()
}

async fn approve_pending(client: &Client, id: &str) {
    let calls = client.objectives().tool_calls().list(id, Default::default()).await.unwrap();
    let pending = calls.items.iter().find(|c| c.status == ToolCallStatus::WaitingForApproval).expect("a pending call");
    client.objectives().tool_calls().approve(id, &pending.metadata.id).await.unwrap();
}

const APPROVED_RUN: [&str; 8] = [
    "USER_MESSAGE",
    "ASSISTANT_MESSAGE",
    "TOOL_APPROVAL_REQUESTED",
    "TOOL_APPROVED",
    "TOOL_CALLED",
    "TOOL_RESULT",
    "ASSISTANT_MESSAGE",
    "FINALIZED",
];

#[tokio::test]
async fn waits_for_approval_then_follows_to_the_finalized_event() {
    let env = common::start().await;
    let client = env.client.clone();
    let id = common::start_objective(&client, &[]).await;

    // The follower runs from the start, across the approval pause, to the end.
    let follow = tokio::spawn({
        let client = client.clone();
        let id = id.clone();
        async move { client.objectives().follow_events(&id, FollowOptions::default()).try_collect::<Vec<_>>().await }
    });

    let waiting = until_waiting(&client, &id).await;
    assert_eq!(waiting.status.state, ObjectiveStatusState::Waiting);
    assert!(!follow.is_finished(), "the follower must keep going while the objective waits");

    approve_pending(&client, &id).await;
    let done = client.objectives().wait(&id, WaitOptions::default()).await.unwrap();
    assert_eq!(done.status.state, ObjectiveStatusState::Finalized);

    let events = follow.await.unwrap().unwrap();
    assert_eq!(kinds(&events), APPROVED_RUN);
    assert_eq!(ids(&events), ids(&all_events(&client, &id).await));
}

#[tokio::test]
async fn wait_times_out_with_the_last_state() {
    let env = common::start().await;
    let id = common::start_objective(&env.client, &[]).await;
    let objectives = env.client.objectives();
    until_waiting(&env.client, &id).await;

    let err = objectives.wait(&id, WaitOptions::default().timeout(Duration::from_millis(300))).await.unwrap_err();
    match &err {
        Error::WaitTimeout { objective_id, last_state, .. } => {
            assert_eq!(objective_id, &id);
            assert_eq!(last_state, "STATE_WAITING");
        }
        other => panic!("expected a wait timeout, got {other:?}"),
    }
    assert_eq!(err.kind(), "wait_timeout");
    assert!(err.to_string().contains("STATE_WAITING"), "{err}");

    // follow_events honours its own timeout the same way, after delivering what exists.
    let options = FollowOptions { timeout: Some(Duration::from_millis(300)), ..Default::default() };
    let mut follower = objectives.event_follower(&id, options);
    let mut seen = 0;
    let err = loop {
        match follower.next().await {
            Ok(Some(_)) => seen += 1,
            Ok(None) => panic!("the objective is not terminal; the follower must not end"),
            Err(e) => break e,
        }
    };
    assert_eq!(seen, 3);
    assert!(matches!(err, Error::WaitTimeout { ref last_state, .. } if last_state == "STATE_WAITING"), "{err:?}");
}

#[tokio::test]
async fn a_failing_objective_ends_the_wait_and_the_stream() {
    let env = common::start().await;
    let id = common::start_objective(&env.client, &[("simulate", "fail")]).await;
    let events: Vec<_> =
        env.client.objectives().follow_events(&id, FollowOptions::default()).try_collect().await.unwrap();
    assert_eq!(kinds(&events), ["USER_MESSAGE", "ASSISTANT_MESSAGE", "ERROR"]);
    assert!(events[2].data.error.as_ref().and_then(|e| e.message.as_deref()).is_some_and(|m| m.contains("failed")));

    let failed = env.client.objectives().wait(&id, WaitOptions::default()).await.unwrap();
    assert_eq!(failed.status.state, ObjectiveStatusState::Failed);
    assert!(failed.status.message.as_deref().is_some_and(|m| !m.is_empty()));
    // A wait for a state the failed objective can no longer reach times out rather than hanging.
    let only_finalized = WaitOptions::default().states([ObjectiveStatusState::Finalized]).timeout(Duration::ZERO);
    let err = env.client.objectives().wait(&id, only_finalized).await.unwrap_err();
    assert!(matches!(err, Error::WaitTimeout { ref last_state, .. } if last_state == "STATE_FAILED"), "{err:?}");
}

#[tokio::test]
async fn resumes_after_an_event_id() {
    let env = common::start().await;
    let client = &env.client;
    let id = common::start_objective(client, &[]).await;
    until_waiting(client, &id).await;

    // Read two events, stop, and resume from the last one delivered while the run continues.
    let mut first = client.objectives().event_follower(&id, FollowOptions::default());
    let a = first.next().await.unwrap().unwrap();
    let b = first.next().await.unwrap().unwrap();
    assert_eq!(first.last_event_id(), Some(b.metadata.id.as_str()));
    let resume_at = first.last_event_id().map(str::to_string);
    drop(first);

    approve_pending(client, &id).await;
    let options = FollowOptions { after_event_id: resume_at, ..Default::default() };
    let rest: Vec<_> = client.objectives().follow_events(&id, options).try_collect().await.unwrap();
    let mut joined = vec![a, b];
    joined.extend(rest);
    assert_eq!(kinds(&joined), APPROVED_RUN);
    assert_eq!(ids(&joined), ids(&all_events(client, &id).await));
}

#[tokio::test]
async fn page_boundaries_mid_stream_neither_repeat_nor_skip() {
    let env = common::start().await;
    let client = &env.client;
    for page_size in [1, 2, 3] {
        let id = common::start_objective(client, &[]).await;
        env.server.clear_requests();
        let options = FollowOptions { page_size: Some(page_size), ..Default::default() };
        let follow = tokio::spawn(client.objectives().follow_events(&id, options).try_collect::<Vec<_>>());
        until_waiting(client, &id).await;
        approve_pending(client, &id).await;
        let events = follow.await.unwrap().unwrap();

        assert_eq!(kinds(&events), APPROVED_RUN, "page size {page_size}");
        assert_eq!(ids(&events), ids(&all_events(client, &id).await), "page size {page_size}");
        // Live, how many events a sweep finds depends on timing; over the finished run one sweep
        // meets all 8, so it must cross pages with the cursor (else this test proves nothing).
        env.server.clear_requests();
        let options = FollowOptions { page_size: Some(page_size), ..Default::default() };
        let again: Vec<_> = client.objectives().follow_events(&id, options).try_collect().await.unwrap();
        assert_eq!(ids(&again), ids(&events), "page size {page_size}, finished run");
        let paged = common::requests_to(&env.server, "GET", "/events")
            .iter()
            .filter(|r| r.query.contains("cursor=") && r.query.contains(&format!("limit={page_size}")))
            .count();
        assert!(paged > 0, "page size {page_size}: no request used a cursor");
    }
}

#[tokio::test]
async fn follow_resumes_after_every_event_of_a_finished_run() {
    let env = common::start().await;
    let client = &env.client;
    let id = common::start_objective(client, &[]).await;
    until_waiting(client, &id).await;
    approve_pending(client, &id).await;
    client.objectives().wait(&id, WaitOptions::default()).await.unwrap();
    let all = all_events(client, &id).await;
    for (i, event) in all.iter().enumerate() {
        let options =
            FollowOptions { after_event_id: Some(event.metadata.id.clone()), page_size: Some(2), ..Default::default() };
        let rest: Vec<_> = client.objectives().follow_events(&id, options).try_collect().await.unwrap();
        assert_eq!(ids(&rest), ids(&all[i + 1..]), "resume after event {i}");
    }
    // An unknown resume point is the API's not-found error, not an empty stream.
    let options = FollowOptions { after_event_id: Some("evt_missing".into()), ..Default::default() };
    let err = client.objectives().follow_events(&id, options).try_collect::<Vec<_>>().await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err:?}");
}
