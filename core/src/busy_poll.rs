//! Bounded busy polling for the runtimes the language bindings own.
//!
//! A binding's calls cross threads: the caller hands a request to a tokio worker, the worker
//! waits for the socket, then hands the result back. When the worker has gone to sleep each of
//! those hand-offs pays a thread wake-up, and on virtual machines an idle CPU takes tens of
//! microseconds to wake: more than the rest of a loopback call costs. [`BusyPoll`] keeps one
//! worker polling the reactor (without blocking) for a short window after each call starts or
//! ends, so a fast answer, or the caller's next call, is picked up without a wake-up.
//!
//! The window is bounded and adaptive, so slow APIs pay (almost) nothing: the worker spins only
//! while the last call that ended took less than a window (the API answers fast, and its caller
//! is likely to call again at once), for at most one window after a call starts or ends. After
//! one slow answer nobody spins until a fast one is seen again; the first call never spins. With more than one call in flight nobody spins: the runtime is busy anyway, and on
//! few cores spinning would slow the calls down. `CADENYA_BUSY_POLL_US` sets the window in
//! microseconds; `0` turns busy polling off.

use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Window used when `CADENYA_BUSY_POLL_US` is unset.
pub const DEFAULT_WINDOW: Duration = Duration::from_micros(250);

/// The shared state of one runtime's busy poller; see the module documentation.
pub struct BusyPoll {
    window_ns: u64,
    epoch: Instant,
    in_flight: AtomicUsize,
    /// Nanoseconds since `epoch` of the last call start or end.
    last_event: AtomicU64,
    /// Duration of the last call that ended, in nanoseconds.
    last_call: AtomicU64,
    wake: Notify,
}

impl BusyPoll {
    /// A poller with the given window (zero disables it).
    pub fn new(window: Duration) -> Self {
        BusyPoll {
            window_ns: u64::try_from(window.as_nanos()).unwrap_or(u64::MAX),
            epoch: Instant::now(),
            in_flight: AtomicUsize::new(0),
            last_event: AtomicU64::new(0),
            last_call: AtomicU64::new(u64::MAX),
            wake: Notify::new(),
        }
    }

