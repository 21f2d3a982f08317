//! Helpers over the `objectives` resource (hand-written, beside the generated operations):
//! wait until an objective reaches a state, and follow its event timeline.
//!
//! ```no_run
//! # async fn demo(client: cadenya::Client, id: &str) -> cadenya::Result<()> {
//! use cadenya::objectives::{FollowOptions, WaitOptions};
//! use futures_util::TryStreamExt;
//!
//! // Every event exactly once, in order, until the objective is terminal.
//! let mut events = std::pin::pin!(client.objectives().follow_events(id, FollowOptions::default()));
//! while let Some(event) = events.try_next().await? {
//!     println!("{}", event.metadata.id);
//! }
//! let done = client.objectives().wait(id, WaitOptions::default()).await?;
//! println!("{}", done.status.state.as_str());
//! # Ok(()) }
//! ```
//!
//! Both are plain state machines over the generated calls (`objectives.retrieve`,
//! `objectives.list_events`), so every binding reuses them: [`ObjectivesResource::wait`] is one
//! future, and [`EventFollower::next`] is one future per event (an iterator / async iterator /
//! `Flow` in the other languages).

use crate::error::{Error, Result};
use crate::models::{Objective, ObjectiveListEventsResponse, ObjectiveStatusState};
use crate::params::ObjectivesListEventsParams;
use crate::resources::ObjectivesResource;
use crate::Client;
use futures_core::Stream;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// One event of an objective's timeline, as `objectives.list_events` returns it.
pub type ObjectiveEvent = ObjectiveListEventsResponse;

/// The states after which an objective does not change by itself.
pub const TERMINAL_STATES: [ObjectiveStatusState; 3] =
    [ObjectiveStatusState::Finalized, ObjectiveStatusState::Failed, ObjectiveStatusState::Cancelled];

/// True for `STATE_FINALIZED`, `STATE_FAILED` and `STATE_CANCELLED`.
pub fn is_terminal(state: &ObjectiveStatusState) -> bool {
    TERMINAL_STATES.contains(state)
}

/// How often the helpers poll: from `initial`, doubling after each poll that saw no change, up to
/// `max`; each pause is shortened by up to 25 % at random so many waiters do not poll in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollInterval {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for PollInterval {
    fn default() -> Self {
        PollInterval { initial: Duration::from_millis(50), max: Duration::from_secs(1) }
    }
}

/// The growing pause between polls.
#[derive(Debug, Clone)]
struct Backoff {
    poll: PollInterval,
    next: Duration,
}

impl Backoff {
    fn new(poll: PollInterval) -> Self {
        Backoff { poll, next: poll.initial }
    }

    fn reset(&mut self) {
        self.next = self.poll.initial;
    }

    /// The next pause (jittered), never longer than `limit`.
    fn pause(&mut self, limit: Option<Duration>) -> Duration {
        let base = self.next.min(self.poll.max);
        self.next = (base * 2).min(self.poll.max.max(self.poll.initial));
        let jittered = base.mul_f64(1.0 - 0.25 * fastrand::f64());
        limit.map_or(jittered, |l| jittered.min(l))
    }
}

/// Options of [`ObjectivesResource::wait`].
#[derive(Debug, Clone)]
pub struct WaitOptions {
    /// Return once `status.state` is one of these (default: [`TERMINAL_STATES`]).
    pub states: Vec<ObjectiveStatusState>,
    /// Give up after this long with [`Error::WaitTimeout`] (default 5 minutes).
    pub timeout: Duration,
    pub poll: PollInterval,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            states: TERMINAL_STATES.to_vec(),
            timeout: Duration::from_secs(300),
            poll: PollInterval::default(),
        }
    }
}

