"""Drives the shared faults through the Python SDK and prints one JSON line per fault.

The server comes from CADENYA_BASE_URL / CADENYA_API_KEY / CADENYA_WORKSPACE_ID; `scripts/test-errors.sh`
compares this output with Node's and Kotlin's (same classes, same field values).
"""

import json
import time
from typing import Any, Callable, Dict

import cadenya

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def fault(spec: str) -> Dict[str, str]:
    return {"x-cadenya-fault": f"id=py-{time.time_ns()};{spec}"}


def main() -> None:
    client = cadenya.Cadenya()
    body = '{"type":"objective.created"}'
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(time.time())), "webhook-signature": "v1,AAAA"}
    faults: Dict[str, Callable[[], Any]] = {
        "404": lambda: client.agents.retrieve("agt_missing"),
        "429 after retries": lambda: client.agents.list(extra_headers=fault("status=429;retry-after-ms=1;times=10"), max_retries=2),
        "timeout": lambda: client.agents.list(extra_headers=fault("delay-ms=2000"), timeout=0.1, max_retries=0),
        "dropped connection": lambda: client.agents.list(extra_headers=fault("drop;times=10"), max_retries=0),
        "malformed JSON": lambda: client.agents.list(extra_headers=fault("malformed-json"), max_retries=0),
        "bad webhook signature": lambda: client.webhooks.verify(body, headers, secret=SECRET),
    }
    for name, run in faults.items():
        try:
            run()
            print(json.dumps({"fault": name, "class": None}))
        except cadenya.CadenyaError as e:
            print(json.dumps({
                "fault": name,
                "class": type(e).__name__,
                "kind": e.kind,
                "status": e.status,
                "code": e.code,
                "attempts": e.attempts,
                "operation": e.operation,
                "detail": e.detail,
                "has_request_id": e.request_id is not None,
            }))


if __name__ == "__main__":
    main()
