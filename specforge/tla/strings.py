"""Strings in TLA+: TLA+'s own strings (`"..."`, the set STRING), `len(s)` as `Len(s)` (the module
then extends Sequences: TLC takes a string's length), and `words(s)` as a table.

TLC does not take strings apart, so `words` cannot be computed in TLA+. It need not be: the language
builds no strings (no concatenation), so every string a run holds is a literal of the spec or a
parameter's value from the model's pool. The module defines `WordCount`, a function from each of those
strings to its word count (strings.word_count), and `words(s)` is `WordCount[s]`."""

from __future__ import annotations

from .. import ir
from ..strings import word_count
from .expr import CALLS, CannotExpress, Env, Text, Translator, atom
from .expr import HANDLERS as EXPR_HANDLERS
from .model import chosen

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _holds_string(t) -> bool:
    if isinstance(t, ir.StructT):
        return any(_holds_string(ft) for _, ft in t.fields)
    if isinstance(t, ir.OptionT):
        return _holds_string(t.value)
    return isinstance(t, ir.StringT)


def literal_text(value: str, node=None) -> str:
    """A TLA+ string literal; a control character TLA+ has no escape for cannot be written."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 32 or ord(ch) == 127:
            raise CannotExpress(f"the string {value!r} holds a control character TLA+ cannot write", node)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _len(t: Translator, args: list[str], e: ir.Call) -> Text:
    return atom(f"Len({args[0]})")


def _words(t: Translator, args: list[str], e: ir.Call) -> Text:
    return atom(f"{t.g.helpers['words']}[{args[0]}]")


def pool_definition(spec: ir.Spec, name: str) -> list[str]:
    """`StringPool`, the strings a string parameter (or a string field of one, or of an answer the model
    binds or records, `model.chosen`) takes; only in a spec with one."""
    if not any(_holds_string(p.type.resolved) for a in spec.actions for p in chosen(a)):
        return []
    return ["\\* The strings a string parameter takes in this model (as the explicit search tries them): the",
            "\\* empty one, ones just past each count the spec names, the spec's literals.",
            f"{name} == {{{', '.join(literal_text(s) for s in pool(spec))}}}", ""]


def words_table(spec: ir.Spec, name: str) -> list[str]:
    """`WordCount`, every string a run can hold to its word count; only in a spec that counts words."""
    from ..finite import expressions

    if not any(c.func == "words" for c in nodes_of(spec)):
        return []
    literals = [e.value for e in expressions(spec) if isinstance(e, ir.StringLit)]
    literals += [c.evaluated for c in spec.consts if isinstance(c.evaluated, str)]
    strings = list(dict.fromkeys([*pool(spec), *literals]))
    entries = " @@ ".join(f"({literal_text(s)} :> {word_count(s)})" for s in strings)
    return ["\\* The number of words of every string a run can hold (the spec's literals and the strings its",
            "\\* parameters take here): TLC does not take strings apart.",
            f"{name} == {entries}", ""]


def pool(spec: ir.Spec) -> tuple[str, ...]:
    """The strings a string parameter takes in the model: the explicit search's sample."""
    from ..finite import search_strings

    return search_strings(spec)


def nodes_of(spec: ir.Spec):
    from ..structure import nodes

    return nodes(spec, ir.Call)


def uses_len(spec: ir.Spec) -> bool:
    return any(c.func == "len" for c in nodes_of(spec))


def _literal(t: Translator, e: ir.StringLit, env: Env) -> Text:
    return atom(literal_text(e.value, e))


EXPR_HANDLERS[ir.StringLit] = _literal
CALLS.update({"len": _len, "words": _words})
