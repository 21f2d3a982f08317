//! Every operation of `spec/openapi.yaml`, called through the typed API over real HTTP against
//! the local server. For each call the test checks the request on the wire (method, concrete
//! path, query, JSON body) and the response (it decodes into the model, and the model
//! serialised back validates against the spec's response schema; for reads the raw body is
//! fetched again and must validate too and equal the round-tripped model).
//!
//! Each area runs as its own test on its own server; `every_operation_is_exercised` runs all
//! areas in sequence on one server and checks that the set of operations exercised equals the
//! set of operationIds in the spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines, clippy::panic)]

mod common;

use cadenya::models::*;
use cadenya::params::*;
use cadenya::{Client, Page};
use cadenya_server::{RecordedRequest, ServerHandle};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::future::{Future, IntoFuture};
use std::sync::Mutex;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// One server, one client, and the operations exercised so far.
struct Api {
    server: ServerHandle,
    client: Client,
    ws: String,
    raw: reqwest::Client,
    seen: Mutex<BTreeSet<String>>,
    /// operationId -> (method, path template), from the server's copy of the spec.
    ops: BTreeMap<String, (String, String)>,
}

async fn api() -> Api {
    let env = common::start().await;
    let ws = env.server.workspace_id();
    let ops = cadenya_server::operations().into_iter().map(|(id, m, p)| (id, (m, p))).collect();
    Api {
        server: env.server,
        client: env.client,
        ws,
        raw: reqwest::Client::new(),
        seen: Mutex::new(BTreeSet::new()),
        ops,
    }
}

/// Reads whose result can change between two fetches (the server advances objectives and
/// delivers webhooks in the background; an upload's URL expiry is computed per request): their
/// raw re-fetch is validated but not compared.
fn volatile(op: &str) -> bool {
    op.starts_with("objectives.") || op == "agents.webhook_deliveries.list" || op == "uploads.retrieve"
}

/// The wire form of a page: `{items, pagination: {nextCursor?}}` plus unknown envelope fields.
fn page_json<T: Serialize>(page: &Page<T>) -> Value {
    let mut pagination = Map::new();
    if let Some(c) = &page.next_cursor {
        pagination.insert("nextCursor".into(), json!(c));
    }
    let mut v = json!({ "items": page.items, "pagination": pagination });
    for (k, x) in &page.extra {
        v[k] = x.clone();
    }
    v
}

/// `true` when `path` is an instance of the template (each `{param}` one non-empty segment).
fn path_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| if t.starts_with('{') { !p.is_empty() } else { t == p })
}

fn query_of(r: &RecordedRequest) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(r.query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The query holds exactly these parameters (so unset optional parameters are absent).
fn assert_query(r: &RecordedRequest, want: &[(&str, &str)]) {
    let want: BTreeMap<String, String> = want.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(query_of(r), want, "query of {} {}", r.method, r.path);
    let names: Vec<String> = url::form_urlencoded::parse(r.query.as_bytes()).map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names.len(), want.len(), "no parameter is repeated: {}", r.query);
}

/// The JSON body, parsed.
fn body(r: &RecordedRequest) -> Value {
    serde_json::from_str(&r.body)
        .unwrap_or_else(|e| panic!("{} {}: body is not JSON ({e}): {:?}", r.method, r.path, r.body))
}

/// The body is exactly this JSON (camelCase names, the values set, nothing else).
fn assert_body(r: &RecordedRequest, want: Value) {
    assert_eq!(body(r), want, "body of {} {}", r.method, r.path);
}

/// Operations without request fields send no body or `{}`.
fn assert_no_body(r: &RecordedRequest) {
    let t = r.body.trim();
    assert!(t.is_empty() || t == "{}", "{} {} sent a body: {t}", r.method, r.path);
}

impl Api {
    fn wp(&self, rest: &str) -> String {
        format!("/v1/workspaces/{}{rest}", self.ws)
    }

    /// Runs a call that only prepares state for the next checked call and forgets its request.
    async fn setup<T, F: Future<Output = cadenya::Result<T>>>(&self, what: &str, f: F) -> T {
        let v = f.await.unwrap_or_else(|e| panic!("setup {what}: {e}"));
        self.server.clear_requests();
        v
    }

    /// Polls `f` every 10 ms for up to 5 s until it yields a value; the polling requests are
    /// dropped from the log.
    async fn wait_for<R, F, Fut>(&self, what: &str, mut f: F) -> R
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<R>>,
    {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(v) = f().await {
                self.server.clear_requests();
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Checks the one request sent since the last check and the decoded response, records the
    /// operation as exercised and returns the request for body/query assertions.
    async fn check<T: Serialize>(&self, op: &str, method: &str, path: &str, value: &T) -> RecordedRequest {
        let reqs = self.server.requests();
        assert_eq!(reqs.len(), 1, "{op}: expected exactly one request, got {:#?}", reqs);
        let r = reqs.into_iter().next().unwrap();
        let (spec_method, template) =
            self.ops.get(op).unwrap_or_else(|| panic!("{op} is not an operation of the spec"));
        assert_eq!(spec_method.to_uppercase(), method, "{op}: the spec's method");
        assert_eq!(r.method, method, "{op}: method on the wire");
        assert_eq!(r.path, path, "{op}: path on the wire");
        assert!(path_matches(template, &r.path), "{op}: {} is not an instance of {template}", r.path);
        assert_eq!(r.status, 200, "{op}: status");
        assert!(r.header("authorization").is_some(), "{op}: authorization sent");

        let decoded = serde_json::to_value(value).unwrap();
        if let Err(e) = cadenya_server::validate_response(op, &decoded) {
            panic!("{op}: the decoded response does not match the spec: {e}\n{decoded:#}");
        }
        if method == "GET" {
            self.check_raw(op, &r, &decoded).await;
        }
        self.server.clear_requests();
        self.seen.lock().unwrap().insert(op.to_string());
        r
    }

    async fn check_page<T: Serialize>(&self, op: &str, path: &str, page: &Page<T>) -> RecordedRequest {
        self.check(op, "GET", path, &page_json(page)).await
    }

    /// Fetches the same URL again without the SDK: the raw body validates, and (for stable
    /// resources) equals what the SDK decoded, i.e. decoding lost nothing.
    async fn check_raw(&self, op: &str, r: &RecordedRequest, decoded: &Value) {
        let mut url = format!("{}{}", self.server.base_url(), r.path);
        if !r.query.is_empty() {
            url = format!("{url}?{}", r.query);
        }
        let res = self.raw.get(&url).bearer_auth(self.server.api_key()).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{op}: raw re-fetch of {url}");
        let raw: Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
        if let Err(e) = cadenya_server::validate_response(op, &raw) {
            panic!("{op}: the raw response does not match the spec: {e}\n{raw:#}");
        }
        if !volatile(op) {
            assert_eq!(&raw, decoded, "{op}: the decoded model differs from the wire");
        }
    }

    fn seen(&self) -> BTreeSet<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn labels(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

/// A tiny webhook receiver answering 200 to everything; returns its URL.
async fn webhook_receiver() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 8192];
                loop {
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    data.extend_from_slice(&buf[..n]);
                    if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if data.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").await;
            });
        }
    });
    format!("http://{addr}/hook")
}

// ---------------------------------------------------------------------------------------------
// Account, workspaces, workspace administration, API keys
// ---------------------------------------------------------------------------------------------

