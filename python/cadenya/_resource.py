"""Bases of the generated resource classes and the small helpers their methods use."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, List, Mapping, Optional, Tuple

from ._exceptions import InvalidRequestError
from ._models import _enc_datetime


class SyncAPIResource:
    """Holds the native client; `_call` blocks (GIL released) until the call completes."""

    def __init__(self, native: Any) -> None:
        self._native = native
        self._call = native.call


class AsyncAPIResource:
    """Holds the native client; `_call(..., raw, True)` returns an awaitable of the running loop."""

    def __init__(self, native: Any) -> None:
        self._native = native
        self._call = native.call


_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def _dumps(body: Any) -> str:
    """A request body as the JSON text the native client sends."""
    try:
        return _encode(body)
    except (TypeError, ValueError, RecursionError) as e:
        raise InvalidRequestError(f"the request body cannot be sent as JSON: {e}") from None


def _none(_: Any) -> None:
    return None


def _identity(v: Any) -> Any:
    return v


Opts = Tuple[Optional[float], Optional[float], Optional[List[Tuple[str, str]]], Optional[List[Tuple[str, str]]], Optional[str]]


def _opts(
    headers: Optional[Mapping[str, str]],
    query: Optional[Mapping[str, str]],
    timeout: Optional[float],
    max_retries: Optional[int],
    idempotency_key: Optional[str],
) -> Opts:
    """Per-call options in the shape the native client takes."""
    return (
        None if timeout is None else float(timeout),
        max_retries,
        None if headers is None else list(headers.items()),
        None if query is None else list(query.items()),
        idempotency_key,
    )


def _qv(v: Any) -> str:
    """A query value as the wire writes it: booleans lower-case, arrays comma-separated."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return str(_enc_datetime(v))
    if isinstance(v, (list, tuple)):
        return ",".join(_qv(x) for x in v)
    return str(v)
