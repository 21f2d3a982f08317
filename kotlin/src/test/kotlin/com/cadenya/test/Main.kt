package com.cadenya.test

import com.cadenya.*
import com.cadenya.demo.Json
import com.cadenya.demo.LocalServer
import com.cadenya.demo.list
import com.cadenya.demo.obj
import com.cadenya.demo.runDemo
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.io.File
import java.time.Duration
import kotlin.system.exitProcess

/** A tiny test runner: no JUnit on this network, so tests are suspend lambdas with assertions. */
class Runner {
    var passed = 0
    var failed = 0

    suspend fun test(name: String, body: suspend () -> Unit) {
        val start = System.nanoTime()
        try {
            body()
            passed++
            println("ok    $name (${(System.nanoTime() - start) / 1_000_000} ms)")
        } catch (e: Throwable) {
            failed++
            println("FAIL  $name: $e")
            e.stackTrace.take(6).forEach { println("        at $it") }
        }
    }
}

fun check(cond: Boolean, message: () -> String) {
    if (!cond) throw AssertionError(message())
}

fun <T> eq(actual: T, expected: T, what: String) = check(actual == expected) { "$what: expected <$expected>, got <$actual>" }

suspend inline fun <reified E : Throwable> expectThrows(crossinline block: suspend () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e")
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

private var unique = 0
fun uid(prefix: String) = "$prefix-${System.nanoTime()}-${++unique}"

fun fault(spec: String) = RequestOptions(headers = mapOf("x-cadenya-fault" to "id=${uid("f")};$spec"))

fun main(args: Array<String>) = runBlocking {
    require(args.size == 2) { "usage: <cadenya-server binary> <spec/webhooks/vectors.json>" }
    val server = LocalServer.start(args[0])
    val r = Runner()
    try {
        val client = CadenyaClient(apiKey = server.apiKey, baseUrl = server.baseUrl, workspaceId = server.workspaceId)
        configTests(r, server)
        crudTests(r, client, server)
        paginationTests(r, client, server)
        errorTests(r, client, server)
        webhookTests(r, client, File(args[1]).readText())
        concurrencyTests(r, client, server)
        r.test("walkthrough: objective events, tool approval, signed webhooks verified and unwrapped") {
            val lines = mutableListOf<String>()
            val result = runDemo(client) { lines.add(it) }
            check(result.events >= 6) { "only ${result.events} events: $lines" }
            eq(result.verified, result.events, "verified webhooks")
            check(result.forgedRefused) { "a forged webhook was accepted" }
            check(result.deliveryRecords >= result.events) { "delivery records: ${result.deliveryRecords}" }
        }
    } finally {
        server.close()
    }
    println("${r.passed} passed, ${r.failed} failed")
    if (r.failed > 0) exitProcess(1)
}

suspend fun configTests(r: Runner, server: LocalServer) {
    r.test("configuration: a blank API key is refused with ConfigurationException") {
        val e = expectThrows<CadenyaException.Configuration> { CadenyaClient(apiKey = "", baseUrl = server.baseUrl) }
        eq(e.kind, "configuration", "kind")
        check(e.errorMessage.contains("api_key")) { e.errorMessage }
    }
    r.test("configuration: settings are visible, secrets are not") {
        val c = CadenyaClient(apiKey = "cdn_super_secret_key", baseUrl = server.baseUrl, workspaceId = "ws_a", webhookSecret = "whsec_c2VjcmV0LXNlY3JldA==")
        eq(c.workspaceId(), "ws_a", "workspace")
        eq(c.baseUrl().trimEnd('/'), server.baseUrl, "base url")
        eq(c.withWorkspace("ws_b").workspaceId(), "ws_b", "withWorkspace")
        check(!c.toString().contains("super_secret")) { c.toString() }
        val spec = WorkspaceSecretSpec(value = "hunter2-value")
        check(!spec.toString().contains("hunter2")) { "secret in toString: $spec" }
        check(spec.toString().contains("redacted")) { spec.toString() }
    }
}

suspend fun crudTests(r: Runner, client: CadenyaClient, server: LocalServer) {
    r.test("agents: create, retrieve, update, list, delete, then 404") {
        val name = uid("crud-agent")
        val created = client.agents().create(
            metadata = CreateResourceMetadata(name = name, labels = mapOf("team" to "kotlin")),
            spec = AgentSpec(status = AgentStatus.Draft, variationSelectionMode = VariationSelectionMode.Random, description = "first"),
        )
        eq(created.metadata.name, name, "name")
        eq(created.spec.status, AgentStatus.Draft, "status")
        eq(created.metadata.labels?.get("team"), "kotlin", "label")
        eq(created.metadata.workspaceId, server.workspaceId, "workspace")
        val got = client.agents().retrieve(created.metadata.id)
        eq(got, created, "retrieved agent")
        val updated = client.agents().update(
            created.metadata.id,
            spec = created.spec.copy(description = "second", status = AgentStatus.Published),
            updateMask = "spec.description,spec.status",
        )
        eq(updated.spec.description, "second", "updated description")
        eq(updated.spec.status, AgentStatus.Published, "updated status")
        val listed = client.agents().list(prefix = name).items()
        eq(listed.map { it.metadata.id }, listOf(created.metadata.id), "listed ids")
        client.agents().delete(created.metadata.id)
        val e = expectThrows<CadenyaException.NotFound> { client.agents().retrieve(created.metadata.id) }
        eq(e.status, 404, "status")
        // The wire: a DELETE to the agent's path, with the client's workspace.
        val deletes = server.requests().filter { it["method"] == "DELETE" }.map { it["path"] }
        check("/v1/workspaces/${server.workspaceId}/agents/${created.metadata.id}" in deletes) { "$deletes" }
    }
    r.test("agents.variations: nested create, list, retrieve, update, delete") {
        val agent = client.agents().create(CreateResourceMetadata(name = uid("var-agent")), AgentSpec(AgentStatus.Draft, VariationSelectionMode.Random))
        val variations = client.agents().variations()
        val v = variations.create(agent.metadata.id, CreateResourceMetadata(name = "v1"), AgentVariationSpec(prompt = "Be brief.", weight = 3))
        eq(v.spec.prompt, "Be brief.", "prompt")
        eq(variations.retrieve(agent.metadata.id, v.metadata.id).metadata.id, v.metadata.id, "retrieve")
        val u = variations.update(agent.metadata.id, v.metadata.id, spec = AgentVariationSpec(prompt = "Be briefer."), updateMask = "spec.prompt")
        eq(u.spec.prompt, "Be briefer.", "updated prompt")
        check(variations.list(agent.metadata.id).items().any { it.metadata.id == v.metadata.id }) { "variation not listed" }
        variations.delete(agent.metadata.id, v.metadata.id)
        expectThrows<CadenyaException.NotFound> { variations.retrieve(agent.metadata.id, v.metadata.id) }
    }
    r.test("memory layers and entries: create, list, update, delete") {
        val layer = client.memoryLayers().create(CreateResourceMetadata(name = uid("layer")), MemoryLayerSpec(type = MemoryLayerType.Skills, description = "skills"))
        eq(layer.spec.type, MemoryLayerType.Skills, "layer type")
        val entries = client.memoryLayers().entries()
        val entry = entries.create(layer.metadata.id, CreateResourceMetadata(name = "greeting"), MemoryEntryCreateSpec(key = "greeting", content = "Say hello in Portuguese."))
        eq(entry.content, "Say hello in Portuguese.", "entry content")
        val changed = entries.update(layer.metadata.id, entry.metadata.id, spec = MemoryEntryUpdateSpec(content = "Olá!"), updateMask = "spec.content")
        eq(entries.retrieve(layer.metadata.id, entry.metadata.id).content, changed.content, "entry round trip")
        eq(entries.list(layer.metadata.id).items().map { it.metadata.id }, listOf(entry.metadata.id), "entries")
        entries.delete(layer.metadata.id, entry.metadata.id)
        client.memoryLayers().delete(layer.metadata.id)
        expectThrows<CadenyaException.NotFound> { client.memoryLayers().retrieve(layer.metadata.id) }
    }
    r.test("workspace secrets: the value is write-only") {
        val s = client.workspaceSecrets().create(CreateResourceMetadata(name = uid("SECRET").uppercase().replace('-', '_')), WorkspaceSecretSpec(value = "s3cr3t"))
        eq(s.spec.value, null, "value in the response")
        val body = server.requests().last { it["method"] == "POST" && (it["path"] as String).endsWith("/workspace_secrets") }["body"] as String
        eq(Json.parse(body).obj()["spec"].obj()["value"], "s3cr3t", "value on the wire")
        client.workspaceSecrets().delete(s.metadata.id)
    }
    r.test("free-form JSON fields travel as JSON text; enums and JSON round-trip") {
        val agent = client.agents().create(CreateResourceMetadata(name = uid("json-agent")), AgentSpec(AgentStatus.Published, VariationSelectionMode.Random))
        val objective = client.objectives().create(
            agent.metadata.id,
            data = ObjectiveData(initialMessage = "hi", data = """{"city":"Lisbon","days":[1,2]}"""),
        )
        val back = client.objectives().retrieve(objective.metadata.id)
        eq(Json.parse(back.data.data!!), Json.parse("""{"city":"Lisbon","days":[1,2]}"""), "data")
        val bad = expectThrows<CadenyaException.InvalidRequest> {
            client.objectives().create(agent.metadata.id, data = ObjectiveData(data = "{not json"))
        }
        eq(bad.kind, "invalid_request", "kind")
    }
    r.test("per-call options: workspace override, idempotency key and headers reach the wire") {
        // Another workspace of the server's: the answer does not matter here, the request does.
        runCatching {
            client.agents().list(workspaceId = "ws_elsewhere", options = RequestOptions(idempotencyKey = "idem-1", headers = mapOf("x-trace" to "t-1")))
        }
        val req = server.requests().last { (it["path"] as String).startsWith("/v1/workspaces/ws_elsewhere/") }
        val headers = req["headers"]
        val pairs: Map<String, Any?> = when (headers) {
            is Map<*, *> -> headers.obj()
            else -> headers.list().associate { p -> p.list()[0] as String to p.list()[1] }
        }
        eq(pairs["idempotency-key"], "idem-1", "idempotency key")
        eq(pairs["x-trace"], "t-1", "custom header")
    }
}

suspend fun paginationTests(r: Runner, client: CadenyaClient, server: LocalServer) {
    r.test("pagination: pages of 2 through the core's cursor until the last page") {
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
            val size = current.items().size
            check(size <= 2) { "page size $size" }
            seen += current.items().map { it.metadata.id }
            val next = current.nextPage()
            eq(next != null, current.hasNextPage(), "hasNextPage agrees with nextPage")
            if (next != null) check(current.nextCursor() != null) { "a next page without a cursor" }
            page = next
        }
        eq(seen, ids, "every agent once, in creation order")
        eq(pages, 3, "pages")
        val flowed = client.agents().list(prefix = prefix, limit = 2, sortOrder = "asc").autoPaging().map { it.metadata.id }.toList()
        eq(flowed, ids, "autoPaging() items")
        val cursors = server.requests().filter { (it["query"] as String).contains("prefix=$prefix") }.map { it["query"] as String }
        check(cursors.count { "cursor=" in it } == 4) { "follow-up requests: $cursors" }
        check(cursors.all { "limit=2" in it }) { "the limit was not repeated: $cursors" }
    }
}

