//! Rust futures as JS Promises, settled in batches on the JS thread.
//!
//! napi-rs's `spawn_future` gives every call a threadsafe function of its own: a libuv async
//! handle opened when the call starts and closed when it ends, on the JS thread, per call. Here
//! each JS environment (the main thread, each worker thread) has one threadsafe function for the
//! life of the environment. A finished call queues a settle step and wakes the JS thread only
//! when the queue was empty; the JS thread then settles everything queued in one callback.
//!
//! The threadsafe function keeps Node alive only while calls are pending (it is ref'd when the
//! first one starts and unref'd when the last one settles), so an idle client never holds the
//! process open. When an environment is torn down, Node finalises the threadsafe function; from
//! then on finished calls are dropped instead of sent to it (their promises died with it).

use crate::error;
use cadenya::busy_poll::BusyPoll;
use futures_util::FutureExt;
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};
use napi::{sys, Env, JsError, Result};
use std::cell::RefCell;
use std::ffi::c_void;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// What the JS thread runs for one finished call: resolve or reject its promise.
type Settle = Box<dyn FnOnce(sys::napi_env) + Send>;

/// State shared by one environment's JS thread and the runtime's workers.
struct Bridge {
    queue: Mutex<Vec<Settle>>,
    /// The environment's threadsafe function; `None` once Node has finalised it. Held locked
    /// while calling it, so that finalisation waits for a call in progress.
    tsfn: Mutex<Option<Tsfn>>,
    /// Calls started and not yet settled. Only the JS thread changes it.
    pending: AtomicUsize,
}

#[derive(Clone, Copy)]
struct Tsfn(sys::napi_threadsafe_function);
// SAFETY: Node-API allows calling a threadsafe function from any thread; the handle is only
// used while `Bridge::tsfn` says it is alive.
unsafe impl Send for Tsfn {}

/// A promise's deferred handle, carried to a worker and back to the JS thread that made it.
struct Deferred(sys::napi_deferred);
// SAFETY: the handle is only dereferenced by Node on the JS thread (in `drain`).
unsafe impl Send for Deferred {}

impl Deferred {
    /// Taken by value inside the settle closure, so the closure captures (and sends) the
    /// wrapper rather than the bare pointer.
    fn into_raw(self) -> sys::napi_deferred {
        self.0
    }
}

thread_local! {
    /// The bridge of each environment living on this thread, by environment.
    static BRIDGES: RefCell<Vec<(usize, Arc<Bridge>)>> = const { RefCell::new(Vec::new()) };
}

/// The runtime every call runs on: one worker thread (a call from JS wakes exactly one worker,
/// which drives the request to completion without handing it on; all the work is I/O, so one
/// worker easily carries 1,000 concurrent requests). It busy-polls briefly around calls
/// ([`BusyPoll`]) so that it is awake when the answer, or the next call, arrives.
fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    let rt = RUNTIME.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("cadenya-io")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.spawn(BusyPoll::global().run());
        Ok(rt)
    });
    rt.as_ref().map_err(|e| error::configuration(format!("could not start the I/O runtime: {e}")))
}

/// Starts `fut` on the runtime and returns the Promise of its result. The future is tracked by
/// the busy poller; a panic inside it rejects the promise instead of unwinding anywhere.
pub fn spawn<'env, T: ToNapiValue + Send + 'static>(
    env: &'env Env,
    fut: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<PromiseRaw<'env, T>> {
    let rt = runtime()?;
    let bridge = bridge(env)?;
    let raw_env = env.raw();
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: called on the JS thread with its live env.
    check(unsafe { sys::napi_create_promise(raw_env, &mut deferred, &mut promise) }, "create a promise")?;
    bridge.started(raw_env);
    let done = Completion { bridge, deferred: Some(Deferred(deferred)) };
    rt.spawn(BusyPoll::global().track(async move {
        let result = AssertUnwindSafe(fut)
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Err(error::internal("the call panicked; this is a bug in the SDK")));
        done.finish(result);
    }));
    Ok(PromiseRaw::new(raw_env, promise))
}

/// The bridge of `env`, created on the first call made from it.
fn bridge(env: &Env) -> Result<Arc<Bridge>> {
    let key = env.raw() as usize;
    BRIDGES.with(|all| {
        let mut all = all.borrow_mut();
        if let Some((_, b)) = all.iter().find(|(k, _)| *k == key) {
            if lock(&b.tsfn).is_some() {
                return Ok(b.clone());
            }
        }
        // First call from this environment: drop the bridges of environments now gone (their
        // threadsafe function was finalised; one may even have had this env's address).
        all.retain(|(_, b)| lock(&b.tsfn).is_some());
        let b = Bridge::create(env.raw())?;
        all.push((key, b.clone()));
        Ok(b)
    })
}

