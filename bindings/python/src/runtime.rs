//! The module's tokio runtime: built on first use, rebuilt in a forked child.
//!
//! A multi-thread runtime's worker threads do not survive `fork()`, so a child that reused the
//! parent's runtime would hang on its first call. The runtime is therefore keyed by process id:
//! a child sees a different pid and builds its own. Old runtimes are leaked, never dropped
//! (dropping one in the child would try to join threads that only exist in the parent).
//! The slot is a lock-free pointer so that a fork can never catch it locked.

use pyo3::prelude::*;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

struct Slot {
    pid: u32,
    rt: Runtime,
}

static SLOT: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());

/// The runtime of the current process.
pub fn get() -> Result<&'static Runtime, cadenya::Error> {
    let pid = std::process::id();
    let current = SLOT.load(Ordering::Acquire);
    if !current.is_null() {
        // SAFETY: every non-null pointer stored in SLOT comes from `Box::into_raw` below and is
        // never freed, so it stays valid for the life of the process.
        let slot: &'static Slot = unsafe { &*current };
        if slot.pid == pid {
            return Ok(&slot.rt);
        }
    }
    let rt =
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("cadenya-rt").build().map_err(|e| {
            cadenya::Error::Configuration { message: format!("could not start the async runtime: {e}") }
        })?;
    let fresh = Box::into_raw(Box::new(Slot { pid, rt }));
    match SLOT.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => {
            // SAFETY: as above; `fresh` was just leaked and is now published.
            let rt = unsafe { &(*fresh).rt };
            // A worker busy-polls briefly around lone calls (see `cadenya::busy_poll`).
            rt.spawn(cadenya::busy_poll::BusyPoll::global().run());
            Ok(rt)
        }
        Err(winner) => {
            // Another thread published a runtime first: use that one and discard ours.
            // SAFETY: `fresh` was never shared, so we still own it.
            let ours = unsafe { Box::from_raw(fresh) };
            ours.rt.shutdown_background();
            // SAFETY: `winner` is non-null (it replaced `current`) and leaked like every slot.
            let slot: &'static Slot = unsafe { &*winner };
            if slot.pid == pid {
                Ok(&slot.rt)
            } else {
                get()
            }
        }
    }
}

// ---- Interpreter exit ----------------------------------------------------------------------
//
// A sync call waits with the GIL released and takes it back when the answer is in. If the
// interpreter has begun to finalize by then, CPython ends a daemon thread that asks for the
// GIL with `pthread_exit`, and that forced unwind through this module's Rust frames aborts the
// process. The gate below keeps that from happening: an `atexit` hook (which CPython runs just
// before finalization, on the thread that finalizes) closes it and waits, without the GIL, for
// the threads already past it to get back to Python; a thread that finishes its wait after
// that never takes the GIL again (it parks until the process ends, as CPython 3.14 itself does
// with such threads). Async calls never need the gate: their workers never take the GIL (see
// `completion`).

const CLOSED: usize = 1 << (usize::BITS - 1);
/// `CLOSED` once the exit hook ran, plus the number of threads between the gate and Python.
static GATE: AtomicUsize = AtomicUsize::new(0);
/// The thread that ran the exit hook: it finalizes, so it may still call (from later hooks).
static EXIT_THREAD: std::sync::OnceLock<std::thread::ThreadId> = std::sync::OnceLock::new();

/// Proof that this thread passed the gate; hold it until the call has returned to Python.
pub struct Passed(());

impl Drop for Passed {
    fn drop(&mut self) {
        GATE.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Called without the GIL, before taking it back after a wait. Never returns on a thread other
/// than the finalizing one once the interpreter is exiting.
fn pass() -> Passed {
    let mut state = GATE.load(Ordering::Acquire);
    loop {
        if state & CLOSED != 0 && EXIT_THREAD.get() != Some(&std::thread::current().id()) {
            loop {
                std::thread::park();
            }
        }
        match GATE.compare_exchange_weak(state, state + 1, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return Passed(()),
            Err(now) => state = now,
        }
    }
}

/// Runs `fut` on the runtime with the GIL released (panics caught) and hands its output to
/// `convert` with the GIL held again, through the exit gate.
pub fn block_on<T, E, R>(
    py: Python<'_>,
    fut: impl std::future::Future<Output = Result<T, E>> + Send,
    convert: impl FnOnce(Python<'_>, Result<T, E>) -> R,
) -> R
where
    T: Send,
    E: Send + From<cadenya::Error>,
{
    let (out, passed) = py.detach(|| {
        let out = match get() {
            Ok(rt) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(fut)))
                .unwrap_or_else(|p| Err(cadenya::contract::panic_error(p.as_ref()).into())),
            Err(e) => Err(e.into()),
        };
        (out, pass())
    });
    let r = convert(py, out);
    drop(passed);
    r
}

/// The `atexit` hook: closes the gate and waits (GIL released, at most a few seconds) for the
/// threads already past it.
#[pyfunction]
pub fn _at_exit(py: Python<'_>) {
    let _ = EXIT_THREAD.set(std::thread::current().id());
    GATE.fetch_or(CLOSED, Ordering::AcqRel);
    py.detach(|| {
        let deadline = Instant::now() + Duration::from_secs(5);
        while GATE.load(Ordering::Acquire) & !CLOSED != 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(200));
        }
    });
}

/// Registers [`_at_exit`] with Python's `atexit`.
pub fn register_exit_hook(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(_at_exit, m)?;
    m.py().import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}
