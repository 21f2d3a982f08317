//! The module's tokio runtime: built on first use, rebuilt in a forked child.
//!
//! A multi-thread runtime's worker threads do not survive `fork()`, so a child that reused the
//! parent's runtime would hang on its first call. The runtime is therefore keyed by process id:
//! a child sees a different pid and builds its own. Old runtimes are leaked, never dropped
//! (dropping one in the child would try to join threads that only exist in the parent).
//! The slot is a lock-free pointer so that a fork can never catch it locked.

use std::sync::atomic::{AtomicPtr, Ordering};
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
