"""Raw responses: `client.<resource>.with_raw_response.<method>(...)`."""

from __future__ import annotations

from typing import Any, Callable, Dict, Generic, List, Optional, Tuple, TypeVar

T = TypeVar("T")

__all__ = ["APIResponse"]


class APIResponse(Generic[T]):
    """A successful response: status, headers, request id and the parsed value (`parse()`)."""

    __slots__ = ("status_code", "headers", "request_id", "_value", "_parser", "_parsed")

    status_code: int
    #: Response headers, names lower-case (repeated headers joined with ", ").
    headers: Dict[str, str]
    #: The `x-request-id` header: quote it when contacting support.
    request_id: Optional[str]

    def __init__(self, raw: Tuple[int, List[Tuple[str, str]], Optional[str], Any], parser: Callable[[Any], T]) -> None:
        status, headers, request_id, value = raw
        self.status_code = status
        hdrs: Dict[str, str] = {}
        for k, v in headers:
            hdrs[k] = f"{hdrs[k]}, {v}" if k in hdrs else v
        self.headers = hdrs
        self.request_id = request_id
        self._value = value
        self._parser = parser
        self._parsed: Any = _UNSET

    def parse(self) -> T:
        """The value the plain method would have returned."""
        if self._parsed is _UNSET:
            self._parsed = self._parser(self._value)
        return self._parsed  # type: ignore[no-any-return]

    @property
    def data(self) -> T:
        """Same as `parse()`."""
        return self.parse()

    def __repr__(self) -> str:
        return f"APIResponse(status_code={self.status_code}, request_id={self.request_id!r})"


_UNSET: Any = object()
