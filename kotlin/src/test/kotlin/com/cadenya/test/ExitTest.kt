package com.cadenya.test

import com.cadenya.test.Shared.server
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.io.File
import java.util.concurrent.TimeUnit

/**
 * A short-lived JVM that exits with coroutines and native calls in flight must exit cleanly:
 * [ExitProbe] is run [RUNS] times in each of its modes (`System.exit`, returning from `main`,
 * closing the client first) and every run must end with status 0 and no JVM crash report.
 */
class ExitTest {
    @Test
    fun `exiting with calls in flight is clean`() {
        val java = File(System.getProperty("java.home"), "bin/java").path
        val cp = System.getProperty("java.class.path")
        val runs = (System.getenv("CADENYA_EXIT_RUNS") ?: RUNS.toString()).toInt()
        val abnormal = mutableListOf<String>()
        for (i in 0 until runs) {
            val mode = MODES[i % MODES.size]
            val p = ProcessBuilder(java, "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=/dev/null", "-cp", cp, ExitProbe::class.java.name, mode, server.baseUrl, server.apiKey, server.workspaceId)
                .redirectErrorStream(true)
                .start()
            val output = p.inputStream.bufferedReader().readText()
            check(p.waitFor(60, TimeUnit.SECONDS)) { "run $i ($mode) did not exit" }
            val crashed = "A fatal error has been detected" in output || "panicked" in output
            if (p.exitValue() != 0 || crashed || "calls in flight" !in output) {
                abnormal += "run $i ($mode): exit ${p.exitValue()}: ${output.takeLast(400)}"
            }
        }
        assertEquals(0, abnormal.size, "abnormal exits of $runs:\n" + abnormal.joinToString("\n"))
    }

    companion object {
        const val RUNS = 21
        val MODES = listOf("exit", "return", "close")
    }
}
