package com.cadenya.demo

// The Kotlin example of the README, verbatim below the imports: compiled with the tests so the
// README cannot drift from the API (it is not run; Demo.kt is the runnable walkthrough).
import com.cadenya.*

suspend fun walkthrough(receiverUrl: String, body: ByteArray, headers: Map<String, String>) {
    // Each argument falls back to CADENYA_API_KEY, CADENYA_BASE_URL, CADENYA_WORKSPACE_ID, …
    val client = CadenyaClient(apiKey = "cdn_...", workspaceId = "ws_...")
    val agent = client.agents().create(
        metadata = CreateResourceMetadata(name = "travel-helper"),
        spec = AgentSpec(AgentStatus.Published, VariationSelectionMode.Random, webhookEventsUrl = receiverUrl),
    )
    val variation = client.agents().variations().create(
        agent.metadata.id, CreateResourceMetadata(name = "concise"), AgentVariationSpec(prompt = "Be brief."),
    )
    val objective = client.objectives().create(
        agent.metadata.id, ObjectiveData(initialMessage = "Weather in Lisbon tomorrow?"), variationId = variation.metadata.id,
    )
    // Wait until it asks for approval, approve the tool call, then follow every event once to the end.
    client.objectives().wait(objective.metadata.id, states = listOf(ObjectiveStatusState.Waiting))
    val call = client.objectives().toolCalls().list(objective.metadata.id, status = ToolCallStatus.WaitingForApproval).items().first()
    client.objectives().toolCalls().approve(objective.metadata.id, call.metadata.id)
    client.objectives().followEvents(objective.metadata.id).asFlow().collect { println(it.data.type) }
    // In your webhook handler: verify the signature and timestamp, then decode the typed event.
    val secret = client.account().retrieve().info?.webhookEventsHmacSecret!!
    val event = client.webhook(secret).unwrap(body, headers)   // throws CadenyaException.WebhookVerification
    println("${event.type} for objective ${event.data.objective.id}")
    try {
        client.agents().retrieve("agt_missing", workspaceId = "ws_other", options = RequestOptions(timeout = java.time.Duration.ofSeconds(5)))
    } catch (e: CadenyaException.NotFound) {
        println("${e.status} ${e.requestId} ${e.errorMessage}")
    }
}
