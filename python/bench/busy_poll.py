"""What busy polling costs and buys: CPU per call against a slow API, and loopback latency.

    python3 python/bench/busy_poll.py [--calls 300]     # needs `cadenya` importable and a server

Runs each side in a fresh process, spin off (`CADENYA_BUSY_POLL_US=0`) and on (the default
window), alternating, and prints ratios:
- slow API: `--calls` sequential `account.retrieve()` calls with the local server's
  `delay-ms=20` fault; process CPU time (getrusage, user + system) per call. The spin may add at
  most 10 %.
- loopback: sequential calls without a fault; wall time per call (µs) and CPU per call.
The server is `CADENYA_BASE_URL`/`CADENYA_API_KEY`/`CADENYA_WORKSPACE_ID` when set, else a
fresh `cadenya-server` (as the test suite starts it). `--node` measures the Node package
instead (`node` must resolve `cadenya`, e.g. run from a directory where it is installed).
Not part of the test suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

PY_CHILD = r"""
import json, os, resource, sys, time, cadenya
calls, fault = int(sys.argv[1]), sys.argv[2]
c = cadenya.Cadenya(api_key=os.environ["CADENYA_API_KEY"], base_url=os.environ["CADENYA_BASE_URL"], workspace_id=os.environ["CADENYA_WORKSPACE_ID"])
h = {"x-cadenya-fault": fault} if fault else None
for _ in range(20):
    c.account.retrieve(extra_headers=h)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c0, t0 = cpu(), time.perf_counter()
for _ in range(calls):
    c.account.retrieve(extra_headers=h)
print(json.dumps({"cpu_us": (cpu() - c0) / calls * 1e6, "wall_us": (time.perf_counter() - t0) / calls * 1e6}))
"""

NODE_CHILD = r"""
const { Cadenya } = require('cadenya');
const [calls, fault] = [Number(process.argv[1]), process.argv[2]];
const c = new Cadenya({ apiKey: process.env.CADENYA_API_KEY, baseURL: process.env.CADENYA_BASE_URL, workspaceId: process.env.CADENYA_WORKSPACE_ID });
const opts = fault ? { headers: { 'x-cadenya-fault': fault } } : {};
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
(async () => {
  for (let i = 0; i < 20; i++) await c.account.retrieve({}, opts);
  const c0 = cpu(), t0 = performance.now();
  for (let i = 0; i < calls; i++) await c.account.retrieve({}, opts);
  console.log(JSON.stringify({ cpu_us: (cpu() - c0) / calls, wall_us: (performance.now() - t0) * 1000 / calls }));
})();
"""


def measure(node: bool, spin: bool, calls: int, fault: str) -> Dict[str, float]:
    env = dict(os.environ)
    if spin:
        env.pop("CADENYA_BUSY_POLL_US", None)
    else:
        env["CADENYA_BUSY_POLL_US"] = "0"
    cmd = ["node", "-e", NODE_CHILD, str(calls), fault] if node else [sys.executable, "-c", PY_CHILD, str(calls), fault]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main(argv: List[str]) -> None:
    calls = int(argv[argv.index("--calls") + 1]) if "--calls" in argv else 300
    node = "--node" in argv
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from conftest import server_env

    with server_env():
        who = "node" if node else "python"
        for label, fault, n in (("20 ms API", "delay-ms=20", calls), ("loopback", "", calls * 10)):
            off: Dict[str, float] = {}
            on: Dict[str, float] = {}
            for _ in range(3):  # alternate so that machine load hits both sides alike
                for spin, acc in ((False, off), (True, on)):
                    r = measure(node, spin, n, fault)
                    for k, v in r.items():
                        acc[k] = min(acc.get(k, float("inf")), v)
            print(
                f"{who:6} {label:9} spin off: {off['cpu_us']:7.1f} µs CPU/call {off['wall_us']:8.1f} µs/call | "
                f"spin on: {on['cpu_us']:7.1f} µs CPU/call {on['wall_us']:8.1f} µs/call | "
                f"CPU on/off {on['cpu_us'] / off['cpu_us']:.2f}, latency on/off {on['wall_us'] / off['wall_us']:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1:])
