"""How a spec reads and drives a Python implementation.

By default everything binds by name (language contract, section 9):
- a state variable is the attribute of that name (`obj.balance`), a record
  field a nested attribute (`obj.token.ttl`), a map any mapping (`obj.balances[a]`);
- an action is the method of that name, called with keyword arguments;
- a failure mode is an exception whose class, or one of its base classes, has that name;
- a duration is a `datetime.timedelta` or a number of seconds when read, and
  is passed to methods as a `timedelta` (`Binding(durations="seconds")` passes seconds);
- an enum value is its name as a string, or an `enum.Enum` member whose name or value is it;
- the factory is called with no arguments, except that a keyword parameter
  named after a `set` of the spec receives that set's elements (`Node=(...)`),
  for an implementation that must know the whole set from the start.

Anything else is bound by an adapter, never by editing the spec:

    Binding(state={"balance": lambda account: account.get_balance()},
            actions={"withdraw": lambda account, amount: account.take(amount)},
            errors={"InsufficientFunds": lambda exc: "insufficient" in str(exc)})
"""

from __future__ import annotations

import datetime
import decimal
import enum
from collections.abc import Callable, Mapping
from fractions import Fraction

from .. import ir
from ..interpret import Interpreter
from ..ir import BoolT, EnumT, IntT, MapT, QuantityT, SetOfT
from ..units import RATE, TIME, Dimension, dimension, exact_decimal, to_root
from ..values import FrozenMap, State
from . import records

Reader = Callable[[object], object]


class BindingError(AssertionError):
    """The implementation could not be read or called the way the spec binds it."""


class Binding:
    def __init__(self, state: Mapping[str, Reader] | None = None,
                 actions: Mapping[str, Callable[..., object]] | None = None,
                 errors: Mapping[str, type | Callable[[BaseException], bool]] | None = None,
                 durations: str = "timedelta", cost: Reader | None = None):
        if durations not in ("timedelta", "seconds"):
            raise ValueError("durations must be 'timedelta' or 'seconds'")
        self.state_readers = dict(state or {})
        self.action_callers = dict(actions or {})
        self.error_matchers = dict(errors or {})
        self.durations = durations
        self.cost_reader = cost

    def cost_of(self, obj: object) -> Fraction | None:
        """What the implementation says its last call cost (for `cost` constraints), in the unit of the
        constraint's bound: `cost(obj)` if bound, else its `last_cost` attribute; None if it reports none."""
        raw = self.cost_reader(obj) if self.cost_reader is not None else getattr(obj, "last_cost", None)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, (int, float, Fraction, decimal.Decimal)):
            raise BindingError(f"the cost of a call is a number (a Decimal, a Fraction, an int or a float), "
                               f"not {type(raw).__name__}")
        return Fraction(repr(raw)) if isinstance(raw, float) else Fraction(raw)

    # ---- reading the state ------------------------------------------------------------------

    def observe(self, obj: object, interp: Interpreter) -> State:
        """The implementation's state, in the model's values, one entry per state leaf."""
        return State((path, self.read(obj, path, t, interp)) for path, t in interp.leaves)

    def read(self, obj: object, path: str, t: ir.Type, interp: Interpreter):
        if path in self.state_readers:
            raw = self.state_readers[path](obj)
        else:
            raw = obj
            for part in path.split("."):
                try:
                    raw = getattr(raw, part)
                except AttributeError:
                    raise BindingError(f"the implementation has no attribute `{path}` for the state "
                                       f"variable `{path}`; add it or bind it with Binding(state=...)") from None
        return self.to_model(raw, t, interp, path)

    def to_model(self, raw, t: ir.Type, interp: Interpreter, where: str):
        if isinstance(t, MapT):
            if not isinstance(raw, Mapping) and not hasattr(raw, "__getitem__"):
                raise BindingError(f"`{where}` should be a mapping, but it is {type(raw).__name__}")
            return FrozenMap((k, self.to_model(_lookup(raw, k, t.key, where), t.value, interp, f"{where}[{k!r}]"))
                             for k in interp.values(t.key))
        if isinstance(t, SetOfT):
            if isinstance(raw, (str, bytes, Mapping)) or not hasattr(raw, "__iter__"):
                raise BindingError(f"`{where}` is a set: a set, a frozenset or any iterable of its members, "
                                   f"not {type(raw).__name__}")
            return frozenset(self.to_model(x, t.element, interp, f"a member of `{where}`") for x in raw)
        if isinstance(t, ir.OptionT):
            return None if raw is None else self.to_model(raw, t.value, interp, where)
        if isinstance(t, ir.StructT):
            return records.read_record(raw, t, where, lambda v, ft, w: self.to_model(v, ft, interp, w), BindingError)
        if isinstance(t, QuantityT) and t.dimension != TIME.name:
            return _counted(raw, where, dimension(t.dimension))
        if isinstance(t, QuantityT):
            return _milliseconds(raw, where)
        if isinstance(t, EnumT):
            return _enum_name(raw, interp.values(t))
        if isinstance(t, BoolT):
            return raw
        if isinstance(t, ir.StringT):
            if not isinstance(raw, str):
                raise BindingError(f"`{where}` is a string, not {type(raw).__name__}")
            return raw
        if isinstance(t, IntT):
            return raw.value if isinstance(raw, enum.Enum) else raw
        return raw  # set elements are the values the test passed in

    # ---- calling actions ----------------------------------------------------------------------------

    def call(self, obj: object, action: ir.Action, args: Mapping[str, object]) -> object:
        """Call the action; what it answers, as the implementation gave it (see `to_model`)."""
        kwargs = {p.name: self.to_impl(args[p.name], p.type.resolved) for p in action.params}
        if action.name in self.action_callers:
            return self.action_callers[action.name](obj, **kwargs)
        method = getattr(obj, action.name, None)
        if not callable(method):
            raise BindingError(f"the implementation has no method `{action.name}`; add it or bind it with "
                               "Binding(actions=...)")
        return method(**kwargs)

    def to_impl(self, value, t: ir.Type):
        if isinstance(t, ir.OptionT):
            return None if value is None else self.to_impl(value, t.value)
        if isinstance(t, ir.StructT):
            return records.RecordValue({f: self.to_impl(value[f], ft) for f, ft in t.fields})
        if isinstance(t, QuantityT) and t.dimension != TIME.name:
            return _shown(value, dimension(t.dimension))
        if isinstance(t, QuantityT):
            if self.durations == "seconds":
                return value / 1000 if value % 1000 else value // 1000
            return datetime.timedelta(milliseconds=value)
        return value

    # ---- failure modes ----------------------------------------------------------------------------------

    def error_matches(self, exc: BaseException, name: str) -> bool:
        matcher = self.error_matchers.get(name)
        if isinstance(matcher, type):
            return isinstance(exc, matcher)
        if matcher is not None:
            return bool(matcher(exc))
        return any(cls.__name__ == name for cls in type(exc).__mro__)


