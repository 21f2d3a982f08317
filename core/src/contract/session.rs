//! One client as a binding holds it: the core client built from [`ClientSettings`], a fresh
//! connection pool in a forked child, and `close()`, which fails later calls and cuts the calls
//! in flight short (their requests are dropped, so their connections close).

use super::{catch, next_page, CallInput, ErrorRecord, PerProcess};
use super::{Body, ClientSettings, Response};
use crate::error::{Error, Result};
use crate::json::RawJson;
use crate::{Client, ClientBuilder, Page};
use futures_util::future::{AbortHandle, Abortable, BoxFuture};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What a call ends with.
pub type Outcome = std::result::Result<Response, ErrorRecord>;

/// A client and its lifecycle.
pub struct Session {
    builder: ClientBuilder,
    /// The client built at construction (its settings hold in every process).
    built: Client,
    clients: PerProcess<Client>,
    /// The closed flag and the calls in flight.
    calls: Arc<Calls>,
}

/// The calls in flight of a session, so that `close()` can abort them. Each call costs one
/// insert and one remove under an uncontended lock; its future polls an atomic flag (a watch
/// channel with `select!` cost about 15 % more CPU per loopback call).
///
/// The table is per process: a fork can catch its lock held by a thread that starts or ends a
/// call, and that thread does not exist in the child, so the child's first call would wait for
/// ever. A child gets a table of its own (its parent's calls are not its to abort).
#[derive(Default)]
pub(super) struct Calls {
    closed: AtomicBool,
    next: AtomicU64,
    running: PerProcess<Mutex<HashMap<u64, AbortHandle>>>,
}

impl Calls {
    fn running(&self) -> MutexGuard<'_, HashMap<u64, AbortHandle>> {
        // A poisoned lock only means a panic elsewhere; the table stays valid.
        self.running.get_or_default().lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `fut`, unless the session is closed first (then the future, and its request, is dropped
    /// and the call ends with the closed error).
    pub(super) fn guard<F, T>(
        self: &Arc<Self>,
        fut: F,
    ) -> impl Future<Output = std::result::Result<T, ErrorRecord>> + Send + 'static
    where
        F: Future<Output = std::result::Result<T, ErrorRecord>> + Send + 'static,
    {
        let (handle, registration) = AbortHandle::new_pair();
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.running().insert(id, handle.clone());
        // A close that ran before the insert has already swept the table: abort ourselves.
        if self.closed.load(Ordering::Acquire) {
            handle.abort();
        }
        let done = Deregister(Arc::clone(self), id);
        async move {
            let _done = done;
            Abortable::new(fut, registration).await.unwrap_or_else(|_| Err(ErrorRecord::from(closed())))
        }
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        for (_, handle) in self.running().drain() {
            handle.abort();
        }
    }
}

/// Takes a finished (or dropped) call out of the table.
struct Deregister(Arc<Calls>, u64);

impl Drop for Deregister {
    fn drop(&mut self) {
        self.0.running().remove(&self.1);
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The builder's Debug redacts the key and the webhook secret.
        f.debug_struct("Session").field("builder", &self.builder).field("closed", &self.is_closed()).finish()
    }
}

pub(super) fn closed() -> Error {
    Error::Configuration { message: "the client is closed".into() }
}

impl Session {
    /// Builds the client (nothing is sent). A bad setting is a configuration error.
    pub fn new(settings: ClientSettings) -> std::result::Result<Session, ErrorRecord> {
        catch(|| {
            let builder = Client::builder().options(settings.into_options()?);
            let client = builder.build()?;
            let clients = PerProcess::with(client.clone());
            Ok(Session { builder, built: client, clients, calls: Arc::default() })
        })
        .map_err(ErrorRecord::from)
    }

    /// The client of this process; an error once closed.
    pub fn client(&self) -> Result<&Client> {
        if self.is_closed() {
            return Err(closed());
        }
        self.clients.get_or_try_init(|| self.builder.build())
    }

    /// The client's settings (base URL, workspace, …), whether or not it is closed.
    pub fn config(&self) -> &crate::Config {
        self.built.config()
    }

    /// Fails later calls and ends the ones in flight with the same "closed" error.
    pub fn close(&self) {
        self.calls.close();
    }

    /// The table `close()` sweeps, for futures that outlive one call (event follows).
    pub(super) fn calls(&self) -> Arc<Calls> {
        Arc::clone(&self.calls)
    }

    pub fn is_closed(&self) -> bool {
        self.calls.closed.load(Ordering::Acquire)
    }

    /// `fut`, unless the session is closed first (then the future, and its request, is dropped).
    pub fn until_closed<F>(&self, fut: F) -> impl Future<Output = Outcome> + Send + 'static
    where
        F: Future<Output = Outcome> + Send + 'static,
    {
        self.calls.guard(fut)
    }

    /// Checks and sends one call (see [`Client::invoke`]); closing the session ends it.
    ///
    /// Boxed: the request's state machine (retries, reqwest, timeouts) is about 12 KB, and each
    /// binding wraps it a few times before its runtime's `spawn` moves it once more. Unboxed, those
    /// moves were memcpys of the whole state on the host's thread, several per call.
    pub fn call(&self, input: CallInput<'_>) -> BoxFuture<'static, Outcome> {
        let prepared = catch(|| self.client()?.prepare(input));
        Box::pin(self.until_closed(async move {
            match prepared {
                Ok(p) => p.send().await,
                Err(e) => Err(ErrorRecord::from(e)),
            }
        }))
    }

    /// The page after `page` (an empty body after the last one); closing the session ends it.
    /// Boxed, as [`Session::call`].
    pub fn next_page(&self, page: Arc<Page<RawJson>>) -> BoxFuture<'static, Outcome> {
        Box::pin(self.until_closed(async move {
            let next = next_page(&page).await?;
            let body = next.map(Body::Page).unwrap_or(Body::Empty);
            Ok(Response { status: 200, headers: Default::default(), request_id: None, body })
        }))
    }
}
