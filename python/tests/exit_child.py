"""Short-lived programs that end while the SDK is busy, run many times to count abnormal exits.

    python python/tests/exit_child.py --runs 200     # from the repository root: 200 runs per mode

Each mode is a small program a user could write (an asyncio script with or without `close()`,
threads, sync calls, daemon threads still calling, `os.fork()` children, a loop closed with
calls in flight). `run_modes` starts each as a fresh interpreter against a running local
server and returns the runs that did not exit 0 (a signal shows as a negative code).
`tests/test_exit.py` runs it in CI; the command above is the long version.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Tuple

import cadenya

MODES = ("async_close", "async_no_close", "async_loop_closed", "threads", "sync", "daemon_threads", "fork")
CONCURRENCY = 32
#: A delay fault keeps some calls in flight while the program ends.
SLOW = {"x-cadenya-fault": "delay-ms=30"}


def _kw() -> Dict[str, str]:
    return {k: os.environ[f"CADENYA_{k.upper()}"] for k in ("api_key", "base_url", "workspace_id")}


async def _gather(c: cadenya.AsyncCadenya, per_task: int) -> None:
    async def work() -> None:
        for _ in range(per_task):
            await c.account.retrieve()

    await asyncio.gather(*(work() for _ in range(CONCURRENCY)))


async def _async_main(close: bool) -> None:
    c = cadenya.AsyncCadenya(**_kw())
    await _gather(c, 5)
    # Calls still in flight when `asyncio.run` ends: it cancels them.
    for _ in range(8):
        asyncio.ensure_future(c.account.retrieve(extra_headers=SLOW))
    await asyncio.sleep(0.005)
    if close:
        await c.close()


def _loop_closed() -> None:
    """Closes an event loop whose calls are still running, then exits while they complete."""
    c = cadenya.AsyncCadenya(**_kw())
    loop = asyncio.new_event_loop()
    loop.run_until_complete(_gather(c, 2))
    tasks = [loop.create_task(c.account.retrieve(extra_headers=SLOW)) for _ in range(8)]
    loop.run_until_complete(asyncio.sleep(0.005))
    for t in tasks:
        t.cancel()
    loop.run_until_complete(asyncio.sleep(0))
    for _ in range(4):  # uncancelled futures whose answers arrive after close
        loop.call_soon(lambda: asyncio.ensure_future(c.account.retrieve(extra_headers=SLOW)))
    loop.run_until_complete(asyncio.sleep(0.001))
    loop.close()
    time.sleep(0.05)


def _threads(daemon: bool) -> None:
    c = cadenya.Cadenya(**_kw())

    def work() -> None:
        for i in range(10**9 if daemon else 5):
            c.account.retrieve(extra_headers=SLOW if daemon and i % 2 else None)

    ts = [threading.Thread(target=work, daemon=daemon) for _ in range(8)]
    for t in ts:
        t.start()
    if daemon:
        time.sleep(0.08)  # exit with the daemon threads mid-call
    else:
        for t in ts:
            t.join()


def _fork() -> int:
    c = cadenya.Cadenya(**_kw())
    ac = cadenya.AsyncCadenya(**_kw())
    c.account.retrieve()
    asyncio.run(_gather(ac, 1))
    pids = []
    for i in range(3):
        pid = os.fork()
        if pid == 0:
            # The child ends through normal interpreter exit, with async calls in flight.
            c.account.retrieve()
            asyncio.run(_async_main(close=i % 2 == 0))
            sys.exit(0)
        pids.append(pid)
    bad = 0
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            print(f"fork child exit status {status}", file=sys.stderr)
            bad += 1
    return 1 if bad else 0


def child(mode: str) -> int:
    if mode in ("async_close", "async_no_close"):
        asyncio.run(_async_main(close=mode == "async_close"))
    elif mode == "async_loop_closed":
        _loop_closed()
    elif mode in ("threads", "daemon_threads"):
        _threads(daemon=mode == "daemon_threads")
    elif mode == "sync":
        with cadenya.Cadenya(**_kw()) as c:
            for _ in range(20):
                c.account.retrieve()
    elif mode == "fork":
        return _fork()
    else:
        raise SystemExit(f"unknown mode {mode}")
    return 0


def run_modes(env: Dict[str, str], runs: int, modes: Tuple[str, ...] = MODES, parallel: int = 2) -> List[Tuple[str, int, str]]:
    """Runs each mode `runs` times (`parallel` at once); returns (mode, exit code, stderr tail) of
    every run that did not exit 0."""
    full = {**os.environ, **env}
    queue = [m for m in modes for _ in range(runs)]
    bad: List[Tuple[str, int, str]] = []
    running: List[Tuple[str, "subprocess.Popen[bytes]"]] = []
    while queue or running:
        while queue and len(running) < parallel:
            m = queue.pop()
            p = subprocess.Popen([sys.executable, __file__, "--child", m], env=full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            running.append((m, p))
        m, p = running.pop(0)
        _, err = p.communicate(timeout=60)
        if p.returncode != 0:
            bad.append((m, p.returncode, err.decode(errors="replace")[-500:]))
    return bad


def _main(argv: List[str]) -> int:
    if argv[:1] == ["--child"]:
        return child(argv[1])
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 200
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from conftest import server_env  # the test suite's server launcher

    with server_env() as env:
        t0 = time.monotonic()
        bad = run_modes(env, runs)
        took = time.monotonic() - t0
    for m in MODES:
        n = sum(1 for b in bad if b[0] == m)
        print(f"{m:18} {runs - n}/{runs} exited 0")
    for m, code, err in bad[:5]:
        print(f"--- {m}: exit {code}\n{err}")
    print(f"{len(bad)} abnormal exits in {runs * len(MODES)} runs ({took:.0f} s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
