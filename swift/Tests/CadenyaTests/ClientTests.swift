import Foundation
import XCTest
import Cadenya

/// Configuration, CRUD, pagination, typed errors, timeouts and retries against the local server
/// (the same coverage as the Kotlin suite, kotlin/src/test/kotlin/com/cadenya/test/Main.kt).
final class ClientTests: XCTestCase {
    func testBlankApiKeyIsAConfigurationError() async throws {
        let server = try LocalServer.get()
        let e = await expectCadenyaError("configuration") { try CadenyaClient(apiKey: "", baseUrl: server.baseUrl) }
        XCTAssertEqual(e?.kind, "configuration")
        XCTAssertTrue(e?.message.contains("api_key") ?? false, e?.message ?? "")
    }

    func testSettingsAreVisibleAndSecretsAreNot() throws {
        let server = try LocalServer.get()
        let c = try CadenyaClient(apiKey: "cdn_super_secret_key", baseUrl: server.baseUrl, workspaceId: "ws_a",
                                  webhookSecret: "whsec_c2VjcmV0LXNlY3JldA==")
        XCTAssertEqual(c.workspaceId(), "ws_a")
        XCTAssertTrue(c.baseUrl().hasPrefix(server.baseUrl), c.baseUrl())
        XCTAssertEqual(try c.withWorkspace(workspaceId: "ws_b").workspaceId(), "ws_b")
        let spec = WorkspaceSecretSpec(value: "hunter2-value")
        for text in [String(describing: spec), String(reflecting: spec), "\(spec)"] {
            XCTAssertFalse(text.contains("hunter2"), "secret in \(text)")
        }
    }

    func testRawResponseCarriesStatusHeadersAndRequestId() async throws {
        let client = try LocalServer.get().client()
        let raw = RawResponse()
        _ = try await client.account().retrieve(options: RequestOptions(rawResponse: raw))
        XCTAssertEqual(raw.status(), 200)
        let id = try XCTUnwrap(raw.requestId())
        XCTAssertTrue(id.hasPrefix("req_"), id)
        XCTAssertEqual(raw.header(name: "X-Request-ID"), id)
        XCTAssertEqual(raw.headers()["x-request-id"], id)
        XCTAssertNil(RawResponse().status())
    }

