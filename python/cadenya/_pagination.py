"""Cursor pages: one page at a time, or every item lazily (`for` / `async for`)."""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable, Generator, Generic, Iterator, List, Optional, Tuple, TypeVar

T = TypeVar("T")

__all__ = ["SyncCursorPage", "AsyncCursorPage", "AsyncPaginator"]


class SyncCursorPage(Generic[T]):
    """One page of a list. Iterating it walks this page and every page after it, fetching lazily."""

    __slots__ = ("_native", "_wrap", "_items")

    def __init__(self, native: Any, wrap: Callable[[Any], T]) -> None:
        self._native = native
        self._wrap = wrap
        self._items: Optional[List[T]] = None

    @staticmethod
    def _parser(wrap: Callable[[Any], T]) -> Callable[[Any], "SyncCursorPage[T]"]:
        return lambda native: SyncCursorPage(native, wrap)

    @property
    def items(self) -> List[T]:
        """The items of this page only."""
        if self._items is None:
            w = self._wrap
            self._items = [w(d) for d in self._native.items]
        return self._items

    @property
    def next_cursor(self) -> Optional[str]:
        return self._native.next_cursor  # type: ignore[no-any-return]

    def has_next_page(self) -> bool:
        return self._native.has_next_page  # type: ignore[no-any-return]

    def next_page(self) -> Optional["SyncCursorPage[T]"]:
        """The next page, or None after the last one."""
        n = self._native.next_page()
        return None if n is None else SyncCursorPage(n, self._wrap)

    def get_next_page(self) -> "SyncCursorPage[T]":
        """The next page; raises `RuntimeError` after the last one (as the official SDKs do)."""
        page = self.next_page()
        if page is None:
            raise RuntimeError("No next page expected; check `has_next_page()` first")
        return page

    def iter_pages(self) -> Iterator["SyncCursorPage[T]"]:
        """This page and every page after it."""
        page: Optional[SyncCursorPage[T]] = self
        while page is not None:
            yield page
            page = page.next_page()

    def __iter__(self) -> Iterator[T]:
        native = self._native
        w = self._wrap
        while True:
            for d in native.items:
                yield w(d)
            if not native.has_next_page:
                return
            native = native.next_page()
            if native is None:
                return

    def __repr__(self) -> str:
        return f"SyncCursorPage(items={len(self._native.items)}, next_cursor={self.next_cursor!r})"


class AsyncCursorPage(Generic[T]):
    """One page of a list on the async client; `async for` walks every item of every page."""

    __slots__ = ("_native", "_wrap", "_items")

    def __init__(self, native: Any, wrap: Callable[[Any], T]) -> None:
        self._native = native
        self._wrap = wrap
        self._items: Optional[List[T]] = None

    @staticmethod
    def _parser(wrap: Callable[[Any], T]) -> Callable[[Any], "AsyncCursorPage[T]"]:
        return lambda native: AsyncCursorPage(native, wrap)

    @property
    def items(self) -> List[T]:
        """The items of this page only."""
        if self._items is None:
            w = self._wrap
            self._items = [w(d) for d in self._native.items]
        return self._items

    @property
    def next_cursor(self) -> Optional[str]:
        return self._native.next_cursor  # type: ignore[no-any-return]

    def has_next_page(self) -> bool:
        return self._native.has_next_page  # type: ignore[no-any-return]

    async def next_page(self) -> Optional["AsyncCursorPage[T]"]:
        """The next page, or None after the last one."""
        n = await self._native.next_page(True)
        return None if n is None else AsyncCursorPage(n, self._wrap)

    async def get_next_page(self) -> "AsyncCursorPage[T]":
        """The next page; raises `RuntimeError` after the last one (as the official SDKs do)."""
        page = await self.next_page()
        if page is None:
            raise RuntimeError("No next page expected; check `has_next_page()` first")
        return page

    async def iter_pages(self) -> AsyncIterator["AsyncCursorPage[T]"]:
        """This page and every page after it."""
        page: Optional[AsyncCursorPage[T]] = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def _all(self) -> AsyncIterator[T]:
        native = self._native
        w = self._wrap
        while True:
            for d in native.items:
                yield w(d)
            if not native.has_next_page:
                return
            native = await native.next_page(True)
            if native is None:
                return

    def __aiter__(self) -> AsyncIterator[T]:
        return self._all()

    def __repr__(self) -> str:
        return f"AsyncCursorPage(items={len(self._native.items)}, next_cursor={self.next_cursor!r})"


class AsyncPaginator(Generic[T]):
    """What a list method of the async client returns: `await` it for the first page, or
    `async for` over it for every item of every page. Nothing is sent until then."""

    __slots__ = ("_call", "_args", "_wrap")

    def __init__(self, call: Callable[..., Awaitable[Any]], args: Tuple[Any, ...], wrap: Callable[[Any], T]) -> None:
        self._call = call
        self._args = args
        self._wrap = wrap

    async def _first(self) -> AsyncCursorPage[T]:
        return AsyncCursorPage(await self._call(*self._args), self._wrap)

    def __await__(self) -> Generator[Any, None, AsyncCursorPage[T]]:
        return self._first().__await__()

    async def _all(self) -> AsyncIterator[T]:
        page = await self._first()
        async for item in page:
            yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self._all()
