"""The core's log records in Python's `logging`, logger `cadenya`.

The native module queues records on its runtime threads and hands them here on a Python thread:
after a blocking call returns, and on the event loop's thread for async calls. Records carry
the operation, method, path template, status, attempt, duration and request id, never a key,
secret, header value or body. The level is the `cadenya` logger's effective level when a client
is created; `CADENYA_LOG` (off, error, warn, info, debug, trace) sets it when nobody configured
the `cadenya` logger.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, List

logger = logging.getLogger("cadenya")
# A library's logger prints nothing until the application configures logging.
logger.addHandler(logging.NullHandler())

_LEVELS = {"trace": 5, "debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}
_OFF = logging.CRITICAL + 10


def _core_level() -> str:
    """The level the core logs at, for a new client (an unknown `CADENYA_LOG` is passed on for the
    core to refuse with `ConfigurationError`)."""
    env = os.environ.get("CADENYA_LOG", "").strip().lower()
    if env and logger.level == logging.NOTSET:
        level = _OFF if env == "off" else _LEVELS.get(env)
        if level is None:
            return env
        logger.setLevel(level)
    effective = logger.getEffectiveLevel()
    for name in ("trace", "debug", "info", "warn", "error"):
        if effective <= _LEVELS[name]:
            return name
    return "off"


def _value(v: Any) -> str:
    if v is None:
        return "-"
    text = str(v)
    return json.dumps(text) if (not text or any(c in text for c in ' "=')) else text


def _emit(records: List[str]) -> None:
    """Logs records the native module queued (JSON text of the core's `LogRecord`)."""
    for text in records:
        r = json.loads(text)
        level = _LEVELS.get(r["level"], logging.INFO)
        if logger.isEnabledFor(level):
            fields = r["fields"]
            line = " ".join([r["message"], *(f"{k}={_value(v)}" for k, v in fields.items())])
            logger.log(level, "%s", line, extra={"cadenya": fields})
