//! What a binding needs to hand work back to its host language's own threads, with no host code
//! in it: a queue of finished results that wakes an event loop through a socket pair, a queue of
//! log records the host drains on its threads (a runtime thread never calls into the host), the
//! gate that keeps threads out of a host that is exiting, and client settings read from JSON.

use super::PerProcess;
use crate::logging::{LogRecord, SharedLogSink};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means a panic elsewhere; a queue stays valid.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The wake-up socket pair's stream: a Unix socket pair where there is one, else two connected
/// TCP sockets on the loopback interface (Windows).
#[cfg(unix)]
type WakeStream = std::os::unix::net::UnixStream;
#[cfg(windows)]
type WakeStream = std::net::TcpStream;

/// Finished results for one event loop: any thread pushes, the loop's thread drains them when
/// the read end of the wake-up socket pair ([`Completions::fd`]) turns readable.
#[cfg(any(unix, windows))]
pub struct Completions<T> {
    queue: Mutex<Vec<T>>,
    rx: WakeStream,
    tx: WakeStream,
}

#[cfg(any(unix, windows))]
impl<T> Completions<T> {
    /// A queue with a fresh non-blocking socket pair (a forked child must make its own).
    pub fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        let (rx, tx) = WakeStream::pair()?;
        #[cfg(windows)]
        let (rx, tx) = tcp_pair()?;
        rx.set_nonblocking(true)?;
        tx.set_nonblocking(true)?;
        Ok(Completions { queue: Mutex::new(Vec::new()), rx, tx })
    }

    /// The socket the event loop watches for reading: a file descriptor on Unix, a `SOCKET`
    /// handle on Windows. It stays owned here: a host that wraps it must duplicate it first.
    pub fn fd(&self) -> i64 {
        raw_socket(&self.rx)
    }

    /// Queues a result and, when the queue was empty, writes the wake-up byte.
    pub fn push(&self, item: T) {
        let first = {
            let mut q = lock(&self.queue);
            q.push(item);
            q.len() == 1
        };
        if first {
            // Non-blocking: a full buffer already holds a wake-up; any other error means the loop
            // is gone and nobody will read.
            let _ = std::io::Write::write(&mut &self.tx, &[1]);
        }
    }

    /// Everything queued. Reads the wake-ups first, so a result pushed after the take always
    /// finds the queue empty and writes a new byte.
    pub fn drain(&self) -> Vec<T> {
        let mut buf = [0u8; 256];
        loop {
            match std::io::Read::read(&mut &self.rx, &mut buf) {
                Ok(n) if n == buf.len() => continue,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                _ => break,
            }
        }
        std::mem::take(&mut *lock(&self.queue))
    }
}

#[cfg(unix)]
fn raw_socket(s: &WakeStream) -> i64 {
    i64::from(std::os::unix::io::AsRawFd::as_raw_fd(s))
}

/// A `SOCKET` is a pointer-sized handle value, far below `i64::MAX`; -1 (never a valid one)
/// would make the host fail clearly rather than watch a wrong socket.
#[cfg(windows)]
fn raw_socket(s: &WakeStream) -> i64 {
    i64::try_from(std::os::windows::io::AsRawSocket::as_raw_socket(s)).unwrap_or(-1)
}

/// Two connected TCP sockets on 127.0.0.1 (read end, write end): where there are no Unix socket
/// pairs. The listener lives only until the one connection it accepts is known to be ours (any
/// local process could connect to its port meanwhile), and no-delay sends each wake-up at once.
#[cfg(any(windows, test))]
fn tcp_pair() -> std::io::Result<(std::net::TcpStream, std::net::TcpStream)> {
    use std::net::{Ipv4Addr, TcpListener, TcpStream};
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let tx = TcpStream::connect(listener.local_addr()?)?;
    let ours = tx.local_addr()?;
    // A stranger's connection is dropped; the accept loop ends once ours arrives (it is already
    // queued: connect returned).
    let rx = loop {
        let (rx, peer) = listener.accept()?;
        if peer == ours {
            break rx;
        }
    };
    drop(listener);
    tx.set_nodelay(true)?;
    Ok((rx, tx))
}

