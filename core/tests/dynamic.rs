//! The run-time operation catalog the language bindings use: JSON in, JSON out, same transport.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cadenya::catalog::{self, DynamicCall, ResponseKind};
use cadenya::Error;
use common::*;
use serde_json::json;

#[test]
fn catalog_lists_all_operations() {
    assert_eq!(catalog::OPERATIONS.len(), 97);
    let op = catalog::find("agents.variations.add_assignment").unwrap();
    assert_eq!(op.method, "POST");
    assert_eq!(op.path_params, ["workspaceId", "agentId", "variationId"]);
    assert_eq!(op.response, ResponseKind::Model("VariationAssignment"));
    assert_eq!(catalog::find("agents.list").unwrap().response, ResponseKind::Page("Agent"));
    assert_eq!(catalog::find("agents.delete").unwrap().response, ResponseKind::Empty);
}

#[tokio::test]
async fn dynamic_calls_create_list_and_delete() {
    let env = start().await;
    let body = json!({
        "metadata": {"name": "dyn", "labels": {"Team_Name": "core"}},
        "spec": {"status": "AGENT_STATUS_DRAFT", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"}
    });
    let DynamicCall::Json(call) = env.client.dynamic_call("agents.create", &[], &[], Some(&body)).unwrap() else {
        panic!("agents.create returns a model")
    };
    let created = call.await.unwrap();
    assert_eq!(created["metadata"]["labels"]["Team_Name"], "core");
    let id = created["metadata"]["id"].as_str().unwrap().to_string();

    let DynamicCall::Page(call) = env.client.dynamic_call("agents.list", &[], &[("limit", "1")], None).unwrap() else {
        panic!("agents.list is paginated")
    };
    let page = call.await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0]["metadata"]["id"], id.as_str());

    let DynamicCall::Empty(call) = env.client.dynamic_call("agents.delete", &[("id", &id)], &[], None).unwrap() else {
        panic!("agents.delete has no body")
    };
    call.await.unwrap();
    let r = requests_to(&env.server, "DELETE", &format!("/agents/{id}"));
    assert_eq!(r.len(), 1);
}

#[tokio::test]
async fn dynamic_calls_refuse_unknown_names_before_sending() {
    let env = start().await;
    let c = &env.client;
    let err = |r: cadenya::Result<DynamicCall>| match r {
        Err(Error::InvalidRequest { message }) => message,
        other => panic!("expected InvalidRequest, got {other:?}"),
    };
    assert!(err(c.dynamic_call("agents.nope", &[], &[], None)).contains("unknown operation"));
    assert!(err(c.dynamic_call("agents.retrieve", &[], &[], None)).contains("`id`"));
    assert!(err(c.dynamic_call("agents.retrieve", &[("id", "a"), ("bogus", "b")], &[], None)).contains("bogus"));
    assert!(err(c.dynamic_call("agents.list", &[], &[("limitt", "1")], None)).contains("limitt"));
    assert!(err(c.dynamic_call("agents.create", &[], &[], Some(&json!({"metdata": {}})))).contains("metdata"));
    assert!(err(c.dynamic_call("agents.create", &[], &[], Some(&json!([1])))).contains("JSON object"));
    assert!(env.server.requests().is_empty());
    // An explicit workspace id is used as given.
    let DynamicCall::Page(call) = c.dynamic_call("agents.list", &[("workspaceId", "ws_other")], &[], None).unwrap()
    else {
        panic!()
    };
    assert_eq!(call.await.expect_err("unknown workspace").status(), Some(404));
    assert!(env.server.requests()[0].path.contains("/ws_other/"));
}
