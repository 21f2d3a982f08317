//! Post-processing of the Kotlin that `uniffi-bindgen` writes, so that the Rust runtime's
//! threads stay attached to the JVM between the continuation callbacks of async calls.
//!
//! A Kotlin `suspend` call is woken by `uniffiRustFutureContinuationCallbackImpl`, which the
//! Rust runtime's worker thread calls through JNA when the call's result is in. That thread is
//! not a JVM thread: without a `CallbackThreadInitializer`, JNA attaches it to the JVM before
//! each callback and detaches it after (a new `java.lang.Thread` every call, and the JVM's
//! service thread woken to clean up after it). The edit gives the callback object an `init`
//! block that registers an initializer keeping the thread attached, as a daemon so that it
//! never holds the JVM open at exit.
//!
//! `cadenya-generator kotlin-callbacks <cadenya.kt>` rewrites the file in place;
//! `scripts/test-kotlin.sh` runs it on fresh bindgen output before comparing with (or updating)
//! the committed Kotlin, so the drift check covers it. The edit is keyed on the declaration of
//! the callback object and fails loudly when it is not found (a UniFFI upgrade must be looked at).

const OBJECT: &str = "internal object uniffiRustFutureContinuationCallbackImpl: UniffiRustFutureContinuationCallback {";
const MARK: &str = "CallbackThreadInitializer";

/// Rewrites the bindgen's Kotlin source.
pub fn keep_threads_attached(kotlin: &str) -> Result<String, String> {
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

    #[test]
    fn fails_without_the_callback_object() {
        let renamed = SAMPLE.replace("uniffiRustFutureContinuationCallbackImpl", "Other");
        assert!(keep_threads_attached(&renamed).unwrap_err().contains("no `internal object"));
    }
}
