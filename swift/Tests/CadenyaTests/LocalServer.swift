import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Cadenya

/// The local Cadenya server (`cadenya-server`), started once per test process from the binary named
/// by `CADENYA_SERVER_BIN` (swift/scripts/test-linux.sh sets it). It stops when the test process
/// exits: it is started with `--exit-on-stdin-close` and this process holds its stdin.
final class LocalServer: @unchecked Sendable {
    let baseUrl: String
    let apiKey: String
    let workspaceId: String
    private let process: Process
    private let stdin: Pipe

    private init(process: Process, stdin: Pipe, info: [String: Any]) throws {
        guard let baseUrl = info["base_url"] as? String, let apiKey = info["api_key"] as? String,
              let workspaceId = info["workspace_id"] as? String else {
            throw TestFailure("cadenya-server printed an unexpected first line: \(info)")
        }
        self.process = process
        self.stdin = stdin
        self.baseUrl = baseUrl
        self.apiKey = apiKey
        self.workspaceId = workspaceId
    }

    /// One server for the whole test run (started on first use).
    static let shared: Result<LocalServer, Error> = Result { try LocalServer.start() }

    static func get() throws -> LocalServer {
        try shared.get()
    }

    private static func start() throws -> LocalServer {
        guard let binary = ProcessInfo.processInfo.environment["CADENYA_SERVER_BIN"], !binary.isEmpty else {
            throw TestFailure("set CADENYA_SERVER_BIN to the cadenya-server binary (swift/scripts/test-linux.sh does)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--port", "0", "--step-delay-ms", "2", "--exit-on-stdin-close"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // The first line is a JSON object with base_url, api_key and workspace_id.
        var line = Data()
        let reader = stdout.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = reader.availableData
            if chunk.isEmpty {
                throw TestFailure("cadenya-server exited before printing its address")
            }
            line.append(chunk)
        }
        let first = line.prefix(while: { $0 != UInt8(ascii: "\n") })
        guard let info = try JSONSerialization.jsonObject(with: Data(first)) as? [String: Any] else {
            throw TestFailure("cadenya-server's first line is not a JSON object")
        }
        return try LocalServer(process: process, stdin: stdin, info: info)
    }

    /// A client of this server.
    func client(apiKey: String? = nil) throws -> CadenyaClient {
        try CadenyaClient(apiKey: apiKey ?? self.apiKey, baseUrl: baseUrl, workspaceId: workspaceId)
    }

    /// The server's request log (`GET /_cadenya/requests`).
    func requests() async throws -> [RecordedRequest] {
        guard let url = URL(string: baseUrl + "/_cadenya/requests") else {
            throw TestFailure("bad base URL \(baseUrl)")
        }
        let data: Data = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: url) { data, _, error in
                if let data = data {
                    continuation.resume(returning: data)
                } else {
                    continuation.resume(throwing: error ?? TestFailure("no body from \(url)"))
                }
            }.resume()
        }
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = root["requests"] as? [[String: Any]] else {
            throw TestFailure("unexpected request log")
        }
        return list.map(RecordedRequest.init)
    }
}

/// One entry of the server's request log.
struct RecordedRequest {
    let method: String
    let path: String
    let query: String
    let body: String
    let headers: [String: String]

    init(_ json: [String: Any]) {
        method = json["method"] as? String ?? ""
        path = json["path"] as? String ?? ""
        query = json["query"] as? String ?? ""
        body = json["body"] as? String ?? ""
        var headers: [String: String] = [:]
        if let map = json["headers"] as? [String: Any] {
            for (k, v) in map { headers[k] = v as? String }
        } else if let pairs = json["headers"] as? [[Any]] {
            for pair in pairs where pair.count == 2 {
                if let k = pair[0] as? String, let v = pair[1] as? String { headers[k] = v }
            }
        }
        self.headers = headers
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private let counter = Counter()

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

/// A name no other test uses.
func uid(_ prefix: String) -> String {
    "\(prefix)-\(UInt64(Date().timeIntervalSince1970 * 1_000_000))-\(counter.next())"
}

/// Per-call options carrying a fault for the local server, tagged with a unique id.
func fault(_ spec: String, timeout: TimeInterval? = nil, maxRetries: UInt32? = nil) -> RequestOptions {
    RequestOptions(timeout: timeout, maxRetries: maxRetries, headers: ["x-cadenya-fault": "id=\(uid("f"));\(spec)"])
}

/// Milliseconds since `start`.
func millis(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
}

/// The fields every `CadenyaError` case carries (the same in every language), with the case's name.
struct ErrorFields {
    let name: String
    let kind: String
    let message: String
    let status: Int32?
    let code: Int32?
    let details: String
    let body: String?
    let requestId: String?
    let headers: [String: String]?
    let operation: String?
    let attempts: UInt32?
    let detail: String?
    let className: String
}

extension CadenyaError {
    var fields: ErrorFields {
        let name = Mirror(reflecting: self).children.first?.label ?? "\(self)"
        switch self {
        case let .api(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .badRequest(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .authentication(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .permissionDenied(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .notFound(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .conflict(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .unprocessableEntity(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .rateLimit(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .internalServer(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .connection(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .timeout(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .decode(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .userAbort(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .webhookVerification(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .invalidRequest(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .configuration(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .waitTimeout(k, m, s, c, dt, b, r, h, o, a, d, cn),
             let .`internal`(k, m, s, c, dt, b, r, h, o, a, d, cn):
            return ErrorFields(name: name, kind: k, message: m, status: s, code: c, details: dt, body: b, requestId: r,
                               headers: h, operation: o, attempts: a, detail: d, className: cn)
        }
    }
}

/// Runs `body` and returns the `CadenyaError` it throws, failing when it throws nothing or another error.
func expectCadenyaError<T>(
    _ name: String, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T
) async -> ErrorFields? {
    do {
        _ = try await body()
        XCTFail("expected CadenyaError.\(name), nothing was thrown", file: file, line: line)
    } catch let error as CadenyaError {
        let fields = error.fields
        XCTAssertEqual(fields.name, name, "\(error)", file: file, line: line)
        return fields
    } catch {
        XCTFail("expected CadenyaError.\(name), got \(error)", file: file, line: line)
    }
    return nil
}

let draftSpec = AgentSpec(status: .draft, variationSelectionMode: .random)
