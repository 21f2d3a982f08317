"""Chaos: a few hundred creates under random injected faults, half with idempotency keys.

No logical create may leave two records; a create is applied exactly when its fault lets the
server act on it; every failure is the typed exception of its fault. Seeded, so a failure replays.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Dict, List, Optional, Tuple, Type

import cadenya
from conftest import Server, agent_params, fault

SEED = 0xC4A05E
CREATES = 240
SHORT_TIMEOUT = 0.7
DELAY_MS = 1500

# fault name -> (header spec, applied when the faulted attempt fails: True/False/None = unknown)
FAULTS: Dict[str, Tuple[Optional[str], Optional[bool]]] = {
    "none": (None, True),
    "truncate": ("truncate", True),
    "malformed_json": ("malformed-json", True),
    "delay_past_timeout": (f"delay-ms={DELAY_MS}", None),
    "500": ("status=500;retry-after-ms=5", False),
    "503": ("status=503;retry-after-ms=5", False),
    "drop": ("drop", False),
    "429": ("status=429;retry-after-ms=5", False),
}


def expected(name: str, keyed: bool) -> Optional[Type[BaseException]]:
    """The exception a create under this fault raises, or None when the retry rules recover it."""
    if name in ("none", "429"):
        return None
    if name == "malformed_json":
        return cadenya.APIResponseValidationError
    if keyed:  # every other fault is retried when the create carries a key
        return None
    return {
        "truncate": cadenya.APIConnectionError,
        "drop": cadenya.APIConnectionError,
        "delay_past_timeout": cadenya.APITimeoutError,
        "500": cadenya.InternalServerError,
        "503": cadenya.InternalServerError,
    }[name]


def test_creates_under_random_faults_apply_at_most_once_with_typed_errors(server: Server) -> None:
    rng = random.Random(SEED)
    run = uuid.uuid4().hex[:8]
    plan = [(i, rng.choice(sorted(FAULTS)), rng.random() < 0.5) for i in range(CREATES)]
    client = cadenya.AsyncCadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id)

    async def create(i: int, kind: str, keyed: bool, sem: asyncio.Semaphore) -> object:
        spec, _ = FAULTS[kind]
        params = agent_params()
        params["metadata"]["name"] = f"chaos-{run}-{i}"
        async with sem:
            try:
                return await client.agents.create(
                    **params,
                    extra_headers=fault(spec + ";times=1") if spec else None,
                    idempotency_key=f"chaos-{run}-{i}" if keyed else None,
                    timeout=SHORT_TIMEOUT if kind == "delay_past_timeout" else None,
                )
            except cadenya.CadenyaError as e:
                return e

    async def main() -> List[object]:
        sem = asyncio.Semaphore(24)
        return await asyncio.gather(*(create(i, k, keyed, sem) for i, k, keyed in plan))

    results = asyncio.run(main())
    time.sleep((DELAY_MS + 300) / 1000)  # delayed creates the client gave up on may still land
    with cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id) as c:
        records: Dict[str, int] = {}
        for agent in c.agents.list(prefix=f"chaos-{run}-"):
            records[agent.metadata.name] = records.get(agent.metadata.name, 0) + 1

    failures: Dict[str, int] = {}
    for (i, kind, keyed), result in zip(plan, results):
        name = f"chaos-{run}-{i}"
        n = records.get(name, 0)
        what = f"{name} ({kind}, keyed={keyed})"
        assert n <= 1, f"{what} left {n} records"
        want = expected(kind, keyed)
        if want is None:
            assert not isinstance(result, Exception), f"{what} should have succeeded: {result!r}"
            assert n == 1, f"{what} succeeded but left no record"
        else:
            assert type(result) is want, f"{what} raised {result!r}, expected {want.__name__}"
            applied = FAULTS[kind][1]
            if applied is not None:
                assert n == int(applied), f"{what} failed and left {n} records"
            failures[f"{kind}/{want.__name__}"] = failures.get(f"{kind}/{want.__name__}", 0) + 1
    print(f"chaos: {CREATES} creates, {len(records)} records, typed failures {sorted(failures.items())}")
