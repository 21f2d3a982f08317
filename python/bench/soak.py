"""Soak: 10^5 calls sequential, then 10^5 calls 64-way concurrent (asyncio), watching memory
and file descriptors.

    python3 python/bench/soak.py [--calls 100000]     # needs `cadenya` importable (Linux: /proc)

Prints RSS and open fds after the first 10 % (10^4 calls) of each phase and at its end; both
must stay flat in each phase: RSS within 5 MB of the value after its first 10^4 calls, and at
most 2 more fds (a pooled connection being replaced; a leak grows with the calls, by thousands).
The concurrent phase starts higher than the sequential one ended (64 calls in flight need more
buffers and connections); that step is printed, not judged. The server is
`CADENYA_BASE_URL`/`CADENYA_API_KEY`/`CADENYA_WORKSPACE_ID` when set, else a fresh
`cadenya-server`. Exits 1 when either grows. Not part of the test suite.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import List, Tuple

import cadenya

CONCURRENCY = 64


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def main(argv: List[str]) -> int:
    calls = int(argv[argv.index("--calls") + 1]) if "--calls" in argv else 100_000
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from conftest import server_env

    marks: List[Tuple[str, float, int]] = []
    with server_env() as env:
        kw = {k: env[f"CADENYA_{k.upper()}"] for k in ("api_key", "base_url", "workspace_id")}
        c = cadenya.Cadenya(**kw)
        t0 = time.monotonic()
        for i in range(calls):
            c.account.retrieve()
            if i + 1 == calls // 10:
                marks.append(("sequential, first 10%", rss_mb(), fds()))
        marks.append(("sequential, end", rss_mb(), fds()))
        seq_s = time.monotonic() - t0

        async def concurrent() -> None:
            ac = cadenya.AsyncCadenya(**kw)
            done = 0

            async def lane(n: int) -> None:
                nonlocal done
                for _ in range(n):
                    await ac.account.retrieve()
                    done += 1
                    if done == calls // 10:
                        marks.append(("concurrent, first 10%", rss_mb(), fds()))

            await asyncio.gather(*(lane(calls // CONCURRENCY) for _ in range(CONCURRENCY)))
            await ac.close()

        t1 = time.monotonic()
        asyncio.run(concurrent())
        marks.append(("concurrent, end", rss_mb(), fds()))
        conc_s = time.monotonic() - t1
    for name, rss, n in marks:
        print(f"{name:22} RSS {rss:7.1f} MB  fds {n}")
    ok = True
    for phase in ("sequential", "concurrent"):
        (_, r0, f0), (_, r1, f1) = [m for m in marks if m[0].startswith(phase)]
        print(f"{phase}: RSS {r1 - r0:+.1f} MB, fds {f1 - f0:+d} from its first 10% to its end")
        ok = ok and r1 - r0 <= 5 and f1 - f0 <= 2
    print(f"end against the first 10^4 sequential calls (the step to 64 in flight): RSS {marks[-1][1] - marks[0][1]:+.1f} MB")
    print(f"{calls} sequential calls in {seq_s:.1f} s, {calls} {CONCURRENCY}-way concurrent in {conc_s:.1f} s")
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
