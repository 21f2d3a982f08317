// Starts calls that wait on the local server, then exits the process while they are in flight:
// ConcurrencyTests.testExitWithCallsInFlightIsClean runs it and expects status 0 (no crash in
// the teardown of the Rust runtime).
//
//   CadenyaExitCheck BASE_URL API_KEY WORKSPACE_ID CALLS
import Cadenya
import Foundation

let args = CommandLine.arguments
guard args.count == 5, let calls = Int(args[4]) else {
    FileHandle.standardError.write(Data("usage: CadenyaExitCheck BASE_URL API_KEY WORKSPACE_ID CALLS\n".utf8))
    exit(2)
}
let client = try CadenyaClient(apiKey: args[2], baseUrl: args[1], workspaceId: args[3])
let options = RequestOptions(headers: ["x-cadenya-fault": "delay-ms=5000"])
for _ in 0..<calls {
    Task.detached {
        _ = try? await client.agents().list(options: options)
    }
}
// Give every call time to reach the server, then leave with all of them waiting.
Thread.sleep(forTimeInterval: 0.3)
print("exiting with \(calls) calls in flight")
exit(0)