impl WaitOptions {
    /// Wait for these states instead of the terminal ones.
    pub fn states(mut self, states: impl IntoIterator<Item = ObjectiveStatusState>) -> Self {
        self.states = states.into_iter().collect();
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Options of [`ObjectivesResource::follow_events`].
#[derive(Debug, Clone, Default)]
pub struct FollowOptions {
    /// Resume: deliver only the events recorded after this one (as `sinceEventId`).
    pub after_event_id: Option<String>,
    /// Items per `list_events` page (the server's default when unset).
    pub page_size: Option<i32>,
    pub poll: PollInterval,
    /// Give up with [`Error::WaitTimeout`] when the objective is not terminal after this long.
    pub timeout: Option<Duration>,
}

impl ObjectivesResource {
    /// Polls `objectives.retrieve` until the objective's `status.state` is one of
    /// `options.states` and returns it; [`Error::WaitTimeout`] (carrying the last state seen)
    /// after `options.timeout`. API and transport errors end the wait as they are.
    pub async fn wait(&self, objective_id: impl AsRef<str>, options: WaitOptions) -> Result<Objective> {
        wait(&self.client, objective_id.as_ref(), &options).await
    }

    /// A stream of the objective's events, oldest first, each exactly once. It pages through
    /// `objectives.list_events` with the cursor, polls for new events, and ends once the objective
    /// is terminal and the events recorded before that are delivered. An error ends the stream.
    pub fn follow_events(
        &self,
        objective_id: impl AsRef<str>,
        options: FollowOptions,
    ) -> impl Stream<Item = Result<ObjectiveEvent>> + Send + 'static {
        self.event_follower(objective_id, options).into_stream()
    }

    /// The state machine behind [`follow_events`](Self::follow_events): call
    /// [`EventFollower::next`] until it returns `None`.
    pub fn event_follower(&self, objective_id: impl AsRef<str>, options: FollowOptions) -> EventFollower {
        EventFollower::new(self.client.clone(), objective_id.as_ref().to_string(), options)
    }
}

async fn wait(client: &Client, id: &str, options: &WaitOptions) -> Result<Objective> {
    let started = Instant::now();
    let mut backoff = Backoff::new(options.poll);
    loop {
        let objective = client.objectives().retrieve(id).await?;
        if options.states.contains(&objective.status.state) {
            return Ok(objective);
        }
        let remaining = options.timeout.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            return Err(timeout(id, started, objective.status.state.as_str()));
        }
        tokio::time::sleep(backoff.pause(Some(remaining))).await;
    }
}

fn timeout(id: &str, started: Instant, last_state: &str) -> Error {
    Error::WaitTimeout { objective_id: id.to_string(), after: started.elapsed(), last_state: last_state.to_string() }
}

/// Where an [`EventFollower`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Polling: the objective was not terminal at the last check.
    Live,
    /// The objective was seen terminal: one more sweep, then done.
    LastSweep,
    Done,
}

/// Follows one objective's events: [`next`](Self::next) returns each event once, in order, and
/// `None` after the objective is terminal and its events are delivered.
///
/// Each sweep asks for the events after the last one fetched (`sinceEventId`, ascending), walking
/// the pages with the cursor; so a page boundary, or events recorded while a sweep runs, can
/// neither repeat nor skip an event.
#[derive(Debug)]
pub struct EventFollower {
    client: Client,
    objective_id: String,
    options: FollowOptions,
    buffer: VecDeque<ObjectiveEvent>,
    /// The newest event fetched (delivered or buffered): the next sweep starts after it.
    fetched_after: Option<String>,
    /// The newest event handed to the caller: resume from here.
    delivered: Option<String>,
    phase: Phase,
    last_state: String,
    backoff: Backoff,
    started: Instant,
}

impl EventFollower {
    fn new(client: Client, objective_id: String, options: FollowOptions) -> Self {
        let after = options.after_event_id.clone().filter(|s| !s.is_empty());
        EventFollower {
            client,
            objective_id,
            backoff: Backoff::new(options.poll),
            options,
            buffer: VecDeque::new(),
            fetched_after: after.clone(),
            delivered: after,
            phase: Phase::Live,
            last_state: ObjectiveStatusState::Unspecified.as_str().to_string(),
            started: Instant::now(),
        }
    }

