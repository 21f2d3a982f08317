package com.cadenya

/**
 * Runs [call] with [options] that also capture the response's status, headers and request id,
 * and returns its result with them: `val (agent, raw) = withRawResponse { client.agents().retrieve(id, options = it) }`.
 */
suspend fun <T> withRawResponse(options: RequestOptions = RequestOptions(), call: suspend (RequestOptions) -> T): Pair<T, RawResponse> {
    val raw = RawResponse()
    return call(options.copy(rawResponse = raw)) to raw
}
