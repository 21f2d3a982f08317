package com.cadenya.test

import com.cadenya.*
import com.cadenya.test.Shared.server
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.io.File
import java.net.ServerSocket
import java.time.Duration

/** The client options checked once in the core's ClientSettings: caBundle, proxy, connectTimeout. */
class ClientOptionsTest {
    private fun client(caBundle: String? = null, proxy: String? = null, connectTimeout: Duration? = null) = CadenyaClient(
        apiKey = server.apiKey, baseUrl = server.baseUrl, workspaceId = server.workspaceId,
        caBundle = caBundle, proxy = proxy, connectTimeout = connectTimeout,
    )

    @Test
    fun `a connect timeout leaves calls working, and bad values are configuration errors`() = runBlocking {
        check(client(connectTimeout = Duration.ofSeconds(5)).account().retrieve().metadata.id.isNotEmpty()) { "no account" }
        val zero = expectThrows<CadenyaException.Configuration> { client(connectTimeout = Duration.ZERO) }
        check(zero.errorMessage.contains("connect_timeout")) { zero.errorMessage }
        val missing = File.createTempFile("missing-ca", ".pem").also { it.delete() }
        val ca = expectThrows<CadenyaException> { client(caBundle = missing.path) }
        assertEquals("configuration", ca.fieldKind(), "$ca")
        val notPem = File.createTempFile("not-ca", ".pem").also { it.writeText("not a certificate"); it.deleteOnExit() }
        assertEquals("configuration", expectThrows<CadenyaException> { client(caBundle = notPem.path) }.fieldKind())
    }

    @Test
    fun `calls go through the proxy`() = runBlocking {
        // A proxy that accepts the connection and closes it at once: the call fails as a connection
        // error instead of reaching the server directly.
        ServerSocket(0).use { proxy ->
            val t = Thread { runCatching { while (true) proxy.accept().close() } }.apply { isDaemon = true; start() }
            val c = client(proxy = "http://127.0.0.1:${proxy.localPort}")
            expectThrows<CadenyaException.Connection> { c.account().retrieve(RequestOptions(maxRetries = 0u)) }
            t.interrupt()
        }
        Unit
    }
}

/** `kind` of any variant (each variant declares its own getter). */
private fun CadenyaException.fieldKind(): String = javaClass.getMethod("getKind").invoke(this) as String
