"""Glue used by the native module for async calls (see bindings/python/src/completion.rs)."""

from __future__ import annotations

import asyncio
import os
import weakref
from typing import Any, List, Tuple

from . import _native

#: One completer per event loop, registered as the reader of its wake-up socket.
_by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any]" = weakref.WeakKeyDictionary()
#: The last loop used (a weak reference) and its completer: most programs run one loop at a time.
_last: List[Any] = [None, None]


def _forget() -> None:
    """In a forked child: its sockets must not be shared with the parent, so make new ones."""
    _by_loop.clear()
    _last[0] = _last[1] = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)


def _completer() -> "Tuple[Any, asyncio.Future[Any]]":
    """The completer of the running loop and a new future of that loop."""
    loop = asyncio.get_running_loop()
    last = _last[0]
    if last is not None and last() is loop:
        c = _last[1]
    else:
        c = _by_loop.get(loop)
        if c is None:
            c = _by_loop[loop] = _native.Completer()
            loop.add_reader(c.fd, c)
        _last[0], _last[1] = weakref.ref(loop), c
    return c, loop.create_future()


def _resolve(fut: "asyncio.Future[Any]", ok: bool, value: Any) -> None:
    """Completes a call's future on its loop, unless it was cancelled meanwhile."""
    if fut.done():
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)
