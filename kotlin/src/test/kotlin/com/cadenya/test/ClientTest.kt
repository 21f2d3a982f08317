package com.cadenya.test

import com.cadenya.*
import com.cadenya.test.Shared.client
import com.cadenya.test.Shared.server
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.JsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.time.Duration

/** Configuration, CRUD over real HTTP, pagination, typed errors and retries. */
class ClientTest {
    @Test
    fun `a blank API key is refused with Configuration`() = runBlocking {
        val e = expectThrows<CadenyaException.Configuration> { CadenyaClient(apiKey = "", baseUrl = server.baseUrl) }
        assertEquals("configuration", e.kind)
        check(e.errorMessage.contains("api_key")) { e.errorMessage }
    }

    @Test
    fun `settings are visible, secrets are not`() {
        val c = CadenyaClient(apiKey = "cdn_super_secret_key", baseUrl = server.baseUrl, workspaceId = "ws_a", webhookSecret = "whsec_c2VjcmV0LXNlY3JldA==")
        assertEquals("ws_a", c.workspaceId())
        assertEquals(server.baseUrl, c.baseUrl().trimEnd('/'))
        assertEquals("ws_b", c.withWorkspace("ws_b").workspaceId())
        check(!c.toString().contains("super_secret")) { c.toString() }
        val spec = WorkspaceSecretSpec(value = "hunter2-value")
        check(!spec.toString().contains("hunter2")) { "secret in toString: $spec" }
        check(spec.toString().contains("redacted")) { spec.toString() }
    }

    @Test
    fun `agents - create, retrieve, update, list, delete, then 404`() = runBlocking {
        val name = uid("crud-agent")
        val created = client.agents().create(
            metadata = CreateResourceMetadata(name = name, labels = mapOf("team" to "kotlin")),
            spec = AgentSpec(status = AgentStatus.Draft, variationSelectionMode = VariationSelectionMode.Random, description = "first"),
        )
        assertEquals(name, created.metadata.name)
        assertEquals(AgentStatus.Draft, created.spec.status)
        assertEquals("kotlin", created.metadata.labels?.get("team"))
        assertEquals(server.workspaceId, created.metadata.workspaceId)
        assertEquals(created, client.agents().retrieve(created.metadata.id))
        val updated = client.agents().update(
            created.metadata.id,
            spec = created.spec.copy(description = "second", status = AgentStatus.Published),
            updateMask = "spec.description,spec.status",
        )
        assertEquals("second", updated.spec.description)
        assertEquals(AgentStatus.Published, updated.spec.status)
        assertEquals(listOf(created.metadata.id), client.agents().list(prefix = name).items().map { it.metadata.id })
        client.agents().delete(created.metadata.id)
        val e = expectThrows<CadenyaException.NotFound> { client.agents().retrieve(created.metadata.id) }
        assertEquals(404, e.status)
        // The wire: a DELETE to the agent's path, with the client's workspace.
        val deletes = server.requests().filter { it.method == "DELETE" }.map { it.path }
        check("/v1/workspaces/${server.workspaceId}/agents/${created.metadata.id}" in deletes) { "$deletes" }
    }

    @Test
    fun `agents variations - nested create, list, retrieve, update, delete`() = runBlocking {
        val agent = client.agents().create(CreateResourceMetadata(name = uid("var-agent")), AgentSpec(AgentStatus.Draft, VariationSelectionMode.Random))
        val variations = client.agents().variations()
        val v = variations.create(agent.metadata.id, CreateResourceMetadata(name = "v1"), AgentVariationSpec(prompt = "Be brief.", weight = 3))
        assertEquals("Be brief.", v.spec.prompt)
        assertEquals(v.metadata.id, variations.retrieve(agent.metadata.id, v.metadata.id).metadata.id)
        val u = variations.update(agent.metadata.id, v.metadata.id, spec = AgentVariationSpec(prompt = "Be briefer."), updateMask = "spec.prompt")
        assertEquals("Be briefer.", u.spec.prompt)
        check(variations.list(agent.metadata.id).items().any { it.metadata.id == v.metadata.id }) { "variation not listed" }
        variations.delete(agent.metadata.id, v.metadata.id)
        expectThrows<CadenyaException.NotFound> { variations.retrieve(agent.metadata.id, v.metadata.id) }
        Unit
    }