    /// The id of the last event returned (or the resume point): pass it as
    /// [`FollowOptions::after_event_id`] to continue later where this follower stopped.
    pub fn last_event_id(&self) -> Option<&str> {
        self.delivered.as_deref()
    }

    /// The next event, or `None` when the objective is terminal and every event is delivered.
    pub async fn next(&mut self) -> Result<Option<ObjectiveEvent>> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.delivered = Some(event.metadata.id.clone());
                return Ok(Some(event));
            }
            match self.phase {
                Phase::Done => return Ok(None),
                Phase::LastSweep => {
                    self.sweep().await?;
                    self.phase = Phase::Done;
                }
                Phase::Live => {
                    if self.sweep().await? > 0 {
                        self.backoff.reset();
                        continue;
                    }
                    let objective = self.client.objectives().retrieve(&self.objective_id).await?;
                    self.last_state = objective.status.state.as_str().to_string();
                    if is_terminal(&objective.status.state) {
                        // Events recorded up to the terminal state are fetched by one more sweep.
                        self.phase = Phase::LastSweep;
                        continue;
                    }
                    let remaining = self.options.timeout.map(|t| t.saturating_sub(self.started.elapsed()));
                    if remaining.is_some_and(|r| r.is_zero()) {
                        self.phase = Phase::Done;
                        return Err(timeout(&self.objective_id, self.started, &self.last_state));
                    }
                    tokio::time::sleep(self.backoff.pause(remaining)).await;
                }
            }
        }
    }

    /// Fetches every event after `fetched_after` into the buffer; returns how many arrived.
    async fn sweep(&mut self) -> Result<usize> {
        let mut cursor: Option<String> = None;
        let mut count = 0;
        loop {
            let params = ObjectivesListEventsParams {
                cursor: cursor.take(),
                limit: self.options.page_size,
                since_event_id: self.fetched_after.clone(),
                sort_order: Some("asc".into()),
                ..Default::default()
            };
            // The cursor pages within this sweep; `sinceEventId` stays the sweep's start.
            let page = self.client.objectives().list_events(&self.objective_id, params).await?;
            for event in page.items {
                // Defensive: a server repeating an item across pages must not repeat it here.
                if self.buffer.iter().any(|e| e.metadata.id == event.metadata.id) {
                    continue;
                }
                count += 1;
                self.buffer.push_back(event);
            }
            match page.next_cursor.filter(|c| !c.is_empty()) {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        if let Some(last) = self.buffer.back() {
            self.fetched_after = Some(last.metadata.id.clone());
        }
        Ok(count)
    }

    /// This follower as a `Stream`; it ends after the first error.
    pub fn into_stream(self) -> impl Stream<Item = Result<ObjectiveEvent>> + Send + 'static {
        futures_util::stream::unfold(Some(self), |state| async move {
            let mut follower = state?;
            match follower.next().await {
                Ok(Some(event)) => Some((Ok(event), Some(follower))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_the_cap_and_resets() {
        let mut b = Backoff::new(PollInterval::default());
        let pauses: Vec<Duration> = (0..8).map(|_| b.pause(None)).collect();
        assert!(pauses[0] <= Duration::from_millis(50) && pauses[0] >= Duration::from_millis(37));
        assert!(pauses[7] <= Duration::from_secs(1) && pauses[7] >= Duration::from_millis(750));
        assert_eq!(b.pause(Some(Duration::from_millis(3))), Duration::from_millis(3));
        b.reset();
        assert!(b.pause(None) <= Duration::from_millis(50));
    }

    #[test]
    fn terminal_states() {
        assert!(is_terminal(&ObjectiveStatusState::Failed));
        assert!(!is_terminal(&ObjectiveStatusState::Waiting));
        assert_eq!(WaitOptions::default().states.len(), 3);
    }
}
