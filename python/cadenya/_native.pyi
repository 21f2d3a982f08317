# Type stub of the native module (bindings/python, PyO3). Private: use the `cadenya` package.
from typing import Any, List, Optional, Sequence, Tuple

__version__: str

_Pairs = Optional[List[Tuple[str, str]]]
# (timeout seconds, max_retries, headers, extra_query, idempotency_key)
_Opts = Tuple[Optional[float], Optional[float], List[Tuple[str, str]], List[Tuple[str, str]], Optional[str], Optional[str]]
# (states, timeout seconds, after_event_id, workspace_id)
_ObjectiveArgs = Tuple[List[str], Optional[float], Optional[str], Optional[str]]

class NativeClient:
    def __init__(self, settings: str) -> None:
        """`settings`: a JSON object of the client's settings (see `cadenya._client`)."""
    @property
    def config(self) -> Tuple[str, Optional[str], bool, bool]:
        """`(base_url, workspace_id, has_webhook_secret, is_closed)`."""
    def close(self) -> None: ...
    def call(
        self,
        op: str,
        path: Sequence[str],
        workspace_id: Optional[str] = ...,
        query: _Pairs = ...,
        body: Optional[str] = ...,
        opts: Optional[_Opts] = ...,
        raw: bool = ...,
        aio: bool = ...,
    ) -> Any:
        """The decoded JSON, a `NativePage`, None, or with `raw` `(status, headers, request_id, value)`;
        with `aio`, an awaitable of it."""
    def wait_objective(self, objective_id: str, args: _ObjectiveArgs, aio: bool = ...) -> Any:
        """The objective (a dict) once its state is in `states`; with `aio`, an awaitable of it."""
    def follow_events(self, objective_id: str, args: _ObjectiveArgs) -> NativeEvents: ...
    def webhook(self, secret: Optional[str] = ..., now: Optional[float] = ...) -> NativeWebhook: ...

class NativePage:
    @property
    def items(self) -> List[Any]: ...
    @property
    def next_cursor(self) -> Optional[str]: ...
    @property
    def has_next_page(self) -> bool: ...
    def next_page(self, aio: bool = ...) -> Any:
        """The next `NativePage` or None; with `aio`, an awaitable of it."""

class NativeEvents:
    @property
    def last_event_id(self) -> Optional[str]: ...
    def next(self, aio: bool = ...) -> Any:
        """The next event (a dict) or None when the follow is over; with `aio`, an awaitable of it."""

class Completer:
    def __init__(self) -> None: ...
    @property
    def fd(self) -> int: ...
    def __call__(self) -> None: ...
    def settled(self, fut: Any) -> None: ...

class NativeWebhook:
    def verify(self, payload: bytes, headers: List[Tuple[str, str]], envelope: bool) -> None: ...

def check_envelope(payload: bytes) -> None: ...