suspend fun errorTests(r: Runner, client: CadenyaClient, server: LocalServer) {
    r.test("errors: 404 is NotFound with status, request id, body and code") {
        val e = expectThrows<CadenyaException.NotFound> { client.agents().retrieve("agt_does_not_exist") }
        eq(e.kind, "api", "kind")
        eq(e.status, 404, "status")
        check(e.requestId?.startsWith("req_") == true) { "request id ${e.requestId}" }
        check(e.body?.contains("\"code\"") == true) { "body ${e.body}" }
        eq(e.code, 5, "google.rpc code")
        check(e.toString().startsWith("NotFoundError (404)")) { e.toString() }
    }
    r.test("errors: a wrong API key is Authentication (401)") {
        val bad = CadenyaClient(apiKey = "cdn_wrong", baseUrl = server.baseUrl, workspaceId = server.workspaceId)
        val e = expectThrows<CadenyaException.Authentication> { bad.agents().list() }
        eq(e.status, 401, "status")
    }
    r.test("errors: an invalid body is BadRequest (400) with the server's message") {
        // An enum value the server does not know travels as-is (Unknown keeps the wire string).
        val e = expectThrows<CadenyaException.BadRequest> {
            client.agents().create(CreateResourceMetadata(name = uid("bad")), AgentSpec(AgentStatus.Unknown("AGENT_STATUS_BOGUS"), VariationSelectionMode.Random))
        }
        eq(e.status, 400, "status")
        check(e.errorMessage.contains("AGENT_STATUS_BOGUS") || e.body!!.contains("AGENT_STATUS_BOGUS")) { "message: ${e.errorMessage}" }
        val sent = server.requests().last { it["method"] == "POST" }["body"] as String
        eq(Json.parse(sent).obj()["spec"].obj()["status"], "AGENT_STATUS_BOGUS", "status on the wire")
    }
    r.test("errors: every status family maps to its exception class") {
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
    r.test("errors: empty path ids are refused before sending (InvalidRequest)") {
        val before = server.requests().size
        expectThrows<CadenyaException.InvalidRequest> { client.agents().retrieve("") }
        eq(server.requests().size, before, "requests sent")
    }
    r.test("errors: malformed JSON is Decode; a dropped connection is Connection; a slow one is Timeout") {
        val d = expectThrows<CadenyaException.Decode> { client.agents().list(options = fault("malformed-json")) }
        eq(d.kind, "decode", "decode kind")
        eq(d.status, 200, "decode status")
        expectThrows<CadenyaException.Connection> { client.agents().list(options = fault("drop").copy(maxRetries = 0u)) }
        val t = expectThrows<CadenyaException.Timeout> {
            client.agents().list(options = fault("delay-ms=2000").copy(timeout = Duration.ofMillis(200), maxRetries = 0u))
        }
        eq(t.kind, "timeout", "timeout kind")
    }
    r.test("retries: two 503s then success, three attempts on the wire") {
        val opts = fault("status=503;times=2;retry-after-ms=10")
        client.agents().list(options = opts)
        val id = opts.headers["x-cadenya-fault"]!!
        val attempts = server.requests().filter { it["headers"].toString().contains(id) }
        eq(attempts.size, 3, "attempts")
    }
}

suspend fun webhookTests(r: Runner, client: CadenyaClient, vectorsJson: String) {
    val vectors = Json.parse(vectorsJson).obj()["vectors"].list().map { it.obj() }
    r.test("webhooks: all ${vectors.size} spec vectors, clock fixed at `now`") {
        eq(vectors.size, 80, "vector count")
        val failures = mutableListOf<String>()
        for (v in vectors) {
            val name = v["name"] as String
            val expectOk = v["expect"] == "ok"
            val headers = v["headers"].obj().mapValues { it.value as String }
            val payload = (v["payload"] as String).toByteArray(Charsets.UTF_8)
            val now = (v["now"] as Double).toLong()
            val outcome: String = try {
                Webhook(v["secret"] as String).withFixedClock(now).verify(payload, headers)
                "ok"
            } catch (e: CadenyaException.WebhookVerification) {
                val secret = v["secret"] as String
                check(secret.length < 8 || !e.toString().contains(secret)) { "$name: secret in the message" }
                e.detail ?: "?"
            }
            val expected = if (expectOk) "ok" else v["error_kind"] as String
            if (outcome != expected) failures += "$name: expected $expected, got $outcome"
        }
        check(failures.isEmpty()) { failures.joinToString("; ") }
    }
    r.test("webhooks: the client's verifier needs a secret; unsafeUnwrapWebhook decodes without verifying") {
        val e = expectThrows<CadenyaException.Configuration> { client.webhook() }
        check(e.errorMessage.contains("webhook secret")) { e.errorMessage }
        val bad = expectThrows<CadenyaException.WebhookVerification> { unsafeUnwrapWebhook("""{"type":1}""".toByteArray()) }
        eq(bad.detail, "bad_payload", "detail")
    }
}

suspend fun concurrencyTests(r: Runner, client: CadenyaClient, server: LocalServer) {
    r.test("cancellation: withTimeout drops the in-flight Rust future; the client stays usable") {
        val name = uid("cancelled")
        val started = System.nanoTime()
        expectThrows<TimeoutCancellationException> {
            withTimeout(300) {
                client.agents().create(
                    CreateResourceMetadata(name = name),
                    AgentSpec(AgentStatus.Draft, VariationSelectionMode.Random),
                    options = fault("delay-ms=1500"),
                )
            }
        }
        val tookMs = (System.nanoTime() - started) / 1_000_000
        check(tookMs < 1200) { "cancellation took $tookMs ms" }
        // The request was abandoned mid-flight: the server never got to create the agent.
        delay(1800)
        eq(client.agents().list(prefix = name).items().size, 0, "agents created by the cancelled call")
        // Many cancellations in a row leave nothing stuck behind.
        repeat(20) {
            runCatching { withTimeout(20) { client.agents().list(options = fault("delay-ms=500")) } }
        }
        check(client.agents().list(limit = 1).items().isNotEmpty()) { "client unusable after cancellation" }
    }
    r.test("concurrency: 100 concurrent calls on one client") {
        val agent = client.agents().create(CreateResourceMetadata(name = uid("conc")), AgentSpec(AgentStatus.Draft, VariationSelectionMode.Random))
        val before = server.requests().size
        val results = coroutineScope {
            (1..100).map { async(Dispatchers.Default) { client.agents().retrieve(agent.metadata.id) } }.awaitAll()
        }
        check(results.all { it == agent }) { "a concurrent result differed" }
        eq(server.requests().size - before, 100, "requests on the wire")
    }
}
