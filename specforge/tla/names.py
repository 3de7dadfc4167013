"""TLA+ identifiers: what is reserved, and a deterministic allocator of unique names.

A spec's names are identifiers (`[A-Za-z_][A-Za-z0-9_]*`), and most are valid
TLA+ as they stand. Some are not: TLA+ keywords (`CASE`, `EXCEPT`, ...), names
the standard modules define (`Nat`, `Len`, `Print`), names with the reserved
prefixes `WF_` and `SF_` (fairness), names without a letter (`_1`), and the
names the exporter itself defines (`Init`, `Next`, `vars`, ...). Such a name
gets a suffix (`Next` -> `Next_1`). The allocator hands names out in the
order it is asked, so the same spec always gets the same names.

TLA+ forbids a bound variable or parameter from reusing a name that is
already defined, so locals are allocated in a `Names.child()` that sees
every global name, including the ones defined later in the module.
"""

from __future__ import annotations

import re

KEYWORDS = frozenset("""
    ASSUME ASSUMPTION AXIOM BOOLEAN CASE CHOOSE CONSTANT CONSTANTS DOMAIN ELSE ENABLED EXCEPT
    EXTENDS FALSE IF IN INSTANCE LET LOCAL MODULE OTHER STRING SUBSET THEN THEOREM TRUE UNCHANGED
    UNION VARIABLE VARIABLES WITH LAMBDA RECURSIVE
    ACTION BY COROLLARY DEF DEFINE DEFS HAVE HIDE LEMMA NEW OBVIOUS OMITTED ONLY PICK PROOF
    PROPOSITION PROVE QED STATE SUFFICES TAKE TEMPORAL USE WITNESS
""".split())

# Names the standard modules define (Naturals, Integers, Reals, FiniteSets,
# Sequences, Bags, TLC, TLCExt, Apalache): never redefined, whichever are extended.
STANDARD = frozenset("""
    Nat Int Real Infinity Seq Len Append Head Tail SubSeq SelectSeq IsFiniteSet Cardinality
    Print PrintT Assert JavaTime TLCGet TLCSet Permutations SortSeq RandomElement Any ToString
    TLCEval BagToSet SetToBag BagIn EmptyBag CopiesIn BagCup BagDiff BagUnion SubBag BagOfAll
    BagCardinality IsABag Gen Guess Skolem Expand ConstCardinality MkSeq FunAsSeq FoldSet FoldSeq
    SetAsFun ApaFoldSet ApaFoldSeqLeft Repeat
    Naturals Integers Reals FiniteSets Sequences Bags TLC TLCExt Apalache Json Toolbox
""".split())

_NAME_CHAR = re.compile(r"[^A-Za-z0-9_]")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_FAIRNESS = re.compile(r"^(WF|SF)_")


def sanitize(text: str) -> str:
    """`text` as an identifier: every character outside [A-Za-z0-9_] becomes `_`."""
    name = _NAME_CHAR.sub("_", text)
    return name or "x"


def is_reserved(name: str) -> bool:
    return (name in KEYWORDS or name in STANDARD or not _HAS_LETTER.search(name)
            or _FAIRNESS.match(name) is not None)


class Names:
    """Unique TLA+ names, handed out in a fixed order."""

    def __init__(self, parent: Names | None = None):
        self.parent = parent
        self.taken: set[str] = set()

    def child(self) -> Names:
        return Names(self)

    def is_taken(self, name: str) -> bool:
        names: Names | None = self
        while names is not None:
            if name in names.taken:
                return True
            names = names.parent
        return False

    def claim(self, preferred: str) -> str:
        """`preferred` made valid and unique: unchanged when it is free, else `<name>_1`, `_2`, ..."""
        base = sanitize(preferred)
        if not _HAS_LETTER.search(base):
            base = "v" + base
        if _FAIRNESS.match(base):
            base = "x" + base
        name = base
        n = 0
        while is_reserved(name) or self.is_taken(name):
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name


def type_name(preferred: str, taken: set[str]) -> str:
    """An Apalache uninterpreted type name (`[A-Z_][A-Z0-9_]*`) for a set: `Account` -> `ACCOUNT`."""
    base = sanitize(preferred).upper()
    if not base[0].isalpha():
        base = "T" + base
    name, n = base, 0
    while name in taken or name in {"INT", "BOOL", "STR"}:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name
