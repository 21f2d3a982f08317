//! Post-processing of the Swift that `uniffi-bindgen` writes, so that cancelling a Swift task
//! cancels the Rust future behind an `async` call (UniFFI's Swift template never calls the
//! `ffi_*_rust_future_cancel_*` functions the library exports, and treats `CALL_CANCELLED` as a
//! `fatalError`).
//!
//! `cadenya-generator swift <Cadenya.swift> [<CadenyaFFI.h>]` rewrites the file in place (this
//! and `swift_errors.rs`); `scripts/test-kotlin.sh` runs it on fresh bindgen output before comparing with (or
//! updating) the committed `swift/Sources/Cadenya/Cadenya.swift`, so the drift check covers it.
//!
//! Three edits, each keyed on the structure of the bindgen's output rather than on line numbers,
//! and each failing loudly when that structure is not found (a UniFFI upgrade must be looked at):
//! 1. `uniffiRustCallAsync` takes `cancelFunc: @convention(c) (UInt64) -> ()` after `freeFunc`
//!    (a C function type is `Sendable`, so Swift 6 raises no data-race diagnostic at call sites);
//! 2. its poll loop runs inside `withTaskCancellationHandler`, whose `onCancel` calls
//!    `cancelFunc(rustFuture)`: the pending poll then completes as ready, `complete` reports
//!    `CALL_CANCELLED` (unless the result was already there) and the `defer` frees the future,
//!    which drops the request;
//! 3. `CALL_CANCELLED` throws `CancellationError()`.
//!
//! Every call site then passes the cancel function matching its `freeFunc`
//! (`ffi_x_rust_future_free_T` -> `ffi_x_rust_future_cancel_T`).

const ASYNC_FN: &str = "func uniffiRustCallAsync<";
const CALL: &str = "uniffiRustCallAsync(";
const FREE_PARAM: &str = "freeFunc: (UInt64) -> (),";
const CANCEL_PARAM: &str = "cancelFunc: @convention(c) (UInt64) -> (),";
const LOOP_START: &str = "var pollResult: Int8";
const LOOP_END: &str = "} while pollResult != UNIFFI_RUST_FUTURE_POLL_READY";
const CANCELLED_CASE: &str = "case CALL_CANCELLED:";

/// Rewrites the bindgen's Swift source; `header` (the generated C header), when given, must
/// declare every cancel function the call sites name. Returns the new text and the number of
/// call sites wired.
pub fn wire_cancellation(swift: &str, header: Option<&str>) -> Result<(String, usize), String> {
    if swift.contains("cancelFunc:") {
        return Err("the Swift source already passes cancelFunc: run this on fresh bindgen output".into());
    }
    let text = wire_definition(swift)?;
    let text = throw_on_cancelled(&text)?;
    wire_call_sites(&text, header)
}