    @Test
    fun `memory layers and entries - create, list, update, delete`() = runBlocking {
        val layer = client.memoryLayers().create(CreateResourceMetadata(name = uid("layer")), MemoryLayerSpec(type = MemoryLayerType.Skills, description = "skills"))
        assertEquals(MemoryLayerType.Skills, layer.spec.type)
        val entries = client.memoryLayers().entries()
        val entry = entries.create(layer.metadata.id, CreateResourceMetadata(name = "greeting"), MemoryEntryCreateSpec(key = "greeting", content = "Say hello in Portuguese."))
        assertEquals("Say hello in Portuguese.", entry.content)
        val changed = entries.update(layer.metadata.id, entry.metadata.id, spec = MemoryEntryUpdateSpec(content = "Olá!"), updateMask = "spec.content")
        assertEquals(changed.content, entries.retrieve(layer.metadata.id, entry.metadata.id).content)
        assertEquals(listOf(entry.metadata.id), entries.list(layer.metadata.id).items().map { it.metadata.id })
        entries.delete(layer.metadata.id, entry.metadata.id)
        client.memoryLayers().delete(layer.metadata.id)
        expectThrows<CadenyaException.NotFound> { client.memoryLayers().retrieve(layer.metadata.id) }
        Unit
    }

    @Test
    fun `workspace secrets - the value is write-only`() = runBlocking {
        val s = client.workspaceSecrets().create(CreateResourceMetadata(name = uid("SECRET").uppercase().replace('-', '_')), WorkspaceSecretSpec(value = "s3cr3t"))
        assertEquals(null, s.spec.value)
        val body = server.requests().last { it.method == "POST" && it.path.endsWith("/workspace_secrets") }.body
        assertEquals(JsonPrimitive("s3cr3t"), json(body).at("spec", "value"))
        client.workspaceSecrets().delete(s.metadata.id)
    }

    @Test
    fun `free-form JSON fields travel as JSON text`() = runBlocking {
        val agent = client.agents().create(CreateResourceMetadata(name = uid("json-agent")), AgentSpec(AgentStatus.Published, VariationSelectionMode.Random))
        val objective = client.objectives().create(agent.metadata.id, data = ObjectiveData(initialMessage = "hi", data = """{"city":"Lisbon","days":[1,2]}"""))
        val back = client.objectives().retrieve(objective.metadata.id)
        assertEquals(json("""{"city":"Lisbon","days":[1,2]}"""), json(back.data.data!!))
        val bad = expectThrows<CadenyaException.InvalidRequest> {
            client.objectives().create(agent.metadata.id, data = ObjectiveData(data = "{not json"))
        }
        assertEquals("invalid_request", bad.kind)
    }

    @Test
    fun `per-call workspace override, idempotency key and headers reach the wire`() = runBlocking {
        // Another workspace of the server's: the answer does not matter here, the request does.
        runCatching {
            client.agents().list(workspaceId = "ws_elsewhere", options = RequestOptions(idempotencyKey = "idem-1", headers = mapOf("x-trace" to "t-1")))
        }
        val req = server.requests().last { it.path.startsWith("/v1/workspaces/ws_elsewhere/") }
        assertEquals("idem-1", req.headers["idempotency-key"])
        assertEquals("t-1", req.headers["x-trace"])
    }

    @Test
    fun `pagination - pages of 2 through the core's cursor until the last page`() = runBlocking {
        val prefix = uid("page")
        val ids = (1..5).map { i ->
            client.agents().create(CreateResourceMetadata(name = "$prefix-$i"), AgentSpec(AgentStatus.Draft, VariationSelectionMode.Random)).metadata.id
        }
        val seen = mutableListOf<String>()
        var page: AgentPage? = client.agents().list(prefix = prefix, limit = 2, sortOrder = "asc")
        var pages = 0
        while (page != null) {
            val current: AgentPage = page
            pages++
            check(current.items().size <= 2) { "page size ${current.items().size}" }
            seen += current.items().map { it.metadata.id }
            val next = current.nextPage()
            assertEquals(current.hasNextPage(), next != null, "hasNextPage agrees with nextPage")
            if (next != null) check(current.nextCursor() != null) { "a next page without a cursor" }
            page = next
        }
        assertEquals(ids, seen, "every agent once, in creation order")
        assertEquals(3, pages)
        val flowed = client.agents().list(prefix = prefix, limit = 2, sortOrder = "asc").autoPaging().map { it.metadata.id }.toList()
        assertEquals(ids, flowed, "autoPaging() items")
        val queries = server.requests().filter { it.query.contains("prefix=$prefix") }.map { it.query }
        assertEquals(4, queries.count { "cursor=" in it }, "follow-up requests: $queries")
        check(queries.all { "limit=2" in it }) { "the limit was not repeated: $queries" }
    }

