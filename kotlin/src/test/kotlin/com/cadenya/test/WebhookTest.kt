package com.cadenya.test

import com.cadenya.CadenyaException
import com.cadenya.Webhook
import com.cadenya.unsafeUnwrapWebhook
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows
import java.io.File

/** The spec's webhook vectors (one test each, clock fixed at the vector's `now`) and the client's verifier. */
class WebhookTest {
    private val vectors = json(File(System.getProperty("cadenya.vectors")).readText()).at("vectors").jsonArray.map { it.jsonObject }

    @Test
    fun `the vector file has all 80 vectors`() = assertEquals(80, vectors.size)

    @TestFactory
    fun vectors(): List<DynamicTest> = vectors.map { v ->
        fun s(key: String) = v.getValue(key).jsonPrimitive.content
        DynamicTest.dynamicTest(s("name")) {
            val headers = v.getValue("headers").jsonObject.mapValues { it.value.jsonPrimitive.content }
            val payload = s("payload").toByteArray(Charsets.UTF_8)
            val now = v.getValue("now").jsonPrimitive.long
            val outcome = try {
                Webhook(s("secret")).withFixedClock(now).verify(payload, headers)
                "ok"
            } catch (e: CadenyaException.WebhookVerification) {
                check(s("secret").length < 8 || !e.toString().contains(s("secret"))) { "the secret is in the message" }
                e.detail ?: "?"
            }
            assertEquals(if (s("expect") == "ok") "ok" else s("error_kind"), outcome)
        }
    }

    @Test
    fun `the client's verifier needs a secret, unsafeUnwrapWebhook decodes without verifying`() {
        val e = assertThrows<CadenyaException.Configuration> { Shared.client.webhook() }
        check(e.errorMessage.contains("webhook secret")) { e.errorMessage }
        val bad = assertThrows<CadenyaException.WebhookVerification> { unsafeUnwrapWebhook("""{"type":1}""".toByteArray()) }
        assertEquals("bad_payload", bad.detail)
    }
}
