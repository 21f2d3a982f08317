package com.cadenya.test

import com.cadenya.*
import com.cadenya.test.Shared.server
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.util.concurrent.CopyOnWriteArrayList

/**
 * The client's `logger`: the core's log records, filtered by `logLevel`, reach it on the thread
 * that awaited the call (never a runtime thread), and never hold a key, secret or body field.
 */
class LoggingTest {
    private class Collect : CadenyaLogger {
        val records = CopyOnWriteArrayList<LogRecord>()
        val threads = CopyOnWriteArrayList<Thread>()
        override fun log(record: LogRecord) {
            records += record
            threads += Thread.currentThread()
        }
    }

    private fun client(logger: CadenyaLogger, logLevel: String?) = CadenyaClient(
        apiKey = server.apiKey, baseUrl = server.baseUrl, workspaceId = server.workspaceId,
        webhookSecret = server.webhookSecret, logLevel = logLevel, logger = logger,
    )

    private fun assertNoSecret(records: List<LogRecord>, vararg more: String?) {
        val text = records.joinToString("\n") { "${it.line} ${it.fields}" }
        val secrets = listOf(server.apiKey, server.webhookSecret, server.webhookSecret.removePrefix("whsec_")) + more.filterNotNull()
        for (secret in secrets) check(secret.isNotEmpty() && secret !in text) { "a secret is in the log:\n$text" }
        check("Bearer" !in text && "authorization" !in text.lowercase()) { text }
    }

    @Test
    fun `at debug a retried call logs each attempt and the retry, in order, on the caller's thread`() = runBlocking {
        val logs = Collect()
        val account = client(logs, "debug").account().retrieve(fault("status=503;retry-after-ms=1;times=1"))
        val records = logs.records.toList()
        println(records.joinToString("\n") { "${it.level.uppercase()} cadenya: ${it.line}" })
        assertEquals(listOf("http request", "retrying", "http request"), records.map { it.message })
        assertEquals(listOf("debug", "info", "debug"), records.map { it.level })
        val (first, retry, second) = records
        for (r in listOf(first, second)) {
            assertEquals("account.retrieve", r.fields["operation"])
            assertEquals("GET", r.fields["method"])
            assertEquals("/v1/account", r.fields["path"])
            check(r.fields["duration_ms"]?.toLongOrNull() != null) { r.line }
            check(r.fields["request_id"].orEmpty().startsWith("req_")) { r.line }
        }
        assertEquals(listOf("503", "1"), listOf(first.fields["status"], first.fields["attempt"]))
        assertEquals(listOf("200", "2"), listOf(second.fields["status"], second.fields["attempt"]))
        assertEquals("1", retry.fields["attempt"])
        check(retry.fields["reason"].orEmpty().contains("503")) { retry.line }
        check(retry.fields["wait_ms"]?.toLongOrNull() != null) { retry.line }
        check(second.line.startsWith("http request operation=account.retrieve method=GET path=/v1/account status=200 attempt=2")) { second.line }
        val caller = Thread.currentThread()
        check(logs.threads.all { it == caller }) { "records delivered on ${logs.threads.map { it.name }.toSet()}, not ${caller.name}" }
        // The account's x-sensitive field came back in the body; the log never shows it.
        assertNoSecret(records, account.info.webhookEventsHmacSecret)
    }

    @Test
    fun `the level filters the records and a failure logs a warning`() = runBlocking {
        val info = Collect()
        client(info, "info").account().retrieve(fault("status=503;retry-after-ms=1;times=1"))
        assertEquals(listOf("info" to "retrying"), info.records.map { it.level to it.message })

        val warn = Collect()
        val c = client(warn, "warn")
        c.account().retrieve(fault("status=503;retry-after-ms=1;times=1"))
        check(warn.records.isEmpty()) { "warn logged ${warn.records.map { it.line }}" }
        expectThrows<CadenyaException> { c.account().retrieve(fault("status=500;times=5").copy(maxRetries = 0u)) }
        assertEquals(listOf("warn" to "request failed"), warn.records.map { it.level to it.message })
        assertEquals("1", warn.records[0].fields["attempts"])
        check(warn.records[0].fields["error"].orEmpty().contains("account.retrieve")) { warn.records[0].line }

        val off = Collect()
        client(off, "off").account().retrieve(fault("status=503;retry-after-ms=1;times=1"))
        check(off.records.isEmpty()) { off.records.map { it.line }.toString() }
        val bad = expectThrows<CadenyaException.Configuration> { client(CadenyaLogger { }, "loud") }
        check(bad.errorMessage.contains("loud")) { bad.errorMessage }
        assertNoSecret(info.records + warn.records)
    }

    @Test
    fun `a logger that throws loses its record, not the call`() = runBlocking {
        val seen = CopyOnWriteArrayList<String>()
        val throwing = object : CadenyaLogger {
            override fun log(record: LogRecord) {
                seen += record.message
                throw IllegalStateException("logger broke")
            }
        }
        val account = client(throwing, "debug").account().retrieve(fault("status=503;retry-after-ms=1;times=1"))
        check(account.metadata.id.isNotEmpty()) { "no account" }
        assertEquals(listOf("http request", "retrying", "http request"), seen.toList())
    }
}
