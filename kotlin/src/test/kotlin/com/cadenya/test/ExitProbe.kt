package com.cadenya.test

import com.cadenya.CadenyaClient
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.util.concurrent.atomic.AtomicInteger
import kotlin.system.exitProcess

/**
 * Run by [ExitTest] in its own JVM: 32 coroutines call the API in a loop, and once calls are
 * completing the process leaves while they are still in flight.
 *
 *   ExitProbe exit|return|close BASE_URL API_KEY WORKSPACE_ID
 */
object ExitProbe {
    @JvmStatic
    fun main(args: Array<String>) {
        val (mode, baseUrl, apiKey, workspaceId) = args
        val client = CadenyaClient(apiKey = apiKey, baseUrl = baseUrl, workspaceId = workspaceId)
        val done = AtomicInteger()
        // Dispatchers.Default threads are daemons: returning from main leaves them mid-call.
        val scope = CoroutineScope(Dispatchers.Default)
        repeat(32) {
            scope.launch {
                while (true) {
                    client.agents().list(limit = 1)
                    done.incrementAndGet()
                }
            }
        }
        runBlocking { while (done.get() < 64) delay(1) }
        println("leaving with calls in flight (${done.get()} done)")
        System.out.flush()
        when (mode) {
            "exit" -> exitProcess(0)
            "close" -> client.close()
            "return" -> Unit
            else -> error("unknown mode $mode")
        }
    }
}
