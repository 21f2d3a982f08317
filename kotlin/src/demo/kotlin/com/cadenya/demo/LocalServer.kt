package com.cadenya.demo

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/** One request of the local server's log (`GET /_cadenya/requests`); header names are lower-case. */
data class LoggedRequest(
    val method: String,
    val path: String,
    val query: String,
    val headers: Map<String, String>,
    val body: String,
    val status: Int,
)

/** The local Cadenya server (`cadenya-server`), started as a child process for the demo and tests. */
class LocalServer private constructor(
    private val process: Process,
    val baseUrl: String,
    val apiKey: String,
    val workspaceId: String,
    val webhookSecret: String,
) : AutoCloseable {
    private val http = HttpClient.newHttpClient()

    /** The server's request log, oldest first. */
    fun requests(): List<LoggedRequest> {
        val req = HttpRequest.newBuilder(URI.create("$baseUrl/_cadenya/requests")).GET().build()
        val body = http.send(req, HttpResponse.BodyHandlers.ofString()).body()
        return Json.parseToJsonElement(body).jsonObject.getValue("requests").jsonArray.map { e ->
            val o = e.jsonObject
            LoggedRequest(
                method = o.text("method"),
                path = o.text("path"),
                query = o.text("query"),
                headers = o.getValue("headers").jsonArray.associate { h ->
                    val pair = h.jsonArray
                    pair[0].jsonPrimitive.content to pair[1].jsonPrimitive.content
                },
                body = o.text("body"),
                status = o.getValue("status").jsonPrimitive.int,
            )
        }
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
            val info = Json.parseToJsonElement(line).jsonObject
            return LocalServer(p, info.text("base_url"), info.text("api_key"), info.text("workspace_id"), info.text("webhook_secret"))
        }
    }
}

private fun JsonObject.text(key: String): String = getValue(key).jsonPrimitive.content
