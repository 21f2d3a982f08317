"""Glue used by the native module."""

from __future__ import annotations

import asyncio
from typing import Any


def _resolve(fut: "asyncio.Future[Any]", ok: bool, value: Any) -> None:
    """Completes an awaitable on its event loop (scheduled with `call_soon_threadsafe`)."""
    if fut.done():  # cancelled meanwhile
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)
