"""The Cadenya API for Python: `Cadenya` (blocking) and `AsyncCadenya` (asyncio).

Built on the Cadenya Rust core (`cadenya._native`): retries, timeouts, pagination, errors and
webhook verification behave exactly as in every other Cadenya SDK.
"""

from . import types
from ._client import AsyncCadenya, Cadenya
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    APIUserAbortError,
    AuthenticationError,
    BadRequestError,
    CadenyaError,
    ConfigurationError,
    ConflictError,
    InternalError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    WaitTimeoutError,
    WebhookVerificationError,
)
from ._models import BaseModel
from ._objectives import AsyncEventStream, EventStream
from ._pagination import AsyncCursorPage, AsyncPaginator, SyncCursorPage
from ._response import APIResponse
from ._version import __version__
from .types import API_VERSION
from ._webhooks import Webhooks

__all__ = [
    "Cadenya",
    "AsyncCadenya",
    "types",
    "BaseModel",
    "SyncCursorPage",
    "AsyncCursorPage",
    "AsyncPaginator",
    "APIResponse",
    "Webhooks",
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
    "APIUserAbortError",
    "InternalError",
    "APIResponseValidationError",
    "WebhookVerificationError",
    "InvalidRequestError",
    "ConfigurationError",
    "WaitTimeoutError",
    "EventStream",
    "AsyncEventStream",
    "__version__",
    "API_VERSION",
]
