package com.cadenya.test

import com.cadenya.CadenyaClient
import com.cadenya.RequestOptions
import com.cadenya.demo.LocalServer
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.jsonObject
import org.junit.jupiter.api.Assertions.assertTrue
import java.util.concurrent.atomic.AtomicInteger

/**
 * One local API server for the whole test JVM, started on first use (`-Dcadenya.server.bin`,
 * set by the pom from scripts/test-kotlin.sh) and stopped when the JVM exits; the server also
 * exits by itself when its stdin closes.
 */
object Shared {
    val server: LocalServer by lazy {
        val bin = System.getProperty("cadenya.server.bin").orEmpty()
        require(bin.isNotBlank()) { "set -Dcadenya.server.bin to the cadenya-server binary (scripts/test-kotlin.sh does)" }
        LocalServer.start(bin).also { s -> Runtime.getRuntime().addShutdownHook(Thread { s.close() }) }
    }
    val client: CadenyaClient by lazy { CadenyaClient(apiKey = server.apiKey, baseUrl = server.baseUrl, workspaceId = server.workspaceId) }
}

private val unique = AtomicInteger()
fun uid(prefix: String) = "$prefix-${System.nanoTime()}-${unique.incrementAndGet()}"

/** Per-call options that arm a fault on the local server, tagged with a unique id. */
fun fault(spec: String) = RequestOptions(headers = mapOf("x-cadenya-fault" to "id=${uid("f")};$spec"))

fun json(text: String): JsonElement = Json.parseToJsonElement(text)
fun JsonElement.at(vararg keys: String): JsonElement = keys.fold(this) { e, k -> e.jsonObject.getValue(k) }

fun check(cond: Boolean, message: () -> String) = assertTrue(cond, message)

/** Like assertThrows, for suspend code: the exception of type [E], or a failure naming what happened. */
suspend inline fun <reified E : Throwable> expectThrows(crossinline block: suspend () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e", e)
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}
