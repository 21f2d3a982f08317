//! The objective helpers (`crate::objectives`) as every binding calls them: states as wire
//! strings, durations as seconds, objectives and events as JSON text.

use super::Body;
use super::{seconds, ErrorRecord, Outcome, Response, Session};
use crate::error::{Error, Result};
use crate::json::RawJson;
use crate::models::ObjectiveStatusState;
use crate::objectives::{EventFollower, FollowOptions, WaitOptions};
use crate::Client;
use std::future::Future;
use std::sync::Arc;

/// Options of a wait or a follow, as a binding receives them.
#[derive(Debug, Default)]
pub struct ObjectiveSettings {
    /// Wire names of the states to wait for (`STATE_WAITING`, …); empty: the terminal states.
    pub states: Vec<String>,
    /// Give up after this long (seconds); a wait's default is 5 minutes, a follow has none.
    pub timeout_secs: Option<f64>,
    /// Follow only: resume after this event id.
    pub after_event_id: Option<String>,
    /// Replaces the client's default workspace.
    pub workspace_id: Option<String>,
}

impl Session {
    fn objectives_client(&self, workspace_id: Option<String>) -> Result<Client> {
        let client = self.client()?;
        match workspace_id {
            Some(ws) if ws.trim().is_empty() => Err(Error::invalid("workspace_id must not be blank")),
            Some(ws) => client.with_workspace(ws),
            None => Ok(client.clone()),
        }
    }

    /// Polls the objective until its state is one of `settings.states` (see
    /// [`crate::objectives`]); resolves to the objective's JSON, or `WaitTimeoutError` whose
    /// `detail` is the last state seen. Closing the session ends it.
    pub fn wait_objective(
        &self,
        objective_id: &str,
        settings: ObjectiveSettings,
    ) -> impl Future<Output = Outcome> + Send + 'static {
        let id = objective_id.to_string();
        let prepared = (|| -> Result<(Client, WaitOptions)> {
            let mut options = WaitOptions::default();
            if !settings.states.is_empty() {
                options.states = settings.states.iter().map(|s| ObjectiveStatusState::from(s.as_str())).collect();
            }
            if let Some(s) = settings.timeout_secs {
                options.timeout = seconds("timeout", s)?;
            }
            Ok((self.objectives_client(settings.workspace_id)?, options))
        })();
        self.until_closed(async move {
            let (client, options) = prepared?;
            let objective = super::guarded(client.objectives().wait(&id, options))
                .await
                .map_err(|e| ErrorRecord::from_error(&e, Some("objectives.wait")))?;
            Ok(Response {
                status: 200,
                headers: Default::default(),
                request_id: None,
                body: Body::Json(json(&objective)?),
            })
        })
    }

    /// The objective's events, oldest first, each once (see [`crate::objectives`]).
    pub fn follow_events(
        &self,
        objective_id: &str,
        settings: ObjectiveSettings,
    ) -> std::result::Result<ObjectiveEvents, ErrorRecord> {
        let timeout = settings.timeout_secs.map(|s| seconds("timeout", s)).transpose()?;
        let options = FollowOptions { after_event_id: settings.after_event_id, timeout, ..Default::default() };
        let client = self.objectives_client(settings.workspace_id)?;
        let follower = client.objectives().event_follower(objective_id, options);
        Ok(ObjectiveEvents { follower: Arc::new(tokio::sync::Mutex::new(follower)), calls: self.calls() })
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<RawJson> {
    serde_json::value::to_raw_value(value).map_err(|e| Error::Internal { message: format!("could not encode: {e}") })
}

/// A follow in progress, shared by the binding's iterator object (calls take turns).
#[derive(Clone)]
pub struct ObjectiveEvents {
    follower: Arc<tokio::sync::Mutex<EventFollower>>,
    calls: Arc<super::session::Calls>,
}

impl std::fmt::Debug for ObjectiveEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectiveEvents").field("last_event_id", &self.last_event_id()).finish()
    }
}

impl ObjectiveEvents {
    /// The next event's JSON text, or `None` once the objective is terminal and every event
    /// is delivered. Closing the session ends it with the closed error.
    pub fn next(&self) -> impl Future<Output = std::result::Result<Option<RawJson>, ErrorRecord>> + Send + 'static {
        let follower = Arc::clone(&self.follower);
        self.calls.guard(async move {
            let mut f = follower.lock().await;
            let step = match super::guarded(f.next()).await {
                Ok(Some(event)) => json(&event).map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            };
            step.map_err(|e| ErrorRecord::from_error(&e, Some("objectives.follow_events")))
        })
    }

    /// The id of the last event delivered (or the resume point); `None` while a call is
    /// running or before the first event.
    pub fn last_event_id(&self) -> Option<String> {
        self.follower.try_lock().ok().and_then(|f| f.last_event_id().map(str::to_string))
    }
}
