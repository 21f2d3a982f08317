//! One call: a generated method's [`Req`] goes through [`Session::call`], and the answer's JSON
//! text is decoded once, straight into the method's record.

use crate::client::{CadenyaLogger, RequestOptions};
use crate::CadenyaError;
use cadenya::catalog::DynamicBody;
use cadenya::contract::{json_text, spawn, Body, CallInput, ErrorRecord, HostLog, Response, Session};
use cadenya::json::RawJson;
use cadenya::Page;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::Arc;

/// What the client, its resources and pages hold: the session, `with_workspace`'s workspace and
/// the host's logger. (`Debug` shows no secret: the session's redacts the API key and the webhook secret.)
#[derive(Clone, Debug)]
pub struct Ctx {
    pub(crate) session: Arc<Session>,
    pub(crate) workspace_id: Option<String>,
    pub(crate) logs: Option<Arc<HostLog<dyn CadenyaLogger>>>,
}

/// One operation's inputs, by wire name, as the generated method collected them.
pub struct Req<'a> {
    pub op: &'static str,
    pub path: &'a [(&'static str, &'a str)],
    pub query: Vec<(&'static str, String)>,
    pub body: Option<String>,
    pub workspace_id: Option<String>,
    pub options: Option<RequestOptions>,
}

type Outcome<T> = Result<T, ErrorRecord>;

/// Checks the call now (a bad argument fails before anything is sent) and returns its sending.
fn send(c: &Ctx, req: Req<'_>) -> impl Future<Output = Outcome<Response>> + Send + 'static {
    let raw = req.options.as_ref().and_then(|o| o.raw_response.clone());
    let mut settings = req.options.map(RequestOptions::into_settings).unwrap_or_default();
    settings.workspace_id = req.workspace_id.or_else(|| c.workspace_id.clone());
    let query: Vec<(&str, &str)> = req.query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let call = settings.into_options().map_err(ErrorRecord::from).map(|options| {
        let body = req.body.as_deref().map(DynamicBody::Text);
        c.session.call(CallInput { operation: req.op, path: req.path, query: &query, body, options })
    });
    async move {
        let r = call?.await?;
        raw.iter().for_each(|raw| raw.record(&r));
        Ok(r)
    }
}

/// Runs a call on the core's runtime (see `contract::spawn`): the foreign future only awaits
/// the result, and dropping it (a cancelled coroutine or Swift task) drops the request. Log records
/// reach the host's logger in that future's last poll, on the host's thread (never the runtime's).
pub(crate) fn run<T: Send + 'static>(
    c: &Ctx,
    fut: impl Future<Output = Outcome<T>> + Send + 'static,
) -> impl Future<Output = Result<T, CadenyaError>> {
    let logged = HostLog::after(c.logs.clone(), spawn(fut), |logger, r| drop(logger.log(r.into())));
    async move { logged.await.map_err(CadenyaError::from) }
}

fn mismatch(op: &str) -> ErrorRecord {
    ErrorRecord::internal(format!("`{op}` does not return what its generated method expects"))
}

/// An operation answering with one model.
pub fn model<T: DeserializeOwned + Send + 'static>(
    c: &Ctx,
    req: Req<'_>,
) -> impl Future<Output = Result<T, CadenyaError>> {
    let op = req.op;
    let sent = send(c, req);
    run(c, async move {
        let r = sent.await?;
        let Body::Json(text) = &r.body else { return Err(mismatch(op)) };
        let decoded = json_text::decode(text.get(), r.status, r.request_id.as_deref());
        decoded.map_err(|e| ErrorRecord { operation: Some(op.to_string()), ..e })
    })
}

/// An operation answering with no body.
pub fn empty(c: &Ctx, req: Req<'_>) -> impl Future<Output = Result<(), CadenyaError>> {
    let sent = send(c, req);
    run(c, async move { sent.await.map(drop) })
}

/// A generated page object: the items decoded from one core page (which keeps the next request).
pub trait Paged: Sized + Send + Sync + 'static {
    type Item: DeserializeOwned + Send + 'static;
    fn build(items: Vec<Self::Item>, core: Page<RawJson>, c: Ctx) -> Self;
}

/// Decodes a page's items on the runtime (`None` after the last page); the page object holds the
/// client's context, with the host's logger, so it is built on the host's thread.
fn paged<P: Paged>(
    c: &Ctx,
    fut: impl Future<Output = Outcome<Response>> + Send + 'static,
) -> impl Future<Output = Result<Option<Arc<P>>, CadenyaError>> {
    let ctx = c.clone();
    let decoded = run(c, async move {
        let r = fut.await?;
        let Body::Page(mut core) = r.body else { return Ok(None) };
        let (raw, rid) = (std::mem::take(&mut core.items), r.request_id.as_deref());
        let items = raw.iter().map(|i| json_text::decode(i.get(), r.status, rid)).collect::<Outcome<_>>()?;
        Ok(Some((items, core)))
    });
    async move { Ok(decoded.await?.map(|(items, core)| Arc::new(P::build(items, core, ctx)))) }
}

/// A paginated operation: its first page.
pub fn page<P: Paged>(c: &Ctx, req: Req<'_>) -> impl Future<Output = Result<Arc<P>, CadenyaError>> {
    let (op, first) = (req.op, paged::<P>(c, send(c, req)));
    async move { first.await?.ok_or_else(|| mismatch(op).into()) }
}

/// The page after `core` (`None` after the last one), through the core's cursor handling.
pub fn next_page<P: Paged>(
    c: &Ctx,
    core: &Arc<Page<RawJson>>,
) -> impl Future<Output = Result<Option<Arc<P>>, CadenyaError>> {
    paged::<P>(c, c.session.next_page(Arc::clone(core)))
}
