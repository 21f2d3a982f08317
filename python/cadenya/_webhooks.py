"""Webhook verification: `client.webhooks.verify / unwrap / unsafe_unwrap`."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional, Tuple, Union

from . import _native
from .types import UnsafeUnwrapWebhookEvent, UnwrapWebhookEvent

__all__ = ["Webhooks", "HeadersLike", "Payload"]

#: The raw request body, exactly as received.
Payload = Union[str, bytes, bytearray]
#: A dict or any mapping of request headers (Flask, Django, Starlette…), or (name, value) pairs.
HeadersLike = Union[Mapping[str, str], Mapping[str, bytes], Iterable[Tuple[str, str]], Any]


class Webhooks:
    """Standard Webhooks verification with the client's secret (`webhook_secret`,
    `CADENYA_WEBHOOK_SECRET`, then `CADENYA_WEBHOOK_KEY`) unless one is passed.

    Header names are matched ignoring case; the timestamp must be within 5 minutes of now.
    Failures raise `WebhookVerificationError` whose `kind` names the failed check.
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
            v = self._by_secret[secret] = _native.NativeWebhook(secret)
        return v

    def verify(self, payload: Payload, headers: HeadersLike, secret: Optional[str] = None, *, _now: Optional[float] = None) -> None:
        """Raises `WebhookVerificationError` unless the delivery is authentic and fresh."""
        self._verifier(secret, _now).verify(payload, headers)

    def unwrap(
        self, payload: Payload, headers: HeadersLike, secret: Optional[str] = None, *, _now: Optional[float] = None
    ) -> UnwrapWebhookEvent:
        """Verifies the delivery, then returns the typed event."""
        return UnwrapWebhookEvent._wrap(self._verifier(secret, _now).unwrap(payload, headers))

    def unsafe_unwrap(self, payload: Payload) -> UnsafeUnwrapWebhookEvent:
        """Decodes a delivery WITHOUT verifying it: only for payloads already known to be authentic."""
        return UnsafeUnwrapWebhookEvent._wrap(_native.unsafe_unwrap_json(payload))
