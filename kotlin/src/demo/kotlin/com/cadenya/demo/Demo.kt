package com.cadenya.demo

import com.cadenya.*
import com.sun.net.httpserver.HttpServer
import kotlinx.coroutines.runBlocking
import java.net.InetSocketAddress
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess

/** One webhook delivery as received: lower-case headers and the raw body. */
class Delivery(val headers: Map<String, String>, val body: ByteArray)

/** A loopback HTTP receiver: every POST is queued and answered 200. */
class WebhookReceiver : AutoCloseable {
    val deliveries = LinkedBlockingQueue<Delivery>()
    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0).apply {
        createContext("/webhooks") { ex ->
            val body = ex.requestBody.readBytes()
            val headers = ex.requestHeaders.entries.associate { (k, v) -> k.lowercase() to v.first() }
            ex.sendResponseHeaders(200, -1)
            ex.close()
            deliveries.add(Delivery(headers, body))
        }
        start()
    }
    val url: String = "http://127.0.0.1:${server.address.port}/webhooks"

    override fun close() = server.stop(0)
}

class DemoResult(val events: Int, val verified: Int, val forgedRefused: Boolean, val deliveryRecords: Int)

/**
 * The walkthrough: create an agent with a variation, start an objective, follow its events,
 * approve the pending tool call, then verify and unwrap every signed webhook it sent.
 */
suspend fun runDemo(client: CadenyaClient, say: (String) -> Unit = ::println): DemoResult {
    // The account's webhook signing secret, as a user reads it from the API.
    val secret = client.account().retrieve().info?.webhookEventsHmacSecret
        ?: error("the account has no webhook signing secret")
    WebhookReceiver().use { receiver ->
        say("· webhook receiver listening on ${receiver.url}")
        val agent = client.agents().create(
            metadata = CreateResourceMetadata(name = "travel-helper"),
            spec = AgentSpec(
                status = AgentStatus.Published,
                variationSelectionMode = VariationSelectionMode.Random,
                description = "Answers travel questions, asks before calling tools",
                webhookEventsUrl = receiver.url,
            ),
        )
        val variation = client.agents().variations().create(
            agent.metadata.id,
            metadata = CreateResourceMetadata(name = "concise"),
            spec = AgentVariationSpec(prompt = "Be brief and precise."),
        )
        say("✓ agent \"${agent.metadata.name}\" (${agent.metadata.id}) with variation \"${variation.metadata.name}\" (${variation.metadata.id})")

        val objective = client.objectives().create(
            agent.metadata.id,
            data = ObjectiveData(initialMessage = "What's the weather in Lisbon tomorrow?"),
            variationId = variation.metadata.id,
        )
        val objectiveId = objective.metadata.id
        say("✓ objective $objectiveId started\n")

        // The core's helpers: wait until a tool call asks for approval (polling with backoff).
        client.objectives().wait(objectiveId, states = listOf(ObjectiveStatusState.Waiting))
        val pending = client.objectives().toolCalls().list(objectiveId, status = ToolCallStatus.WaitingForApproval).items().first()
        say("✓ approving tool call ${pending.metadata.id}\n")
        client.objectives().toolCalls().approve(objectiveId, pending.metadata.id)

        // Follow every event once, in order, until the objective is finalized.
        val seen = mutableListOf<String>()
        client.objectives().followEvents(objectiveId).asFlow().collect { e ->
            seen.add(e.metadata.id)
            say("  ${describe(e.data)}")
        }

        // Every event is also delivered as a signed webhook: verify and unwrap each one.
        val verifier = client.webhook(secret)
        var verified = 0
        say("\nWebhooks (Standard Webhooks, HMAC-SHA256):")
        val deadline = System.nanoTime() + 10_000_000_000L
        while (verified < seen.size && System.nanoTime() < deadline) {
            val d = receiver.deliveries.poll(2, TimeUnit.SECONDS) ?: break
            val event = verifier.unwrap(d.body, d.headers)
            say("  ✓ verified %-42s %s".format(event.type, d.headers["webhook-id"]))
            verified++
        }
        // A forged delivery (fresh timestamp, made-up signature) is refused.
        val now = (System.currentTimeMillis() / 1000).toString()
        val forged = try {
            verifier.verify(
                """{"type":"objective_event.finalized"}""".toByteArray(),
                mapOf("webhook-id" to "msg_forged", "webhook-timestamp" to now, "webhook-signature" to "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="),
            )
            false
        } catch (e: CadenyaException.WebhookVerification) {
            say("  ✗ forged delivery refused: ${e.errorMessage}")
            true
        }
        val records = client.agents().webhookDeliveries().list(agent.metadata.id).items().size
        say("\nDone: ${seen.size} events, $verified webhooks verified, $records delivery records on the agent.")
        return DemoResult(seen.size, verified, forged, records)
    }
}

/** One transcript line for an objective event. */
private fun describe(d: ObjectiveEventData): String = when {
    d.userMessage != null -> "[user]      ${d.userMessage?.content.orEmpty()}"
    d.assistantMessage != null -> "[assistant] ${d.assistantMessage?.content.orEmpty()}"
    d.toolApprovalRequested != null -> "[tool]      approval requested for call ${d.toolApprovalRequested?.toolCallId}"
    d.toolApproved != null -> "[tool]      approved"
    d.toolCalled != null -> "[tool]      called"
    d.toolResult != null -> "[tool]      result received"
    d.finalized != null -> "[done]      objective finalized"
    else -> "[event]     ${d.type}"
}

/**
 * `scripts/test-kotlin.sh --demo` runs this against a local server it starts; with no argument it
 * uses the environment (CADENYA_API_KEY, CADENYA_BASE_URL, CADENYA_WORKSPACE_ID).
 */
fun main(args: Array<String>) = runBlocking {
    val server = args.firstOrNull()?.let { LocalServer.start(it, stepDelayMs = 120) }
    try {
        val client = if (server != null) {
            println("Cadenya Kotlin demo · local server ${server.baseUrl} · workspace ${server.workspaceId}\n")
            CadenyaClient(apiKey = server.apiKey, baseUrl = server.baseUrl, workspaceId = server.workspaceId)
        } else {
            CadenyaClient()
        }
        val r = runDemo(client)
        if (r.verified < r.events || !r.forgedRefused) {
            System.err.println("demo failed: ${r.verified} of ${r.events} webhooks verified")
            exitProcess(1)
        }
    } catch (e: CadenyaException) {
        System.err.println("demo failed: $e")
        exitProcess(1)
    } finally {
        server?.close()
    }
}
