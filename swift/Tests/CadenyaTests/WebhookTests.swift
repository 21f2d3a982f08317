import Foundation
import XCTest
import Cadenya

/// The 80 public webhook vectors (spec/webhooks/vectors.json), each verified with the clock fixed
/// at the vector's `now`; the same file every language's tests read.
final class WebhookTests: XCTestCase {
    private func loadVectors() throws -> [[String: Any]] {
        // swift/Tests/CadenyaTests/WebhookTests.swift -> the repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("spec/webhooks/vectors.json"))
        guard let file = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let vectors = file["vectors"] as? [[String: Any]] else {
            throw TestFailure("spec/webhooks/vectors.json has no vectors")
        }
        return vectors
    }

    func testAllSpecVectorsWithAFixedClock() throws {
        let vectors = try loadVectors()
        XCTAssertEqual(vectors.count, 80)
        var failures: [String] = []
        for v in vectors {
            guard let name = v["name"] as? String, let secret = v["secret"] as? String,
                  let payload = v["payload"] as? String, let headers = v["headers"] as? [String: String],
                  let now = (v["now"] as? NSNumber)?.int64Value, let expect = v["expect"] as? String else {
                failures.append("malformed vector \(v["name"] ?? "?")")
                continue
            }
            let outcome: String
            do {
                try Webhook(secret: secret).withFixedClock(unixSeconds: now).verify(payload: Data(payload.utf8), headers: headers)
                outcome = "ok"
            } catch let error as CadenyaError {
                let fields = error.fields
                if secret.count >= 8 && "\(error)".contains(secret) {
                    failures.append("\(name): the secret is in the error")
                }
                outcome = fields.name == "webhookVerification" ? (fields.detail ?? "?") : "\(fields.name): \(fields.message)"
            } catch {
                outcome = "\(error)"
            }
            let expected = expect == "ok" ? "ok" : (v["error_kind"] as? String ?? "?")
            if outcome != expected {
                failures.append("\(name): expected \(expected), got \(outcome)")
            }
        }
        XCTAssertEqual(failures, [])
    }

    func testClientVerifierNeedsASecretAndUnsafeUnwrapDecodesWithoutVerifying() async throws {
        let client = try LocalServer.get().client()
        let e = await expectCadenyaError("configuration") { try client.webhook() }
        XCTAssertTrue(e?.message.contains("webhook secret") ?? false, e?.message ?? "")
        let bad = await expectCadenyaError("webhookVerification") { try unsafeUnwrapWebhook(payload: Data("{\"type\":1}".utf8)) }
        XCTAssertEqual(bad?.detail, "bad_payload")
    }
}