/// Log records kept for the host's own thread: a binding's [`LogSink`](crate::logging::LogSink)
/// pushes on the runtime thread, the host takes them when it next holds its own thread (after a
/// call returns). At most 10 000 wait; more are dropped. A static one serves a process (Python);
/// one per client serves a per-client host logger (Kotlin/Swift).
pub struct LogQueue {
    records: PerProcess<Mutex<Vec<LogRecord>>>,
    pending: AtomicBool,
}

impl Default for LogQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl LogQueue {
    pub const fn new() -> Self {
        LogQueue { records: PerProcess::new(), pending: AtomicBool::new(false) }
    }

    pub fn push(&self, record: &LogRecord) {
        let mut q = lock(self.records.get_or_default());
        if q.len() < 10_000 {
            q.push(record.clone());
        }
        self.pending.store(true, Ordering::Release);
    }

    /// The records queued so far, oldest first (cheap when there are none).
    pub fn take_records(&self) -> Vec<LogRecord> {
        if !self.pending.swap(false, Ordering::AcqRel) {
            return Vec::new();
        }
        std::mem::take(&mut *lock(self.records.get_or_default()))
    }

    /// [`take_records`](Self::take_records), each as [`LogRecord::to_json`] text.
    pub fn take(&self) -> Vec<String> {
        self.take_records().iter().map(LogRecord::to_json).collect()
    }
}

/// A host logger of one client (Kotlin/Swift) fed through its own [`LogQueue`]: the client's
/// sink queues on the runtime thread; [`after`](Self::after) hands the records to the host in the
/// last poll of a call's foreign future, which the host runs on its own thread. The sink holds
/// only the queue, so the client's core state (which a runtime thread may drop last) never owns
/// the host's logger object.
pub struct HostLog<L: ?Sized> {
    queue: Arc<LogQueue>,
    host: Box<L>,
}

impl<L: ?Sized> std::fmt::Debug for HostLog<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostLog")
    }
}

impl<L: ?Sized + Send + Sync + 'static> HostLog<L> {
    /// The hand-off to `host` and the sink for [`ClientSettings::logger`](super::ClientSettings::logger).
    pub fn new(host: Box<L>) -> (Arc<Self>, SharedLogSink) {
        let queue = Arc::new(LogQueue::new());
        let sink = Arc::clone(&queue);
        (Arc::new(HostLog { queue, host }), Arc::new(move |r: &LogRecord| sink.push(r)))
    }

    /// Hands each queued record, oldest first, to `emit` with the host's logger, on this thread.
    /// A panic (a host logger that threw) loses only its record.
    pub fn deliver(&self, emit: impl Fn(&L, &LogRecord)) {
        for r in self.queue.take_records() {
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| emit(&self.host, &r)));
        }
    }

    /// Awaits `fut`, then delivers the records queued meanwhile (when there is a host logger).
    pub async fn after<T>(log: Option<Arc<Self>>, fut: impl Future<Output = T>, emit: fn(&L, &LogRecord)) -> T {
        let out = fut.await;
        log.iter().for_each(|log| log.deliver(emit));
        out
    }
}

const CLOSED: usize = 1 << (usize::BITS - 1);

/// A gate between waiting threads and a host that may be exiting (CPython ends a thread that
/// asks for the GIL during finalization with a forced unwind, which aborts through Rust frames).
/// A thread passes it before re-entering the host; once closed, a thread that arrives parks
/// forever instead (the process is ending). Lock-free, so a fork cannot catch it locked.
#[derive(Debug)]
pub struct ExitGate {
    /// `CLOSED` once closed, plus the number of threads past the gate.
    state: AtomicUsize,
    /// The thread that closed it: it finalizes the host, so it may still pass.
    closer: OnceLock<ThreadId>,
}

/// Proof that this thread passed the gate; drop it once back in the host.
#[derive(Debug)]
pub struct Passed<'a>(&'a ExitGate);

