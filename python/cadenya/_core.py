"""Glue used by the native module for async calls (see bindings/python/src/completion.rs).

Each event loop gets one completer: a queue of finished calls plus the read end of a socket pair
that a worker thread writes a byte to (it never touches Python). Where the loop has `add_reader`
(selector loops), the completer is that socket's reader callback. Windows' default proactor loop
has no `add_reader`, so there one reader task per loop awaits `loop.sock_recv` on a duplicate of
the socket and runs the completer after each wake-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import weakref
from typing import Any, List, Optional, Tuple

from . import _native

#: One completer per event loop, and the loop's reader task when it has no `add_reader`.
_by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Tuple[Any, Optional[_Reader]]]" = (
    weakref.WeakKeyDictionary()
)
#: The last loop used (a weak reference), its completer and its reader: most programs run one
#: loop at a time.
_last: List[Any] = [None, None, None]


def _forget() -> None:
    """In a forked child: its sockets must not be shared with the parent, so make new ones."""
    _by_loop.clear()
    _last[0] = _last[1] = _last[2] = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)


class _Reader:
    """The reader task of a loop without `add_reader`. The task may end (cancelled with the
    others when `asyncio.run` finishes, or by hand); the next call on the loop starts a new one.
    Only a weak reference is kept: while the task waits, the loop holds it, and this table must
    not keep a loop alive."""

    __slots__ = ("task",)

    def __init__(self) -> None:
        self.task: "Optional[weakref.ref[asyncio.Task[None]]]" = None

    def ensure(self, loop: asyncio.AbstractEventLoop, completer: Any) -> None:
        task = self.task() if self.task is not None else None
        if task is None or task.done():
            task = loop.create_task(_read(loop, completer), name="cadenya-completions")
            # A loop closed without cancelling its tasks drops this one quietly, as it drops a reader.
            with contextlib.suppress(AttributeError):
                task._log_destroy_pending = False  # type: ignore[attr-defined]
            self.task = weakref.ref(task)


async def _read(loop: asyncio.AbstractEventLoop, completer: Any) -> None:
    # A duplicate: closing it never closes the completer's own socket.
    sock = socket.socket(fileno=socket.dup(completer.fd))
    try:
        sock.setblocking(False)
        # Results queued while no reader ran (an earlier task was cancelled) are taken first.
        completer()
        while await loop.sock_recv(sock, 256):
            completer()
    except asyncio.CancelledError:
        # A cancelled receive may already have taken the wake-up byte: take what it announced.
        completer()
        raise
    finally:
        sock.close()


def _completer() -> "Tuple[Any, asyncio.Future[Any]]":
    """The completer of the running loop and a new future of that loop."""
    loop = asyncio.get_running_loop()
    last = _last[0]
    if last is not None and last() is loop:
        c, reader = _last[1], _last[2]
    else:
        entry = _by_loop.get(loop)
        if entry is None:
            c, reader = _native.Completer(), None
            try:
                loop.add_reader(c.fd, c)
            except NotImplementedError:
                reader = _Reader()
            entry = _by_loop[loop] = (c, reader)
        c, reader = entry
        _last[0], _last[1], _last[2] = weakref.ref(loop), c, reader
    if reader is not None:
        reader.ensure(loop, c)
    return c, loop.create_future()


def _resolve(fut: "asyncio.Future[Any]", ok: bool, value: Any) -> None:
    """Completes a call's future on its loop, unless it was cancelled meanwhile."""
    if fut.done():
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)
