package com.cadenya

/**
 * A [CadenyaLogger] from a function: `CadenyaClient(logLevel = "debug", logger = CadenyaLogger { r -> println(r.line) })`.
 * The function runs on the coroutine's thread as each call completes, never on a runtime thread;
 * what it throws is ignored (that record is lost).
 */
fun CadenyaLogger(block: (LogRecord) -> Unit): CadenyaLogger = object : CadenyaLogger {
    override fun log(record: LogRecord) = block(record)
}