/// Edits 1 and 2: the parameter and the cancellation handler around the poll loop.
fn wire_definition(swift: &str) -> Result<String, String> {
    let start = swift.find(ASYNC_FN).ok_or("no `func uniffiRustCallAsync<` in the Swift source")?;
    // The function ends at the first line that is exactly `}` after its start.
    let end = start + swift[start..].find("\n}\n").ok_or("uniffiRustCallAsync has no closing `}` line")? + 3;
    let func = &swift[start..end];

    let free = func.find(FREE_PARAM).ok_or("uniffiRustCallAsync has no `freeFunc: (UInt64) -> (),` parameter")?;
    let indent = indentation_before(func, free);
    let after_free = free + FREE_PARAM.len();
    let mut out = String::with_capacity(func.len() + 512);
    out.push_str(&func[..after_free]);
    out.push('\n');
    out.push_str(indent);
    out.push_str(CANCEL_PARAM);

    if !func.contains("let rustFuture = ") {
        return Err("uniffiRustCallAsync no longer names its future `rustFuture`".into());
    }
    let loop_start = func.find(LOOP_START).ok_or("uniffiRustCallAsync has no `var pollResult: Int8` poll loop")?;
    let loop_start = line_start(func, loop_start);
    let loop_end = func[loop_start..]
        .find(LOOP_END)
        .ok_or("the poll loop does not end in `} while pollResult != UNIFFI_RUST_FUTURE_POLL_READY`")?;
    let loop_end = loop_start + loop_end + LOOP_END.len();
    if loop_start < after_free {
        return Err("the poll loop comes before the parameters of uniffiRustCallAsync".into());
    }
    let indent =
        indentation_before(func, loop_start + func[loop_start..].len() - func[loop_start..].trim_start().len());
    out.push_str(&func[after_free..loop_start]);
    out.push_str(&format!(
        "{indent}// cadenya-generator: a cancelled task cancels the Rust future; the pending poll then\n\
         {indent}// returns ready, `completeFunc` reports CALL_CANCELLED and `freeFunc` drops the request.\n\
         {indent}await withTaskCancellationHandler(operation: {{\n"
    ));
    for line in func[loop_start..loop_end].split('\n') {
        if !line.trim().is_empty() {
            out.push_str("    ");
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push_str(&format!("{indent}}}, onCancel: {{\n{indent}    cancelFunc(rustFuture)\n{indent}}})"));
    out.push_str(&func[loop_end..]);

    Ok(format!("{}{}{}", &swift[..start], out, &swift[end..]))
}

/// Edit 3: `CALL_CANCELLED` throws `CancellationError()` instead of stopping the process.
fn throw_on_cancelled(swift: &str) -> Result<String, String> {
    let case = swift.find(CANCELLED_CASE).ok_or("no `case CALL_CANCELLED:` in the Swift source")?;
    let body_start = case + CANCELLED_CASE.len() + 1;
    let body_end = body_start + swift[body_start..].find('\n').ok_or("`case CALL_CANCELLED:` is the last line")?;
    let body = &swift[body_start..body_end];
    if !body.trim_start().starts_with("fatalError(") {
        return Err(format!("`case CALL_CANCELLED:` is followed by `{}`, not a fatalError", body.trim()));
    }
    let indent = &body[..body.len() - body.trim_start().len()];
    Ok(format!("{}{indent}throw CancellationError(){}", &swift[..body_start], &swift[body_end..]))
}

/// Every call `uniffiRustCallAsync(...)` gets `cancelFunc:` after its `freeFunc:` argument.
fn wire_call_sites(swift: &str, header: Option<&str>) -> Result<(String, usize), String> {
    let mut out = String::with_capacity(swift.len() + 128 * 128);
    let mut copied = 0;
    let mut sites = 0;
    let mut search = 0;
    while let Some(found) = swift[search..].find(CALL) {
        let at = search + found;
        search = at + CALL.len();
        if swift[..at].ends_with("func ") {
            continue;
        }
        let open = at + CALL.len() - 1;
        let close = matching_paren(swift, open)
            .ok_or_else(|| format!("unbalanced call of uniffiRustCallAsync at byte {at}"))?;
        let args = &swift[open..close];
        let free_at = args
            .find("freeFunc:")
            .ok_or_else(|| format!("a call of uniffiRustCallAsync without freeFunc at byte {at}"))?;
        let name_start = free_at + "freeFunc:".len();
        let name_start = name_start + (args[name_start..].len() - args[name_start..].trim_start().len());
        let name_len = args[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(args.len() - name_start);
        let free_name = &args[name_start..name_start + name_len];
        if !free_name.contains("_rust_future_free_") {
            return Err(format!("freeFunc `{free_name}` is not a rust_future_free function"));
        }
        let cancel_name = free_name.replacen("_rust_future_free_", "_rust_future_cancel_", 1);
        if let Some(h) = header {
            if !h.contains(&format!("{cancel_name}(")) {
                return Err(format!("the C header does not declare {cancel_name}"));
            }
        }
        let after_name = name_start + name_len;
        if !args[after_name..].starts_with(',') {
            return Err(format!("freeFunc is not followed by another argument in the call at byte {at}"));
        }
        let insert = open + after_name + 1;
        let indent = indentation_before(swift, open + free_at);
        out.push_str(&swift[copied..insert]);
        out.push('\n');
        out.push_str(indent);
        out.push_str("cancelFunc: ");
        out.push_str(&cancel_name);
        out.push(',');
        copied = insert;
        sites += 1;
        search = close;
    }
    if sites == 0 {
        return Err("no call of uniffiRustCallAsync found".into());
    }
    out.push_str(&swift[copied..]);
    Ok((out, sites))
}

/// The byte index of the `)` closing the `(` at `open`, skipping string literals.
fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut i = open;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |n| n + 1)
}

/// The whitespace between the start of `at`'s line and `at` (empty when other text precedes it).
fn indentation_before(text: &str, at: usize) -> &str {
    let prefix = &text[line_start(text, at)..at];
    if prefix.trim().is_empty() {
        prefix
    } else {
        ""
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// The shape of UniFFI 0.32's Swift output: the helper, its status check and two call sites
    /// (one whose arguments contain parentheses and a string literal with a parenthesis).
    const SAMPLE: &str = r#"fileprivate let CALL_CANCELLED: Int8 = 3
private func uniffiCheckCallStatus<E: Swift.Error>(
    callStatus: RustCallStatus,
    errorHandler: ((RustBuffer) throws -> E)?
) throws {
    switch callStatus.code {
        case CALL_CANCELLED:
            fatalError("Cancellation not supported yet")

        default:
            throw UniffiInternalError.unexpectedRustCallStatusCode
    }
}
open func retrieve(id: String)async throws  -> Agent  {
    return
        try  await uniffiRustCallAsync(
            rustFutureFunc: {
                uniffi_x_fn_method_agents_retrieve(
                        self.uniffiCloneHandle(),FfiConverterString.lower(id)
                )
            },
            pollFunc: ffi_x_rust_future_poll_rust_buffer,
            completeFunc: ffi_x_rust_future_complete_rust_buffer,
            freeFunc: ffi_x_rust_future_free_rust_buffer,
            liftFunc: FfiConverterTypeAgent_lift,
            errorHandler: FfiConverterTypeCadenyaError_lift
        )
}
open func delete(id: String)async throws   {
    return
        try  await uniffiRustCallAsync(
            rustFutureFunc: {
                uniffi_x_fn_method_agents_delete(
                        self.uniffiCloneHandle(),FfiConverterString.lower(")")
                )
            },
            pollFunc: ffi_x_rust_future_poll_void,
            completeFunc: ffi_x_rust_future_complete_void,
            freeFunc: ffi_x_rust_future_free_void,
            liftFunc: { $0 },
            errorHandler: FfiConverterTypeCadenyaError_lift
        )
}
fileprivate func uniffiRustCallAsync<F, T>(
    rustFutureFunc: () -> UInt64,
    pollFunc: (UInt64, @escaping UniffiRustFutureContinuationCallback, UInt64) -> (),
    completeFunc: (UInt64, UnsafeMutablePointer<RustCallStatus>) -> F,
    freeFunc: (UInt64) -> (),
    liftFunc: (F) throws -> T,
    errorHandler: ((RustBuffer) throws -> Swift.Error)?
) async throws -> T {
    uniffiEnsureXInitialized()
    let rustFuture = rustFutureFunc()
    defer {
        freeFunc(rustFuture)
    }
    var pollResult: Int8;
    repeat {
        pollResult = await withUnsafeContinuation {
            pollFunc(
                rustFuture,
                { handle, pollResult in
                    uniffiFutureContinuationCallback(handle: handle, pollResult: pollResult)
                },
                uniffiContinuationHandleMap.insert(obj: $0)
            )
        }
    } while pollResult != UNIFFI_RUST_FUTURE_POLL_READY

    return try liftFunc(makeRustCall(
        { completeFunc(rustFuture, $0) },
        errorHandler: errorHandler
    ))
}
"#;

    const HEADER: &str = "void ffi_x_rust_future_cancel_rust_buffer(uint64_t handle\n);\n\
                          void ffi_x_rust_future_cancel_void(uint64_t handle\n);\n";

    fn wired() -> String {
        let (text, sites) = wire_cancellation(SAMPLE, Some(HEADER)).expect("sample is wired");
        assert_eq!(sites, 2);
        text
    }

    #[test]
    fn the_helper_takes_a_c_cancel_function_after_free() {
        let text = wired();
        assert!(text
            .contains("    freeFunc: (UInt64) -> (),\n    cancelFunc: @convention(c) (UInt64) -> (),\n    liftFunc:"));
    }

    #[test]
    fn the_poll_loop_runs_under_a_cancellation_handler_that_cancels_the_future() {
        let text = wired();
        let expected = "    await withTaskCancellationHandler(operation: {\n        var pollResult: Int8;\n        repeat {\n            pollResult = await withUnsafeContinuation {\n";
        assert!(text.contains(expected), "{text}");
        assert!(text.contains(
            "        } while pollResult != UNIFFI_RUST_FUTURE_POLL_READY\n    }, onCancel: {\n        cancelFunc(rustFuture)\n    })\n\n    return try liftFunc("
        ));
        // The future is created before the handler (onCancel may run at once) and freed after it.
        let created = text.find("let rustFuture = rustFutureFunc()").expect("future");
        let handler = text.find("withTaskCancellationHandler").expect("handler");
        assert!(created < handler);
    }

    #[test]
    fn call_cancelled_throws_cancellation_error() {
        let text = wired();
        assert!(
            text.contains("        case CALL_CANCELLED:\n            throw CancellationError()\n\n        default:")
        );
        assert!(!text.contains("Cancellation not supported yet"));
    }

    #[test]
    fn every_call_site_passes_the_cancel_function_of_its_free_function() {
        let text = wired();
        assert!(text.contains(
            "            freeFunc: ffi_x_rust_future_free_rust_buffer,\n            cancelFunc: ffi_x_rust_future_cancel_rust_buffer,\n            liftFunc: FfiConverterTypeAgent_lift,"
        ));
        assert!(text.contains(
            "            freeFunc: ffi_x_rust_future_free_void,\n            cancelFunc: ffi_x_rust_future_cancel_void,\n            liftFunc: { $0 },"
        ));
        assert_eq!(text.matches("cancelFunc: ffi_").count(), 2);
        // Nothing else changed: removing the added lines and the handler gives the input back.
        assert_eq!(text.lines().count(), SAMPLE.lines().count() + 1 + 3 + 3 + 2);
    }

    #[test]
    fn running_twice_or_on_other_shapes_fails_loudly() {
        let err = wire_cancellation(&wired(), None).unwrap_err();
        assert!(err.contains("already"), "{err}");
        let no_loop = SAMPLE.replace("} while pollResult != UNIFFI_RUST_FUTURE_POLL_READY", "} while false");
        assert!(wire_cancellation(&no_loop, None).unwrap_err().contains("poll loop"));
        let no_fatal = SAMPLE.replace("fatalError(\"Cancellation not supported yet\")", "return");
        assert!(wire_cancellation(&no_fatal, None).unwrap_err().contains("fatalError"));
        let header = "void ffi_x_rust_future_cancel_rust_buffer(uint64_t handle\n);\n";
        let err = wire_cancellation(SAMPLE, Some(header)).unwrap_err();
        assert!(err.contains("ffi_x_rust_future_cancel_void"), "{err}");
    }
}
