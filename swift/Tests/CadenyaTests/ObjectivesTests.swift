import Cadenya
import XCTest

/// `objectives().wait` and `followEvents` against the local server's objective simulation.
final class ObjectivesTests: XCTestCase {
    private func start(_ client: CadenyaClient, labels: [String: String] = [:]) async throws -> String {
        let agent = try await client.agents().create(
            metadata: CreateResourceMetadata(name: uid("helpers")),
            spec: AgentSpec(status: .published, variationSelectionMode: .random)
        )
        let objective = try await client.objectives().create(
            agentId: agent.metadata.id, data: ObjectiveData(initialMessage: "hi"),
            metadata: CreateOperationMetadata(labels: labels)
        )
        return objective.metadata.id
    }

    private func drain(_ stream: ObjectiveEventStream) async throws -> [ObjectiveListEventsResponse] {
        var events: [ObjectiveListEventsResponse] = []
        while let event = try await stream.next() {
            events.append(event)
        }
        return events
    }

    func testWaitApproveThenFollowEveryEventOnce() async throws {
        let client = try LocalServer.get().client()
        let id = try await start(client)
        let waiting = try await client.objectives().wait(objectiveId: id, states: [.waiting])
        XCTAssertEqual(waiting.status.state, .waiting)
        let calls = try await client.objectives().toolCalls().list(objectiveId: id).items()
        let pending = try XCTUnwrap(calls.first { $0.status == .waitingForApproval })
        _ = try await client.objectives().toolCalls().approve(objectiveId: id, toolCallId: pending.metadata.id)
        let done = try await client.objectives().wait(objectiveId: id)
        XCTAssertEqual(done.status.state, .finalized)

        let events = try await drain(try client.objectives().followEvents(objectiveId: id))
        let ids = events.map { $0.metadata.id }
        XCTAssertEqual(Set(ids).count, ids.count, "no event twice")
        XCTAssertEqual(events.last?.data.type, "OBJECTIVE_EVENT_TYPE_FINALIZED")
        let listed = try await client.objectives().listEvents(objectiveId: id, limit: 100, sortOrder: "asc").items()
        XCTAssertEqual(listed.map { $0.metadata.id }, ids)
        let after = try client.objectives().followEvents(objectiveId: id, afterEventId: ids[2])
        let rest = try await drain(after).map { $0.metadata.id }
        XCTAssertEqual(rest, Array(ids.dropFirst(3)))
    }

    func testWaitTimesOutWithTheLastState() async throws {
        let client = try LocalServer.get().client()
        let id = try await start(client)
        _ = try await client.objectives().wait(objectiveId: id, states: [.waiting])
        let e = await expectCadenyaError("waitTimeout") {
            try await client.objectives().wait(objectiveId: id, timeout: 0.3)
        }
        XCTAssertEqual(e?.detail, "STATE_WAITING")
    }

    func testAFailingObjectiveEndsTheFollow() async throws {
        let client = try LocalServer.get().client()
        let id = try await start(client, labels: ["simulate": "fail"])
        let events = try await drain(try client.objectives().followEvents(objectiveId: id))
        XCTAssertEqual(events.last?.data.type, "OBJECTIVE_EVENT_TYPE_ERROR")
        let failed = try await client.objectives().wait(objectiveId: id)
        XCTAssertEqual(failed.status.state, .failed)
    }
}
