package com.cadenya.test

import com.cadenya.*
import com.cadenya.test.Shared.client
import com.cadenya.test.Shared.server
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.jsonObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

/**
 * Records keep the fields this SDK version does not know (`unknownFields`, the JSON text of an
 * object) at every level, and send them back when a record is part of a request.
 */
class UnknownFieldsTest {
    private fun meta(id: String, extra: String = "") =
        """{"id":"$id","accountId":"acct_1","createdAt":"2026-01-01T00:00:00Z","profileId":"prf_1","workspaceId":"ws_1"$extra}"""

    private val event = """{"type":"objective_event.finalized","timestamp":"2026-01-01T00:00:00Z","futureTop":[1,"two"],
        "data":{"agent":${meta("agt_1", ""","name":"a","futureField":{"Keep_Me":1}""")},
        "agentVariation":${meta("var_1", ""","name":"v"""")},"objective":${meta("obj_1")},
        "objectiveEvent":{"metadata":${meta("evt_1")},"data":{"type":"OBJECTIVE_EVENT_TYPE_FINALIZED","finalized":{}}}}}"""

    @Test
    fun `a decoded record keeps unknown fields at every level, and known ones are not among them`() {
        val e = unsafeUnwrapWebhook(event.toByteArray())
        assertEquals(json("""{"futureTop":[1,"two"]}"""), json(e.unknownFields!!))
        assertEquals("a", e.data.agent.name)
        assertEquals(json("""{"futureField":{"Keep_Me":1}}"""), json(e.data.agent.unknownFields!!))
        assertNull(e.data.agentVariation.unknownFields, "a record without unknown fields")
        assertNull(e.data.objectiveEvent.data.unknownFields)
    }

    @Test
    fun `unknown fields of a decoded record go back on the wire in a request`() = runBlocking {
        val agent = unsafeUnwrapWebhook(event.toByteArray()).data.agent
        val name = uid("unknown-fields")
        val opts = RequestOptions(headers = mapOf("x-test-id" to name))
        val created = client.agents().create(
            CreateResourceMetadata(name = name, unknownFields = agent.unknownFields),
            AgentSpec(AgentStatus.Draft, VariationSelectionMode.Random),
            options = opts,
        )
        assertEquals(name, created.metadata.name)
        val sent = server.requests().single { it.headers["x-test-id"] == name }
        val metadata = json(sent.body).at("metadata") as JsonObject
        assertEquals(json("""{"Keep_Me":1}"""), metadata.getValue("futureField"))
        assertEquals(JsonPrimitive(name), metadata.getValue("name"))
    }

    @Test
    fun `unknown fields that are not a JSON object are refused before sending`() = runBlocking {
        val e = expectThrows<CadenyaException.InvalidRequest> {
            client.agents().create(
                CreateResourceMetadata(name = uid("bad-unknown"), unknownFields = "[1]"),
                AgentSpec(AgentStatus.Draft, VariationSelectionMode.Random),
            )
        }
        check(e.errorMessage.contains("unknown fields")) { e.errorMessage }
    }
}
