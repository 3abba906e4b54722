"""Frozen records without `dataclasses`, for a fast CLI start.

On Python 3.11 `import dataclasses` pulls in `inspect` (about 15 ms here), and every
dataclass compiles its generated methods with `exec` (about 1 ms a class): the core's
seventeen model classes cost `meshkb checklist NAME` some 30 ms, a third of its start.
`record` gives the same frozen-dataclass behaviour (positional and keyword init,
defaults and default factories, equality, hashing, repr, `replace`) with shared methods
and no code generation. `dataclass_transform` (PEP 681) tells type checkers to treat
decorated classes like frozen dataclasses, so constructors stay fully checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")
_FIELDS = "__record_fields__"


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], Any]) -> Any:
    """A default made fresh for each instance, like `dataclasses.field(default_factory=...)`."""
    return _Factory(default_factory)


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    names, defaults = type(self).__record_fields__
    if len(args) > len(names):
        raise TypeError(f"{type(self).__name__} takes at most {len(names)} arguments")
    values = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"{type(self).__name__} got an unexpected argument {key!r}")
        if key in values:
            raise TypeError(f"{type(self).__name__} got {key!r} twice")
        values[key] = value
    for name in names:
        if name not in values:
            if name not in defaults:
                raise TypeError(f"{type(self).__name__} is missing {name!r}")
            default = defaults[name]
            values[name] = default.make() if isinstance(default, _Factory) else default
        object.__setattr__(self, name, values[name])


def _values(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name in type(self).__record_fields__[0])


def _eq(self: Any, other: object) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))


def _repr(self: Any) -> str:
    names = type(self).__record_fields__[0]
    inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
    return f"{type(self).__qualname__}({inner})"


def _frozen(self: Any, name: str, value: Any = None) -> None:
    raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is frozen")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """Make `cls` a frozen record of its annotated fields, in order."""
    # The class's own annotations, in order; inspect.get_annotations would import inspect.
    names = tuple(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063
    defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}
    for name in defaults:
        delattr(cls, name)
    setattr(cls, _FIELDS, (names, defaults))
    methods = {
        "__init__": _init,
        "__eq__": _eq,
        "__hash__": _hash,
        "__repr__": _repr,
        "__setattr__": _frozen,
        "__delattr__": _frozen,
        "__match_args__": names,
    }
    for name, method in methods.items():
        setattr(cls, name, method)
    return cls


def replace(obj: T, **changes: Any) -> T:
    """A copy of a record with some fields changed, like `dataclasses.replace`."""
    names = type(obj).__record_fields__[0]  # type: ignore[attr-defined]
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
    values = {name: changes.get(name, getattr(obj, name)) for name in names}
    return type(obj)(**values)
