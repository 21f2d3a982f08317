package com.cadenya.demo

import com.cadenya.CadenyaClient
import com.cadenya.CadenyaException
import com.cadenya.RequestOptions
import com.cadenya.Webhook
import kotlinx.coroutines.runBlocking
import java.time.Duration

/**
 * Drives the shared faults through the Kotlin SDK and prints one JSON line per fault (the same
 * shape as scripts/error-faults/faults.py; `scripts/test-errors.sh` compares the three languages).
 * The server comes from CADENYA_BASE_URL / CADENYA_API_KEY / CADENYA_WORKSPACE_ID.
 */
fun main() = runBlocking {
    val secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    val client = CadenyaClient()
    fun fault(spec: String) = mapOf("x-cadenya-fault" to "id=kt-${System.nanoTime()};$spec")
    val headers = mapOf(
        "webhook-id" to "msg_1",
        "webhook-timestamp" to (System.currentTimeMillis() / 1000).toString(),
        "webhook-signature" to "v1,AAAA",
    )
    val faults = linkedMapOf<String, suspend () -> Any?>(
        "404" to { client.agents().retrieve("agt_missing") },
        "429 after retries" to {
            client.agents().list(options = RequestOptions(maxRetries = 2u, headers = fault("status=429;retry-after-ms=1;times=10")))
        },
        "timeout" to {
            client.agents().list(options = RequestOptions(timeout = Duration.ofMillis(100), maxRetries = 0u, headers = fault("delay-ms=2000")))
        },
        "dropped connection" to { client.agents().list(options = RequestOptions(maxRetries = 0u, headers = fault("drop;times=10"))) },
        "malformed JSON" to { client.agents().list(options = RequestOptions(maxRetries = 0u, headers = fault("malformed-json"))) },
        "bad webhook signature" to { Webhook(secret).verify("{\"type\":\"objective.created\"}".toByteArray(), headers) },
    )
    for ((name, run) in faults) {
        try {
            run()
            println("{\"fault\": ${quote(name)}, \"class\": null}")
        } catch (e: CadenyaException) {
            // Every variant has the same fields; read them by their getters (a getter of an
            // unsigned value may carry a mangled suffix on the JVM).
            fun field(getter: String): Any? =
                e.javaClass.methods.first { it.parameterCount == 0 && (it.name == getter || it.name.startsWith("$getter-")) }.invoke(e)
            val line = listOf(
                "fault" to quote(name),
                "class" to quote(field("getClassName") as String),
                "kind" to quote(field("getKind") as String),
                "status" to json(field("getStatus")),
                "code" to json(field("getCode")),
                "attempts" to json(field("getAttempts")),
                "operation" to json(field("getOperation")),
                "detail" to json(field("getDetail")),
                "has_request_id" to (field("getRequestId") != null).toString(),
            ).joinToString(", ") { (k, v) -> "\"$k\": $v" }
            println("{$line}")
        }
    }
}

private fun quote(s: String): String =
    "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\""

private fun json(v: Any?): String = when (v) {
    null -> "null"
    is String -> quote(v)
    else -> v.toString()
}
