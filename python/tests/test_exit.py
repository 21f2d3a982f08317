"""Programs that end while the SDK is busy exit cleanly: every mode of `exit_child.py` is run
as a fresh interpreter several times (42 runs in all) and every run must exit 0.

`python python/tests/exit_child.py --runs 200` is the long version of the same check.
"""

from __future__ import annotations

from conftest import Server
from exit_child import MODES, run_modes

RUNS_PER_MODE = 6


def test_short_lived_programs_always_exit_0(server: Server) -> None:
    env = {"CADENYA_API_KEY": server.api_key, "CADENYA_BASE_URL": server.base_url, "CADENYA_WORKSPACE_ID": server.workspace_id}
    bad = run_modes(env, RUNS_PER_MODE)
    assert bad == [], f"{len(bad)} of {RUNS_PER_MODE * len(MODES)} runs exited abnormally: {bad[:3]}"
