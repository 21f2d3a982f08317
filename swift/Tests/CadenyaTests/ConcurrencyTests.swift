import Foundation
import XCTest
import Cadenya

/// Task cancellation reaching the Rust core, 100 concurrent tasks, and exiting with calls in flight.
final class ConcurrencyTests: XCTestCase {
    func testCancellingATaskAbandonsTheRequest() async throws {
        let server = try LocalServer.get()
        let client = try server.client()
        let name = uid("cancelled")
        // The server would answer after 1.5 s and only then create the agent.
        let options = fault("delay-ms=1500")
        let task = Task {
            try await client.agents().create(metadata: CreateResourceMetadata(name: name), spec: draftSpec, options: options)
        }
        try await Task.sleep(nanoseconds: 100_000_000)
        let cancelledAt = DispatchTime.now()
        task.cancel()
        do {
            let agent = try await task.value
            XCTFail("a cancelled call returned \(agent.metadata.id)")
        } catch is CancellationError {
        } catch {
            XCTFail("expected CancellationError, got \(error)")
        }
        let tookMs = millis(since: cancelledAt)
        print("cancellation: CancellationError \(String(format: "%.1f", tookMs)) ms after Task.cancel()")
        // Not a timing test: it only shows the call did not wait for the 1.5 s response.
        XCTAssertLessThan(tookMs, 1000)
        // The request was dropped mid-flight: the server never created the agent, and no retry
        // followed (a retry would have created it).
        try await Task.sleep(nanoseconds: 1_800_000_000)
        let left = try await client.agents().list(prefix: name).items()
        XCTAssertEqual(left.count, 0, "agents created by the cancelled call")
        let id = options.headers["x-cadenya-fault"] ?? "?"
        let logged = try await server.requests().filter { $0.headers["x-cadenya-fault"] == id }
        XCTAssertEqual(logged.count, 0, "the cancelled request was answered")
    }

    func testATaskCancelledBeforeTheCallSendsNothing() async throws {
        let server = try LocalServer.get()
        let client = try server.client()
        let marker = uid("never-sent")
        let task = Task { () async throws -> AgentPage in
            // Cancelled while asleep; the call then starts in a cancelled task.
            try? await Task.sleep(nanoseconds: 10_000_000_000)
            return try await client.agents().list(options: RequestOptions(headers: ["x-marker": marker]))
        }
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("a call in a cancelled task returned a page")
        } catch is CancellationError {
        } catch {
            XCTFail("expected CancellationError, got \(error)")
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        let sent = try await server.requests().filter { $0.headers["x-marker"] == marker }
        XCTAssertEqual(sent.count, 0)
    }

    func testCancellingAtRandomMomentsEndsInAValueOrCancellationError() async throws {
        let client = try LocalServer.get().client()
        var values = 0
        var cancelled = 0
        var others: [String] = []
        for round in 0..<5 {
            let tasks = (0..<40).map { i in
                Task { () async throws -> Int in
                    let page = try await client.agents().list(limit: 1, options: fault("delay-ms=\((i * 7 + round) % 30)"))
                    return page.items().count
                }
            }
            for (i, task) in tasks.enumerated() {
                try await Task.sleep(nanoseconds: UInt64((i * 13 + round * 5) % 20) * 100_000)
                task.cancel()
            }
            for task in tasks {
                do {
                    _ = try await task.value
                    values += 1
                } catch is CancellationError {
                    cancelled += 1
                } catch {
                    others.append("\(error)")
                }
            }
        }
        print("random cancellation: \(values) values, \(cancelled) CancellationError")
        XCTAssertEqual(others, [])
        XCTAssertEqual(values + cancelled, 200)
        // The client is still usable.
        _ = try await client.agents().list(limit: 1)
    }

    func testHundredConcurrentTasksOnOneClient() async throws {
        let server = try LocalServer.get()
        let client = try server.client()
        let agent = try await client.agents().create(metadata: CreateResourceMetadata(name: uid("conc")), spec: draftSpec)
        let marker = uid("conc-call")
        let options = RequestOptions(headers: ["x-marker": marker])
        let results = try await withThrowingTaskGroup(of: Agent.self) { group -> [Agent] in
            for _ in 0..<100 {
                group.addTask { try await client.agents().retrieve(id: agent.metadata.id, options: options) }
            }
            var all: [Agent] = []
            for try await a in group { all.append(a) }
            return all
        }
        XCTAssertEqual(results.count, 100)
        XCTAssertTrue(results.allSatisfy { $0 == agent }, "a concurrent result differed")
        let onTheWire = try await server.requests().filter { $0.headers["x-marker"] == marker }
        XCTAssertEqual(onTheWire.count, 100)
    }

    /// The process exits (`exit(0)`) with 100 calls waiting on the server: the exit is clean.
    func testExitWithCallsInFlightIsClean() throws {
        let server = try LocalServer.get()
        let binary = try exitCheckBinary()
        for _ in 0..<5 {
            let process = Process()
            process.executableURL = binary
            process.arguments = [server.baseUrl, server.apiKey, server.workspaceId, "100"]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            process.waitUntilExit()
            let said = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertEqual(process.terminationReason, .exit, "killed by a signal: \(process.terminationStatus)")
            XCTAssertEqual(process.terminationStatus, 0)
            XCTAssertTrue(said.contains("exiting with 100 calls in flight"), said)
        }
    }

    /// `CadenyaExitCheck`, built next to the test bundle (or named by CADENYA_EXIT_CHECK_BIN).
    private func exitCheckBinary() throws -> URL {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["CADENYA_EXIT_CHECK_BIN"], !path.isEmpty {
            candidates.append(URL(fileURLWithPath: path))
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("CadenyaExitCheck"))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("CadenyaExitCheck"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("CadenyaExitCheck"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestFailure("CadenyaExitCheck not found (build it with `swift build`); looked at \(candidates.map { $0.path })")
        }
        return found
    }
}
