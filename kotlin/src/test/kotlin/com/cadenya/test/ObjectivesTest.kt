package com.cadenya.test

import com.cadenya.*
import com.cadenya.test.Shared.client
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import java.time.Duration

/** `objectives().wait` and `followEvents(…).asFlow()` against the local server's simulation. */
class ObjectivesTest {
    private suspend fun start(vararg labels: Pair<String, String>): String {
        val agent = client.agents().create(CreateResourceMetadata(name = uid("helpers")), AgentSpec(AgentStatus.Published, VariationSelectionMode.Random))
        val metadata = CreateOperationMetadata(labels = mapOf(*labels))
        return client.objectives().create(agent.metadata.id, data = ObjectiveData(initialMessage = "hi"), metadata = metadata).metadata.id
    }

    private fun kinds(events: List<ObjectiveListEventsResponse>) = events.map { it.data.type!!.removePrefix("OBJECTIVE_EVENT_TYPE_") }

    @Test
    fun `wait for approval, approve, follow every event once to the finalized one`() = runBlocking {
        val id = start()
        val follow = async { client.objectives().followEvents(id).asFlow().toList() }
        val waiting = client.objectives().wait(id, states = listOf(ObjectiveStatusState.Waiting))
        assertEquals(ObjectiveStatusState.Waiting, waiting.status.state)
        assertFalse(follow.isCompleted, "the follow keeps going while the objective waits")
        val pending = client.objectives().toolCalls().list(id).items().first { it.status == ToolCallStatus.WaitingForApproval }
        client.objectives().toolCalls().approve(id, pending.metadata.id)
        assertEquals(ObjectiveStatusState.Finalized, client.objectives().wait(id).status.state)

        val events = follow.await()
        assertEquals(events.map { it.metadata.id }.distinct(), events.map { it.metadata.id }, "no event twice")
        assertEquals("USER_MESSAGE", kinds(events).first())
        assertEquals("FINALIZED", kinds(events).last())
        val listed = client.objectives().listEvents(id, sortOrder = "asc", limit = 100).items().map { it.metadata.id }
        assertEquals(listed, events.map { it.metadata.id }, "the same events as a plain list, in order")

        // Resuming after the last event delivers nothing more; after the third, the rest.
        val stream = client.objectives().followEvents(id, afterEventId = events.last().metadata.id)
        assertNull(stream.next())
        val rest = client.objectives().followEvents(id, afterEventId = events[2].metadata.id).asFlow().toList()
        assertEquals(events.drop(3).map { it.metadata.id }, rest.map { it.metadata.id })
    }

    @Test
    fun `a wait that cannot be met times out with the last state`() = runBlocking {
        val id = start()
        client.objectives().wait(id, states = listOf(ObjectiveStatusState.Waiting))
        val e = expectThrows<CadenyaException.WaitTimeout> { client.objectives().wait(id, timeout = Duration.ofMillis(300)) }
        assertEquals("STATE_WAITING", e.detail)
        assertEquals("wait_timeout", e.kind)
        val stream = client.objectives().followEvents(id, timeout = Duration.ofMillis(300))
        val seen = mutableListOf<ObjectiveListEventsResponse>()
        val f = expectThrows<CadenyaException.WaitTimeout> { while (true) seen.add(stream.next() ?: break) }
        assertEquals("STATE_WAITING", f.detail)
        assertEquals(3, seen.size, "the events before the pause are delivered first")
        stream.close()
    }

    @Test
    fun `a failing objective ends the follow and the wait`() = runBlocking {
        val id = start("simulate" to "fail")
        val events = client.objectives().followEvents(id).asFlow().toList()
        assertEquals(listOf("USER_MESSAGE", "ASSISTANT_MESSAGE", "ERROR"), kinds(events))
        assertEquals(ObjectiveStatusState.Failed, client.objectives().wait(id).status.state)
        val blank = expectThrows<CadenyaException.InvalidRequest> { client.objectives().wait(id, workspaceId = " ") }
        assertEquals("invalid_request", blank.kind)
    }
}
