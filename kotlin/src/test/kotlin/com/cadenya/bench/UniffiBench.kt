package com.cadenya.bench

import com.cadenya.CadenyaClient
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
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
 * and, on stderr, where each side's context switches and CPU went (per thread name). The side
 * `kotlin-32` (32 coroutines on `Dispatchers.Default`) is for information only. Each side is
 * warmed up with at least 20,000 calls first, so that the JIT has compiled its path (CPU time
 * is the whole process's: a side still being compiled would pay for the compiler too; after
 * 5,000 calls C2 still took up to 90 us a call in the measured rounds), then measured in three
 * rounds, of which the median by calls/s is printed.
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
        val kotlin32: (Int) -> Unit = { n ->
            runBlocking(Dispatchers.Default) {
                repeat(32) { w -> launch { repeat(n / 32 + if (w < n % 32) 1 else 0) { client.account().retrieve() } } }
            }
        }
        // Warm every side up (JIT, connection pools), then measure three rounds of the sides in
        // turn and keep each side's median round by calls/s: on a shared machine a round can
        // meet another process's burst (or the JIT compiling another side's code).
        // CADENYA_BENCH_SIDES=kotlin (a comma-separated list) runs only those sides, e.g. under a profiler.
        val only = System.getenv("CADENYA_BENCH_SIDES")?.split(',')?.toSet()
        val sides = listOf("kotlin" to kotlin, "httpclient" to httpClient, "kotlin-32" to kotlin32)
            .filter { only == null || it.first in only }
        val warmUp = maxOf(calls, 20_000)
        sides.forEach { it.second(warmUp) }
        val rounds = List(3) { sides.map { (name, run) -> measure(name, calls, run) } }
        sides.indices.forEach { i ->
            val round = rounds.map { it[i] }.sortedBy { it.seconds }[1]
            println(round.line)
            System.err.println(round.detail)
        }
        client.close()
    }

    private class Round(val seconds: Double, val line: String, val detail: String)

    private fun measure(name: String, calls: Int, run: (Int) -> Unit): Round {
        val os = ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean
        val cpu0 = os.processCpuTime
        val ctx0 = contextSwitches()
        val t0 = System.nanoTime()
        run(calls)
        val secs = (System.nanoTime() - t0) / 1e9
        val cpuUs = (os.processCpuTime - cpu0) / 1e3 / calls
        val ctx1 = contextSwitches()
        val ctx = (ctx1.values.sumOf { it.voluntary + it.involuntary } - ctx0.values.sumOf { it.voluntary + it.involuntary })
            .toDouble() / calls
        // Per thread name (numbers stripped, so a pool is one line), threads started meanwhile included:
        // context switches per call (of which involuntary: preempted), and CPU per call (from clock ticks, 10 ms each).
        val delta = ctx1.entries.groupBy({ it.key.second.trimEnd { c -> c.isDigit() } }) { (key, v) -> v - (ctx0[key] ?: Usage(0, 0, 0)) }
            .mapValues { (_, vs) -> vs.reduce(Usage::plus) }
        val busiest = delta.filterValues { it.voluntary + it.involuntary + it.ticks > 0 }.entries
            .sortedByDescending { it.value.voluntary + it.value.involuntary }
        val perCall = { n: Long -> "%.2f".format(n.toDouble() / calls) }
        return Round(
            secs,
            "side $name calls $calls seconds ${"%.3f".format(secs)} cpu_us_per_call ${"%.1f".format(cpuUs)} ctx_per_call ${"%.2f".format(ctx)}",
            "  $name per call by thread (context switches (involuntary), CPU us): " +
                busiest.joinToString(", ") { (n, u) ->
                    "$n ${perCall(u.voluntary + u.involuntary)} (${perCall(u.involuntary)}) ${"%.0f".format(u.ticks * 10_000.0 / calls)}"
                },
        )
    }

    private data class Usage(val voluntary: Long, val involuntary: Long, val ticks: Long) {
        operator fun minus(o: Usage) = Usage(voluntary - o.voluntary, involuntary - o.involuntary, ticks - o.ticks)
        operator fun plus(o: Usage) = Usage(voluntary + o.voluntary, involuntary + o.involuntary, ticks + o.ticks)
    }

    /** Per thread of this process, by (tid, name): context switches and CPU clock ticks. */
    private fun contextSwitches(): Map<Pair<String, String>, Usage> =
        (File("/proc/self/task").listFiles() ?: emptyArray()).mapNotNull { task ->
            runCatching {
                val status = File(task, "status").readLines()
                val count = { key: String -> status.first { it.startsWith(key) }.substringAfter(':').trim().toLong() }
                // Fields after the parenthesised name: utime and stime are the 12th and 13th.
                val stat = File(task, "stat").readText().substringAfterLast(')').trim().split(' ')
                val usage = Usage(count("voluntary_ctxt_switches"), count("nonvoluntary_ctxt_switches"), stat[11].toLong() + stat[12].toLong())
                (task.name to File(task, "comm").readText().trim()) to usage
            }.getOrNull()
        }.toMap()
}
