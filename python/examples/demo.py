"""The Cadenya walkthrough in Python, end to end against the local server:
create an agent with a variation, start an objective, follow its events, approve the pending
tool call, receive the signed webhooks on a local receiver, verify and unwrap them.

Run from the repository root after `pip install ./python`:

    python python/examples/demo.py

It starts the local server binary (`$CADENYA_SERVER_BIN`, else `cargo run -p cadenya-server`).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Tuple

import cadenya
from cadenya.types import ObjectiveEventData

Delivery = Tuple[Dict[str, str], bytes]


def start_server() -> Tuple["subprocess.Popen[str]", Dict[str, str]]:
    args = ["--port", "0", "--step-delay-ms", "120", "--exit-on-stdin-close"]
    binary = os.environ.get("CADENYA_SERVER_BIN")
    cmd = [binary, *args] if binary else ["cargo", "run", "-q", "-p", "cadenya-server", "--", *args]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the local server did not start")
    info: Dict[str, str] = json.loads(line)
    return proc, info


def start_receiver() -> Tuple[str, "queue.Queue[Delivery]", ThreadingHTTPServer]:
    """A local HTTP receiver: every POST (headers, raw body) goes to the queue."""
    received: "queue.Queue[Delivery]" = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()
            received.put(({k.lower(): v for k, v in self.headers.items()}, body))

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}/webhooks", received, httpd


def describe(d: ObjectiveEventData) -> str:
    if d.user_message is not None:
        return f"[user]      {d.user_message.content or ''}"
    if d.assistant_message is not None:
        return f"[assistant] {d.assistant_message.content or ''}"
    if d.tool_approval_requested is not None:
        return f"[tool]      approval requested for call {d.tool_approval_requested.tool_call_id or '?'}"
    if d.tool_approved is not None:
        return "[tool]      approved"
    if d.tool_called is not None:
        return "[tool]      called"
    if d.tool_result is not None:
        return "[tool]      result received"
    if d.finalized is not None:
        return "[done]      objective finalized"
    return f"[event]     {d.type or '?'}"


def main() -> int:
    proc, info = start_server()
    try:
        return run(info)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=10)


def run(info: Dict[str, str]) -> int:
    print(f"Cadenya demo (Python) · local server {info['base_url']} · workspace {info['workspace_id']}\n")
    with cadenya.Cadenya(api_key=info["api_key"], base_url=info["base_url"], workspace_id=info["workspace_id"]) as client:
        # The account's webhook signing secret, as a user would read it from the API.
        secret = client.account.retrieve().info.webhook_events_hmac_secret
        if not secret:
            raise SystemExit("the account has no webhook signing secret")
        url, deliveries, httpd = start_receiver()
        print(f"· webhook receiver listening on {url}")

        agent = client.agents.create(
            metadata={"name": "travel-helper"},
            spec={
                "status": "AGENT_STATUS_PUBLISHED",
                "variation_selection_mode": "VARIATION_SELECTION_MODE_RANDOM",
                "description": "Answers travel questions, asks before calling tools",
                "webhook_events_url": url,
            },
        )
        variation = client.agents.variations.create(
            agent.metadata.id, metadata={"name": "concise"}, spec={"prompt": "Be brief and precise."}
        )
        print(f"✓ agent {agent.metadata.name!r} ({agent.metadata.id}) with variation {variation.metadata.name!r} ({variation.metadata.id})")

        objective = client.objectives.create(
            agent_id=agent.metadata.id,
            variation_id=variation.metadata.id,
            data={"initial_message": "What's the weather in Lisbon tomorrow?"},
        )
        objective_id = objective.metadata.id
        print(f"✓ objective {objective_id} started\n")

        # The objective helpers: wait for a state, and follow the events (each once, in order).
        client.objectives.wait(objective_id, states=["STATE_WAITING"], timeout=60)
        seen = 0
        events = client.objectives.follow_events(objective_id, timeout=60)
        for event in events:  # up to the approval request
            print(f"  {describe(event.data)}")
            seen += 1
            if event.data.tool_approval_requested is not None:
                break
        pending = [c for c in client.objectives.tool_calls.list(objective_id) if c.status == "TOOL_CALL_STATUS_WAITING_FOR_APPROVAL"]
        if not pending:
            raise SystemExit("the objective did not ask for a tool call")
        call = pending[0]
        tool = call.data.callable.tool
        print(f"\n✓ approving tool call {call.metadata.id} ({tool.name if tool else 'tool'})\n")
        client.objectives.tool_calls.approve(objective_id, call.metadata.id)

        # Resume after the last event printed; the stream ends once the objective is terminal.
        for event in client.objectives.follow_events(objective_id, after_event_id=events.last_event_id, timeout=60):
            print(f"  {describe(event.data)}")
            seen += 1
        final = client.objectives.wait(objective_id, timeout=60)
        if final.status.state != "STATE_FINALIZED":
            raise SystemExit(f"the objective ended in {final.status.state}")

        # Every event is also delivered as a signed webhook: verify and unwrap each one.
        print("\nWebhooks (Standard Webhooks, HMAC-SHA256):")
        verified = 0
        kinds: List[str] = []
        end = time.monotonic() + 10
        while verified < seen and time.monotonic() < end:
            try:
                headers, body = deliveries.get(timeout=2)
            except queue.Empty:
                break
            delivery = client.webhooks.unwrap(body, headers, secret)
            kinds.append(delivery.type)
            print(f"  ✓ verified {delivery.type:<42} {headers.get('webhook-id', '?')}")
            verified += 1
        # A forged delivery (fresh timestamp, made-up signature) is refused.
        forged_headers = {
            "webhook-id": "msg_forged",
            "webhook-timestamp": str(int(time.time())),
            "webhook-signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
        }
        try:
            client.webhooks.verify(b'{"type":"objective_event.finalized"}', forged_headers, secret)
        except cadenya.WebhookVerificationError as e:
            print(f"  ✗ forged delivery refused: {e} ({e.detail})")
        records = client.agents.webhook_deliveries.list(agent.metadata.id).items
        print(f"\nDone: {seen} events, {verified} webhooks verified, {len(records)} delivery records on the agent.")
        httpd.shutdown()
        if verified < seen:
            print(f"only {verified} of {seen} webhooks arrived", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
