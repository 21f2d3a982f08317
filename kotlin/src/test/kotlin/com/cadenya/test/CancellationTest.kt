package com.cadenya.test

import com.cadenya.*
import com.cadenya.test.Shared.client
import com.cadenya.test.Shared.server
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

/**
 * Cancellation and concurrency. The local server writes a request to its log only once it has
 * answered it, and a fault's `delay-ms` holds the answer back; when the client drops the
 * connection during that delay, the server's handler is dropped with it and nothing is logged.
 * So "the fault id never shows up in the log" is the client going away before the response,
 * seen from outside the process.
 */
class CancellationTest {
    private fun logged(opts: RequestOptions): Int {
        val id = opts.headers["x-cadenya-fault"]!!
        return server.requests().count { it.headers["x-cadenya-fault"] == id }
    }

    private suspend fun createSlowly(name: String, opts: RequestOptions) =
        client.agents().create(CreateResourceMetadata(name = name), AgentSpec(AgentStatus.Draft, VariationSelectionMode.Random), options = opts)

    @Test
    fun `an uncancelled slow call is answered and logged (the control for the tests below)`() = runBlocking {
        val opts = fault("delay-ms=300")
        createSlowly(uid("control"), opts)
        assertEquals(1, logged(opts))
    }

    @Test
    fun `withTimeout drops the Rust future and the HTTP request, and the client stays usable`() = runBlocking {
        val name = uid("cancelled")
        val opts = fault("delay-ms=1500")
        expectThrows<TimeoutCancellationException> { withTimeout(300) { createSlowly(name, opts) } }
        // Past the server's delay: had the request stayed open, it would be answered and logged by now.
        delay(2000)
        assertEquals(0, logged(opts), "requests the server answered after the cancellation")
        assertEquals(0, client.agents().list(prefix = name).items().size, "agents created by the cancelled call")
        // Many cancellations in a row leave nothing stuck behind.
        repeat(20) {
            runCatching { withTimeout(20) { client.agents().list(options = fault("delay-ms=500")) } }
        }
        check(client.agents().list(limit = 1).items().isNotEmpty()) { "client unusable after cancellation" }
    }

    @Test
    fun `Job cancel drops the Rust future and the HTTP request`() = runBlocking {
        val name = uid("job-cancelled")
        val opts = fault("delay-ms=1500")
        val job = launch(Dispatchers.Default) { createSlowly(name, opts) }
        delay(300)
        job.cancel()
        job.join()
        check(job.isCancelled) { "the job was not cancelled" }
        delay(2000)
        assertEquals(0, logged(opts), "requests the server answered after Job.cancel()")
        assertEquals(0, client.agents().list(prefix = name).items().size, "agents created by the cancelled call")
    }

    @Test
    fun `100 concurrent calls on one client`() = runBlocking {
        val agent = client.agents().create(CreateResourceMetadata(name = uid("conc")), AgentSpec(AgentStatus.Draft, VariationSelectionMode.Random))
        val before = server.requests().size
        val results = coroutineScope {
            (1..100).map { async(Dispatchers.Default) { client.agents().retrieve(agent.metadata.id) } }.awaitAll()
        }
        check(results.all { it == agent }) { "a concurrent result differed" }
        assertEquals(100, server.requests().size - before, "requests on the wire")
    }
}
