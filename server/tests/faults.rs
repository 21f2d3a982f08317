#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Fault injection through the header and the control endpoint.

mod common;
use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn status_fault_with_retry_headers_and_times() {
    let t = server().await;
    let h = [("x-cadenya-fault", "id=a;status=503;retry-after=1;retry-after-ms=250;times=2")];
    for _ in 0..2 {
        let r = t.raw("POST", &t.wp("/agents"), Some(agent_body("f").to_string()), &h).await;
        assert_eq!(r.status, 503);
        assert_eq!(r.headers["retry-after"], "1");
        assert_eq!(r.headers["retry-after-ms"], "250");
        assert_eq!(r.json()["code"], 14);
    }
    // Nothing was created by the faulted POSTs.
    assert!(t.ok("GET", &t.wp("/agents"), None).await["items"].as_array().unwrap().is_empty());
    let r = t.raw("POST", &t.wp("/agents"), Some(agent_body("f").to_string()), &h).await;
    assert_eq!(r.status, 200);
    let r = t.raw("GET", "/v1/account", None, &[("x-cadenya-fault", "bogus-key")]).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn delay_drop_truncate_malformed() {
    let t = server().await;
    let start = Instant::now();
    let r = t.raw("GET", "/v1/account", None, &[("x-cadenya-fault", "delay-ms=150")]).await;
    assert_eq!(r.status, 200);
    assert!(start.elapsed() >= Duration::from_millis(150));

    let url = format!("{}/v1/account", t.h.base_url());
    let res = t.c.get(&url).bearer_auth(t.h.api_key()).header("x-cadenya-fault", "drop").send().await;
    assert!(res.is_err(), "drop must close the connection without a response");
    assert_eq!(t.h.requests().last().unwrap().status, 0);

    let res = t.c.get(&url).bearer_auth(t.h.api_key()).header("x-cadenya-fault", "truncate").send().await.unwrap();
    let len: usize = res.headers()["content-length"].to_str().unwrap().parse().unwrap();
    assert!(len > 10);
    assert!(res.bytes().await.is_err(), "body must be cut short");

    let r = t.raw("GET", "/v1/account", None, &[("x-cadenya-fault", "malformed-json")]).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());
}

#[tokio::test]
async fn armed_faults_via_control_endpoint() {
    let t = server().await;
    let ctl = format!("{}/_cadenya/faults", t.h.base_url());
    let r =
        t.c.post(&ctl)
            .body(json!({"method": "GET", "path_prefix": "/v1/account", "fault": "status=429;times=2"}).to_string())
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(t.call("POST", &t.wp("/agents"), Some(agent_body("ok"))).await.status, 200);
    assert_eq!(t.call("GET", "/v1/account", None).await.status, 429);
    assert_eq!(t.call("GET", "/v1/account", None).await.status, 429);
    assert_eq!(t.call("GET", "/v1/account", None).await.status, 200);
    t.c.post(&ctl).body(json!({"fault": "status=500"}).to_string()).send().await.unwrap();
    assert_eq!(t.call("GET", "/v1/account", None).await.status, 500);
    t.c.delete(&ctl).send().await.unwrap();
    assert_eq!(t.call("GET", "/v1/account", None).await.status, 200);
}