impl Drop for Passed<'_> {
    fn drop(&mut self) {
        self.0.state.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Default for ExitGate {
    fn default() -> Self {
        Self::new()
    }
}

impl ExitGate {
    pub const fn new() -> Self {
        ExitGate { state: AtomicUsize::new(0), closer: OnceLock::new() }
    }

    /// Call before re-entering the host. Never returns on a thread other than the closing one
    /// once the gate is closed.
    pub fn pass(&self) -> Passed<'_> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 && self.closer.get() != Some(&std::thread::current().id()) {
                loop {
                    std::thread::park();
                }
            }
            match self.state.compare_exchange_weak(state, state + 1, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Passed(self),
                Err(now) => state = now,
            }
        }
    }

    /// Closes the gate and waits, at most `limit`, for the threads already past it.
    pub fn close(&self, limit: Duration) {
        let _ = self.closer.set(std::thread::current().id());
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
        let deadline = Instant::now() + limit;
        while self.state.load(Ordering::Acquire) & !CLOSED != 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LogLevel;
    use crate::contract::ClientSettings;

    #[test]
    fn log_records_wait_for_the_host() {
        let q = LogQueue::new();
        assert!(q.take().is_empty());
        q.push(&LogRecord { level: LogLevel::Debug, target: "cadenya", message: "http request", fields: vec![] });
        let taken = q.take();
        assert_eq!(taken.len(), 1);
        assert!(taken[0].contains("\"http request\""));
        assert!(q.take().is_empty());
        q.push(&LogRecord { level: LogLevel::Info, target: "cadenya", message: "retrying", fields: vec![] });
        q.push(&LogRecord { level: LogLevel::Debug, target: "cadenya", message: "http request", fields: vec![] });
        let records = q.take_records();
        assert_eq!(records.iter().map(|r| r.message).collect::<Vec<_>>(), ["retrying", "http request"]);
        assert!(q.take_records().is_empty());
    }

    #[test]
    fn a_host_log_delivers_after_the_call_and_survives_a_panicking_logger() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (log, sink) = HostLog::new(Box::new(Arc::clone(&seen)));
        let record = |message| LogRecord { level: LogLevel::Warn, target: "cadenya", message, fields: vec![] };
        let call = HostLog::after(Some(Arc::clone(&log)), async { sink.log(&record("retrying")) }, |seen, r| {
            assert_ne!(r.message, "boom");
            lock(seen).push(r.message);
        });
        sink.log(&record("boom"));
        assert!(lock(&seen).is_empty(), "nothing reaches the host before the call ends");
        futures_util::FutureExt::now_or_never(call);
        assert_eq!(*lock(&seen), ["retrying"]);
    }

    #[test]
    fn completions_wake_and_drain_in_order() {
        let c = Completions::new().unwrap_or_else(|e| unreachable!("{e}"));
        c.push(1);
        c.push(2);
        assert_eq!(c.drain(), vec![1, 2]);
        assert!(c.drain().is_empty());
    }

    #[test]
    fn the_tcp_pair_is_connected_both_ways() {
        use std::io::{Read, Write};
        let (rx, tx) = tcp_pair().unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(rx.peer_addr().ok(), tx.local_addr().ok());
        assert_eq!(tx.peer_addr().ok(), rx.local_addr().ok());
        (&tx).write_all(&[7]).unwrap_or_else(|e| unreachable!("{e}"));
        let mut byte = [0u8; 1];
        (&rx).read_exact(&mut byte).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(byte, [7]);
        (&rx).write_all(&[8]).unwrap_or_else(|e| unreachable!("{e}"));
        (&tx).read_exact(&mut byte).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(byte, [8]);
    }

    #[test]
    fn a_closed_gate_lets_its_closer_pass() {
        let gate = ExitGate::new();
        drop(gate.pass());
        gate.close(Duration::from_millis(1));
        drop(gate.pass());
    }

    #[test]
    fn settings_from_json_refuse_unknown_names() {
        let s = ClientSettings::from_json(r#"{"timeout": 2.5, "default_headers": [["x-a", "1"]]}"#);
        assert_eq!(s.map(|s| (s.timeout_secs, s.default_headers.len())).ok(), Some((Some(2.5), 1)));
        assert!(ClientSettings::from_json(r#"{"timeot": 1}"#).is_err());
        let s = ClientSettings::from_json(r#"{"connect_timeout": 0.5, "ca_bundle_pem": "PEM"}"#);
        assert_eq!(s.map(|s| (s.connect_timeout_secs, s.ca_bundle_pem)).ok(), Some((Some(0.5), Some(b"PEM".to_vec()))));
    }
}
