//! One client as a binding holds it: the core client built from [`ClientSettings`], a fresh
//! connection pool in a forked child, and `close()`, which fails later calls and cuts the calls
//! in flight short (their requests are dropped, so their connections close).

use super::{catch, next_page, CallInput, ErrorRecord, PerProcess};
use super::{Body, ClientSettings, Response};
use crate::error::{Error, Result};
use crate::json::RawJson;
use crate::{Client, ClientBuilder, Page};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::watch;

/// What a call ends with.
pub type Outcome = std::result::Result<Response, ErrorRecord>;

/// A client and its lifecycle.
pub struct Session {
    builder: ClientBuilder,
    /// The client built at construction (its settings hold in every process).
    built: Client,
    clients: PerProcess<Client>,
    /// True once closed: calls in flight watch it.
    closing: watch::Sender<bool>,
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
            Ok(Session { builder, built: client, clients, closing: watch::Sender::new(false) })
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
        self.closing.send_replace(true);
    }

    /// A receiver that turns true when the session closes.
    pub(super) fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    pub fn is_closed(&self) -> bool {
        *self.closing.borrow()
    }

    /// `fut`, unless the session is closed first (then the future, and its request, is dropped).
    pub fn until_closed<F>(&self, fut: F) -> impl Future<Output = Outcome> + Send + 'static
    where
        F: Future<Output = Outcome> + Send + 'static,
    {
        let mut closing = self.closing.subscribe();
        async move {
            tokio::select! {
                r = fut => r,
                _ = closing.wait_for(|closed| *closed) => Err(ErrorRecord::from(closed())),
            }
        }
    }

    /// Checks and sends one call (see [`Client::invoke`]); closing the session ends it.
    pub fn call(&self, input: CallInput<'_>) -> impl Future<Output = Outcome> + Send + 'static {
        let prepared = catch(|| self.client()?.prepare(input));
        self.until_closed(async move {
            match prepared {
                Ok(p) => p.send().await,
                Err(e) => Err(ErrorRecord::from(e)),
            }
        })
    }

    /// The page after `page` (an empty body after the last one); closing the session ends it.
    pub fn next_page(&self, page: Arc<Page<RawJson>>) -> impl Future<Output = Outcome> + Send + 'static {
        self.until_closed(async move {
            let next = next_page(&page).await?;
            let body = next.map(Body::Page).unwrap_or(Body::Empty);
            Ok(Response { status: 200, headers: Default::default(), request_id: None, body })
        })
    }
}
