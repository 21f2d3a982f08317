package com.cadenya.bench

import com.cadenya.CadenyaClient
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonObject
import java.io.File
import java.lang.management.ManagementFactory
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/**
 * The JVM side of scripts/bench-uniffi.sh: sequential `GET /v1/account` through the Kotlin client
 * and through `java.net.http.HttpClient` plus a JSON parse (what a JVM user writes without the
 * SDK), against a running local server, in one process. Prints one line per side:
 *
 *   side NAME calls N seconds S cpu_us_per_call C ctx_per_call X
 *
 *   UniffiBench BASE_URL API_KEY WORKSPACE_ID CALLS
 */
object UniffiBench {
    @JvmStatic
    fun main(args: Array<String>) {
        val (baseUrl, apiKey, workspaceId, callsArg) = args
        val calls = callsArg.toInt()
        val client = CadenyaClient(apiKey = apiKey, baseUrl = baseUrl, workspaceId = workspaceId)
        val http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        val request = HttpRequest.newBuilder(URI.create("${baseUrl.trimEnd('/')}/v1/account"))
            .header("authorization", "Bearer $apiKey")
            .header("accept", "application/json")
            .GET()
            .build()
        // A sequential caller: one coroutine awaiting each call in turn.
        val kotlin: (Int) -> Unit = { n -> runBlocking { repeat(n) { client.account().retrieve() } } }
        val httpClient: (Int) -> Unit = { n ->
            repeat(n) {
                val resp = http.send(request, HttpResponse.BodyHandlers.ofString())
                check(resp.statusCode() == 200) { "HttpClient: status ${resp.statusCode()}" }
                Json.parseToJsonElement(resp.body()).jsonObject
            }
        }
        // Warm both up (JIT, connection pools), then measure each side in turn.
        kotlin(calls / 5 + 50)
        httpClient(calls / 5 + 50)
        measure("kotlin", calls, kotlin)
        measure("httpclient", calls, httpClient)
        client.close()
    }

    private fun measure(name: String, calls: Int, run: (Int) -> Unit) {
        val os = ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean
        val cpu0 = os.processCpuTime
        val ctx0 = contextSwitches()
        val t0 = System.nanoTime()
        run(calls)
        val secs = (System.nanoTime() - t0) / 1e9
        val cpuUs = (os.processCpuTime - cpu0) / 1e3 / calls
        val ctx = (contextSwitches() - ctx0).toDouble() / calls
        println("side $name calls $calls seconds ${"%.3f".format(secs)} cpu_us_per_call ${"%.1f".format(cpuUs)} ctx_per_call ${"%.2f".format(ctx)}")
    }

    /** Voluntary plus involuntary context switches of every thread of this process. */
    private fun contextSwitches(): Long = (File("/proc/self/task").listFiles() ?: emptyArray()).sumOf { task ->
        runCatching {
            File(task, "status").readLines()
                .filter { it.startsWith("voluntary_ctxt_switches") || it.startsWith("nonvoluntary_ctxt_switches") }
                .sumOf { it.substringAfter(':').trim().toLong() }
        }.getOrDefault(0L)
    }
}
