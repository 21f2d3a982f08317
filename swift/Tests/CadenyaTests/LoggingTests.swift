import Foundation
import XCTest
import Cadenya

/// The client's `logger` (the same coverage as kotlin/src/test/kotlin/com/cadenya/test/LoggingTest.kt):
/// records filtered by `logLevel`, delivered as each call completes, never holding a secret.
final class LoggingTests: XCTestCase {
    /// Collects records; the lock makes it safe to share (the protocol is `Sendable`).
    final class Collect: CadenyaLogger, @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [LogRecord] = []

        func log(record: LogRecord) {
            lock.lock()
            seen.append(record)
            lock.unlock()
        }

        var records: [LogRecord] {
            lock.lock()
            defer { lock.unlock() }
            return seen
        }
    }

    private func client(_ logger: CadenyaLogger, _ level: String) throws -> CadenyaClient {
        let server = try LocalServer.get()
        return try CadenyaClient(apiKey: server.apiKey, baseUrl: server.baseUrl, workspaceId: server.workspaceId,
                                 logLevel: level, logger: logger)
    }

    private func assertNoSecret(_ records: [LogRecord], _ more: [String?] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        let server = try LocalServer.get()
        let text = records.map { "\($0.line) \($0.fields)" }.joined(separator: "\n")
        for secret in [server.apiKey] + more.compactMap({ $0 }) where !secret.isEmpty {
            XCTAssertFalse(text.contains(secret), "a secret is in the log:\n\(text)", file: file, line: line)
        }
        XCTAssertFalse(text.contains("Bearer"), text, file: file, line: line)
    }

    func testDebugLogsEachAttemptAndTheRetryInOrder() async throws {
        let logs = Collect()
        let account = try await client(logs, "debug").account().retrieve(options: fault("status=503;retry-after-ms=1;times=1"))
        let records = logs.records
        XCTAssertEqual(records.map(\.message), ["http request", "retrying", "http request"])
        XCTAssertEqual(records.map(\.level), ["debug", "info", "debug"])
        guard records.count == 3 else { return }
        let (first, retry, second) = (records[0], records[1], records[2])
        for r in [first, second] {
            XCTAssertEqual(r.fields["operation"], "account.retrieve")
            XCTAssertEqual(r.fields["method"], "GET")
            XCTAssertEqual(r.fields["path"], "/v1/account")
            XCTAssertNotNil(r.fields["duration_ms"].flatMap { $0 }.flatMap { Int($0) }, r.line)
            XCTAssertTrue((r.fields["request_id"].flatMap { $0 } ?? "").hasPrefix("req_"), r.line)
        }
        XCTAssertEqual(first.fields["status"], "503")
        XCTAssertEqual(first.fields["attempt"], "1")
        XCTAssertEqual(second.fields["status"], "200")
        XCTAssertEqual(second.fields["attempt"], "2")
        XCTAssertTrue((retry.fields["reason"].flatMap { $0 } ?? "").contains("503"), retry.line)
        XCTAssertNotNil(retry.fields["wait_ms"].flatMap { $0 }.flatMap { Int($0) }, retry.line)
        // The account's x-sensitive field came back in the body; the log never shows it.
        try assertNoSecret(records, [account.info.webhookEventsHmacSecret])
    }

    func testTheLevelFiltersTheRecords() async throws {
        let info = Collect()
        _ = try await client(info, "info").account().retrieve(options: fault("status=503;retry-after-ms=1;times=1"))
        XCTAssertEqual(info.records.map(\.message), ["retrying"])

        let warn = Collect()
        let c = try client(warn, "warn")
        _ = try await c.account().retrieve(options: fault("status=503;retry-after-ms=1;times=1"))
        XCTAssertTrue(warn.records.isEmpty, "\(warn.records.map(\.line))")
        _ = await expectCadenyaError("internalServer") {
            try await c.account().retrieve(options: fault("status=500;times=5", maxRetries: 0))
        }
        XCTAssertEqual(warn.records.map(\.level), ["warn"])
        XCTAssertEqual(warn.records.first?.fields["attempts"], "1")

        let off = Collect()
        _ = try await client(off, "off").account().retrieve(options: fault("status=503;retry-after-ms=1;times=1"))
        XCTAssertTrue(off.records.isEmpty)
        _ = await expectCadenyaError("configuration") { try self.client(Collect(), "loud") }
        try assertNoSecret(info.records + warn.records)
    }
}
