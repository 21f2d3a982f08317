//! The run-time operation catalog the language bindings use: JSON in, JSON out, same transport.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cadenya::catalog::{self, DynamicBody, DynamicCall, ResponseKind};
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

#[tokio::test]
async fn raw_dynamic_calls_pass_json_text_through() {
    let env = start().await;
    let body = r#"{"metadata":{"name":"raw","labels":{"K":"v"}},"spec":{"status":"AGENT_STATUS_DRAFT","variationSelectionMode":"VARIATION_SELECTION_MODE_RANDOM"}}"#;
    let DynamicCall::Json(call) =
        env.client.dynamic_call_raw("agents.create", &[], &[], Some(DynamicBody::Text(body))).unwrap()
    else {
        panic!("agents.create returns a model")
    };
    let created: serde_json::Value = serde_json::from_str(call.await.unwrap().get()).unwrap();
    assert_eq!(created["metadata"]["labels"]["K"], "v");
    let sent = &requests_to(&env.server, "POST", "/agents")[0];
    assert_eq!(sent.body, body, "the body text is sent as given");

    let DynamicCall::Page(call) = env.client.dynamic_call_raw("agents.list", &[], &[], None).unwrap() else {
        panic!("agents.list is paginated")
    };
    let mut page = call.await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(page.items[0].get().contains("\"name\":\"raw\""));
    let first = serde_json::from_str::<serde_json::Value>(page.items[0].get()).unwrap();
    let array: serde_json::Value = serde_json::from_str(&page.take_items_json()).unwrap();
    assert_eq!(array, json!([first]), "the items as one JSON array");
    assert!(page.items.is_empty(), "taken out of the page");

    let DynamicCall::Empty(call) = env
        .client
        .dynamic_call_raw("agents.delete", &[("id", created["metadata"]["id"].as_str().unwrap())], &[], None)
        .unwrap()
    else {
        panic!()
    };
    call.await.unwrap();
    // Bodies are checked before sending: not JSON, not an object, unknown field.
    for (bad, why) in [("{", "JSON object"), ("[1]", "JSON object"), (r#"{"nope":1}"#, "nope")] {
        match env.client.dynamic_call_raw("agents.create", &[], &[], Some(DynamicBody::Text(bad))) {
            Err(Error::InvalidRequest { message }) => assert!(message.contains(why), "{bad}: {message}"),
            other => panic!("{bad}: expected InvalidRequest, got {other:?}"),
        }
    }
    // A malformed response is a decode error, as on the typed path.
    let DynamicCall::Json(call) = env.client.dynamic_call_raw("account.retrieve", &[], &[], None).unwrap() else {
        panic!()
    };
    let err = call.header("x-cadenya-fault", fault("malformed-json")).await.expect_err("malformed");
    assert_eq!(err.kind(), "decode");
}
