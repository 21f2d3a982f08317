"""The base of every generated model, and the helpers that encode parameters."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any, ClassVar, Dict, FrozenSet, Mapping, Optional, Tuple, Type, TypeVar

from ._exceptions import APIResponseValidationError

__all__ = ["BaseModel"]

_M = TypeVar("_M", bound="BaseModel")


def _rebuild(cls: Type[_M], data: Dict[str, Any]) -> _M:
    return cls._wrap(data)


class BaseModel:
    """A value returned by the API: a view over the decoded wire JSON.

    Attributes are snake_case and typed; nested objects become models when read. Fields this SDK
    version does not know are kept: `to_dict()` and `to_json()` return everything received, in
    wire (camelCase) names. Models compare equal when their class and data are equal.
    """

    __slots__ = ("_data",)
    _data: Dict[str, Any]
    #: (python name, wire name) of every known field, in spec order.
    _FIELDS: ClassVar[Tuple[Tuple[str, str], ...]] = ()
    #: Wire names whose values `repr` hides.
    _SENSITIVE: ClassVar[FrozenSet[str]] = frozenset()

    def __init__(self, **unknown_fields: Any) -> None:
        self._data = dict(unknown_fields)

    @classmethod
    def _wrap(cls: Type[_M], data: Any) -> _M:
        obj = object.__new__(cls)
        obj._data = data
        return obj

    @classmethod
    def from_dict(cls: Type[_M], data: Mapping[str, Any]) -> _M:
        """A model from wire JSON (camelCase keys), e.g. a stored `to_dict()`."""
        return cls._wrap(json.loads(json.dumps(data)))

    def to_dict(self) -> Dict[str, Any]:
        """A deep copy of the data in wire (camelCase) names, unknown fields included."""
        return json.loads(json.dumps(self._data))  # type: ignore[no-any-return]

    def to_json(self, *, indent: Optional[int] = None) -> str:
        """The data as JSON text in wire names."""
        return json.dumps(self._data, indent=indent)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseModel) or type(other) is not type(self):
            return NotImplemented
        return bool(self._data == other._data)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self._data))

    def __repr__(self) -> str:
        parts = []
        known = set()
        for name, wire in self._FIELDS:
            known.add(wire)
            if wire not in self._data:
                continue
            if wire in self._SENSITIVE:
                parts.append(f"{name}='<redacted>'")
            else:
                try:
                    shown = repr(getattr(self, name))
                except APIResponseValidationError:  # a bad timestamp: show the wire text
                    shown = repr(self._data[wire])
                parts.append(f"{name}={shown}")
        for k, v in self._data.items():
            if k not in known:
                parts.append(f"{k}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _encode_model(v: Any, table: Mapping[str, Tuple[str, Any]], extra: Optional[Mapping[str, Any]] = None) -> Any:
    """A parameter given as a model or a dict (snake_case or wire keys) -> wire JSON.

    Known keys are renamed and their values encoded by the table; unknown keys pass through as
    written (so do the keys of free-form maps, which the table never touches). None is dropped.
    """
    if isinstance(v, BaseModel):
        return v._data
    if not isinstance(v, Mapping):
        raise TypeError(f"expected a dict or a model, got {type(v).__name__}")
    out: Dict[str, Any] = {}
    for k, x in v.items():
        if x is None:
            continue
        f = table.get(k)
        if f is None:
            out[k] = x
        else:
            w, enc = f
            out[w] = x if enc is None else enc(x)
    if extra:
        out.update(extra)
    return out


def _enc_int64(v: Any) -> str:
    """int64 values travel as JSON strings."""
    if isinstance(v, bool):
        raise TypeError("expected an int, got bool")
    return str(int(v))


def _enc_datetime(v: Any) -> Any:
    """RFC 3339 text; a naive datetime is taken as UTC."""
    if isinstance(v, datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=timezone.utc)
        return v.isoformat().replace("+00:00", "Z")
    return v


# RFC 3339 as the API sends it: `Z` or an offset, and up to nanoseconds (Python 3.9's
# `fromisoformat` takes neither `Z` nor more than 6 fractional digits).
_RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})\Z")


def _dec_datetime(v: Any, field: str) -> datetime:
    """A timestamp field's wire text as an aware `datetime` (sub-microsecond digits are cut).

    Text that is not RFC 3339 raises `APIResponseValidationError` naming the field; the wire text
    itself stays in `to_dict()` / `to_json()`.
    """
    m = _RFC3339.match(v) if isinstance(v, str) else None
    if m is not None:
        date, clock, frac, tz = m.groups()
        micros = (frac or "")[:6].ljust(6, "0")
        try:
            return datetime.fromisoformat(f"{date}T{clock}.{micros}{'+00:00' if tz in 'Zz' else tz}")
        except ValueError:  # a well-formed but impossible date, e.g. month 13
            pass
    raise APIResponseValidationError(f"`{field}` is not an RFC 3339 timestamp: {v!r}", kind="decode", detail=field)
