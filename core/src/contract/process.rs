//! Values that belong to one process: the shared async runtime, and each client's connection
//! pool. A forked child (Python's `os.fork()`, multiprocessing) must not use its parent's: the
//! runtime's worker threads do not exist in the child, and the pool's sockets are shared with
//! the parent. So each value is kept per process id, and a child builds its own on first use.
//!
//! The slots are a lock-free chain (compare-and-swap, no mutex), so a fork can never catch one
//! locked. A value of an earlier process stays in the chain, unused, for the life of its owner.

use crate::busy_poll::BusyPoll;
use crate::error::{Error, Result};
use once_cell::race::OnceBox;
use tokio::runtime::Runtime;

/// One value per process.
pub struct PerProcess<T> {
    first: OnceBox<Entry<T>>,
}

struct Entry<T> {
    pid: u32,
    value: T,
    next: OnceBox<Entry<T>>,
}

impl<T> Default for PerProcess<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> PerProcess<T> {
    pub const fn new() -> Self {
        PerProcess { first: OnceBox::new() }
    }

    /// A slot already holding `value` for the current process.
    pub fn with(value: T) -> Self {
        let slot = Self::new();
        let _ = slot.first.set(Box::new(Entry { pid: std::process::id(), value, next: OnceBox::new() }));
        slot
    }

    /// The current process's value, made by `make` on its first use in this process. Two
    /// threads may both make one; the first stored wins and the other is dropped.
    pub fn get_or_try_init(&self, make: impl FnOnce() -> Result<T>) -> Result<&T> {
        let pid = std::process::id();
        let mut slot = &self.first;
        let mut make = Some(make);
        loop {
            let entry = match slot.get() {
                Some(entry) => entry,
                None => {
                    let make =
                        make.take().ok_or_else(|| Error::Internal { message: "per-process slot lost".into() })?;
                    let fresh = Box::new(Entry { pid, value: make()?, next: OnceBox::new() });
                    // If another thread stored first, ours is dropped and theirs is walked.
                    slot.get_or_init(|| fresh)
                }
            };
            if entry.pid == pid {
                return Ok(&entry.value);
            }
            slot = &entry.next;
        }
    }
}

impl<T: Default> PerProcess<T> {
    /// The current process's value, a default one from its first use in this process.
    pub fn get_or_default(&self) -> &T {
        let pid = std::process::id();
        let mut slot = &self.first;
        loop {
            let entry = slot.get_or_init(|| Box::new(Entry { pid, value: T::default(), next: OnceBox::new() }));
            if entry.pid == pid {
                return &entry.value;
            }
            slot = &entry.next;
        }
    }
}

/// A runtime that, if it is ever dropped (a lost race), stops without waiting for its threads.
struct Detached(Option<Runtime>);

impl Drop for Detached {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

static RUNTIME: PerProcess<Detached> = PerProcess::new();
static WAITED: PerProcess<Detached> = PerProcess::new();

/// A multi-thread runtime with `workers` worker threads named `name` (all of them when `None`).
fn start(name: &str, workers: Option<usize>) -> Result<Detached> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = workers {
        builder.worker_threads(n);
    }
    builder
        .enable_all()
        .thread_name(name)
        .build()
        .map(|rt| Detached(Some(rt)))
        .map_err(|e| Error::Configuration { message: format!("could not start the async runtime: {e}") })
}

fn get(slot: &'static Detached) -> Result<&'static Runtime> {
    slot.0.as_ref().ok_or_else(|| Error::Internal { message: "the runtime is gone".into() })
}

/// The multi-thread runtime every binding runs its calls on (threads `cadenya-rt`), started on
/// first use in each process. It is never shut down: its threads end with the process.
pub fn runtime() -> Result<&'static Runtime> {
    get(RUNTIME.get_or_try_init(|| {
        let rt = start("cadenya-rt", None)?;
        // A worker busy-polls briefly around lone calls (see `crate::busy_poll`).
        if let Some(rt) = &rt.0 {
            rt.spawn(BusyPoll::global().run());
        }
        Ok(rt)
    })?)
}

/// The runtime of the calls a foreign async model only waits for (`contract::spawn`: UniFFI's
/// Kotlin coroutines and Swift tasks), started on first use in each process: one worker thread
/// (`cadenya-io`) that runs every request, its connection and its decoding, and no busy polling
/// (mobile CPU is battery). One worker, because with more tokio wakes a second one each time
/// work arrives from outside the runtime (its last searching worker notifies a sibling), which
/// costs every call a wake-up and a sleep more; alone, a call costs three context switches (the
/// caller waits, the worker waits for the answer, the worker sleeps after handing it over).
/// A call is I/O-bound: one thread drives many in flight.
pub(crate) fn waited_runtime() -> Result<&'static Runtime> {
    get(WAITED.get_or_try_init(|| start("cadenya-io", Some(1)))?)
}