impl Bridge {
    fn create(env: sys::napi_env) -> Result<Arc<Bridge>> {
        let bridge =
            Arc::new(Bridge { queue: Mutex::new(Vec::new()), tsfn: Mutex::new(None), pending: AtomicUsize::new(0) });
        let mut name = ptr::null_mut();
        // SAFETY: JS thread, live env; the string is a valid UTF-8 buffer of the given length.
        check(unsafe { sys::napi_create_string_utf8(env, c"cadenya".as_ptr(), 7, &mut name) }, "name the bridge")?;
        // The threadsafe function owns one reference to the bridge, returned in `finalize`.
        let data = Arc::into_raw(bridge.clone()) as *mut c_void;
        let mut tsfn = ptr::null_mut();
        // SAFETY: JS thread, live env; `data` stays valid until `finalize` takes it back.
        let status = unsafe {
            sys::napi_create_threadsafe_function(
                env,
                ptr::null_mut(),
                ptr::null_mut(),
                name,
                0,
                1,
                data,
                Some(finalize),
                data,
                Some(drain),
                &mut tsfn,
            )
        };
        if let Err(e) = check(status, "create the bridge") {
            // SAFETY: Node did not take `data`; this is the reference made for it above.
            drop(unsafe { Arc::from_raw(data as *const Bridge) });
            return Err(e);
        }
        // Idle until a call starts. SAFETY: JS thread, the handle just created.
        unsafe { sys::napi_unref_threadsafe_function(env, tsfn) };
        *lock(&bridge.tsfn) = Some(Tsfn(tsfn));
        Ok(bridge)
    }

    /// JS thread: one more call in flight; the first keeps the process alive.
    fn started(&self, env: sys::napi_env) {
        if self.pending.fetch_add(1, Ordering::Relaxed) == 0 {
            if let Some(t) = *lock(&self.tsfn) {
                // SAFETY: JS thread, live handle (the slot is only emptied on this thread).
                unsafe { sys::napi_ref_threadsafe_function(env, t.0) };
            }
        }
    }

    /// Any thread: queues a settle step; wakes the JS thread if the queue was empty (otherwise
    /// a wake-up is already on its way and will find this step too).
    fn push(&self, step: Settle) {
        // The slot stays locked until the call below returns, so Node cannot finalise the
        // threadsafe function in between (finalisation takes the same lock).
        let slot = lock(&self.tsfn);
        let Some(t) = *slot else {
            // The environment is gone, and the promise with it: nothing to settle.
            return;
        };
        let was_empty = {
            let mut q = lock(&self.queue);
            q.push(step);
            q.len() == 1
        };
        if was_empty {
            // SAFETY: the handle is alive while the slot holds it. An unbounded queue never
            // refuses a non-blocking call.
            unsafe {
                sys::napi_call_threadsafe_function(t.0, ptr::null_mut(), sys::ThreadsafeFunctionCallMode::nonblocking)
            };
        }
    }
}

/// One call's promise, settled exactly once: with the future's result, or, if the future is
/// dropped unfinished (the runtime shutting down), with an error.
struct Completion {
    bridge: Arc<Bridge>,
    deferred: Option<Deferred>,
}

impl Completion {
    fn finish<T: ToNapiValue + Send + 'static>(mut self, result: Result<T>) {
        let Some(deferred) = self.deferred.take() else { return };
        self.bridge.push(Box::new(move |env| {
            let deferred = deferred.into_raw();
            let value = result.and_then(|v| unsafe { T::to_napi_value(env, v) });
            // SAFETY: JS thread (called from `drain`), the deferred of a promise made on it.
            unsafe {
                match value {
                    Ok(v) => sys::napi_resolve_deferred(env, deferred, v),
                    Err(e) => sys::napi_reject_deferred(env, deferred, JsError::from(e).into_value(env)),
                };
            }
        }));
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        if self.deferred.is_some() {
            let done = Completion { bridge: self.bridge.clone(), deferred: self.deferred.take() };
            done.finish::<()>(Err(error::internal("the call was dropped before it finished")));
        }
    }
}

/// The threadsafe function's callback, on the JS thread: settles every queued call.
unsafe extern "C" fn drain(env: sys::napi_env, _js: sys::napi_value, context: *mut c_void, _data: *mut c_void) {
    // SAFETY: `context` is the bridge reference owned by the threadsafe function, alive until
    // `finalize`, which runs after the last callback.
    let bridge = unsafe { &*(context as *const Bridge) };
    let steps = std::mem::take(&mut *lock(&bridge.queue));
    if env.is_null() {
        // The environment is being torn down: nothing can be settled any more.
        return;
    }
    let n = steps.len();
    for step in steps {
        // Nothing may unwind out of a Node-API callback; a step that panics leaves its promise
        // pending rather than aborting the process.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| step(env)));
    }
    if n > 0 && bridge.pending.fetch_sub(n, Ordering::Relaxed) == n {
        if let Some(t) = *lock(&bridge.tsfn) {
            // SAFETY: JS thread, live handle.
            unsafe { sys::napi_unref_threadsafe_function(env, t.0) };
        }
    }
}

/// Node finalises the threadsafe function with its environment: forget the handle (later
/// completions are dropped) and return the bridge reference it owned.
unsafe extern "C" fn finalize(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the reference made in `Bridge::create` for the threadsafe function.
    let bridge = unsafe { Arc::from_raw(data as *const Bridge) };
    *lock(&bridge.tsfn) = None;
    lock(&bridge.queue).clear();
}

/// Locks a mutex, ignoring poisoning (no user code runs under these locks).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn check(status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(error::configuration(format!("could not {what} (napi status {status})")))
    }
}
