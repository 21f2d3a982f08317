"""`Cadenya` and `AsyncCadenya`: configuration, the resource tree, webhooks."""

from __future__ import annotations

import json
import os
from types import TracebackType
from typing import Any, Dict, Mapping, Optional, Type, TypeVar, Union

from . import _native
from ._exceptions import ConfigurationError
from ._logging import _core_level
from ._version import __version__
from ._webhooks import Webhooks
from .resources import AsyncResources, SyncResources

__all__ = ["Cadenya", "AsyncCadenya"]

_USER_AGENT = f"cadenya-python/{__version__}"
_C = TypeVar("_C", bound="_Base")


#: A CA bundle: the path of a PEM file, or PEM bytes.
CABundle = Union[str, "os.PathLike[str]", bytes]


def _native_client(
    api_key: Optional[str],
    base_url: Optional[str],
    workspace_id: Optional[str],
    webhook_secret: Optional[str],
    timeout: Optional[float],
    max_retries: Optional[int],
    default_headers: Optional[Mapping[str, str]],
    ca_bundle: Optional[CABundle] = None,
    proxy: Optional[str] = None,
    connect_timeout: Optional[float] = None,
) -> Any:
    settings: Dict[str, Any] = {
        "api_key": api_key,
        "base_url": base_url,
        "workspace_id": workspace_id,
        "webhook_secret": webhook_secret,
        "timeout": timeout,
        "max_retries": max_retries,
        "default_headers": [] if default_headers is None else list(default_headers.items()),
        "user_agent": _USER_AGENT,
        "log_level": _core_level(),
        "proxy": proxy,
        "connect_timeout": connect_timeout,
    }
    if isinstance(ca_bundle, (bytes, bytearray)):
        try:
            settings["ca_bundle_pem"] = bytes(ca_bundle).decode("ascii")
        except UnicodeDecodeError:
            raise ConfigurationError("ca_bundle must be a PEM file's path or PEM bytes (these bytes are not PEM text)") from None
    elif ca_bundle is not None:
        settings["ca_bundle_path"] = os.fspath(ca_bundle)
    try:
        text = json.dumps(settings, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ConfigurationError(f"invalid client settings: {e}") from None
    return _native.NativeClient(text)


def _webhook_secret(webhook_secret: Optional[str], webhook_key: Optional[str]) -> Optional[str]:
    """`webhook_key` is the official SDKs' name for `webhook_secret`; passing both differently is an error."""
    if webhook_key is not None and webhook_secret is not None and webhook_key != webhook_secret:
        raise ConfigurationError("webhook_secret and webhook_key (its alias) were both given, with different values")
    return webhook_secret if webhook_secret is not None else webhook_key


def _options(**options: Any) -> Dict[str, Any]:
    return options


class _Base:
    _native: Any
    _options: Dict[str, Any]
    webhooks: Webhooks

    def with_options(
        self: _C,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        workspace_id: Optional[str] = None,
        webhook_secret: Optional[str] = None,
        webhook_key: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        ca_bundle: Optional[CABundle] = None,
        proxy: Optional[str] = None,
        connect_timeout: Optional[float] = None,
    ) -> _C:
        """A new client with these settings changed and every other one as this client's.

        `default_headers` are merged over this client's (a name given here replaces its value).
        """
        merged = dict(self._options)
        changes = {
            "api_key": api_key,
            "base_url": base_url,
            "workspace_id": workspace_id,
            "webhook_secret": _webhook_secret(webhook_secret, webhook_key),
            "timeout": timeout,
            "max_retries": max_retries,
            "ca_bundle": ca_bundle,
            "proxy": proxy,
            "connect_timeout": connect_timeout,
        }
        merged.update({k: v for k, v in changes.items() if v is not None})
        if default_headers is not None:
            merged["default_headers"] = {**(merged.get("default_headers") or {}), **default_headers}
        return type(self)(**merged)

    copy = with_options

    @property
    def workspace_id(self) -> Optional[str]:
        """The default workspace of every `{workspaceId}` (override per call with `workspace_id=`)."""
        return self._native.config[1]  # type: ignore[no-any-return]

    @property
    def base_url(self) -> str:
        return self._native.config[0]  # type: ignore[no-any-return]

    @property
    def is_closed(self) -> bool:
        return self._native.config[3]  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, workspace_id={self.workspace_id!r})"


class Cadenya(SyncResources, _Base):
    """The Cadenya API client (blocking). Safe to share between threads.

    Every argument falls back to the environment, then to a default: `api_key`
    (`CADENYA_API_KEY`, required), `base_url` (`CADENYA_BASE_URL`, https://api.cadenya.com),
    `workspace_id` (`CADENYA_WORKSPACE_ID`), `webhook_secret` (`CADENYA_WEBHOOK_SECRET`, then
    `CADENYA_WEBHOOK_KEY`), `default_headers` (added to `CADENYA_CUSTOM_HEADERS`), `timeout`
    (seconds per attempt, 60), `max_retries` (2). A blank value passed explicitly raises
    `ConfigurationError`. `ca_bundle` (a PEM file's path or PEM bytes) adds certificate
    authorities to the OS store and the bundled roots (`SSL_CERT_FILE` / `SSL_CERT_DIR` are
    honoured too); `proxy` (`http://host:port`) overrides `HTTPS_PROXY` / `NO_PROXY`;
    `connect_timeout` (seconds) bounds each TCP + TLS connect. Log records go to the standard
    `logging` logger `cadenya` (see `cadenya._logging`; `CADENYA_LOG` sets its level when nothing
    else did). `webhook_key` is accepted as an alias of `webhook_secret`;
    `with_options(...)` / `copy(...)` return a new client with some settings changed.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        workspace_id: Optional[str] = None,
        webhook_secret: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        webhook_key: Optional[str] = None,
        ca_bundle: Optional[CABundle] = None,
        proxy: Optional[str] = None,
        connect_timeout: Optional[float] = None,
    ) -> None:
        self._options = _options(
            api_key=api_key,
            base_url=base_url,
            workspace_id=workspace_id,
            webhook_secret=_webhook_secret(webhook_secret, webhook_key),
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            ca_bundle=ca_bundle,
            proxy=proxy,
            connect_timeout=connect_timeout,
        )
        self._native = _native_client(**self._options)
        self._init_resources(self._native)
        self.webhooks = Webhooks(self._native)

    def close(self) -> None:
        """Closes the client: later calls raise `CadenyaError`."""
        self._native.close()

    def __enter__(self) -> "Cadenya":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.close()


class AsyncCadenya(AsyncResources, _Base):
    """The Cadenya API client for asyncio: every call returns an awaitable and never blocks the
    event loop. Same arguments and environment fallbacks as `Cadenya`."""

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        workspace_id: Optional[str] = None,
        webhook_secret: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        webhook_key: Optional[str] = None,
        ca_bundle: Optional[CABundle] = None,
        proxy: Optional[str] = None,
        connect_timeout: Optional[float] = None,
    ) -> None:
        self._options = _options(
            api_key=api_key,
            base_url=base_url,
            workspace_id=workspace_id,
            webhook_secret=_webhook_secret(webhook_secret, webhook_key),
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            ca_bundle=ca_bundle,
            proxy=proxy,
            connect_timeout=connect_timeout,
        )
        self._native = _native_client(**self._options)
        self._init_resources(self._native)
        self.webhooks = Webhooks(self._native)

    async def close(self) -> None:
        """Closes the client: later calls raise `CadenyaError`."""
        self._native.close()

    async def __aenter__(self) -> "AsyncCadenya":
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.close()
