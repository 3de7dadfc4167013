"""Sets as values (`set[T]`): the built-in functions on them, in one table.

Every back end reads the names and arities from here; the evaluator's meaning of each is
`APPLY`, on Python frozensets. The prover's and the TLA+ exporter's meanings are their own
handlers of the same names (prove/setenc.py, tla/expr.py).
"""

from __future__ import annotations

from collections.abc import Callable

# name -> (number of arguments, whether the result is a set, what it means in one line for docs/hints)
FUNCTIONS: dict[str, tuple[int, str]] = {
    "add": (2, "`add(s, x)`: s with x in it"),
    "remove": (2, "`remove(s, x)`: s without x"),
    "card": (1, "`card(s)`: the number of members of s"),
    "union": (2, "`union(s, t)`: the members of s or t"),
    "inter": (2, "`inter(s, t)`: the members of both s and t"),
    "diff": (2, "`diff(s, t)`: the members of s not in t"),
    "subset": (2, "`subset(s, t)`: every member of s is in t"),
}
# The functions whose second argument is an element, not a set.
ELEMENT_SECOND = frozenset({"add", "remove"})
# The functions whose result is a set (of the first argument's element type).
SET_RESULT = frozenset({"add", "remove", "union", "inter", "diff"})

APPLY: dict[str, Callable] = {
    "add": lambda s, x: s | {x},
    "remove": lambda s, x: s - {x},
    "card": len,
    "union": lambda s, t: s | t,
    "inter": lambda s, t: s & t,
    "diff": lambda s, t: s - t,
    "subset": lambda s, t: s <= t,
}


def hint() -> str:
    return "the functions on sets are " + ", ".join(f"`{n}`" for n in FUNCTIONS)