    @Test
    fun `404 is NotFound with status, request id, body and code`() = runBlocking {
        val e = expectThrows<CadenyaException.NotFound> { client.agents().retrieve("agt_does_not_exist") }
        assertEquals("api", e.kind)
        assertEquals(404, e.status)
        check(e.requestId?.startsWith("req_") == true) { "request id ${e.requestId}" }
        check(e.body?.contains("\"code\"") == true) { "body ${e.body}" }
        assertEquals(5, e.code)
        check(e.toString().contains("agents.retrieve failed after 1 attempt: NotFoundError (404)")) { e.toString() }
    }

    @Test
    fun `a wrong API key is Authentication (401)`() = runBlocking {
        val bad = CadenyaClient(apiKey = "cdn_wrong", baseUrl = server.baseUrl, workspaceId = server.workspaceId)
        assertEquals(401, expectThrows<CadenyaException.Authentication> { bad.agents().list() }.status)
    }

    @Test
    fun `an invalid body is BadRequest (400) with the server's message`() = runBlocking {
        // An enum value the server does not know travels as-is (Unknown keeps the wire string).
        val e = expectThrows<CadenyaException.BadRequest> {
            client.agents().create(CreateResourceMetadata(name = uid("bad")), AgentSpec(AgentStatus.Unknown("AGENT_STATUS_BOGUS"), VariationSelectionMode.Random))
        }
        assertEquals(400, e.status)
        check(e.errorMessage.contains("AGENT_STATUS_BOGUS") || e.body!!.contains("AGENT_STATUS_BOGUS")) { "message: ${e.errorMessage}" }
        val sent = server.requests().last { it.method == "POST" }.body
        assertEquals(JsonPrimitive("AGENT_STATUS_BOGUS"), json(sent).at("spec", "status"))
    }

    @Test
    fun `every status family maps to its exception class`() = runBlocking {
        val cases = listOf<Pair<Int, (CadenyaException) -> Boolean>>(
            400 to { it is CadenyaException.BadRequest },
            403 to { it is CadenyaException.PermissionDenied },
            409 to { it is CadenyaException.Conflict },
            422 to { it is CadenyaException.UnprocessableEntity },
            429 to { it is CadenyaException.RateLimit },
            500 to { it is CadenyaException.InternalServer },
            418 to { it is CadenyaException.Api },
        )
        for ((status, isExpected) in cases) {
            val e = expectThrows<CadenyaException> { client.agents().list(options = fault("status=$status").copy(maxRetries = 0u)) }
            check(isExpected(e)) { "status $status gave $e" }
        }
    }

    @Test
    fun `empty path ids are refused before sending (InvalidRequest)`() = runBlocking {
        val before = server.requests().size
        expectThrows<CadenyaException.InvalidRequest> { client.agents().retrieve("") }
        assertEquals(before, server.requests().size, "requests sent")
    }

    @Test
    fun `malformed JSON is Decode, a dropped connection is Connection, a slow one is Timeout`() = runBlocking {
        val d = expectThrows<CadenyaException.Decode> { client.agents().list(options = fault("malformed-json")) }
        assertEquals("decode", d.kind)
        assertEquals(200, d.status)
        expectThrows<CadenyaException.Connection> { client.agents().list(options = fault("drop").copy(maxRetries = 0u)) }
        val t = expectThrows<CadenyaException.Timeout> {
            client.agents().list(options = fault("delay-ms=2000").copy(timeout = Duration.ofMillis(200), maxRetries = 0u))
        }
        assertEquals("timeout", t.kind)
    }

    @Test
    fun `retries - two 503s then success, three attempts on the wire`() = runBlocking {
        val opts = fault("status=503;times=2;retry-after-ms=10")
        client.agents().list(options = opts)
        val id = opts.headers["x-cadenya-fault"]!!
        assertEquals(3, server.requests().count { it.headers["x-cadenya-fault"] == id }, "attempts")
    }

    @Test
    fun `walkthrough - objective events, tool approval, signed webhooks verified and unwrapped`() = runBlocking {
        val lines = mutableListOf<String>()
        val result = com.cadenya.demo.runDemo(client) { lines.add(it) }
        check(result.events >= 6) { "only ${result.events} events: $lines" }
        assertEquals(result.events, result.verified, "verified webhooks")
        check(result.forgedRefused) { "a forged webhook was accepted" }
        check(result.deliveryRecords >= result.events) { "delivery records: ${result.deliveryRecords}" }
    }
}