    /// A poller with the window from `CADENYA_BUSY_POLL_US`, or [`DEFAULT_WINDOW`].
    pub fn from_env() -> Self {
        let window = std::env::var("CADENYA_BUSY_POLL_US")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_micros)
            .unwrap_or(DEFAULT_WINDOW);
        Self::new(window)
    }

    /// One poller per process, for bindings that keep one runtime.
    pub fn global() -> &'static BusyPoll {
        static GLOBAL: OnceLock<BusyPoll> = OnceLock::new();
        GLOBAL.get_or_init(BusyPoll::from_env)
    }

    /// The window (zero when disabled).
    pub fn window(&self) -> Duration {
        Duration::from_nanos(self.window_ns)
    }

    pub fn enabled(&self) -> bool {
        self.window_ns > 0
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Whether the poller should keep spinning now.
    fn should_spin(&self) -> bool {
        let since = self.now().saturating_sub(self.last_event.load(Ordering::Acquire));
        if since >= self.window_ns {
            return false;
        }
        // Many calls in flight keep the runtime busy anyway, and spinning would take a core
        // from them: only a lone call (the sequential pattern) is worth spinning for.
        // Against a slow API (the last answer took longer than a window) spinning only burns CPU.
        self.in_flight.load(Ordering::Acquire) <= 1 && self.last_call.load(Ordering::Acquire) < self.window_ns
    }

    /// Runs `call`, telling the poller when it starts and ends. The end is recorded even when
    /// the future is dropped (a cancelled call).
    pub fn track<F: Future>(&'static self, call: F) -> impl Future<Output = F::Output> {
        struct Ends(&'static BusyPoll, u64);
        impl Drop for Ends {
            fn drop(&mut self) {
                let now = self.0.now();
                self.0.last_call.store(now.saturating_sub(self.1), Ordering::Release);
                self.0.last_event.store(now, Ordering::Release);
                self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
            }
        }
        async move {
            if !self.enabled() {
                return call.await;
            }
            let start = self.now();
            self.in_flight.fetch_add(1, Ordering::AcqRel);
            self.last_event.store(start, Ordering::Release);
            // Wake the spinner only when it would spin: after a slow answer it stays asleep,
            // so a slow API does not even pay for its wake-up.
            if self.last_call.load(Ordering::Acquire) < self.window_ns {
                self.wake.notify_one();
            }
            let _ends = Ends(self, start);
            call.await
        }
    }

    /// The spinning task: spawn it once on the runtime whose calls are tracked. While spinning
    /// it yields, which makes the worker poll the reactor without blocking and run whatever
    /// became ready; otherwise it sleeps until the next call starts.
    pub async fn run(&'static self) {
        if !self.enabled() {
            return;
        }
        loop {
            if self.should_spin() {
                // Let any thread waiting for this CPU (the server of a local call, say) run first.
                std::thread::yield_now();
                tokio::task::yield_now().await;
            } else {
                self.wake.notified().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leak(p: BusyPoll) -> &'static BusyPoll {
        Box::leak(Box::new(p))
    }

    #[tokio::test]
    async fn spins_only_around_short_calls() {
        let p = leak(BusyPoll::new(Duration::from_millis(50)));
        assert!(!p.should_spin(), "nothing happened yet");
        // No call has answered yet: the first call does not spin.
        p.track(async {}).await;
        assert!(p.should_spin(), "a fast call just ended");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let call = tokio::spawn(p.track(async move { rx.await.ok() }));
        tokio::task::yield_now().await;
        assert!(p.should_spin(), "a call just started");
        tx.send(()).ok();
        call.await.ok();
        assert!(p.should_spin(), "a short call just ended");
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(!p.should_spin(), "the window has passed");

        // Two calls in flight: the runtime is busy, nobody spins.
        let (tx1, rx1) = tokio::sync::oneshot::channel::<()>();
        let (tx2, rx2) = tokio::sync::oneshot::channel::<()>();
        let c1 = tokio::spawn(p.track(async move { rx1.await.ok() }));
        let c2 = tokio::spawn(p.track(async move { rx2.await.ok() }));
        tokio::task::yield_now().await;
        assert!(!p.should_spin(), "two calls in flight");
        tx1.send(()).ok();
        c1.await.ok();
        assert!(p.should_spin(), "one call left in flight");
        tx2.send(()).ok();
        c2.await.ok();
        tokio::time::sleep(Duration::from_millis(60)).await;

        // A call longer than the window: no spinning after it ends, nor while the next is in flight.
        p.track(tokio::time::sleep(Duration::from_millis(60))).await;
        assert!(!p.should_spin());
        let (tx3, rx3) = tokio::sync::oneshot::channel::<()>();
        let c3 = tokio::spawn(p.track(async move { rx3.await.ok() }));
        tokio::task::yield_now().await;
        assert!(!p.should_spin(), "the API was slow last time");
        tx3.send(()).ok();
        c3.await.ok();
        assert!(p.should_spin(), "a fast answer again");
    }

    #[tokio::test]
    async fn cancelled_calls_end_and_zero_disables() {
        let p = leak(BusyPoll::new(Duration::from_millis(50)));
        let call = tokio::spawn(p.track(std::future::pending::<()>()));
        tokio::task::yield_now().await;
        assert_eq!(p.in_flight.load(Ordering::Acquire), 1);
        call.abort();
        let _ = call.await;
        assert_eq!(p.in_flight.load(Ordering::Acquire), 0);

        let off = leak(BusyPoll::new(Duration::ZERO));
        assert!(!off.enabled());
        off.track(async {}).await;
        assert!(!off.should_spin());
        // `run` returns at once when disabled instead of parking forever.
        tokio::time::timeout(Duration::from_secs(1), off.run()).await.expect("run returns when disabled");
    }
}
