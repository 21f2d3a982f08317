package com.cadenya.demo

import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/** The local Cadenya server (`cadenya-server`), started as a child process for the demo and tests. */
class LocalServer private constructor(
    private val process: Process,
    val baseUrl: String,
    val apiKey: String,
    val workspaceId: String,
    val webhookSecret: String,
) : AutoCloseable {
    private val http = HttpClient.newHttpClient()

    /** The server's request log (`GET /_cadenya/requests`): method, path, query, headers, body, status. */
    fun requests(): List<Map<String, Any?>> {
        val req = HttpRequest.newBuilder(URI.create("$baseUrl/_cadenya/requests")).GET().build()
        val body = http.send(req, HttpResponse.BodyHandlers.ofString()).body()
        return Json.parse(body).obj()["requests"].list().map { it.obj() }
    }

    override fun close() {
        process.outputStream.close() // --exit-on-stdin-close
        process.destroy()
        process.waitFor()
    }

    companion object {
        fun start(binary: String, stepDelayMs: Int = 2): LocalServer {
            val p = ProcessBuilder(binary, "--port", "0", "--step-delay-ms", stepDelayMs.toString(), "--exit-on-stdin-close")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start()
            val line = BufferedReader(InputStreamReader(p.inputStream)).readLine()
                ?: throw IllegalStateException("cadenya-server exited before printing its address")
            val info = Json.parse(line).obj()
            return LocalServer(
                p,
                info["base_url"] as String,
                info["api_key"] as String,
                info["workspace_id"] as String,
                info["webhook_secret"] as String,
            )
        }
    }
}
