//! A call run on the core's runtime for a binding whose own async model only waits for it
//! (UniFFI's Kotlin coroutines and Swift tasks): the request, its connection and the decoding
//! all happen on the runtime (`process::waited_runtime`, one worker, no busy polling), and the
//! foreign future is woken once, when the result is in.

use super::process::waited_runtime;
use super::{panic_error, ErrorRecord};
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::task::JoinHandle;

/// Spawns `fut` on the waited-for calls' runtime and returns a future of its result. Dropping
/// that future (a cancelled coroutine or task) aborts the spawned one, which drops its request;
/// a panic in it becomes an `InternalError` record.
///
/// Every call is spawned as one task type, its result boxed: tokio's task code then exists once
/// in a binding's library, not once per result type (about 0.4 MB of the UniFFI library).
pub fn spawn<T: Send + 'static>(
    fut: impl Future<Output = Result<T, ErrorRecord>> + Send + 'static,
) -> impl Future<Output = Result<T, ErrorRecord>> + Send {
    let erased: Erased = Box::pin(async move { fut.await.map(|v| Box::new(v) as Box<dyn Any + Send>) });
    let task = waited_runtime().map(|rt| AbortOnDrop(rt.spawn(erased)));
    async move {
        let value = match task?.await {
            Ok(r) => r?,
            Err(e) if e.is_panic() => return Err(ErrorRecord::from(panic_error(e.into_panic().as_ref()))),
            Err(_) => return Err(ErrorRecord::internal("the call's task was cancelled")),
        };
        value.downcast::<T>().map(|v| *v).map_err(|_| ErrorRecord::internal("a call's result changed type"))
    }
}

type Erased = Pin<Box<dyn Future<Output = Result<Box<dyn Any + Send>, ErrorRecord>> + Send>>;

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
