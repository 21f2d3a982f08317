"""Side-by-side benchmark of this package against the official Python SDKs from PyPI.

    python3 python/bench/bench.py            # from the repository root; takes a few minutes

    CADENYA_BENCH_BEFORE_WHEEL=old.whl CADENYA_BENCH_ONLY=ours,before python3 python/bench/bench.py
                                             # this tree against an earlier wheel of ours, one run

It creates one virtualenv per contender under ${CADENYA_CACHE:-target}/python-bench/:
`ours` (`pip install ./python`, a release build), `cadenya==0.9.0` (Stainless: httpx + pydantic,
sync and async), `cadenya==1.8.0` (httpx + dataclasses, sync only) and `standardwebhooks`;
builds and starts the local server in release mode, seeds it, then runs every case in a fresh
process of each virtualenv (python/bench/worker.py). Each case checks the answer before timing.
Not part of the test suite.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "python" / "bench" / "worker.py"
CACHE = Path(os.environ.get("CADENYA_CACHE", ROOT / "target")) / "python-bench"

CONTENDERS = {
    "ours": None,  # pip install ./python
    "v090": "cadenya==0.9.0",
    "v180": "cadenya==1.8.0",
    "sw": "standardwebhooks==1.1.0",
}
BEFORE_WHEEL = os.environ.get("CADENYA_BENCH_BEFORE_WHEEL")
if BEFORE_WHEEL:  # an earlier build of ours, run by the same worker code as "ours"
    CONTENDERS["before"] = BEFORE_WHEEL
ONLY = [n for n in os.environ.get("CADENYA_BENCH_ONLY", "").split(",") if n]
if ONLY:
    CONTENDERS = {k: v for k, v in CONTENDERS.items() if k in ONLY}
LABEL = {"before": "ours (before)", "ours": "ours", "v090": "cadenya 0.9.0", "v180": "cadenya 1.8.0", "sw": "standardwebhooks", "raw": "stdlib http.client"}


def sh(cmd: List[str], **kw: Any) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run(cmd, check=True, **kw)


def venv(name: str) -> Path:
    path = CACHE / f"venv-{name}"
    py = path / "bin" / "python"
    if not py.exists():
        sh([sys.executable, "-m", "venv", str(path)])
    pip = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    spec = CONTENDERS[name]
    if spec is None:
        print("  building ours (pip install ./python, release)…", flush=True)
        sh([*pip, "--force-reinstall", "--no-deps", str(ROOT / "python")])
    elif name == "before":
        sh([*pip, "--force-reinstall", "--no-deps", spec])
    else:
        sh([*pip, spec])
    return py


def target_dir() -> Path:
    out = sh(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT, capture_output=True, text=True)
    return Path(json.loads(out.stdout)["target_directory"])


def start_server() -> "tuple[subprocess.Popen[str], Dict[str, str]]":
    binary = os.environ.get("CADENYA_SERVER_BIN")
    if not binary:
        sh(["cargo", "build", "-q", "--release", "-p", "cadenya-server"], cwd=ROOT)
        binary = str(target_dir() / "release" / "cadenya-server")
    proc = subprocess.Popen([binary, "--port", "0", "--step-delay-ms", "2", "--exit-on-stdin-close"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


SEED = """
import json, sys, cadenya
cfg = json.loads(sys.argv[1])
c = cadenya.Cadenya(api_key=cfg["api_key"], base_url=cfg["base_url"], workspace_id=cfg["workspace_id"])
spec = {"status": "AGENT_STATUS_DRAFT", "variation_selection_mode": "VARIATION_SELECTION_MODE_RANDOM", "description": "benchmark agent"}
one = c.agents.create(metadata={"name": "bench-one", "labels": {"team": "bench"}}, spec=spec)
for i in range(cfg["total"]):
    c.agents.create(metadata={"name": f"{cfg['prefix']}{i:04d}", "labels": {"team": "bench"}}, spec=spec)
