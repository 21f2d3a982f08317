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


Opts = Tuple[Optional[float], Optional[float], List[Tuple[str, str]], List[Tuple[str, str]], Optional[str], Optional[str]]


def _opts(
    headers: Optional[Mapping[str, str]],
    query: Optional[Mapping[str, str]],
    timeout: Optional[float],
    max_retries: Optional[int],
    idempotency_key: Optional[str],
    extra_body: Optional[Mapping[str, Any]] = None,
) -> Opts:
    """Per-call options in the shape the native client takes (`extra_body` as JSON text: the
    core merges it into the body after checking the method's own fields)."""
    if extra_body is not None and not isinstance(extra_body, Mapping):
        raise InvalidRequestError("extra_body must be a mapping of JSON body fields")
    return (
        None if timeout is None else float(timeout),
        max_retries,
        [] if headers is None else list(headers.items()),
        [] if query is None else list(query.items()),
        idempotency_key,
        None if extra_body is None else _dumps(dict(extra_body)),
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
