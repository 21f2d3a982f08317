"""The exceptions of the Cadenya SDK.

```
CadenyaError
├── APIError                    the API answered with a non-2xx status (other statuses use it directly)
│   ├── BadRequestError             400
│   ├── AuthenticationError         401
│   ├── PermissionDeniedError       403
│   ├── NotFoundError               404
│   ├── ConflictError               409
│   ├── UnprocessableEntityError    422
│   ├── RateLimitError              429
│   └── InternalServerError         5xx
├── APIConnectionError          the request could not be sent or the response could not be read
│   └── APITimeoutError             an attempt took longer than the timeout
├── APIResponseValidationError  a 2xx response was not the JSON the operation returns
├── WebhookVerificationError    a webhook failed verification (`kind` says which check)
├── InvalidRequestError         (also a ValueError) refused before sending: empty id, bad option…
└── ConfigurationError          (also a ValueError) the client could not be configured
```

Every exception has `message`, `status_code`, `request_id`, `body` and `headers` (None where
they do not apply). Messages and attributes never contain the API key or a webhook secret.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

__all__ = [
    "CadenyaError",
    "APIError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "WebhookVerificationError",
    "InvalidRequestError",
    "ConfigurationError",
]


class CadenyaError(Exception):
    """Base class of every error raised by the SDK."""

    message: str
    status_code: Optional[int]
    request_id: Optional[str]
    body: Optional[str]
    headers: Optional[Dict[str, str]]

    def __init__(
        self,
        message: str,
        *,
        status_code: Optional[int] = None,
        request_id: Optional[str] = None,
        body: Optional[str] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.body = body
        self.headers = headers

    def __str__(self) -> str:
        return self.message


class APIError(CadenyaError):
    """The API answered with a non-2xx status.

    `code` and `details` are the `google.rpc.Status` fields of the error body, when present.
    """

    status_code: int
    code: Optional[int]
    details: List[Any]

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: Optional[str] = None,
        body: Optional[str] = None,
        headers: Optional[Dict[str, str]] = None,
        code: Optional[int] = None,
        details: Optional[List[Any]] = None,
    ) -> None:
        super().__init__(message, status_code=status_code, request_id=request_id, body=body, headers=headers)
        self.code = code
        self.details = details or []

    def __str__(self) -> str:
        rid = f" [request id {self.request_id}]" if self.request_id else ""
        return f"{type(self).__name__} ({self.status_code}): {self.message}{rid}"


#: The name the Stainless-generated SDKs use for status errors.
APIStatusError = APIError


class BadRequestError(APIError):
    """400."""


class AuthenticationError(APIError):
    """401."""


class PermissionDeniedError(APIError):
    """403."""


class NotFoundError(APIError):
    """404."""


class ConflictError(APIError):
    """409."""


class UnprocessableEntityError(APIError):
    """422."""


class RateLimitError(APIError):
    """429."""


class InternalServerError(APIError):
    """5xx."""


class APIConnectionError(CadenyaError):
    """The request could not be sent or the response could not be read (after retries)."""


class APITimeoutError(APIConnectionError):
    """An attempt took longer than the timeout (after retries)."""


class APIResponseValidationError(CadenyaError):
    """A successful response did not decode; `path` names the failing place."""

    path: Optional[str]

    def __init__(self, message: str, *, path: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.path = path


class WebhookVerificationError(CadenyaError):
    """A webhook delivery failed verification or decoding.

    `kind` is one of `missing_header`, `bad_timestamp`, `too_old`, `too_new`, `bad_signature`,
    `bad_secret`, `bad_payload`.
    """

    kind: str

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class InvalidRequestError(CadenyaError, ValueError):
    """The call was refused before anything was sent."""


class ConfigurationError(CadenyaError, ValueError):
    """The client could not be configured (no API key, bad base URL, blank value…)."""


_API_CLASSES = {
    c.__name__: c
    for c in (
        APIError,
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        UnprocessableEntityError,
        RateLimitError,
        InternalServerError,
    )
}
_OTHER = {
    "connection": APIConnectionError,
    "timeout": APITimeoutError,
    "invalid_request": InvalidRequestError,
    "configuration": ConfigurationError,
}


def _from_native(
    kind: str,
    name: str,
    message: str,
    status: Optional[int],
    request_id: Optional[str],
    body: Optional[str],
    headers: Optional[List[Tuple[str, str]]],
    code: Optional[int],
    details: Optional[List[Any]],
    extra: Optional[str],
) -> CadenyaError:
    """Builds the exception for a core error (called by the native module)."""
    if kind == "api":
        hdrs: Dict[str, str] = {}
        for k, v in headers or ():
            hdrs[k] = f"{hdrs[k]}, {v}" if k in hdrs else v
        cls = _API_CLASSES.get(name, APIError)
        return cls(message, status_code=status or 0, request_id=request_id, body=body, headers=hdrs, code=code, details=details)
    if kind == "webhook":
        return WebhookVerificationError(message, kind=extra or "")
    if kind == "decode":
        return APIResponseValidationError(message, path=extra, status_code=status, request_id=request_id)
    return _OTHER.get(kind, CadenyaError)(message)