async fn account_and_workspaces(t: &Api) {
    let c = &t.client;

    // account.retrieve
    let account = c.account().retrieve().await.unwrap();
    let r = t.check("account.retrieve", "GET", "/v1/account", &account).await;
    assert_no_body(&r);
    assert_query(&r, &[]);
    assert_eq!(account.metadata.id, t.server.account_id());
    assert_eq!(account.info.webhook_events_hmac_secret.as_deref(), Some(t.server.webhook_secret().as_str()));
    assert!(account.spec.workspaces.as_ref().is_some_and(|w| w.iter().any(|w| w.metadata.id == t.ws)));

    // account.rotate_webhook_signing_key
    let before = t.server.webhook_secret();
    let rotated = c.account().rotate_webhook_signing_key().await.unwrap();
    let r =
        t.check("account.rotate_webhook_signing_key", "POST", "/v1/account/rotate_webhook_signing_key", &rotated).await;
    assert_no_body(&r);
    let secret = rotated.webhook_events_hmac_secret.clone().expect("new secret");
    assert_ne!(secret, before);
    assert_eq!(secret, t.server.webhook_secret());

    // workspaces.get
    let current = c.workspaces().get().await.unwrap();
    t.check("workspaces.get", "GET", "/v1/workspaces/current", &current).await;
    assert_eq!(current.metadata.id, t.ws);

    // workspace_admin.create
    let created = c
        .workspace_admin()
        .create(WorkspaceAdminCreateParams {
            metadata: WorkspaceAdminCreateParamsMetadata {
                name: "ops-second".into(),
                external_id: Some("ext-ws-2".into()),
                labels: labels(&[("env", "test")]),
                ..Default::default()
            },
            spec: WorkspaceSpec { description: Some("second workspace".into()), ..Default::default() },
        })
        .await
        .unwrap();
    let r = t.check("workspace_admin.create", "POST", "/v1/account/workspaces", &created).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "ops-second", "externalId": "ext-ws-2", "labels": {"env": "test"}},
            "spec": {"description": "second workspace"}
        }),
    );
    let ws2 = created.metadata.id.clone();
    assert_eq!(created.metadata.name, "ops-second");
    assert_eq!(created.status, Some(WorkspaceStatus::Enabled));

    // workspaces.list
    let page = c
        .workspaces()
        .list(WorkspacesListParams { limit: Some(1), sort_order: Some("asc".into()), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("workspaces.list", "/v1/workspaces", &page).await;
    assert_query(&r, &[("limit", "1"), ("sortOrder", "asc")]);
    assert_eq!(page.items.len(), 1);
    assert!(page.next_cursor.is_some(), "two workspaces, one per page");

    // workspace_admin.list
    let page = c
        .workspace_admin()
        .list(WorkspaceAdminListParams { limit: Some(10), include_archived: Some(true), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("workspace_admin.list", "/v1/account/workspaces", &page).await;
    assert_query(&r, &[("limit", "10"), ("includeArchived", "true")]);
    assert!(page.items.iter().any(|w| w.metadata.id == ws2));

    // workspace_admin.retrieve (the second workspace, by override)
    let got = c.workspace_admin().retrieve().workspace_id(&ws2).await.unwrap();
    let r = t.check("workspace_admin.retrieve", "GET", &format!("/v1/account/workspaces/{ws2}"), &got).await;
    assert_no_body(&r);
    assert_eq!(got.metadata.external_id.as_deref(), Some("ext-ws-2"));

    // workspace_admin.update
    let updated = c
        .workspace_admin()
        .update(WorkspaceAdminUpdateParams {
            metadata: Some(WorkspaceAdminUpdateParamsMetadata {
                name: "ops-second-renamed".into(),
                ..Default::default()
            }),
            spec: Some(WorkspaceSpec { description: Some("renamed".into()), ..Default::default() }),
            update_mask: Some("metadata.name,spec.description".into()),
        })
        .workspace_id(&ws2)
        .await
        .unwrap();
    let r = t.check("workspace_admin.update", "PATCH", &format!("/v1/account/workspaces/{ws2}"), &updated).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "ops-second-renamed"},
            "spec": {"description": "renamed"},
            "updateMask": "metadata.name,spec.description"
        }),
    );
    assert_eq!(updated.metadata.name, "ops-second-renamed");
    assert_eq!(updated.spec.description.as_deref(), Some("renamed"));
    assert_eq!(updated.metadata.external_id.as_deref(), Some("ext-ws-2"), "fields outside the mask are kept");

    // workspace_admin.members.add (by email: invites a new profile)
    let member = c
        .workspace_admin()
        .members()
        .add(WorkspaceAdminMembersAddParams { email: Some("dana@example.com".into()), ..Default::default() })
        .workspace_id(&ws2)
        .await
        .unwrap();
    let r =
        t.check("workspace_admin.members.add", "POST", &format!("/v1/account/workspaces/{ws2}/members"), &member).await;
    assert_body(&r, json!({"email": "dana@example.com"}));
    assert_eq!(member.email.as_deref(), Some("dana@example.com"));
    let dana = member.profile_id.clone();

    // workspace_admin.members.list
    let page = c
        .workspace_admin()
        .members()
        .list(WorkspaceAdminMembersListParams { limit: Some(5), ..Default::default() })
        .workspace_id(&ws2)
        .await
        .unwrap();
    let r = t.check_page("workspace_admin.members.list", &format!("/v1/account/workspaces/{ws2}/members"), &page).await;
    assert_query(&r, &[("limit", "5")]);
    assert!(page.items.iter().any(|m| m.profile_id == dana));
    assert_eq!(page.items.len(), 2, "the owner and the new member");

    // workspace_admin.profiles.list
    let page = c
        .workspace_admin()
        .profiles()
        .list(WorkspaceAdminProfilesListParams { query: Some("dana".into()), limit: Some(3), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("workspace_admin.profiles.list", "/v1/account/profiles", &page).await;
    assert_query(&r, &[("query", "dana"), ("limit", "3")]);
    assert_eq!(page.items.iter().map(|p| p.metadata.id.as_str()).collect::<Vec<_>>(), vec![dana.as_str()]);
    assert_eq!(page.items[0].spec.r#type, ProfileType::User);

    // workspace_admin.members.remove
    c.workspace_admin().members().remove(&dana).workspace_id(&ws2).await.unwrap();
    let r = t
        .check("workspace_admin.members.remove", "DELETE", &format!("/v1/account/workspaces/{ws2}/members/{dana}"), &())
        .await;
    assert_no_body(&r);
    let left = t
        .setup(
            "members after remove",
            c.workspace_admin().members().list(Default::default()).workspace_id(&ws2).into_future(),
        )
        .await;
    assert!(left.items.iter().all(|m| m.profile_id != dana));

    // API keys, scoped to the second workspace.
    api_keys(t, &ws2).await;

    // workspace_admin.archive (the second workspace)
    c.workspace_admin().archive().workspace_id(&ws2).await.unwrap();
    let r = t.check("workspace_admin.archive", "DELETE", &format!("/v1/account/workspaces/{ws2}"), &()).await;
    assert_no_body(&r);
    let active = t.setup("active workspaces", c.workspace_admin().list(Default::default()).into_future()).await;
    assert!(active.items.iter().all(|w| w.metadata.id != ws2), "archived workspaces are hidden by default");
}

async fn api_keys(t: &Api, ws2: &str) {
    let c = &t.client;
    let ws = t.ws.clone();

    // api_keys.create
    let key = c
        .api_keys()
        .create(ApiKeysCreateParams {
            metadata: APIKeyCreateParamsMetadata {
                name: "ci-key".into(),
                labels: labels(&[("owner", "ci")]),
                ..Default::default()
            },
            spec: APIKeySpec {
                description: Some("used by CI".into()),
                permissions: Some(vec!["agents:read".into()]),
                ..Default::default()
            },
            initial_workspace_ids: Some(vec![ws2.to_string()]),
        })
        .await
        .unwrap();
    let r = t.check("api_keys.create", "POST", "/v1/account/api_keys", &key).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "ci-key", "labels": {"owner": "ci"}},
            "spec": {"description": "used by CI", "permissions": ["agents:read"]},
            "initialWorkspaceIds": [ws2]
        }),
    );
    let id = key.metadata.id.clone();
    let token = key.spec.token.clone().expect("create shows the token");
    assert_eq!(key.spec.system, Some(false));
    assert_eq!(key.info.as_ref().and_then(|i| i.workspaces_total), Some(1));

    // api_keys.list
    let page = c
        .api_keys()
        .list(ApiKeysListParams { prefix: Some("ci-".into()), limit: Some(5), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("api_keys.list", "/v1/account/api_keys", &page).await;
    assert_query(&r, &[("prefix", "ci-"), ("limit", "5")]);
    assert_eq!(page.items.iter().map(|k| k.metadata.id.as_str()).collect::<Vec<_>>(), vec![id.as_str()]);
    assert!(page.items[0].spec.token.is_none(), "lists never show tokens");

    // api_keys.retrieve
    let got = c.api_keys().retrieve(&id).await.unwrap();
    t.check("api_keys.retrieve", "GET", &format!("/v1/account/api_keys/{id}"), &got).await;
    assert!(got.spec.token.is_none());
    assert_eq!(got.metadata.labels, labels(&[("owner", "ci")]));

    // api_keys.update
    let updated = c
        .api_keys()
        .update(
            &id,
            ApiKeysUpdateParams {
                metadata: Some(APIKeyUpdateParamsMetadata { name: "ci-key-2".into(), ..Default::default() }),
                spec: Some(APIKeySpec { description: Some("rotated monthly".into()), ..Default::default() }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check("api_keys.update", "PATCH", &format!("/v1/account/api_keys/{id}"), &updated).await;
    assert_body(&r, json!({"metadata": {"name": "ci-key-2"}, "spec": {"description": "rotated monthly"}}));
    assert_eq!(updated.metadata.name, "ci-key-2");
    assert_eq!(updated.spec.description.as_deref(), Some("rotated monthly"));
    assert_eq!(updated.spec.permissions, Some(vec!["agents:read".to_string()]), "merged, not replaced");

    // api_keys.rotate
    let rotated = c.api_keys().rotate(&id).await.unwrap();
    let r = t.check("api_keys.rotate", "PUT", &format!("/v1/account/api_keys/{id}/rotate"), &rotated).await;
    assert_no_body(&r);
    let new_token = rotated.spec.token.clone().expect("rotate shows the new token");
    assert_ne!(new_token, token);

    // api_keys.access.add (the default workspace)
    let with_access =
        c.api_keys().access().add(&id, ApiKeysAccessAddParams { workspace_id: Some(ws.clone()) }).await.unwrap();
    let r =
        t.check("api_keys.access.add", "POST", &format!("/v1/account/api_keys/{id}/workspaces"), &with_access).await;
    assert_body(&r, json!({"workspaceId": ws}));
    assert_eq!(with_access.info.as_ref().and_then(|i| i.workspaces_total), Some(2));

    // api_keys.access.list
    let page = c
        .api_keys()
        .access()
        .list(&id, ApiKeysAccessListParams { limit: Some(1), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("api_keys.access.list", &format!("/v1/account/api_keys/{id}/workspaces"), &page).await;
    assert_query(&r, &[("limit", "1")]);
    assert_eq!(page.items.len(), 1);
    let next = page.next_cursor.clone().expect("a second page");
    let page2 = c
        .api_keys()
        .access()
        .list(&id, ApiKeysAccessListParams { limit: Some(1), cursor: Some(next.clone()) })
        .await
        .unwrap();
    let r = t.check_page("api_keys.access.list", &format!("/v1/account/api_keys/{id}/workspaces"), &page2).await;
    assert_query(&r, &[("limit", "1"), ("cursor", &next)]);
    let mut all: Vec<String> = page.items.iter().chain(&page2.items).map(|w| w.metadata.id.clone()).collect();
    all.sort();
    let mut want = vec![ws.clone(), ws2.to_string()];
    want.sort();
    assert_eq!(all, want);

    // api_keys.access.remove (the second workspace: {workspaceId} from the call)
    c.api_keys().access().remove(&id).workspace_id(ws2).await.unwrap();
    let r =
        t.check("api_keys.access.remove", "DELETE", &format!("/v1/account/api_keys/{id}/workspaces/{ws2}"), &()).await;
    assert_no_body(&r);
    let left = t.setup("access after remove", c.api_keys().access().list(&id, Default::default()).into_future()).await;
    assert_eq!(left.items.iter().map(|w| w.metadata.id.clone()).collect::<Vec<_>>(), vec![ws.clone()]);

    // api_keys.delete
    c.api_keys().delete(&id).await.unwrap();
    let r = t.check("api_keys.delete", "DELETE", &format!("/v1/account/api_keys/{id}"), &()).await;
    assert_no_body(&r);
    let err = c.api_keys().retrieve(&id).await.expect_err("deleted");
    assert_eq!(err.status(), Some(404));
    t.server.clear_requests();
}

// ---------------------------------------------------------------------------------------------
// Workspace secrets, uploads, models, search
// ---------------------------------------------------------------------------------------------

async fn secrets_uploads_models(t: &Api) {
    let c = &t.client;

    // workspace_secrets.create
    let secret = c
        .workspace_secrets()
        .create(WorkspaceSecretsCreateParams {
            metadata: CreateResourceMetadata {
                name: "OPS_TOKEN".into(),
                external_id: Some("ext-sec".into()),
                ..Default::default()
            },
            spec: WorkspaceSecretSpec { value: Some("s3cr3t".into()), ..Default::default() },
        })
        .await
        .unwrap();
    let r = t.check("workspace_secrets.create", "POST", &t.wp("/workspace_secrets"), &secret).await;
    assert_body(&r, json!({"metadata": {"name": "OPS_TOKEN", "externalId": "ext-sec"}, "spec": {"value": "s3cr3t"}}));
    assert!(secret.spec.value.is_none(), "secret values are write-only");
    let sid = secret.metadata.id.clone();
    assert_eq!(secret.metadata.workspace_id, t.ws);

    // workspace_secrets.list
    let page = c
        .workspace_secrets()
        .list(WorkspaceSecretsListParams {
            prefix: Some("OPS_".into()),
            include_info: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    let r = t.check_page("workspace_secrets.list", &t.wp("/workspace_secrets"), &page).await;
    assert_query(&r, &[("prefix", "OPS_"), ("includeInfo", "true")]);
    assert_eq!(page.items.len(), 1);
    assert!(page.items[0].info.as_ref().is_some_and(|i| i.created_by.is_some()));

    // workspace_secrets.retrieve
    let got = c.workspace_secrets().retrieve(&sid).await.unwrap();
    t.check("workspace_secrets.retrieve", "GET", &t.wp(&format!("/workspace_secrets/{sid}")), &got).await;
    assert_eq!(got.metadata.name, "OPS_TOKEN");
    assert!(got.spec.value.is_none());

    // workspace_secrets.update
    let updated = c
        .workspace_secrets()
        .update(
            &sid,
            WorkspaceSecretsUpdateParams {
                spec: Some(WorkspaceSecretSpec { value: Some("n3w".into()), ..Default::default() }),
                update_mask: Some("spec.value".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check("workspace_secrets.update", "PATCH", &t.wp(&format!("/workspace_secrets/{sid}")), &updated).await;
    assert_body(&r, json!({"spec": {"value": "n3w"}, "updateMask": "spec.value"}));
    assert!(updated.spec.value.is_none());
    assert_eq!(updated.metadata.name, "OPS_TOKEN");

    // workspace_secrets.delete
    c.workspace_secrets().delete(&sid).await.unwrap();
    let r = t.check("workspace_secrets.delete", "DELETE", &t.wp(&format!("/workspace_secrets/{sid}")), &()).await;
    assert_no_body(&r);

    // uploads.create
    let upload = c
        .uploads()
        .create(UploadsCreateParams {
            metadata: CreateResourceMetadata { name: "manual.pdf".into(), ..Default::default() },
            spec: UploadSpec {
                content_type: "application/pdf".into(),
                filename: "manual.pdf".into(),
                size_bytes: 1_234_567,
                ..Default::default()
            },
        })
        .await
        .unwrap();
    let r = t.check("uploads.create", "POST", &t.wp("/uploads"), &upload).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "manual.pdf"},
            "spec": {"contentType": "application/pdf", "filename": "manual.pdf", "sizeBytes": "1234567"}
        }),
    );
    assert_eq!(upload.spec.size_bytes, 1_234_567);
    assert_eq!(upload.info.status, Some(UploadStatus::Pending));
    assert!(upload.info.upload_url.is_some());
    let uid = upload.metadata.id.clone();

    // uploads.retrieve
    let got = c.uploads().retrieve(&uid).await.unwrap();
    t.check("uploads.retrieve", "GET", &t.wp(&format!("/uploads/{uid}")), &got).await;
    assert_eq!(got.spec, upload.spec);

    // models.list (seeded: three per workspace)
    let page = c
        .models()
        .list(ModelsListParams { limit: Some(2), status: Some(ModelStatus::Enabled), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("models.list", &t.wp("/models"), &page).await;
    assert_query(&r, &[("limit", "2"), ("status", "MODEL_STATUS_ENABLED")]);
    assert_eq!(page.items.len(), 2);
    assert!(page.next_cursor.is_some());
    let model = page.items[0].clone();
    assert!(model.spec.input_price_per_million_tokens.is_some_and(|p| p > 0), "int64-as-string decodes");
    let mid = model.metadata.id.clone();

    // models.retrieve
    let got = c.models().retrieve(&mid).await.unwrap();
    t.check("models.retrieve", "GET", &t.wp(&format!("/models/{mid}")), &got).await;
    assert_eq!(got, model);

    // models.set_status
    let disabled =
        c.models().set_status(&mid, ModelsSetStatusParams { status: Some(ModelStatus::Disabled) }).await.unwrap();
    let r = t.check("models.set_status", "PUT", &t.wp(&format!("/models/{mid}/status")), &disabled).await;
    assert_body(&r, json!({"status": "MODEL_STATUS_DISABLED"}));
    assert_eq!(disabled.spec.status, Some(ModelStatus::Disabled));
    let enabled = t
        .setup(
            "enabled models",
            c.models()
                .list(ModelsListParams { status: Some(ModelStatus::Enabled), ..Default::default() })
                .into_future(),
        )
        .await;
    assert!(enabled.items.iter().all(|m| m.metadata.id != mid), "the status filter sees the change");
}

// ---------------------------------------------------------------------------------------------
// Tool sets and tools, search
// ---------------------------------------------------------------------------------------------

fn tool_spec(description: &str, status: ToolStatus, approval: bool) -> ToolSpec {
    ToolSpec {
        config: ToolSpecConfig {
            http: Some(ConfigHTTP {
                request_method: ConfigHTTPRequestMethod::Get,
                path: Some("/weather".into()),
                query: Some("city={{city}}".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        description: description.into(),
        parameters: obj(json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})),
        status,
        requires_approval: Some(approval),
        ..Default::default()
    }
}

/// Creates a tool set with two tools; returns (tool set id, first tool id).
async fn tool_sets(t: &Api) -> (String, String) {
    let c = &t.client;

    // tool_sets.create
    let set = c
        .tool_sets()
        .create(ToolSetsCreateParams {
            metadata: CreateResourceMetadata {
                name: "weather-tools".into(),
                bundle_key: Some("ops".into()),
                ..Default::default()
            },
            spec: ToolSetSpec {
                description: Some("Weather lookups".into()),
                adapter: Some(ToolSetAdapter {
                    http: Some(ToolSetAdapterHTTP {
                        base_url: Some("https://weather.example.com".into()),
                        headers: labels(&[("x-api", "1")]),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            },
        })
        .await
        .unwrap();
    let r = t.check("tool_sets.create", "POST", &t.wp("/tool_sets"), &set).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "weather-tools", "bundleKey": "ops"},
            "spec": {"description": "Weather lookups", "adapter": {"http": {"baseUrl": "https://weather.example.com", "headers": {"x-api": "1"}}}}
        }),
    );
    let set_id = set.metadata.id.clone();
    assert_eq!(set.metadata.bundle_key.as_deref(), Some("ops"));

    // tool_sets.tools.create (two tools)
    let tool_a = c
        .tool_sets()
        .tools()
        .create(
            &set_id,
            ToolSetsToolsCreateParams {
                metadata: CreateResourceMetadata { name: "get-weather".into(), ..Default::default() },
                spec: tool_spec("Current weather", ToolStatus::Available, true),
            },
        )
        .await
        .unwrap();
    let r = t.check("tool_sets.tools.create", "POST", &t.wp(&format!("/tool_sets/{set_id}/tools")), &tool_a).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "get-weather"},
            "spec": {
                "config": {"http": {"requestMethod": "GET", "path": "/weather", "query": "city={{city}}"}},
                "description": "Current weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
                "status": "TOOL_STATUS_AVAILABLE",
                "requiresApproval": true
            }
        }),
    );
    let tool_a_id = tool_a.metadata.id.clone();
    assert_eq!(tool_a.info.as_ref().and_then(|i| i.tool_set.as_ref()).map(|s| s.id.as_str()), Some(set_id.as_str()));
    let tool_b = c
        .tool_sets()
        .tools()
        .create(
            &set_id,
            ToolSetsToolsCreateParams {
                metadata: CreateResourceMetadata { name: "get-forecast".into(), ..Default::default() },
                spec: tool_spec("Forecast", ToolStatus::Omitted, false),
            },
        )
        .await
        .unwrap();
    t.check("tool_sets.tools.create", "POST", &t.wp(&format!("/tool_sets/{set_id}/tools")), &tool_b).await;
    let _third = t
        .setup(
            "third tool",
            c.tool_sets()
                .tools()
                .create(
                    &set_id,
                    ToolSetsToolsCreateParams {
                        metadata: CreateResourceMetadata { name: "get-alerts".into(), ..Default::default() },
                        spec: tool_spec("Alerts", ToolStatus::Archived, true),
                    },
                )
                .into_future(),
        )
        .await;

    // tool_sets.list
    let page = c
        .tool_sets()
        .list(ToolSetsListParams {
            bundle_key: Some("ops".into()),
            query: Some("weather".into()),
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    let r = t.check_page("tool_sets.list", &t.wp("/tool_sets"), &page).await;
    assert_query(&r, &[("bundleKey", "ops"), ("query", "weather"), ("limit", "2")]);
    assert_eq!(page.items.iter().map(|s| s.metadata.id.as_str()).collect::<Vec<_>>(), vec![set_id.as_str()]);

    // tool_sets.retrieve
    let got = c.tool_sets().retrieve(&set_id).await.unwrap();
    t.check("tool_sets.retrieve", "GET", &t.wp(&format!("/tool_sets/{set_id}")), &got).await;
    assert_eq!(got.info.as_ref().and_then(|i| i.tool_count), Some(3));

    // tool_sets.update (PUT: replaces metadata's writable fields and spec)
    let updated = c
        .tool_sets()
        .update(
            &set_id,
            ToolSetsUpdateParams {
                metadata: Some(UpdateResourceMetadata {
                    name: "weather-tools-v2".into(),
                    bundle_key: Some("ops".into()),
                    ..Default::default()
                }),
                spec: Some(ToolSetSpec { description: Some("Weather lookups, v2".into()), ..Default::default() }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check("tool_sets.update", "PUT", &t.wp(&format!("/tool_sets/{set_id}")), &updated).await;
    assert_body(
        &r,
        json!({"metadata": {"name": "weather-tools-v2", "bundleKey": "ops"}, "spec": {"description": "Weather lookups, v2"}}),
    );
    assert_eq!(updated.metadata.name, "weather-tools-v2");
    assert!(updated.spec.adapter.is_none(), "PUT replaced the spec");

    // tool_sets.get_openapi_spec
    let doc = c.tool_sets().get_openapi_spec(&set_id).await.unwrap();
    let r =
        t.check("tool_sets.get_openapi_spec", "GET", &t.wp(&format!("/tool_sets/{set_id}/openapi_spec")), &doc).await;
    assert_query(&r, &[]);
    let parsed: Value = serde_json::from_str(doc.spec.as_deref().expect("spec text")).unwrap();
    assert!(parsed["paths"].get("/get-weather").is_some(), "{parsed}");

    // tool_sets.list_events (sync started + completed)
    let page = c
        .tool_sets()
        .list_events(
            &set_id,
            ToolSetsListEventsParams {
                sort_order: Some("asc".into()),
                include_info: Some(true),
                limit: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check_page("tool_sets.list_events", &t.wp(&format!("/tool_sets/{set_id}/events")), &page).await;
    assert_query(&r, &[("sortOrder", "asc"), ("includeInfo", "true"), ("limit", "10")]);
    let kinds: Vec<Option<String>> =
        page.items.iter().map(|e| e.event.as_ref().and_then(|d| d.r#type.clone())).collect();
    assert_eq!(kinds, vec![Some("syncStarted".into()), Some("syncCompleted".into())]);
    assert!(page.items.iter().all(|e| e.tool_set_id.as_deref() == Some(set_id.as_str())));

    // tool_sets.tools.list: array filters are comma-separated
    let page = c
        .tool_sets()
        .tools()
        .list(
            &set_id,
            ToolSetsToolsListParams {
                names: Some(vec!["get-weather".into(), "get-forecast".into(), "get-alerts".into()]),
                statuses: Some(vec![ToolStatus::Available, ToolStatus::Omitted]),
                limit: Some(2),
                sort_order: Some("asc".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check_page("tool_sets.tools.list", &t.wp(&format!("/tool_sets/{set_id}/tools")), &page).await;
    assert_query(
        &r,
        &[
            ("names", "get-weather,get-forecast,get-alerts"),
            ("statuses", "TOOL_STATUS_AVAILABLE,TOOL_STATUS_OMITTED"),
            ("limit", "2"),
            ("sortOrder", "asc"),
        ],
    );
    assert_eq!(
        page.items.iter().map(|x| x.metadata.name.as_str()).collect::<Vec<_>>(),
        vec!["get-weather", "get-forecast"]
    );
    let page = c
        .tool_sets()
        .tools()
        .list(&set_id, ToolSetsToolsListParams { requires_approval: Some(true), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("tool_sets.tools.list", &t.wp(&format!("/tool_sets/{set_id}/tools")), &page).await;
    assert_query(&r, &[("requiresApproval", "true")]);
    assert_eq!(
        page.items.iter().map(|x| x.metadata.name.as_str()).collect::<Vec<_>>(),
        vec!["get-weather", "get-alerts"]
    );

    // tool_sets.tools.retrieve
    let got = c.tool_sets().tools().retrieve(&set_id, &tool_a_id).await.unwrap();
    t.check("tool_sets.tools.retrieve", "GET", &t.wp(&format!("/tool_sets/{set_id}/tools/{tool_a_id}")), &got).await;
    assert_eq!(got.spec, tool_a.spec);

    // tool_sets.tools.update (PUT)
    let mut spec = tool_spec("Current weather, metric", ToolStatus::Available, false);
    spec.config.http = Some(ConfigHTTP {
        request_method: ConfigHTTPRequestMethod::Post,
        path: Some("/v2/weather".into()),
        ..Default::default()
    });
    let updated = c
        .tool_sets()
        .tools()
        .update(
            &set_id,
            &tool_a_id,
            ToolSetsToolsUpdateParams {
                metadata: Some(UpdateResourceMetadata { name: "get-weather".into(), ..Default::default() }),
                spec: Some(spec.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t
        .check("tool_sets.tools.update", "PUT", &t.wp(&format!("/tool_sets/{set_id}/tools/{tool_a_id}")), &updated)
        .await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "get-weather"},
            "spec": {
                "config": {"http": {"requestMethod": "POST", "path": "/v2/weather"}},
                "description": "Current weather, metric",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
                "status": "TOOL_STATUS_AVAILABLE",
                "requiresApproval": false
            }
        }),
    );
    assert_eq!(updated.spec, spec);

    // search.search_tools_or_tool_sets
    let found = c
        .search()
        .search_tools_or_tool_sets(SearchSearchToolsOrToolSetsParams { query: Some("forecast".into()) })
        .await
        .unwrap();
    let r = t.check("search.search_tools_or_tool_sets", "GET", &t.wp("/search/tools_or_tool_sets"), &found).await;
    assert_query(&r, &[("query", "forecast")]);
    assert_eq!(
        found.tools.as_ref().map(|v| v.iter().map(|x| x.metadata.id.clone()).collect::<Vec<_>>()),
        Some(vec![tool_b.metadata.id.clone()])
    );
    assert_eq!(found.tool_sets.as_ref().map(Vec::len), Some(0));

    // tool_sets.tools.delete
    let bid = tool_b.metadata.id.clone();
    c.tool_sets().tools().delete(&set_id, &bid).await.unwrap();
    let r = t.check("tool_sets.tools.delete", "DELETE", &t.wp(&format!("/tool_sets/{set_id}/tools/{bid}")), &()).await;
    assert_no_body(&r);

    (set_id, tool_a_id)
}

async fn tool_set_delete(t: &Api, set_id: &str) {
    t.client.tool_sets().delete(set_id).await.unwrap();
    let r = t.check("tool_sets.delete", "DELETE", &t.wp(&format!("/tool_sets/{set_id}")), &()).await;
    assert_no_body(&r);
    let err = t.client.tool_sets().retrieve(set_id).await.expect_err("deleted");
    assert_eq!(err.status(), Some(404));
    t.server.clear_requests();
}

// ---------------------------------------------------------------------------------------------
// Memory layers and entries
// ---------------------------------------------------------------------------------------------

/// Creates a memory layer with one entry; returns the layer id.
async fn memory(t: &Api) -> String {
    let c = &t.client;

    // memory_layers.create
    let layer = c
        .memory_layers()
        .create(MemoryLayersCreateParams {
            metadata: CreateResourceMetadata {
                name: "ops-skills".into(),
                labels: labels(&[("kind", "faq")]),
                ..Default::default()
            },
            spec: MemoryLayerSpec {
                r#type: MemoryLayerType::Skills,
                description: Some("How we do things".into()),
                ..Default::default()
            },
        })
        .await
        .unwrap();
    let r = t.check("memory_layers.create", "POST", &t.wp("/memory_layers"), &layer).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "ops-skills", "labels": {"kind": "faq"}},
            "spec": {"type": "MEMORY_LAYER_TYPE_SKILLS", "description": "How we do things"}
        }),
    );
    let lid = layer.metadata.id.clone();

    // memory_layers.list
    let page = c
        .memory_layers()
        .list(MemoryLayersListParams {
            r#type: Some(MemoryLayerType::Skills),
            prefix: Some("ops-".into()),
            include_info: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    let r = t.check_page("memory_layers.list", &t.wp("/memory_layers"), &page).await;
    assert_query(&r, &[("type", "MEMORY_LAYER_TYPE_SKILLS"), ("prefix", "ops-"), ("includeInfo", "true")]);
    assert_eq!(page.items.iter().map(|l| l.metadata.id.as_str()).collect::<Vec<_>>(), vec![lid.as_str()]);

    // memory_layers.retrieve
    let got = c.memory_layers().retrieve(&lid).await.unwrap();
    t.check("memory_layers.retrieve", "GET", &t.wp(&format!("/memory_layers/{lid}")), &got).await;
    assert_eq!(got.spec.r#type, MemoryLayerType::Skills);

    // memory_layers.update
    let updated = c
        .memory_layers()
        .update(
            &lid,
            MemoryLayersUpdateParams {
                spec: Some(MemoryLayerSpec {
                    r#type: MemoryLayerType::Skills,
                    description: Some("Runbooks".into()),
                    ..Default::default()
                }),
                update_mask: Some("spec.description".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check("memory_layers.update", "PATCH", &t.wp(&format!("/memory_layers/{lid}")), &updated).await;
    assert_body(
        &r,
        json!({"spec": {"type": "MEMORY_LAYER_TYPE_SKILLS", "description": "Runbooks"}, "updateMask": "spec.description"}),
    );
    assert_eq!(updated.spec.description.as_deref(), Some("Runbooks"));
    assert_eq!(updated.metadata.name, "ops-skills");

    // memory_layers.entries.create
    let entry = c
        .memory_layers()
        .entries()
        .create(
            &lid,
            MemoryLayersEntriesCreateParams {
                metadata: CreateResourceMetadata { name: "deploys".into(), ..Default::default() },
                spec: MemoryEntryCreateSpec {
                    key: "deploys".into(),
                    content: Some("Deploy on Tuesdays.".into()),
                    description: Some("Deploy policy".into()),
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap();
    let r =
        t.check("memory_layers.entries.create", "POST", &t.wp(&format!("/memory_layers/{lid}/entries")), &entry).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "deploys"},
            "spec": {"key": "deploys", "content": "Deploy on Tuesdays.", "description": "Deploy policy"}
        }),
    );
    assert_eq!(entry.content, "Deploy on Tuesdays.");
    assert_eq!(entry.spec.key, "deploys");
    let eid = entry.metadata.id.clone();

    // memory_layers.entries.list
    let page = c
        .memory_layers()
        .entries()
        .list(
            &lid,
            MemoryLayersEntriesListParams { query: Some("tuesdays".into()), limit: Some(5), ..Default::default() },
        )
        .await
        .unwrap();
    let r = t.check_page("memory_layers.entries.list", &t.wp(&format!("/memory_layers/{lid}/entries")), &page).await;
    assert_query(&r, &[("query", "tuesdays"), ("limit", "5")]);
    assert_eq!(page.items.iter().map(|e| e.metadata.id.as_str()).collect::<Vec<_>>(), vec![eid.as_str()]);

    // memory_layers.entries.retrieve
    let got = c.memory_layers().entries().retrieve(&lid, &eid).await.unwrap();
    t.check("memory_layers.entries.retrieve", "GET", &t.wp(&format!("/memory_layers/{lid}/entries/{eid}")), &got).await;
    assert_eq!(got.content, "Deploy on Tuesdays.");
    assert_eq!(got.info.as_ref().and_then(|i| i.memory_layer.as_ref()).map(|m| m.id.as_str()), Some(lid.as_str()));

    // memory_layers.entries.update
    let updated = c
        .memory_layers()
        .entries()
        .update(
            &lid,
            &eid,
            MemoryLayersEntriesUpdateParams {
                spec: Some(MemoryEntryUpdateSpec {
                    content: Some("Deploy on Wednesdays.".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t
        .check("memory_layers.entries.update", "PATCH", &t.wp(&format!("/memory_layers/{lid}/entries/{eid}")), &updated)
        .await;
    assert_body(&r, json!({"spec": {"content": "Deploy on Wednesdays."}}));
    assert_eq!(updated.content, "Deploy on Wednesdays.");
    assert_eq!(updated.spec.key, "deploys");

    // A second entry to delete.
    let doomed = t
        .setup(
            "second entry",
            c.memory_layers()
                .entries()
                .create(
                    &lid,
                    MemoryLayersEntriesCreateParams {
                        metadata: CreateResourceMetadata { name: "old".into(), ..Default::default() },
                        spec: MemoryEntryCreateSpec {
                            key: "old".into(),
                            content: Some("x".into()),
                            ..Default::default()
                        },
                    },
                )
                .into_future(),
        )
        .await;
    let did = doomed.metadata.id.clone();
    c.memory_layers().entries().delete(&lid, &did).await.unwrap();
    let r = t
        .check("memory_layers.entries.delete", "DELETE", &t.wp(&format!("/memory_layers/{lid}/entries/{did}")), &())
        .await;
    assert_no_body(&r);
    lid
}

async fn memory_layer_delete(t: &Api, lid: &str) {
    t.client.memory_layers().delete(lid).await.unwrap();
    let r = t.check("memory_layers.delete", "DELETE", &t.wp(&format!("/memory_layers/{lid}")), &()).await;
    assert_no_body(&r);
    let err = t.client.memory_layers().retrieve(lid).await.expect_err("deleted");
    assert_eq!(err.status(), Some(404));
    t.server.clear_requests();
}

// ---------------------------------------------------------------------------------------------
// Agents, variations (assignments, memory layers), schedules
// ---------------------------------------------------------------------------------------------

/// Returns (agent id, variation id) of an agent that sends webhooks.
async fn agents(t: &Api, tool_set_id: &str, tool_id: &str, layer_id: &str) -> (String, String) {
    let c = &t.client;
    let hook = webhook_receiver().await;
    let models = t.setup("models", c.models().list(Default::default()).into_future()).await;
    let model_id = models.items[0].metadata.id.clone();

    // agents.create with a default variation
    let agent = c
        .agents()
        .create(AgentsCreateParams {
            metadata: CreateResourceMetadata {
                name: "ops-support".into(),
                external_id: Some("ext-agent".into()),
                labels: labels(&[("team", "sdk")]),
                ..Default::default()
            },
            spec: AgentSpec {
                status: AgentStatus::Draft,
                variation_selection_mode: VariationSelectionMode::Weighted,
                description: Some("Answers support questions".into()),
                webhook_events_url: Some(hook.clone()),
                ..Default::default()
            },
            default_variation: Some(AgentCreateParamsDefaultVariation {
                metadata: CreateResourceMetadata { name: "baseline".into(), ..Default::default() },
                spec: AgentVariationSpec {
                    prompt: Some("You are helpful.".into()),
                    weight: Some(100),
                    ..Default::default()
                },
                ..Default::default()
            }),
        })
        .await
        .unwrap();
    let r = t.check("agents.create", "POST", &t.wp("/agents"), &agent).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "ops-support", "externalId": "ext-agent", "labels": {"team": "sdk"}},
            "spec": {
                "status": "AGENT_STATUS_DRAFT",
                "variationSelectionMode": "VARIATION_SELECTION_MODE_WEIGHTED",
                "description": "Answers support questions",
                "webhookEventsUrl": hook
            },
            "defaultVariation": {"metadata": {"name": "baseline"}, "spec": {"prompt": "You are helpful.", "weight": 100}}
        }),
    );
    let aid = agent.metadata.id.clone();
    assert_eq!(agent.info.as_ref().and_then(|i| i.variation_count), Some(1));

    // A sub-agent for the assignment.
    let helper = t.setup("sub-agent", c.agents().create(common::agent_params("ops-helper")).into_future()).await;

    // agents.list with enum filters
    let page = c
        .agents()
        .list(AgentsListParams {
            prefix: Some("ops-".into()),
            status: Some(AgentStatus::Draft),
            variation_selection_mode: Some(VariationSelectionMode::Weighted),
            include_info: Some(true),
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    let r = t.check_page("agents.list", &t.wp("/agents"), &page).await;
    assert_query(
        &r,
        &[
            ("prefix", "ops-"),
            ("status", "AGENT_STATUS_DRAFT"),
            ("variationSelectionMode", "VARIATION_SELECTION_MODE_WEIGHTED"),
            ("includeInfo", "true"),
            ("limit", "2"),
        ],
    );
    assert_eq!(
        page.items.iter().map(|a| a.metadata.id.as_str()).collect::<Vec<_>>(),
        vec![aid.as_str()],
        "the helper is RANDOM"
    );
    assert!(page.items[0].info.is_some());

    // agents.retrieve
    let got = c.agents().retrieve(&aid).await.unwrap();
    t.check("agents.retrieve", "GET", &t.wp(&format!("/agents/{aid}")), &got).await;
    assert_eq!(got.spec, agent.spec);

    // agents.update with an update mask
    let updated = c
        .agents()
        .update(
            &aid,
            AgentsUpdateParams {
                spec: Some(AgentSpec {
                    status: AgentStatus::Published,
                    variation_selection_mode: VariationSelectionMode::Weighted,
                    description: Some("ignored: not in the mask".into()),
                    ..Default::default()
                }),
                update_mask: Some("spec.status".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check("agents.update", "PATCH", &t.wp(&format!("/agents/{aid}")), &updated).await;
    assert_body(
        &r,
        json!({
            "spec": {"status": "AGENT_STATUS_PUBLISHED", "variationSelectionMode": "VARIATION_SELECTION_MODE_WEIGHTED", "description": "ignored: not in the mask"},
            "updateMask": "spec.status"
        }),
    );
    assert_eq!(updated.spec.status, AgentStatus::Published);
    assert_eq!(updated.spec.description.as_deref(), Some("Answers support questions"));
    assert_eq!(updated.spec.webhook_events_url.as_deref(), Some(hook.as_str()));

    // agents.variations.create
    let variation = c
        .agents()
        .variations()
        .create(
            &aid,
            AgentsVariationsCreateParams {
                metadata: CreateResourceMetadata {
                    name: "concise".into(),
                    external_id: Some("ext-var".into()),
                    ..Default::default()
                },
                spec: AgentVariationSpec {
                    prompt: Some("Be concise.".into()),
                    weight: Some(50),
                    model_config: Some(AgentVariationSpecModelConfig {
                        model_id: Some(model_id.clone()),
                        temperature: Some(0.25),
                        ..Default::default()
                    }),
                    constraints: Some(AgentVariationSpecConstraints { max_tool_calls: Some(5), ..Default::default() }),
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap();
    let r = t.check("agents.variations.create", "POST", &t.wp(&format!("/agents/{aid}/variations")), &variation).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "concise", "externalId": "ext-var"},
            "spec": {"prompt": "Be concise.", "weight": 50, "modelConfig": {"modelId": model_id, "temperature": 0.25}, "constraints": {"maxToolCalls": 5}}
        }),
    );
    let vid = variation.metadata.id.clone();
    assert_eq!(variation.info.as_ref().and_then(|i| i.model.as_ref()).map(|m| m.id.as_str()), Some(model_id.as_str()));

    // agents.variations.list
    let page = c
        .agents()
        .variations()
        .list(
            &aid,
            AgentsVariationsListParams { sort_order: Some("desc".into()), limit: Some(1), ..Default::default() },
        )
        .await
        .unwrap();
    let r = t.check_page("agents.variations.list", &t.wp(&format!("/agents/{aid}/variations")), &page).await;
    assert_query(&r, &[("sortOrder", "desc"), ("limit", "1")]);
    assert_eq!(
        page.items.iter().map(|v| v.metadata.id.as_str()).collect::<Vec<_>>(),
        vec![vid.as_str()],
        "newest first"
    );
    assert!(page.next_cursor.is_some(), "the default variation is on the next page");

    // agents.variations.add_assignment: a tool, a tool set and a sub-agent
    let a_tool = c
        .agents()
        .variations()
        .add_assignment(
            &aid,
            &vid,
            AgentsVariationsAddAssignmentParams { tool_id: Some(tool_id.to_string()), ..Default::default() },
        )
        .await
        .unwrap();
    let r = t
        .check(
            "agents.variations.add_assignment",
            "POST",
            &t.wp(&format!("/agents/{aid}/variations/{vid}/assignments")),
            &a_tool,
        )
        .await;
    assert_body(&r, json!({"toolId": tool_id}));
    assert_eq!(a_tool.tool.as_ref().and_then(|b| b.id.as_deref()), Some(tool_id));
    let a_set = c
        .agents()
        .variations()
        .add_assignment(
            &aid,
            &vid,
            AgentsVariationsAddAssignmentParams { tool_set_id: Some(tool_set_id.to_string()), ..Default::default() },
        )
        .await
        .unwrap();
    let r = t
        .check(
            "agents.variations.add_assignment",
            "POST",
            &t.wp(&format!("/agents/{aid}/variations/{vid}/assignments")),
            &a_set,
        )
        .await;
    assert_body(&r, json!({"toolSetId": tool_set_id}));
    let a_sub = c
        .agents()
        .variations()
        .add_assignment(
            &aid,
            &vid,
            AgentsVariationsAddAssignmentParams {
                sub_agent_id: Some(helper.metadata.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t
        .check(
            "agents.variations.add_assignment",
            "POST",
            &t.wp(&format!("/agents/{aid}/variations/{vid}/assignments")),
            &a_sub,
        )
        .await;
    assert_body(&r, json!({"subAgentId": helper.metadata.id}));
    assert_eq!(a_sub.agent.as_ref().and_then(|b| b.name.as_deref()), Some("ops-helper"));

    // agents.variations.add_memory_layer
    let ml = c
        .agents()
        .variations()
        .add_memory_layer(
            &aid,
            &vid,
            AgentsVariationsAddMemoryLayerParams { memory_layer_id: Some(layer_id.to_string()), position: Some(0) },
        )
        .await
        .unwrap();
    let r = t
        .check(
            "agents.variations.add_memory_layer",
            "POST",
            &t.wp(&format!("/agents/{aid}/variations/{vid}/memory_layer_assignments")),
            &ml,
        )
        .await;
    assert_body(&r, json!({"memoryLayerId": layer_id, "position": 0}));
    let mlid = ml.id.clone().expect("assignment id");
    assert_eq!(ml.memory_layer.as_ref().and_then(|b| b.id.as_deref()), Some(layer_id));

    // agents.variations.update_memory_layer
    let moved = c
        .agents()
        .variations()
        .update_memory_layer(&aid, &vid, &mlid, AgentsVariationsUpdateMemoryLayerParams { position: Some(2) })
        .await
        .unwrap();
    let r = t
        .check(
            "agents.variations.update_memory_layer",
            "PATCH",
            &t.wp(&format!("/agents/{aid}/variations/{vid}/memory_layer_assignments/{mlid}")),
            &moved,
        )
        .await;
    assert_body(&r, json!({"position": 2}));
    assert_eq!(moved.position, Some(2));

    // agents.variations.retrieve: the assignments show up in info
    let got = c.agents().variations().retrieve(&aid, &vid).await.unwrap();
    t.check("agents.variations.retrieve", "GET", &t.wp(&format!("/agents/{aid}/variations/{vid}")), &got).await;
    let info = got.info.clone().expect("info");
    assert_eq!(
        (info.tool_count, info.tool_set_count, info.sub_agent_count, info.memory_layer_count),
        (Some(1), Some(1), Some(1), Some(1))
    );

    // agents.variations.remove_assignment
    let sub_id = a_sub.id.clone().expect("assignment id");
    c.agents().variations().remove_assignment(&aid, &vid, &sub_id).await.unwrap();
    let r = t
        .check(
            "agents.variations.remove_assignment",
            "DELETE",
            &t.wp(&format!("/agents/{aid}/variations/{vid}/assignments/{sub_id}")),
            &(),
        )
        .await;
    assert_no_body(&r);

    // agents.variations.remove_memory_layer
    c.agents().variations().remove_memory_layer(&aid, &vid, &mlid).await.unwrap();
    let r = t
        .check(
            "agents.variations.remove_memory_layer",
            "DELETE",
            &t.wp(&format!("/agents/{aid}/variations/{vid}/memory_layer_assignments/{mlid}")),
            &(),
        )
        .await;
    assert_no_body(&r);
    let after = t.setup("variation after removals", c.agents().variations().retrieve(&aid, &vid).into_future()).await;
    let info = after.info.expect("info");
    assert_eq!((info.sub_agent_count, info.memory_layer_count), (Some(0), Some(0)));

    // agents.variations.update
    let updated = c
        .agents()
        .variations()
        .update(
            &aid,
            &vid,
            AgentsVariationsUpdateParams {
                metadata: Some(UpdateResourceMetadata { name: "concise-v2".into(), ..Default::default() }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r =
        t.check("agents.variations.update", "PATCH", &t.wp(&format!("/agents/{aid}/variations/{vid}")), &updated).await;
    assert_body(&r, json!({"metadata": {"name": "concise-v2"}}));
    assert_eq!(updated.metadata.name, "concise-v2");
    assert_eq!(updated.spec.prompt.as_deref(), Some("Be concise."));

    // agents.variations.delete (the default variation)
    let default_var = page.next_page().await.unwrap().expect("second page").items[0].metadata.id.clone();
    t.server.clear_requests();
    c.agents().variations().delete(&aid, &default_var).await.unwrap();
    let r = t
        .check("agents.variations.delete", "DELETE", &t.wp(&format!("/agents/{aid}/variations/{default_var}")), &())
        .await;
    assert_no_body(&r);

    // agents.schedules.create
    let schedule = c
        .agents()
        .schedules()
        .create(
            &aid,
            AgentsSchedulesCreateParams {
                metadata: CreateResourceMetadata { name: "ops-hourly".into(), ..Default::default() },
                spec: AgentScheduleSpec {
                    initial_message: "Summarise new tickets".into(),
                    schedule: AgentScheduleSpecSchedule {
                        intervals: Some(vec![ScheduleInterval {
                            every: Some("3600s".into()),
                            offset: Some("60s".into()),
                            ..Default::default()
                        }]),
                        timezone: Some("Europe/Berlin".into()),
                        ..Default::default()
                    },
                    overlap_policy: Some(OverlapPolicy::Skip),
                    status: Some(AgentScheduleStatus::Active),
                    variation_id: Some(vid.clone()),
                    data: Some(json!({"queue": "support"})),
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap();
    let r = t.check("agents.schedules.create", "POST", &t.wp(&format!("/agents/{aid}/schedules")), &schedule).await;
    assert_body(
        &r,
        json!({
            "metadata": {"name": "ops-hourly"},
            "spec": {
                "initialMessage": "Summarise new tickets",
                "schedule": {"intervals": [{"every": "3600s", "offset": "60s"}], "timezone": "Europe/Berlin"},
                "overlapPolicy": "OVERLAP_POLICY_SKIP",
                "status": "AGENT_SCHEDULE_STATUS_ACTIVE",
                "variationId": vid,
                "data": {"queue": "support"}
            }
        }),
    );
    let sid = schedule.metadata.id.clone();

    // agents.schedules.list
    let page = c
        .agents()
        .schedules()
        .list(&aid, AgentsSchedulesListParams { prefix: Some("ops-".into()), limit: Some(3), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("agents.schedules.list", &t.wp(&format!("/agents/{aid}/schedules")), &page).await;
    assert_query(&r, &[("prefix", "ops-"), ("limit", "3")]);
    assert_eq!(page.items.iter().map(|s| s.metadata.id.as_str()).collect::<Vec<_>>(), vec![sid.as_str()]);

    // agents.schedules.retrieve
    let got = c.agents().schedules().retrieve(&aid, &sid).await.unwrap();
    t.check("agents.schedules.retrieve", "GET", &t.wp(&format!("/agents/{aid}/schedules/{sid}")), &got).await;
    assert_eq!(got.spec, schedule.spec);

    // agents.schedules.update (pause)
    let paused = c
        .agents()
        .schedules()
        .update(
            &aid,
            &sid,
            AgentsSchedulesUpdateParams {
                spec: Some(AgentScheduleSpec {
                    initial_message: "Summarise new tickets".into(),
                    status: Some(AgentScheduleStatus::Paused),
                    ..Default::default()
                }),
                update_mask: Some("spec.status".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r =
        t.check("agents.schedules.update", "PATCH", &t.wp(&format!("/agents/{aid}/schedules/{sid}")), &paused).await;
    assert_body(
        &r,
        json!({"spec": {"initialMessage": "Summarise new tickets", "schedule": {}, "status": "AGENT_SCHEDULE_STATUS_PAUSED"}, "updateMask": "spec.status"}),
    );
    assert_eq!(paused.spec.status, Some(AgentScheduleStatus::Paused));
    assert_eq!(paused.spec.schedule, schedule.spec.schedule, "outside the mask");

    // agents.schedules.delete
    c.agents().schedules().delete(&aid, &sid).await.unwrap();
    let r = t.check("agents.schedules.delete", "DELETE", &t.wp(&format!("/agents/{aid}/schedules/{sid}")), &()).await;
    assert_no_body(&r);

    // agents.delete (the helper)
    let hid = helper.metadata.id.clone();
    c.agents().delete(&hid).await.unwrap();
    let r = t.check("agents.delete", "DELETE", &t.wp(&format!("/agents/{hid}")), &()).await;
    assert_no_body(&r);
    let err = c.agents().retrieve(&hid).await.expect_err("deleted");
    assert_eq!(err.status(), Some(404));
    t.server.clear_requests();

    (aid, vid)
}

// ---------------------------------------------------------------------------------------------
// Objectives: lifecycle, events, tool calls, tasks, feedback, webhooks
// ---------------------------------------------------------------------------------------------

async fn start_objective(t: &Api, aid: &str, vid: &str, message: &str) -> Objective {
    t.setup(
        "objective",
        t.client
            .objectives()
            .create(ObjectivesCreateParams {
                agent_id: aid.into(),
                variation_id: Some(vid.into()),
                data: ObjectiveData { initial_message: Some(message.into()), ..Default::default() },
                ..Default::default()
            })
            .into_future(),
    )
    .await
}

/// Waits until the objective has a tool call waiting for approval and returns it.
async fn waiting_tool_call(t: &Api, oid: &str) -> ObjectiveToolCall {
    t.wait_for("a tool call waiting for approval", || async {
        let page = t.client.objectives().tool_calls().list(oid, Default::default()).await.ok()?;
        page.items.into_iter().find(|c| c.status == ToolCallStatus::WaitingForApproval)
    })
    .await
}

async fn wait_state(t: &Api, oid: &str, state: ObjectiveStatusState) -> Objective {
    t.wait_for(&format!("objective {oid} in {state:?}"), || async {
        let o = t.client.objectives().retrieve(oid).await.ok()?;
        (o.status.state == state).then_some(o)
    })
    .await
}

async fn objectives(t: &Api, aid: &str, vid: &str) {
    let c = &t.client;

    // objectives.create
    let created = c
        .objectives()
        .create(ObjectivesCreateParams {
            agent_id: aid.into(),
            variation_id: Some(vid.into()),
            data: ObjectiveData {
                initial_message: Some("What is the answer?".into()),
                data: Some(json!({"ticket": 42})),
                ..Default::default()
            },
            metadata: Some(CreateOperationMetadata {
                external_id: Some("ext-obj".into()),
                labels: labels(&[("source", "test")]),
                ..Default::default()
            }),
        })
        .await
        .unwrap();
    let r = t.check("objectives.create", "POST", &t.wp("/objectives"), &created).await;
    assert_body(
        &r,
        json!({
            "agentId": aid,
            "variationId": vid,
            "data": {"initialMessage": "What is the answer?", "data": {"ticket": 42}},
            "metadata": {"externalId": "ext-obj", "labels": {"source": "test"}}
        }),
    );
    let oid = created.metadata.id.clone();
    assert_eq!(created.data.agent.as_ref().map(|a| a.metadata.id.as_str()), Some(aid));
    assert_eq!(created.data.variation.as_ref().map(|v| v.metadata.id.as_str()), Some(vid));
    assert_eq!(created.metadata.external_id.as_deref(), Some("ext-obj"));

    // objectives.tool_calls.list, once the server asks for approval
    let waiting = waiting_tool_call(t, &oid).await;
    let page = c
        .objectives()
        .tool_calls()
        .list(
            &oid,
            ObjectivesToolCallsListParams {
                status: Some(ToolCallStatus::WaitingForApproval),
                include_info: Some(true),
                limit: Some(5),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check_page("objectives.tool_calls.list", &t.wp(&format!("/objectives/{oid}/tool_calls")), &page).await;
    assert_query(&r, &[("status", "TOOL_CALL_STATUS_WAITING_FOR_APPROVAL"), ("includeInfo", "true"), ("limit", "5")]);
    assert_eq!(
        page.items.iter().map(|c| c.metadata.id.as_str()).collect::<Vec<_>>(),
        vec![waiting.metadata.id.as_str()]
    );
    let tcid = waiting.metadata.id.clone();

    // objectives.retrieve: waiting
    let got = c.objectives().retrieve(&oid).await.unwrap();
    t.check("objectives.retrieve", "GET", &t.wp(&format!("/objectives/{oid}")), &got).await;
    assert_eq!(got.status.state, ObjectiveStatusState::Waiting);
    assert_eq!(got.info.as_ref().and_then(|i| i.total_tool_calls), Some(1));

    // objectives.tools.list
    let page = c
        .objectives()
        .tools()
        .list(&oid, ObjectivesToolsListParams { limit: Some(10), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("objectives.tools.list", &t.wp(&format!("/objectives/{oid}/tools")), &page).await;
    assert_query(&r, &[("limit", "10")]);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].metadata.name.as_deref(), Some("lookup"));

    // objectives.tasks.list / retrieve
    let page = c
        .objectives()
        .tasks()
        .list(&oid, ObjectivesTasksListParams { sort_order: Some("asc".into()), limit: Some(2), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("objectives.tasks.list", &t.wp(&format!("/objectives/{oid}/tasks")), &page).await;
    assert_query(&r, &[("sortOrder", "asc"), ("limit", "2")]);
    assert_eq!(page.items.iter().map(|x| x.data.number).collect::<Vec<_>>(), vec![1, 2]);
    assert!(page.items[0].data.completed, "task 1 is done once approval is requested");
    let task_id = page.items[1].metadata.id.clone().expect("task id");
    let task = c.objectives().tasks().retrieve(&oid, &task_id).await.unwrap();
    t.check("objectives.tasks.retrieve", "GET", &t.wp(&format!("/objectives/{oid}/tasks/{task_id}")), &task).await;
    assert_eq!(task.data.task, "Run the lookup tool");

    // objectives.tool_calls.approve
    let approved = c.objectives().tool_calls().approve(&oid, &tcid).await.unwrap();
    let r = t
        .check(
            "objectives.tool_calls.approve",
            "PUT",
            &t.wp(&format!("/objectives/{oid}/tool_calls/{tcid}/approve")),
            &approved,
        )
        .await;
    assert_no_body(&r);
    assert_eq!(approved.status, ToolCallStatus::Approved);
    assert!(approved.data.status_changed_by.is_some());
    let finished = wait_state(t, &oid, ObjectiveStatusState::Finalized).await;
    assert!(finished.data.output.is_some());

    // objectives.list_events
    let page = c
        .objectives()
        .list_events(
            &oid,
            ObjectivesListEventsParams {
                sort_order: Some("asc".into()),
                limit: Some(50),
                include_info: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check_page("objectives.list_events", &t.wp(&format!("/objectives/{oid}/events")), &page).await;
    assert_query(&r, &[("sortOrder", "asc"), ("limit", "50"), ("includeInfo", "true")]);
    let kinds: Vec<String> = page.items.iter().map(|e| e.data.r#type.clone().unwrap_or_default()).collect();
    assert_eq!(
        kinds,
        [
            "USER_MESSAGE",
            "ASSISTANT_MESSAGE",
            "TOOL_APPROVAL_REQUESTED",
            "TOOL_APPROVED",
            "TOOL_CALLED",
            "TOOL_RESULT",
            "ASSISTANT_MESSAGE",
            "FINALIZED"
        ]
        .map(|k| format!("OBJECTIVE_EVENT_TYPE_{k}"))
    );
    assert_eq!(
        page.items[2].data.tool_approval_requested.as_ref().and_then(|x| x.tool_call_id.as_deref()),
        Some(tcid.as_str())
    );
    let first_window = page.items[0].context_window_id.clone().expect("window id");
    let since = page.items[5].metadata.id.clone();
    let tail = c
        .objectives()
        .list_events(
            &oid,
            ObjectivesListEventsParams {
                since_event_id: Some(since.clone()),
                window_id: Some(first_window.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check_page("objectives.list_events", &t.wp(&format!("/objectives/{oid}/events")), &tail).await;
    assert_query(&r, &[("sinceEventId", &since), ("windowId", &first_window)]);
    assert_eq!(tail.items.len(), 2, "the events after the tool result");

    // objectives.continue
    let cont = c
        .objectives()
        .continue_(&oid, ObjectivesContinueParams { message: Some("Thanks! And why?".into()), ..Default::default() })
        .await
        .unwrap();
    let r = t.check("objectives.continue", "POST", &t.wp(&format!("/objectives/{oid}/continue")), &cont).await;
    assert_body(&r, json!({"message": "Thanks! And why?"}));
    assert_eq!(cont.data.user_message.as_ref().and_then(|m| m.content.as_deref()), Some("Thanks! And why?"));
    wait_state(t, &oid, ObjectiveStatusState::Finalized).await;

    // objectives.compact
    let compacted = c
        .objectives()
        .compact(
            &oid,
            ObjectivesCompactParams {
                compaction_config: Some(AgentVariationSpecCompactionConfig {
                    summarization: Some(CompactionConfigSummarizationStrategy {
                        instructions: Some("Keep the numbers.".into()),
                        ..Default::default()
                    }),
                    tool_result_clearing: Some(CompactionConfigToolResultClearingStrategy {
                        preserve_recent_results: Some(1),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
            },
        )
        .await
        .unwrap();
    let r = t.check("objectives.compact", "POST", &t.wp(&format!("/objectives/{oid}/compact")), &compacted).await;
    assert_body(
        &r,
        json!({"compactionConfig": {"summarization": {"instructions": "Keep the numbers."}, "toolResultClearing": {"preserveRecentResults": 1}}}),
    );
    let window = compacted.context_window.clone().expect("new window");
    assert_eq!(window.sequence, Some(1));
    assert_eq!(window.objective_id.as_deref(), Some(oid.as_str()));

    // objectives.list_context_windows
    let page = c
        .objectives()
        .list_context_windows(
            &oid,
            ObjectivesListContextWindowsParams { include_info: Some(true), limit: Some(10), ..Default::default() },
        )
        .await
        .unwrap();
    let r = t
        .check_page("objectives.list_context_windows", &t.wp(&format!("/objectives/{oid}/context_windows")), &page)
        .await;
    assert_query(&r, &[("includeInfo", "true"), ("limit", "10")]);
    assert_eq!(page.items.iter().map(|w| w.data.sequence).collect::<Vec<_>>(), vec![Some(0), Some(1)]);
    assert_eq!(page.items[0].metadata.id, first_window);

    // objectives.feedback.create
    let fb = c
        .objectives()
        .feedback()
        .create(
            &oid,
            ObjectivesFeedbackCreateParams {
                data: ObjectiveFeedbackData { comment: Some("Spot on".into()), score: Some(1.0), ..Default::default() },
                metadata: CreateOperationMetadata { external_id: Some("ext-fb".into()), ..Default::default() },
            },
        )
        .await
        .unwrap();
    let r = t.check("objectives.feedback.create", "POST", &t.wp(&format!("/objectives/{oid}/feedback")), &fb).await;
    assert_body(&r, json!({"data": {"comment": "Spot on", "score": 1.0}, "metadata": {"externalId": "ext-fb"}}));
    assert_eq!(fb.info.as_ref().and_then(|i| i.objective.as_ref()).and_then(|o| o.id.as_deref()), Some(oid.as_str()));
    assert_eq!(fb.info.as_ref().and_then(|i| i.agent_variation.as_ref()).and_then(|o| o.id.as_deref()), Some(vid));

    // objectives.feedback.list
    let page = c
        .objectives()
        .feedback()
        .list(&oid, ObjectivesFeedbackListParams { limit: Some(3), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("objectives.feedback.list", &t.wp(&format!("/objectives/{oid}/feedback")), &page).await;
    assert_query(&r, &[("limit", "3")]);
    assert_eq!(page.items.iter().map(|f| f.metadata.id.as_str()).collect::<Vec<_>>(), vec![fb.metadata.id.as_str()]);

    // agents.feedback.list with filters
    let page = c
        .agents()
        .feedback()
        .list(
            aid,
            AgentsFeedbackListParams {
                sentiment: Some(FeedbackSentiment::Positive),
                agent_variation_id: Some(vid.into()),
                limit: Some(5),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check_page("agents.feedback.list", &t.wp(&format!("/agents/{aid}/feedback")), &page).await;
    assert_query(&r, &[("sentiment", "FEEDBACK_SENTIMENT_POSITIVE"), ("agentVariationId", vid), ("limit", "5")]);
    assert_eq!(page.items.iter().map(|f| f.metadata.id.as_str()).collect::<Vec<_>>(), vec![fb.metadata.id.as_str()]);
    let page = c
        .agents()
        .feedback()
        .list(
            aid,
            AgentsFeedbackListParams {
                created_after: Some("2000-01-01T00:00:00Z".into()),
                created_before: Some("2999-01-01T00:00:00Z".into()),
                query: Some("spot".into()),
                include_info: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t.check_page("agents.feedback.list", &t.wp(&format!("/agents/{aid}/feedback")), &page).await;
    assert_query(
        &r,
        &[
            ("createdAfter", "2000-01-01T00:00:00Z"),
            ("createdBefore", "2999-01-01T00:00:00Z"),
            ("query", "spot"),
            ("includeInfo", "true"),
        ],
    );
    assert_eq!(page.items.iter().map(|f| f.metadata.id.as_str()).collect::<Vec<_>>(), vec![fb.metadata.id.as_str()]);
    let page = c
        .agents()
        .feedback()
        .list(aid, AgentsFeedbackListParams { sentiment: Some(FeedbackSentiment::Negative), ..Default::default() })
        .await
        .unwrap();
    let r = t.check_page("agents.feedback.list", &t.wp(&format!("/agents/{aid}/feedback")), &page).await;
    assert_query(&r, &[("sentiment", "FEEDBACK_SENTIMENT_NEGATIVE")]);
    assert!(page.items.is_empty());

    // Deny on a second objective.
    let second = start_objective(t, aid, vid, "Delete everything?").await;
    let oid2 = second.metadata.id.clone();
    let tc2 = waiting_tool_call(t, &oid2).await.metadata.id;
    let denied = c
        .objectives()
        .tool_calls()
        .deny(&oid2, &tc2, ObjectivesToolCallsDenyParams { memo: Some("Not allowed".into()) })
        .await
        .unwrap();
    let r = t
        .check(
            "objectives.tool_calls.deny",
            "PUT",
            &t.wp(&format!("/objectives/{oid2}/tool_calls/{tc2}/deny")),
            &denied,
        )
        .await;
    assert_body(&r, json!({"memo": "Not allowed"}));
    assert_eq!(denied.status, ToolCallStatus::Denied);
    assert_eq!(denied.data.memo.as_deref(), Some("Not allowed"));
    wait_state(t, &oid2, ObjectiveStatusState::Finalized).await;

    // Cancel a third objective while it waits.
    let third = start_objective(t, aid, vid, "Long task").await;
    let oid3 = third.metadata.id.clone();
    waiting_tool_call(t, &oid3).await;
    let cancelled =
        c.objectives().cancel(&oid3, ObjectivesCancelParams { reason: Some("user gave up".into()) }).await.unwrap();
    let r = t.check("objectives.cancel", "POST", &t.wp(&format!("/objectives/{oid3}/cancel")), &cancelled).await;
    assert_body(&r, json!({"reason": "user gave up"}));
    assert_eq!(cancelled.status.state, ObjectiveStatusState::Cancelled);
    assert_eq!(cancelled.status.message.as_deref(), Some("user gave up"));

    // objectives.list with filters
    let page = c
        .objectives()
        .list(ObjectivesListParams {
            agent_id: Some(aid.into()),
            state: Some(ObjectiveStatusState::Finalized),
            sort_order: Some("asc".into()),
            limit: Some(5),
            ..Default::default()
        })
        .await
        .unwrap();
    let r = t.check_page("objectives.list", &t.wp("/objectives"), &page).await;
    assert_query(&r, &[("agentId", aid), ("state", "STATE_FINALIZED"), ("sortOrder", "asc"), ("limit", "5")]);
    assert_eq!(
        page.items.iter().map(|o| o.metadata.id.as_str()).collect::<Vec<_>>(),
        vec![oid.as_str(), oid2.as_str()]
    );
    let page = c
        .objectives()
        .list(ObjectivesListParams {
            state: Some(ObjectiveStatusState::Cancelled),
            include_info: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    let r = t.check_page("objectives.list", &t.wp("/objectives"), &page).await;
    assert_query(&r, &[("state", "STATE_CANCELLED"), ("includeInfo", "true")]);
    assert_eq!(page.items.iter().map(|o| o.metadata.id.as_str()).collect::<Vec<_>>(), vec![oid3.as_str()]);

    // agents.webhook_deliveries.list: the agent has a webhook URL, so every event was delivered
    t.wait_for("webhook deliveries", || async {
        let p = c
            .agents()
            .webhook_deliveries()
            .list(aid, AgentsWebhookDeliveriesListParams { objective_id: Some(oid.clone()), ..Default::default() })
            .await
            .ok()?;
        (p.items.len() >= 8).then_some(())
    })
    .await;
    let page = c
        .agents()
        .webhook_deliveries()
        .list(
            aid,
            AgentsWebhookDeliveriesListParams {
                objective_id: Some(oid.clone()),
                event_type: Some(ObjectiveEventType::UserMessage),
                limit: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t
        .check_page("agents.webhook_deliveries.list", &t.wp(&format!("/agents/{aid}/webhook_deliveries")), &page)
        .await;
    assert_query(&r, &[("objectiveId", &oid), ("eventType", "OBJECTIVE_EVENT_TYPE_USER_MESSAGE"), ("limit", "10")]);
    assert_eq!(page.items.len(), 2, "the first message and the continue message");
    for d in &page.items {
        assert_eq!(d.data.objective_id, oid);
        assert_eq!(d.data.agent_id, aid);
        assert_eq!(d.data.event_type, ObjectiveEventType::UserMessage);
        assert_eq!(d.data.status, WebhookDeliveryStatus::Completed);
        assert_eq!(d.data.http_status_code, 200);
        assert_eq!(d.data.response_content_length, 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Bulk workspace resources
// ---------------------------------------------------------------------------------------------

fn bundle() -> BulkWorkspaceApplyData {
    let mut tools = BTreeMap::new();
    tools.insert(
        "lookup".to_string(),
        ToolEntry {
            name: "bulk-lookup".into(),
            spec: tool_spec("Bulk lookup", ToolStatus::Available, false),
            ..Default::default()
        },
    );
    let mut tool_sets = BTreeMap::new();
    tool_sets.insert(
        "kb".to_string(),
        ToolSetEntry {
            name: "bulk-kb".into(),
            spec: ToolSetSpec { description: Some("Knowledge base".into()), ..Default::default() },
            tools: Some(tools),
            ..Default::default()
        },
    );
    let mut entries = BTreeMap::new();
    entries.insert(
        "faq".to_string(),
        MemoryEntryItem { key: "faq".into(), content: Some("Q and A".into()), ..Default::default() },
    );
    let mut layers = BTreeMap::new();
    layers.insert(
        "notes".to_string(),
        MemoryLayerEntry {
            name: "bulk-notes".into(),
            spec: MemoryLayerSpec { r#type: MemoryLayerType::Skills, ..Default::default() },
            entries: Some(entries),
            ..Default::default()
        },
    );
    let mut variations = BTreeMap::new();
    variations.insert(
        "main".to_string(),
        AgentVariationEntry {
            name: "bulk-main".into(),
            spec: AgentVariationSpec { prompt: Some("Be brief.".into()), ..Default::default() },
            ..Default::default()
        },
    );
    let mut agents = BTreeMap::new();
    agents.insert(
        "bot".to_string(),
        AgentEntry {
            name: "bulk-bot".into(),
            spec: AgentSpec {
                status: AgentStatus::Draft,
                variation_selection_mode: VariationSelectionMode::Random,
                ..Default::default()
            },
            variations: Some(variations),
            ..Default::default()
        },
    );
    BulkWorkspaceApplyData {
        bundle_key: "ops-bundle".into(),
        agents: Some(agents),
        tool_sets: Some(tool_sets),
        memory_layers: Some(layers),
        automatically_publish_agents: Some(true),
        source_url: Some("https://git.example.com/ops/bundle".into()),
        ..Default::default()
    }
}

async fn bulk(t: &Api) {
    let c = &t.client;
    let data = bundle();

    // bulk_workspace_resources.apply
    let applied =
        c.bulk_workspace_resources().apply(BulkWorkspaceResourcesApplyParams { data: data.clone() }).await.unwrap();
    let r = t.check("bulk_workspace_resources.apply", "POST", &t.wp("/bulk_workspace_applies"), &applied).await;
    assert_body(&r, json!({"data": serde_json::to_value(&data).unwrap()}));
    assert_eq!(
        body(&r)["data"],
        json!({
            "bundleKey": "ops-bundle",
            "automaticallyPublishAgents": true,
            "sourceUrl": "https://git.example.com/ops/bundle",
            "agents": {"bot": {"name": "bulk-bot", "spec": {"status": "AGENT_STATUS_DRAFT", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"}, "variations": {"main": {"name": "bulk-main", "spec": {"prompt": "Be brief."}}}}},
            "toolSets": {"kb": {"name": "bulk-kb", "spec": {"description": "Knowledge base"}, "tools": {"lookup": {"name": "bulk-lookup", "spec": serde_json::to_value(tool_spec("Bulk lookup", ToolStatus::Available, false)).unwrap()}}}},
            "memoryLayers": {"notes": {"name": "bulk-notes", "spec": {"type": "MEMORY_LAYER_TYPE_SKILLS"}, "entries": {"faq": {"key": "faq", "content": "Q and A"}}}}
        })
    );
    assert_eq!(applied.status.state, BulkWorkspaceApplyStatusState::Succeeded);
    let info = applied.info.clone().expect("info");
    assert_eq!((info.created_count, info.total_count), (Some(6), Some(6)));
    let bid = applied.metadata.id.clone();

    // A second apply of the same bundle (checked in `bulk_reapply_changes_nothing`).
    t.setup(
        "re-apply",
        c.bulk_workspace_resources().apply(BulkWorkspaceResourcesApplyParams { data: data.clone() }).into_future(),
    )
    .await;

    // bulk_workspace_resources.list
    let page = c
        .bulk_workspace_resources()
        .list(BulkWorkspaceResourcesListParams {
            bundle_key: Some("ops-bundle".into()),
            state: Some(BulkWorkspaceApplyStatusState::Succeeded),
            limit: Some(1),
            sort_order: Some("asc".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let r = t.check_page("bulk_workspace_resources.list", &t.wp("/bulk_workspace_applies"), &page).await;
    assert_query(
        &r,
        &[("bundleKey", "ops-bundle"), ("state", "STATE_SUCCEEDED"), ("limit", "1"), ("sortOrder", "asc")],
    );
    assert_eq!(page.items.iter().map(|a| a.metadata.id.as_str()).collect::<Vec<_>>(), vec![bid.as_str()]);
    assert!(page.next_cursor.is_some());

    // bulk_workspace_resources.retrieve
    let got = c.bulk_workspace_resources().retrieve(&bid).await.unwrap();
    t.check("bulk_workspace_resources.retrieve", "GET", &t.wp(&format!("/bulk_workspace_applies/{bid}")), &got).await;
    assert_eq!(got.data, data);

    // bulk_workspace_resources.results.list
    let page = c
        .bulk_workspace_resources()
        .results()
        .list(
            &bid,
            BulkWorkspaceResourcesResultsListParams {
                action: Some(Action::Created),
                limit: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t
        .check_page(
            "bulk_workspace_resources.results.list",
            &t.wp(&format!("/bulk_workspace_applies/{bid}/results")),
            &page,
        )
        .await;
    assert_query(&r, &[("action", "ACTION_CREATED"), ("limit", "10")]);
    let mut kinds: Vec<String> = page.items.iter().map(|x| x.data.r#type.clone().unwrap_or_default()).collect();
    kinds.sort();
    assert_eq!(kinds, ["agent", "agent_variation", "memory_entry", "memory_layer", "tool", "tool_set"]);
    let sets = c
        .bulk_workspace_resources()
        .results()
        .list(
            &bid,
            BulkWorkspaceResourcesResultsListParams {
                r#type: Some("tool_set".into()),
                sort_order: Some("desc".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = t
        .check_page(
            "bulk_workspace_resources.results.list",
            &t.wp(&format!("/bulk_workspace_applies/{bid}/results")),
            &sets,
        )
        .await;
    assert_query(&r, &[("type", "tool_set"), ("sortOrder", "desc")]);
    assert_eq!(sets.items.len(), 1);
    let set = sets.items[0].data.tool_set.as_ref().expect("tool set outcome");
    assert_eq!(
        (set.external_id.as_deref(), set.resource.as_ref().map(|s| s.metadata.name.as_str())),
        (Some("kb"), Some("bulk-kb"))
    );
    let agent = page.items.iter().find_map(|x| x.data.agent.as_ref()).expect("agent outcome");
    assert_eq!(agent.action, Some(Action::Created));
    assert_eq!(agent.external_id.as_deref(), Some("bot"));
    assert_eq!(agent.resource.as_ref().map(|a| a.spec.status.clone()), Some(AgentStatus::Published));
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn account_workspaces_and_api_keys() {
    let t = api().await;
    account_and_workspaces(&t).await;
}

#[tokio::test]
async fn secrets_uploads_and_models() {
    let t = api().await;
    secrets_uploads_models(&t).await;
}

#[tokio::test]
async fn tool_sets_tools_and_search() {
    let t = api().await;
    let (set_id, _) = tool_sets(&t).await;
    tool_set_delete(&t, &set_id).await;
}

#[tokio::test]
async fn memory_layers_and_entries() {
    let t = api().await;
    let lid = memory(&t).await;
    memory_layer_delete(&t, &lid).await;
}

#[tokio::test]
async fn agents_variations_and_schedules() {
    let t = api().await;
    let (set_id, tool_id) = tool_sets(&t).await;
    let lid = memory(&t).await;
    agents(&t, &set_id, &tool_id, &lid).await;
}

#[tokio::test]
async fn objectives_lifecycle() {
    let t = api().await;
    let (set_id, tool_id) = tool_sets(&t).await;
    let lid = memory(&t).await;
    let (aid, vid) = agents(&t, &set_id, &tool_id, &lid).await;
    objectives(&t, &aid, &vid).await;
}

#[tokio::test]
async fn bulk_workspace_resources() {
    let t = api().await;
    bulk(&t).await;
}

/// Applying the same bundle twice: the second apply reports every resource unchanged and
/// leaves the resources as they were.
#[tokio::test]
async fn bulk_reapply_changes_nothing() {
    let t = api().await;
    let c = &t.client;
    let first = c.bulk_workspace_resources().apply(BulkWorkspaceResourcesApplyParams { data: bundle() }).await.unwrap();
    t.check("bulk_workspace_resources.apply", "POST", &t.wp("/bulk_workspace_applies"), &first).await;
    let layer = t
        .setup(
            "layers",
            c.memory_layers()
                .list(MemoryLayersListParams { bundle_key: Some("ops-bundle".into()), ..Default::default() })
                .into_future(),
        )
        .await
        .items[0]
        .metadata
        .id
        .clone();
    let entry =
        t.setup("entries", c.memory_layers().entries().list(&layer, Default::default()).into_future()).await.items[0]
            .metadata
            .id
            .clone();
    let before = c.memory_layers().entries().retrieve(&layer, &entry).await.unwrap();
    t.check(
        "memory_layers.entries.retrieve",
        "GET",
        &t.wp(&format!("/memory_layers/{layer}/entries/{entry}")),
        &before,
    )
    .await;

    let again = c.bulk_workspace_resources().apply(BulkWorkspaceResourcesApplyParams { data: bundle() }).await.unwrap();
    t.check("bulk_workspace_resources.apply", "POST", &t.wp("/bulk_workspace_applies"), &again).await;
    let id = again.metadata.id.clone();
    let results = c.bulk_workspace_resources().results().list(&id, Default::default()).await.unwrap();
    t.check_page(
        "bulk_workspace_resources.results.list",
        &t.wp(&format!("/bulk_workspace_applies/{id}/results")),
        &results,
    )
    .await;
    let changed: Vec<Value> = results
        .items
        .iter()
        .map(|x| serde_json::to_value(&x.data).unwrap())
        .filter(|d| d.as_object().unwrap().values().any(|o| o.get("action").is_some_and(|a| a != "ACTION_UNCHANGED")))
        .collect();
    assert!(changed.is_empty(), "re-applying an identical bundle changed: {changed:#?}");
    let info = again.info.expect("info");
    assert_eq!((info.unchanged_count, info.updated_count, info.created_count), (Some(6), Some(0), Some(0)));

    let after = c.memory_layers().entries().retrieve(&layer, &entry).await.unwrap();
    t.check("memory_layers.entries.retrieve", "GET", &t.wp(&format!("/memory_layers/{layer}/entries/{entry}")), &after)
        .await;
    assert_eq!(serde_json::to_value(&after).unwrap(), serde_json::to_value(&before).unwrap(), "the entry is untouched");
}

/// All areas in sequence on one server: every operationId of the spec is exercised.
#[tokio::test]
async fn every_operation_is_exercised() {
    let t = api().await;
    account_and_workspaces(&t).await;
    secrets_uploads_models(&t).await;
    let (set_id, tool_id) = tool_sets(&t).await;
    let lid = memory(&t).await;
    let (aid, vid) = agents(&t, &set_id, &tool_id, &lid).await;
    objectives(&t, &aid, &vid).await;
    bulk(&t).await;
    memory_layer_delete(&t, &lid).await;
    tool_set_delete(&t, &set_id).await;
    t.client.agents().delete(&aid).await.unwrap();
    t.check("agents.delete", "DELETE", &t.wp(&format!("/agents/{aid}")), &()).await;

    let spec_ops: BTreeSet<String> = cadenya_server::operations().into_iter().map(|(id, _, _)| id).collect();
    assert_eq!(spec_ops.len(), 97, "the spec has 97 operations");
    let seen = t.seen();
    let missing: Vec<&String> = spec_ops.difference(&seen).collect();
    let unknown: Vec<&String> = seen.difference(&spec_ops).collect();
    assert!(missing.is_empty() && unknown.is_empty(), "not exercised: {missing:?}; not in the spec: {unknown:?}");
    assert_eq!(seen, spec_ops);
}