def _lookup(mapping, key, key_type: ir.Type, where: str):
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        pass
    if isinstance(key_type, EnumT):  # keys may be Enum members
        for k in list(mapping.keys()) if hasattr(mapping, "keys") else []:
            if isinstance(k, enum.Enum) and key in (k.name, k.value):
                return mapping[k]
    raise BindingError(f"`{where}` has no entry for {key!r}: a map must have a value for every key "
                       "(the spec's maps are total)")


def _enum_name(raw, members: tuple):
    """An enum value as the spec names it: a string, or an Enum member whose name or value is that name."""
    if isinstance(raw, enum.Enum):
        if raw.name in members:
            return raw.name
        if raw.value in members:
            return raw.value
        return raw.name
    return raw


def _shown(value: int, dim: Dimension):
    """A quantity as the implementation receives it: a count of whole units as an int (bytes, a spec's own
    units counted whole), a rate as a Fraction per second, a decimal or money as an exact Decimal."""
    if dim is RATE:
        return to_root(value, dim)
    if dim.scale == 1:
        return value
    return decimal.Decimal(exact_decimal(to_root(value, dim))).normalize()


def _counted(raw, where: str, dim: Dimension):
    """A quantity read from the implementation (a Decimal, Fraction, int or float) in base units."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Fraction, decimal.Decimal)):
        raise BindingError(f"`{where}` is a {dim.type_name}: a Decimal, a Fraction or a number, "
                           f"not {type(raw).__name__}")
    # a float is read as it prints (0.65, not 0.65000000000000002220446...)
    exact = (Fraction(repr(raw)) if isinstance(raw, float) else Fraction(raw)) * dim.scale
    return int(exact) if exact.denominator == 1 else float(exact)  # not exact: the comparison fails visibly


def _milliseconds(raw, where: str):
    if isinstance(raw, datetime.timedelta):
        exact = Fraction(raw.days * 86_400_000_000 + raw.seconds * 1_000_000 + raw.microseconds, 1000)
    elif isinstance(raw, bool) or not isinstance(raw, (int, float, Fraction)):
        raise BindingError(f"`{where}` is a duration: a timedelta or a number of seconds, not {type(raw).__name__}")
    else:
        exact = Fraction(raw) * 1000
    if exact.denominator != 1:
        # not a whole millisecond: keep it exact so that the comparison with the spec fails visibly
        return float(exact)
    return int(exact)