    func testUnknownFieldsAreKeptAndSentBack() async throws {
        let meta = { (id: String, extra: String) -> String in
            "{\"id\":\"\(id)\",\"accountId\":\"acct_1\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"profileId\":\"prf_1\",\"workspaceId\":\"ws_1\"\(extra)}"
        }
        let event: String = "{\"type\":\"objective_event.finalized\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{"
            + "\"agent\":\(meta("agt_1", ",\"name\":\"a\",\"futureField\":{\"Keep_Me\":1}")),"
            + "\"agentVariation\":\(meta("var_1", ",\"name\":\"v\"")),\"objective\":\(meta("obj_1", "")),"
            + "\"objectiveEvent\":{\"metadata\":\(meta("evt_1", "")),\"data\":{\"type\":\"OBJECTIVE_EVENT_TYPE_FINALIZED\",\"finalized\":{}}}}}"
        let agent = try unsafeUnwrapWebhook(payload: Data(event.utf8)).data.agent
        XCTAssertEqual(agent.unknownFields, "{\"futureField\":{\"Keep_Me\":1}}")
        let server = try LocalServer.get()
        let name = uid("unknown-fields")
        _ = try await server.client().agents().create(
            metadata: CreateResourceMetadata(name: name, unknownFields: agent.unknownFields), spec: draftSpec
        )
        let created = try await server.client().agents().list(prefix: name)
        XCTAssertEqual(created.items().count, 1)
    }

    func testAgentCrudThenNotFound() async throws {
        let server = try LocalServer.get()
        let client = try server.client()
        let name = uid("crud-agent")
        let created = try await client.agents().create(
            metadata: CreateResourceMetadata(name: name, labels: ["team": "swift"]),
            spec: AgentSpec(status: .draft, variationSelectionMode: .random, description: "first")
        )
        XCTAssertEqual(created.metadata.name, name)
        XCTAssertEqual(created.spec.status, .draft)
        XCTAssertEqual(created.metadata.labels?["team"], "swift")
        XCTAssertEqual(created.metadata.workspaceId, server.workspaceId)
        let got = try await client.agents().retrieve(id: created.metadata.id)
        XCTAssertEqual(got, created)
        let updated = try await client.agents().update(
            id: created.metadata.id,
            spec: AgentSpec(status: .published, variationSelectionMode: .random, description: "second"),
            updateMask: "spec.description,spec.status"
        )
        XCTAssertEqual(updated.spec.description, "second")
        XCTAssertEqual(updated.spec.status, .published)
        let listed = try await client.agents().list(prefix: name).items()
        XCTAssertEqual(listed.map { $0.metadata.id }, [created.metadata.id])
        try await client.agents().delete(id: created.metadata.id)
        let e = await expectCadenyaError("notFound") { try await client.agents().retrieve(id: created.metadata.id) }
        XCTAssertEqual(e?.status, 404)
        // On the wire: a DELETE of the agent's path in the client's workspace.
        let deletes = try await server.requests().filter { $0.method == "DELETE" }.map { $0.path }
        XCTAssertTrue(deletes.contains("/v1/workspaces/\(server.workspaceId)/agents/\(created.metadata.id)"), "\(deletes)")
    }

    func testNestedVariationsCrud() async throws {
        let client = try LocalServer.get().client()
        let agent = try await client.agents().create(metadata: CreateResourceMetadata(name: uid("var-agent")), spec: draftSpec)
        let variations = client.agents().variations()
        let v = try await variations.create(
            agentId: agent.metadata.id, metadata: CreateResourceMetadata(name: "v1"),
            spec: AgentVariationSpec(prompt: "Be brief.", weight: 3)
        )
        XCTAssertEqual(v.spec.prompt, "Be brief.")
        let again = try await variations.retrieve(agentId: agent.metadata.id, id: v.metadata.id)
        XCTAssertEqual(again.metadata.id, v.metadata.id)
        let u = try await variations.update(
            agentId: agent.metadata.id, id: v.metadata.id,
            spec: AgentVariationSpec(prompt: "Be briefer."), updateMask: "spec.prompt"
        )
        XCTAssertEqual(u.spec.prompt, "Be briefer.")
        let listed = try await variations.list(agentId: agent.metadata.id).items()
        XCTAssertTrue(listed.contains { $0.metadata.id == v.metadata.id })
        try await variations.delete(agentId: agent.metadata.id, id: v.metadata.id)
        _ = await expectCadenyaError("notFound") { try await variations.retrieve(agentId: agent.metadata.id, id: v.metadata.id) }
    }

    func testWorkspaceSecretValueIsWriteOnly() async throws {
        let server = try LocalServer.get()
        let client = try server.client()
        let name = uid("SECRET").uppercased().replacingOccurrences(of: "-", with: "_")
        let s = try await client.workspaceSecrets().create(
            metadata: CreateResourceMetadata(name: name), spec: WorkspaceSecretSpec(value: "s3cr3t")
        )
        XCTAssertNil(s.spec.value)
        let sent = try await server.requests().last(where: { $0.method == "POST" && $0.path.hasSuffix("/workspace_secrets") })
        XCTAssertTrue(sent?.body.contains("\"s3cr3t\"") ?? false, "value on the wire: \(sent?.body ?? "none")")
        try await client.workspaceSecrets().delete(id: s.metadata.id)
    }

    func testPerCallOptionsReachTheWire() async throws {
        let server = try LocalServer.get()
        let client = try server.client()
        // Another workspace: the answer does not matter here, the request does.
        _ = try? await client.agents().list(
            workspaceId: "ws_elsewhere",
            options: RequestOptions(idempotencyKey: "idem-1", headers: ["x-trace": "t-1"])
        )
        let req = try await server.requests().last(where: { $0.path.hasPrefix("/v1/workspaces/ws_elsewhere/") })
        XCTAssertEqual(req?.headers["idempotency-key"], "idem-1")
        XCTAssertEqual(req?.headers["x-trace"], "t-1")
    }

    func testPaginationFollowsTheCursorToTheLastPage() async throws {
        let server = try LocalServer.get()
        let client = try server.client()
        let prefix = uid("page")
        var ids: [String] = []
        for i in 1...5 {
            let agent = try await client.agents().create(metadata: CreateResourceMetadata(name: "\(prefix)-\(i)"), spec: draftSpec)
            ids.append(agent.metadata.id)
        }
        var seen: [String] = []
        var pages = 0
        var page: AgentPage? = try await client.agents().list(limit: 2, prefix: prefix, sortOrder: "asc")
        while let current = page {
            pages += 1
            XCTAssertLessThanOrEqual(current.items().count, 2)
            seen += current.items().map { $0.metadata.id }
            let next = try await current.nextPage()
            XCTAssertEqual(next != nil, current.hasNextPage(), "hasNextPage agrees with nextPage")
            if next != nil { XCTAssertNotNil(current.nextCursor()) }
            page = next
        }
        XCTAssertEqual(seen, ids, "every agent once, in creation order")
        XCTAssertEqual(pages, 3)
        let queries = try await server.requests().map { $0.query }.filter { $0.contains("prefix=\(prefix)") }
        XCTAssertEqual(queries.filter { $0.contains("cursor=") }.count, 2, "\(queries)")
        XCTAssertTrue(queries.allSatisfy { $0.contains("limit=2") }, "the limit was not repeated: \(queries)")
    }

    func testNotFoundCarriesStatusRequestIdBodyAndCode() async throws {
        let client = try LocalServer.get().client()
        var thrown: Error?
        do {
            _ = try await client.agents().retrieve(id: "agt_does_not_exist")
        } catch {
            thrown = error
        }
        guard let error = thrown as? CadenyaError, case .notFound = error else {
            return XCTFail("expected CadenyaError.notFound, got \(String(describing: thrown))")
        }
        let e = error.fields
        XCTAssertEqual(e.kind, "api")
        XCTAssertEqual(e.status, 404)
        XCTAssertTrue(e.requestId?.hasPrefix("req_") ?? false, "request id \(String(describing: e.requestId))")
        XCTAssertTrue(e.body?.contains("\"code\"") ?? false)
        XCTAssertEqual(e.code, 5)
        XCTAssertTrue(error.description.contains("agents.retrieve failed after 1 attempt: NotFoundError (404)"), error.description)
        XCTAssertTrue(error.localizedDescription.contains("404"), error.localizedDescription)
    }

    func testWrongApiKeyIsAuthentication() async throws {
        let bad = try LocalServer.get().client(apiKey: "cdn_wrong")
        let e = await expectCadenyaError("authentication") { try await bad.agents().list() }
        XCTAssertEqual(e?.status, 401)
    }

    func testInvalidBodyIsBadRequestAndUnknownEnumValuesTravelAsIs() async throws {
        let server = try LocalServer.get()
        let client = try server.client()
        let e = await expectCadenyaError("badRequest") {
            try await client.agents().create(
                metadata: CreateResourceMetadata(name: uid("bad")),
                spec: AgentSpec(status: .unknown(value: "AGENT_STATUS_BOGUS"), variationSelectionMode: .random)
            )
        }
        XCTAssertEqual(e?.status, 400)
        let sent = try await server.requests().last(where: { $0.method == "POST" })
        XCTAssertTrue(sent?.body.contains("AGENT_STATUS_BOGUS") ?? false)
    }

    func testEveryStatusFamilyMapsToItsCase() async throws {
        let client = try LocalServer.get().client()
        let cases: [(Int, String)] = [
            (400, "badRequest"), (403, "permissionDenied"), (409, "conflict"), (422, "unprocessableEntity"),
            (429, "rateLimit"), (500, "internalServer"), (418, "api"),
        ]
        for (status, name) in cases {
            let e = await expectCadenyaError(name) { try await client.agents().list(options: fault("status=\(status)", maxRetries: 0)) }
            XCTAssertEqual(e?.status, Int32(status))
        }
    }

    func testEmptyIdIsRefusedBeforeSending() async throws {
        let server = try LocalServer.get()
        let client = try server.client()
        let before = try await server.requests().count
        let e = await expectCadenyaError("invalidRequest") { try await client.agents().retrieve(id: "") }
        XCTAssertEqual(e?.kind, "invalid_request")
        let after = try await server.requests().count
        XCTAssertEqual(after, before)
    }

    func testMalformedJsonDroppedConnectionAndTimeout() async throws {
        let client = try LocalServer.get().client()
        let d = await expectCadenyaError("decode") { try await client.agents().list(options: fault("malformed-json")) }
        XCTAssertEqual(d?.kind, "decode")
        XCTAssertEqual(d?.status, 200)
        _ = await expectCadenyaError("connection") { try await client.agents().list(options: fault("drop", maxRetries: 0)) }
        let t = await expectCadenyaError("timeout") {
            try await client.agents().list(options: fault("delay-ms=2000", timeout: 0.2, maxRetries: 0))
        }
        XCTAssertEqual(t?.kind, "timeout")
    }

    func testTwo503sAreRetriedThrough() async throws {
        let server = try LocalServer.get()
        let client = try server.client()
        let options = fault("status=503;times=2;retry-after-ms=10")
        _ = try await client.agents().list(options: options)
        let id = options.headers["x-cadenya-fault"] ?? "?"
        let attempts = try await server.requests().filter { $0.headers["x-cadenya-fault"] == id }
        XCTAssertEqual(attempts.count, 3)
        XCTAssertEqual(attempts.map { $0.headers["x-cadenya-retry-count"] ?? "?" }, ["0", "1", "2"])
    }
}
