"""Records as values and optional values in TLA+.

- a record value is a TLA+ record `[category |-> "spam", priority |-> 1]`, its type's values the
  record set `[category: Category, priority: Int]`; `r with { f: v }` is `[r EXCEPT !.f = v]`;
- a `T?` is a set of at most one value: `{}` is `none`, `{v}` a present v, so that `=` compares two
  optionals of any T without a model value, `or_else(x, d)` is `IF x = {} THEN d ELSE CHOOSE v \\in x : TRUE` (in expr.py's `_call`),
  and Apalache types it `Set(T)`.

A field whose name TLA+ reserves gets a `_` after it (`field`), in every use alike.
"""

from __future__ import annotations

from .. import ir
from ..ir import IntT, OptionT, StructT
from .expr import HANDLERS as EXPR_HANDLERS
from .expr import PRECEDENCE, Env, Text, Translator, atom
from .names import is_reserved


def field(name: str) -> str:
    return f"{name}_" if is_reserved(name) else name


def literal(t: Translator, e: ir.RecordLiteral, env: Env) -> Text:
    parts = ", ".join(f"{field(f)} |-> {t.text(v, env)}" for f, v in zip(e.fields, e.values, strict=True))
    return atom(f"[{parts}]")


def with_(t: Translator, e: ir.RecordWith, env: Env) -> Text:
    base = t.expr(e.base, env).operand()
    parts = ", ".join(f"!.{field(f)} = {t.text(v, env)}" for f, v in zip(e.fields, e.values, strict=True))
    return atom(f"[{base} EXCEPT {parts}]")


def _present(t: Translator, e: ir.Present, env: Env) -> Text:
    """An optional known present, read as its value: the one member of its set."""
    name, _ = env.bind("v")
    inside = t.expr(e.value, env).operand(PRECEDENCE["\\in"])
    return Text(f"CHOOSE {name} \\in {inside} : TRUE", "Q")


def read_field(t: Translator, e: ir.RecordField, env: Env) -> Text:
    return atom(f"{t.expr(e.base, env).operand()}.{field(e.field)}")


HANDLERS = {
    ir.RecordLiteral: literal,
    ir.RecordWith: with_,
    ir.RecordField: read_field,
    ir.NoneLit: lambda t, e, env: atom("{}"),
    ir.Some: lambda t, e, env: atom("{" + t.text(e.value, env) + "}"),
    ir.Present: lambda t, e, env: _present(t, e, env),
}
EXPR_HANDLERS.update(HANDLERS)  # the translator finds them in its one table


# ---- types and values -------------------------------------------------------------------------------


def type_set(t: StructT | OptionT, inner) -> str:
    """The values of a record or optional type (`inner(T)`: the set of a field's type)."""
    if isinstance(t, StructT):
        return "[" + ", ".join(f"{field(f)}: {inner(ft)}" for f, ft in t.fields) + "]"
    return f"SUBSET {_paren(inner(t.value))}"


def apalache_type(t: StructT | OptionT, inner) -> str:
    if isinstance(t, StructT):
        return "{ " + ", ".join(f"{field(f)}: {inner(ft)}" for f, ft in t.fields) + " }"
    return f"Set({inner(t.value)})"


def nested(t: StructT | OptionT, text: str, inner, bind) -> str | None:
    """A property of every int inside a record or optional value (`inner(T, text)`; None: no ints
    to constrain), as a conjunction over the fields, or over the optional's one value (`bind()` names it)."""
    if isinstance(t, StructT):
        parts = [p for f, ft in t.fields if (p := inner(ft, f"{text}.{field(f)}")) is not None]
        return " /\\ ".join(f"({p})" for p in parts) if parts else None
    v = bind()
    body = inner(t.value, v)
    return None if body is None else f"\\A {v} \\in {text} : {body}"


def param_domain(t: StructT | OptionT, inner, ints) -> str:
    """The values TLC tries for a record or optional parameter: a field of a small range takes its
    range, another int field the values `ints(T)` gives (those the property tests' default pool has)."""
    def leaf(ft) -> str:
        if isinstance(ft, (StructT, OptionT)):
            return _domain(ft, leaf)
        if isinstance(ft, (IntT, ir.QuantityT)):
            return ints(ft)
        return inner(ft)
    return _domain(t, leaf)


def int_values(spec: ir.Spec):
    """`ints(T)` for `param_domain`: the default values of an int-like field, as the tests draw them."""
    from ..finite import default_domain, spec_numbers

    numbers = spec_numbers(spec)
    return lambda ft: default_domain(ft, numbers)


def param_values(spec: ir.Spec, t: StructT | OptionT, finite_values) -> tuple:
    """The values `param_domain` gives TLC, as spec values (`finite_values(T)`: a finite type's values)."""
    from ..evaluate import composite_values
    from ..finite import int_like

    ints = int_values(spec)
    return composite_values(t, lambda ft: ints(ft) if int_like(ft) else finite_values(ft))


def _domain(t: StructT | OptionT, leaf) -> str:
    if isinstance(t, StructT):
        return "[" + ", ".join(f"{field(f)}: {leaf(ft)}" for f, ft in t.fields) + "]"
    return f"({{{{}}}} \\cup {{{{some_v}} : some_v \\in {_paren(leaf(t.value))}}})"


def value(v, t: StructT | OptionT, inner) -> str:
    """A run's value as TLA+ text (`inner(value, type)` renders the parts)."""
    if isinstance(t, OptionT):
        return "{}" if v is None else "{" + inner(v, t.value) + "}"
    return "[" + ", ".join(f"{field(f)} |-> {inner(v[f], ft)}" for f, ft in t.fields) + "]"


def _paren(text: str) -> str:
    return text if text.replace("_", "").isalnum() or text.startswith("[") else f"({text})"



def answer_part(a: ir.Action) -> ir.Type:
    """What the model's Next binds for the answer an action's effect reads (`ir.Action.answer`): the
    fields of a record answer the effect reads (`ir.Action.answer_fields`), else the whole answer. The
    rest of the answer is a witness of the `ensures` that TLC looks for, not a choice."""
    t = a.result.resolved
    fields = a.answer_fields
    if fields is None:
        return t
    return t.model_copy(update={"fields": [(f, ft) for f, ft in t.fields if f in fields]})
