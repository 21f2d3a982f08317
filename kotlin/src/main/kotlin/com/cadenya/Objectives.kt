package com.cadenya

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * The events of `objectives().followEvents(…)` as a cold [Flow]: each event once, in order, and
 * the flow completes after the objective is terminal and its last events are delivered.
 * Cancelling the collector drops the request in flight; the stream is closed when the flow ends.
 *
 * ```
 * client.objectives().followEvents(objective.metadata.id).asFlow().collect { println(it.data.type) }
 * ```
 */
fun ObjectiveEventStream.asFlow(): Flow<ObjectiveListEventsResponse> = flow {
    try {
        var event = next()
        while (event != null) {
            emit(event)
            event = next()
        }
    } finally {
        close()
    }
}
