package com.cadenya.test

import com.cadenya.*
import com.cadenya.test.Shared.client
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

/** Status, headers and request id of any call, through `RequestOptions.rawResponse`. */
class RawResponseTest {
    @Test
    fun `a model call fills the raw response`() = runBlocking {
        val (account, raw) = withRawResponse { client.account().retrieve(it) }
        check(account.metadata.id.isNotEmpty()) { "no account" }
        assertEquals(200, raw.status())
        val id = raw.requestId()!!
        check(id.startsWith("req_")) { id }
        assertEquals(id, raw.header("X-Request-ID"), "header names are case-insensitive")
        assertEquals(id, raw.headers()["x-request-id"])
        check(raw.headers()["content-type"].orEmpty().startsWith("application/json")) { raw.headers().toString() }
    }

    @Test
    fun `pages and empty responses fill it too, and a fresh or failed one stays empty`() = runBlocking {
        val agent = client.agents().create(CreateResourceMetadata(name = uid("raw")), AgentSpec(AgentStatus.Draft, VariationSelectionMode.Random))
        val (page, listed) = withRawResponse { client.agents().list(limit = 1, options = it) }
        assertEquals(1, page.items().size)
        assertEquals(200, listed.status())
        val (_, deleted) = withRawResponse { client.agents().delete(agent.metadata.id, options = it) }
        check(deleted.status() in 200..299) { "delete status ${deleted.status()}" }
        assertNull(RawResponse().status())
        val failed = RawResponse()
        expectThrows<CadenyaException.NotFound> { client.agents().retrieve(agent.metadata.id, options = RequestOptions(rawResponse = failed)) }
        assertNull(failed.status(), "a failed call's error carries the response, not the raw response")
        assertEquals(emptyMap<String, String>(), failed.headers())
    }

    @Test
    fun `concurrent calls each get their own response`() = runBlocking {
        val results = coroutineScope {
            (1..20).map { async(Dispatchers.Default) { withRawResponse { client.account().retrieve(it) }.second.requestId() } }.awaitAll()
        }
        assertEquals(20, results.filterNotNull().toSet().size, "request ids: $results")
    }
}
