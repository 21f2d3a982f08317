//! A call run on the core's runtime for a binding whose own async model only waits for it
//! (UniFFI's Kotlin coroutines and Swift tasks): the request, its connection and the decoding
//! all happen on the runtime (`process::waited_runtime`, one worker, no busy polling), and the
//! foreign future is woken once, when the result is in.

use super::process::waited_runtime;
use super::{panic_error, ErrorRecord};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::task::JoinHandle;

/// Spawns `fut` on the waited-for calls' runtime and returns a future of its result. Dropping
/// that future (a cancelled coroutine or task) aborts the spawned one, which drops its request;
/// a panic in it becomes an `InternalError` record.
pub fn spawn<T: Send + 'static>(
    fut: impl Future<Output = Result<T, ErrorRecord>> + Send + 'static,
) -> impl Future<Output = Result<T, ErrorRecord>> + Send {
    let task = waited_runtime().map(|rt| AbortOnDrop(rt.spawn(fut)));
    async move {
        match task?.await {
            Ok(r) => r,
            Err(e) if e.is_panic() => Err(ErrorRecord::from(panic_error(e.into_panic().as_ref()))),
            Err(_) => Err(ErrorRecord::internal("the call's task was cancelled")),
        }
    }
}

/// A spawned task that is aborted when its waiter goes away.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}