print(one.metadata.id)
"""


def webhook_case(secret: str) -> Dict[str, Any]:
    body = {"type": "objective_event.assistant_message", "timestamp": "2026-01-01T00:00:00Z", "data": {"text": "x" * 1900}}
    payload = json.dumps(body)
    assert 1900 < len(payload) < 2100
    ts = int(time.time())
    key = base64.b64decode(secret[len("whsec_"):])
    sig = base64.b64encode(hmac.new(key, f"msg_bench.{ts}.{payload}".encode(), hashlib.sha256).digest()).decode()
    headers = {"webhook-id": "msg_bench", "webhook-timestamp": str(ts), "webhook-signature": f"v1,{sig}"}
    return {"payload": payload, "headers": headers, "secret": secret}


def worker_sdk(sdk: str) -> str:
    return "ours" if sdk == "before" else sdk


def run(py: Path, sdk: str, case: str, cfg: Dict[str, Any]) -> Dict[str, Any]:
    out = subprocess.run([str(py), str(WORKER), sdk, case, json.dumps(cfg)], capture_output=True, text=True, cwd="/")
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
    except (IndexError, json.JSONDecodeError):
        return {"ok": False, "error": (out.stderr or out.stdout)[-400:]}


def main() -> int:
    CACHE.mkdir(parents=True, exist_ok=True)
    print("Preparing virtualenvs…", flush=True)
    pys = {name: venv(name) for name in CONTENDERS}
    proc, info = start_server()
    try:
        cfg: Dict[str, Any] = dict(info)
        cfg["prefix"] = f"bench-{uuid.uuid4().hex[:6]}-"
        cfg["total"] = 1000  # 50 pages of 20
        print("Seeding the local server…", flush=True)
        cfg["agent_id"] = sh([str(pys["ours"]), "-c", SEED, json.dumps(cfg)], capture_output=True, text=True).stdout.strip()
        results: Dict[str, Dict[str, Dict[str, Any]]] = {}
        for case, sdks in [
            ("seq", ["ours", "before", "v090", "v180", "raw"]),
            ("async32", ["ours", "before", "v090", "v180"]),
            ("threads32", ["ours", "before", "v090", "v180"]),
            ("paginate", ["ours", "before", "v090", "v180", "raw"]),
            ("webhook", ["ours", "before", "sw"]),
        ]:
            print(f"  {case}…", flush=True)
            results[case] = {}
            for sdk in [s for s in sdks if s in pys or s == "raw"]:
                c = dict(cfg, **webhook_case(info["webhook_secret"])) if case == "webhook" else cfg
                results[case][sdk] = run(pys["ours" if sdk == "raw" else sdk], worker_sdk(sdk), case, c)
        print("  import…", flush=True)
        results["import"] = {}
        for sdk in [s for s in ["ours", "before", "v090", "v180"] if s in pys]:
            runs = [run(pys[sdk], worker_sdk(sdk), "import", cfg) for _ in range(7)]
            ok = [r for r in runs if r.get("ok")]
            if not ok:
                results["import"][sdk] = runs[0]
                continue
            results["import"][sdk] = {
                "ok": True,
                "value": min(r["value"] for r in ok),
                "unit": "ms",
                "rss_mb": statistics.median(r["rss_mb"] for r in ok),
                "rss_delta_mb": statistics.median(r["rss_delta_mb"] for r in ok),
            }
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=10)
    return report(results)


FLOORS = {("seq", "v090"): 3.0, ("async32", "v090"): 10.0, ("paginate", "v090"): 10.0, ("webhook", "sw"): 4.0}


def report(results: Dict[str, Dict[str, Dict[str, Any]]]) -> int:
    print()
    print(f"{'case':<12} {'contender':<17} {'result':>22}   {'ratio (them/ours)':>17}   floor")
    failed = 0
    rows = [(c, r) for c, r in results.items()]
    for case, by_sdk in rows:
        ours = by_sdk.get("ours", {})
        for sdk, r in by_sdk.items():
            if not r.get("ok"):
                print(f"{case:<12} {LABEL[sdk]:<17} {'FAILED: ' + r.get('error', '?')[:60]}")
                failed += 1
                continue
            if r["value"] is None:
                print(f"{case:<12} {LABEL[sdk]:<17} {r['unit']:>22}")
                continue
            text = f"{r['value']:.2f} {r['unit']}"
            ratio = ""
            floor = ""
            if sdk not in ("ours", "raw", "before") and ours.get("ok") and ours.get("value"):
                x = r["value"] / ours["value"]
                ratio = f"{x:.1f}×"
                need = FLOORS.get((case, sdk), 1.0 if sdk == "v180" else None)
                if need is not None:
                    met = x >= need if need > 1 else x > 1
                    floor = f"{'≥' if need > 1 else '>'}{need:g}× {'met' if met else 'MISSED'}"
                    failed += 0 if met else 1
            if sdk == "before" and ours.get("ok") and ours.get("value"):
                ratio = f"{r['value'] / ours['value']:.2f}× (before/after)"
            if sdk == "raw" and ours.get("ok") and ours.get("value"):
                ratio = f"{r['value'] / ours['value']:.1f}× (reference)"
            print(f"{case:<12} {LABEL[sdk]:<17} {text:>22}   {ratio:>17}   {floor}")
        if case == "import":
            for sdk, r in by_sdk.items():
                if r.get("ok"):
                    line = f"{'memory':<12} {LABEL[sdk]:<17} {r['rss_mb']:>13.1f} MB RSS   (+{r['rss_delta_mb']:.1f} MB by the import)"
                    if sdk == "v180" and ours.get("ok"):
                        met = ours["rss_mb"] < r["rss_mb"]
                        line += f"   lower than 1.8.0: {'met' if met else 'MISSED'}"
                        failed += 0 if met else 1
                    print(line)
    print()
    print("all floors met" if failed == 0 else f"{failed} floor(s) missed or case(s) failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
