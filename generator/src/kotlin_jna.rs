//! Post-processing of the Kotlin that `uniffi-bindgen` writes, for what JNA costs a call.
//!
//! 1. The Rust runtime's threads stay attached to the JVM between the continuation callbacks of
//!    async calls. A Kotlin `suspend` call is woken by `uniffiRustFutureContinuationCallbackImpl`,
//!    which the Rust runtime's worker thread calls through JNA when the call's result is in. That
//!    thread is not a JVM thread: without a `CallbackThreadInitializer`, JNA attaches it to the JVM
//!    before each callback and detaches it after (a new `java.lang.Thread` every call, and the
//!    JVM's service thread woken to clean up after it). The edit gives the callback object an
//!    `init` block that registers an initializer keeping the thread attached, as a daemon so that
//!    it never holds the JVM open at exit.
//! 2. Each thread reuses its `UniffiRustCallStatus` structures. The bindgen's Kotlin makes a new
//!    one for every Rust call (a method makes several: the handle's clone, argument buffers, the
//!    future's completion, freeing the result's buffer), and a JNA structure is two native
//!    allocations, each registered in JNA's global table of live memory and in a cleaner. That
//!    was the biggest single cost on the Kotlin side of a call. A nested Rust call (freeing an
//!    error's buffer while its status is being read) takes another structure from the pool.
//!
//! `cadenya-generator kotlin <cadenya.kt>` rewrites the file in place; `scripts/test-kotlin.sh`
//! runs it on fresh bindgen output before comparing with (or updating) the committed Kotlin, so
//! the drift check covers it. Each edit is keyed on exact bindgen text and fails loudly when it
//! is not found (a UniFFI upgrade must be looked at).

const OBJECT: &str = "internal object uniffiRustFutureContinuationCallbackImpl: UniffiRustFutureContinuationCallback {";
const MARK: &str = "CallbackThreadInitializer";

/// Rewrites the bindgen's Kotlin source with both edits.
pub fn rewrite(kotlin: &str) -> Result<String, String> {
    reuse_call_status(&keep_threads_attached(kotlin)?)
}

const STATUS_NEW: &str = "    var status = UniffiRustCallStatus()
    val return_value = callback(status)
    uniffiCheckCallStatus(errorHandler, status)
    return return_value
}
";

const STATUS_POOLED: &str =
    "    // cadenya-generator: a structure from this thread's pool instead of a new one per call.
    val status = UniffiCallStatusPool.take()
    try {
        val return_value = callback(status)
        uniffiCheckCallStatus(errorHandler, status)
        return return_value
    } finally {
        UniffiCallStatusPool.give(status)
    }
}

// cadenya-generator: each thread's spare call-status structures. A structure is taken for one
// synchronous Rust call and given back reset to success with an empty error buffer (whose
// contents the status check has consumed), so a nested call on the same thread gets another.
internal object UniffiCallStatusPool {
    private val spare = ThreadLocal.withInitial { ArrayList<UniffiRustCallStatus>(4) }

    fun take(): UniffiRustCallStatus {
        val list = spare.get()
        return if (list.isEmpty()) UniffiRustCallStatus() else list.removeAt(list.size - 1)
    }

    fun give(status: UniffiRustCallStatus) {
        status.code = UNIFFI_CALL_SUCCESS
        status.error_buf.capacity = 0
        status.error_buf.len = 0
        status.error_buf.data = null
        val list = spare.get()
        if (list.size < 8) list.add(status)
    }
}
";

/// Makes `uniffiRustCallWithError` take its status from a per-thread pool.
fn reuse_call_status(kotlin: &str) -> Result<String, String> {
    if kotlin.contains("UniffiCallStatusPool") {
        return Err("the Kotlin source already pools call statuses: run this on fresh bindgen output".into());
    }
    match kotlin.matches(STATUS_NEW).count() {
        1 => Ok(kotlin.replacen(STATUS_NEW, STATUS_POOLED, 1)),
        n => Err(format!("expected `uniffiRustCallWithError`'s body once in the Kotlin source, found it {n} times")),
    }
}

/// Registers the continuation callback's thread initializer.
fn keep_threads_attached(kotlin: &str) -> Result<String, String> {
    if kotlin.contains(MARK) {
        return Err(
            "the Kotlin source already sets a CallbackThreadInitializer: run this on fresh bindgen output".into()
        );
    }
    let at = kotlin.find(OBJECT).ok_or_else(|| format!("no `{OBJECT}` in the Kotlin source"))?;
    let line_end = at + OBJECT.len();
    if !kotlin[line_end..].starts_with('\n') {
        return Err("the continuation callback object's declaration does not end its line".into());
    }
    let init = "    // cadenya-generator: the Rust runtime's threads call this; JNA keeps each attached to the JVM\n\
                 \x20   // (as a daemon: it never holds the JVM open) instead of attaching it for every call.\n\
                 \x20   init {\n\
                 \x20       com.sun.jna.Native.setCallbackThreadInitializer(\n\
                 \x20           this,\n\
                 \x20           com.sun.jna.CallbackThreadInitializer(true, false, \"cadenya-io\"),\n\
                 \x20       )\n\
                 \x20   }\n";
    Ok(format!("{}\n{init}{}", &kotlin[..line_end], &kotlin[line_end + 1..]))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The shape of UniFFI 0.32's Kotlin output around the callback object.
    const SAMPLE: &str = "// FFI type for Rust future continuations
internal object uniffiRustFutureContinuationCallbackImpl: UniffiRustFutureContinuationCallback {
    override fun callback(data: Long, pollResult: Byte) {
        uniffiContinuationHandleMap.remove(data).resume(pollResult)
    }
}
";

    #[test]
    fn registers_the_initializer_once() {
        let out = keep_threads_attached(SAMPLE).unwrap();
        let init = out.find("init {").unwrap();
        assert!(out.find(OBJECT).unwrap() < init && init < out.find("override fun callback").unwrap());
        assert!(out.contains("CallbackThreadInitializer(true, false, \"cadenya-io\")"));
        assert!(out.ends_with("        uniffiContinuationHandleMap.remove(data).resume(pollResult)\n    }\n}\n"));
        // Run twice, it refuses instead of registering twice.
        assert!(keep_threads_attached(&out).unwrap_err().contains("fresh bindgen output"));
    }

    const CALL: &str = "private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: UniffiRustCallStatusErrorHandler<E>, callback: (UniffiRustCallStatus) -> U): U {
    var status = UniffiRustCallStatus()
    val return_value = callback(status)
    uniffiCheckCallStatus(errorHandler, status)
    return return_value
}
";

    #[test]
    fn pools_the_call_status_once() {
        let out = rewrite(&format!("{SAMPLE}{CALL}")).unwrap();
        assert!(!out.contains("UniffiRustCallStatus()\n    val return_value"));
        assert!(out.contains("val status = UniffiCallStatusPool.take()"));
        assert!(out.contains("} finally {\n        UniffiCallStatusPool.give(status)"));
        assert_eq!(out.matches("internal object UniffiCallStatusPool").count(), 1);
        assert!(reuse_call_status(&out).unwrap_err().contains("fresh bindgen output"));
        // A bindgen whose call helper changed shape is refused, not half-edited.
        let changed = CALL.replace("var status", "val status");
        assert!(reuse_call_status(&changed).unwrap_err().contains("found it 0 times"));
    }

    #[test]
    fn fails_without_the_callback_object() {
        let renamed = SAMPLE.replace("uniffiRustFutureContinuationCallbackImpl", "Other");
        assert!(keep_threads_attached(&renamed).unwrap_err().contains("no `internal object"));
    }
}
