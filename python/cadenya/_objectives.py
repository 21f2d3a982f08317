"""The event streams of `client.objectives.follow_events(...)` (sync and async)."""

from __future__ import annotations

from typing import Any, AsyncIterator, Iterator, Optional

from .types import ObjectiveListEventsResponse

__all__ = ["EventStream", "AsyncEventStream"]


class _Stream:
    __slots__ = ("_native",)

    def __init__(self, native: Any) -> None:
        self._native = native

    @property
    def last_event_id(self) -> Optional[str]:
        """The id of the last event delivered: resume with `follow_events(id, after_event_id=...)`."""
        return self._native.last_event_id  # type: ignore[no-any-return]


class EventStream(_Stream):
    """An objective's events, oldest first, each once: iterate with `for`."""

    __slots__ = ()

    def __iter__(self) -> Iterator[ObjectiveListEventsResponse]:
        return self

    def __next__(self) -> ObjectiveListEventsResponse:
        event = self._native.next()
        if event is None:
            raise StopIteration
        return ObjectiveListEventsResponse._wrap(event)


class AsyncEventStream(_Stream):
    """An objective's events, oldest first, each once: iterate with `async for`."""

    __slots__ = ()

    def __aiter__(self) -> AsyncIterator[ObjectiveListEventsResponse]:
        return self

    async def __anext__(self) -> ObjectiveListEventsResponse:
        event = await self._native.next(True)
        if event is None:
            raise StopAsyncIteration
        return ObjectiveListEventsResponse._wrap(event)
