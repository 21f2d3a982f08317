"""Webhook verification: `client.webhooks.verify / unwrap / unsafe_unwrap`."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _native
from .types import UnsafeUnwrapWebhookEvent, UnwrapWebhookEvent

__all__ = ["Webhooks", "HeadersLike", "Payload"]

#: The raw request body, exactly as received.
Payload = Union[str, bytes, bytearray]
#: A dict or any mapping of request headers (Flask, Django, Starlette…), or (name, value) pairs.
HeadersLike = Union[Mapping[str, str], Mapping[str, bytes], Iterable[Tuple[str, str]], Any]

_NAMES = ("webhook-id", "webhook-timestamp", "webhook-signature")


def _bytes(v: Any, what: str) -> bytes:
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode()
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    raise TypeError(f"{what} must be str or bytes")


def _text(v: Any) -> str:
    return v if isinstance(v, str) else _bytes(v, "a header value").decode("latin-1")


def _headers(headers: Any) -> List[Tuple[str, str]]:
    """The three Standard Webhooks headers of any mapping or pair list: the exact lower-case key
    first, through the mapping's own `get` (case-insensitive for Starlette, Django, Werkzeug
    headers), then the first key equal to it ignoring case, in iteration order."""
    found: Dict[str, str] = {}
    get = getattr(headers, "get", None)
    if get is not None:
        for name in _NAMES:
            v = get(name)
            if v is not None:
                found[name] = _text(v)
    if len(found) < len(_NAMES):
        items = headers.items() if hasattr(headers, "items") else headers
        for k, v in items:
            name = _text(k).lower()
            if name in _NAMES and name not in found:
                found[name] = _text(v)
    return list(found.items())


class Webhooks:
    """Standard Webhooks verification with the client's secret (`webhook_secret`,
    `CADENYA_WEBHOOK_SECRET`, then `CADENYA_WEBHOOK_KEY`) unless one is passed.

    Header names are matched ignoring case; the timestamp must be within 5 minutes of now.
    Failures raise `WebhookVerificationError` whose `detail` names the failed check.
    """

    __slots__ = ("_native", "_default", "_by_secret")

    def __init__(self, native: Any) -> None:
        self._native = native
        self._default: Any = None
        self._by_secret: Dict[str, Any] = {}

    def _verifier(self, secret: Optional[str], now: Optional[float]) -> Any:
        if now is not None:  # tests: a fixed clock
            return self._native.webhook(secret, float(now))
        if secret is None:
            v = self._default
            if v is None:
                v = self._default = self._native.webhook(None, None)
            return v
        v = self._by_secret.get(secret)
        if v is None:
            if len(self._by_secret) >= 16:
                self._by_secret.clear()
            v = self._by_secret[secret] = self._native.webhook(secret, None)
        return v

    def verify(self, payload: Payload, headers: HeadersLike, secret: Optional[str] = None, *, _now: Optional[float] = None) -> None:
        """Raises `WebhookVerificationError` unless the delivery is authentic and fresh."""
        self._verifier(secret, _now).verify(_bytes(payload, "payload"), _headers(headers), False)

    def unwrap(
        self, payload: Payload, headers: HeadersLike, secret: Optional[str] = None, *, _now: Optional[float] = None
    ) -> UnwrapWebhookEvent:
        """Verifies the delivery and that it is the webhook envelope, then returns the typed event."""
        body = _bytes(payload, "payload")
        self._verifier(secret, _now).verify(body, _headers(headers), True)
        return UnwrapWebhookEvent._wrap(json.loads(body))

    def unsafe_unwrap(self, payload: Payload) -> UnsafeUnwrapWebhookEvent:
        """Decodes a delivery WITHOUT verifying it: only for payloads already known to be authentic."""
        body = _bytes(payload, "payload")
        _native.check_envelope(body)
        return UnsafeUnwrapWebhookEvent._wrap(json.loads(body))
