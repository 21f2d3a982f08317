# Type stub of the native module (bindings/python, PyO3). Private: use the `cadenya` package.
from typing import Any, List, Optional, Sequence, Tuple

__version__: str

_Opts = Tuple[Optional[float], Optional[int], Optional[List[Tuple[str, str]]], Optional[List[Tuple[str, str]]], Optional[str]]

class NativeClient:
    def __init__(
        self,
        api_key: Optional[str] = ...,
        base_url: Optional[str] = ...,
        workspace_id: Optional[str] = ...,
        webhook_secret: Optional[str] = ...,
        timeout: Optional[float] = ...,
        max_retries: Optional[int] = ...,
        default_headers: Optional[List[Tuple[str, str]]] = ...,
        user_agent: Optional[str] = ...,
    ) -> None: ...
    @property
    def workspace_id(self) -> Optional[str]: ...
    @property
    def base_url(self) -> str: ...
    @property
    def has_webhook_secret(self) -> bool: ...
    @property
    def is_closed(self) -> bool: ...
    def close(self) -> None: ...
    def call(
        self,
        op: str,
        path: Sequence[str],
        workspace_id: Optional[str] = ...,
        query: Optional[List[Tuple[str, str]]] = ...,
        body: Any = ...,
        opts: Optional[_Opts] = ...,
        raw: bool = ...,
    ) -> Any: ...
    def call_async(
        self,
        op: str,
        path: Sequence[str],
        workspace_id: Optional[str] = ...,
        query: Optional[List[Tuple[str, str]]] = ...,
        body: Any = ...,
        opts: Optional[_Opts] = ...,
        raw: bool = ...,
    ) -> Any: ...
    def webhook(self, secret: Optional[str] = ..., now: Optional[float] = ...) -> NativeWebhook: ...

class NativePage:
    @property
    def items(self) -> List[Any]: ...
    @property
    def next_cursor(self) -> Optional[str]: ...
    def has_next_page(self) -> bool: ...
    def next_page(self) -> Optional[NativePage]: ...
    def next_page_async(self) -> Any: ...

class NativeWebhook:
    def __init__(self, secret: str, now: Optional[float] = ...) -> None: ...
    def verify(self, payload: Any, headers: Any) -> None: ...
    def unwrap(self, payload: Any, headers: Any) -> Any: ...

def unsafe_unwrap_json(payload: Any) -> Any: ...
