"""Property-based robustness tests for the front end (`load_text`).

Three properties, all deterministic (`derandomize=True`, no example database):

1. Inputs that look like specs never crash the front end. Two generators feed it:
   - `grammar_sentences`: a small generator that walks the rules of the
     project's own grammar (the rules lark compiles from
     grammar/specforge.lark) and prints a sentence of the language, with real
     names from a prelude of declarations so that most of it reaches the
     checker. `hypothesis.extra.lark.from_lark` was tried first and does not
     fit: it joins tokens without spaces (`spec` NAME gives `specFoo`, one
     NAME), it inserts `%ignore`d COMMENTs that swallow the rest of a line,
     it can only write an invariant ID such as `BAL-1` with the spaces the
     lowering rejects, and its unbounded recursion overruns so often that an
     example costs ~12 ms before the front end even runs. The walker below
     chooses each expansion from a byte string that hypothesis draws (and
     shrinks), takes the shortest expansion once a size budget is spent, and
     joins tokens with the spacing the language needs.
   - `typed_specs`: whole specs built declaration by declaration with a type
     for every expression (sets, enums, constants, ranges, maps, records,
     durations with units, quantifiers, Unicode operators, line breaks that
     continue expressions, `;` separators, prefix operators nested up to the
     front end's limit of 200, big integer constants). In "valid" mode every
     spec is meant to check clean (all but the few nested past the limit
     do); this property uses "mistakes" mode, where a few deliberate errors
     (a value of the wrong type, an unknown name or function, a bad unit, a
     duplicate, a stray token ...) are mixed in.
2. Random mutations of the example specs never crash the front end.
3. Every valid spec from `typed_specs` (valid mode) passes the checks of 1
   and survives `model_dump_json` -> `model_validate_json` unchanged.

"Never crashes" means: `load_text` returns, every diagnostic has an `SF` code
and a span inside the text (or none), rendering every diagnostic works, and
either the spec is valid or there is at least one error.

The number of examples per property is SPECFORGE_FUZZ_EXAMPLES (default 200);
set it to e.g. 2000 for a longer hunt.
"""

from __future__ import annotations

import functools
import os
import random
import re
from datetime import timedelta
from pathlib import Path

import lark
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st
from lark.grammar import NonTerminal, Terminal
from lark.lexer import PatternStr

from specforge.diagnostics import Severity
from specforge.frontend import Loaded, load_text
from specforge.lower import MAX_DEPTH
from specforge.parse import grammar_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.sf"))}

N_EXAMPLES = int(os.environ.get("SPECFORGE_FUZZ_EXAMPLES", "200"))

FUZZ = settings(
    max_examples=N_EXAMPLES,
    derandomize=True,
    database=None,
    # Generous: a few milliseconds is normal; this only catches pathological slowness.
    deadline=timedelta(seconds=2),
)


# ---- the property every input must satisfy ---------------------------------------------------


def check_robust(text: str) -> Loaded:
    """Run the front end on `text` and check that it failed (if at all) gracefully."""
    note(f"input:\n{text}")
    loaded = load_text(text, path="x.sf")
    line_count = text.count("\n") + 1
    for d in loaded.diagnostics:
        assert d.code.startswith("SF"), d
        if d.span is not None:
            assert d.span.line >= 1 and d.span.column >= 1, d
            assert d.span.line <= line_count + 1, (d, line_count)
        d.render(loaded.source)  # what `specforge check` prints must not fail either
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    assert loaded.ok or errors, "no valid spec and no error to say why"
    if loaded.ok:
        assert loaded.spec is not None
    return loaded


# ---- 1a. sentences of the grammar ------------------------------------------------------------

# Declarations with real names, so that generated invariants and actions have
# something to refer to.
PRELUDE = """\
spec Fuzz "generated"
set Account
enum Status { created, paid, shipped }
const LIMIT: int = 10
const TTL: duration = 15 min
state {
  balance: int
  n: nat
  flag: bool
  ttl: duration
  status: Status
  balances: map[Account, int]
  slots: map[0..3, bool]
  token: {
    ttl: duration
    valid: bool
  }
}
init {
  balance := 0; n := 0; flag := false; ttl := 0; status := created
  balances := {a: 0 for a in Account}
  slots := {i: false for i in 0..3}
  token.ttl := 1 s
  token.valid := false
}
"""

NAMES = (
    # declared in the prelude
    "balance", "n", "flag", "ttl", "status", "balances", "slots", "token", "valid", "Account", "Status",
    "created", "paid", "shipped", "LIMIT", "TTL", "a", "i",
    # types, functions, units
    "int", "nat", "bool", "duration", "map", "abs", "min", "max", "s", "ms", "min", "h", "days", "week",
    # fresh, misspelt and odd names
    "x", "y", "amount", "Err", "InvalidAmount", "Foo", "_", "els", "must", "forall_", "Int", "secs", "parsec",
)
# well-formed numbers, several times over, then malformed or extreme ones
NUMBERS = ("0", "1", "2", "10", "1_000", "1.5") * 4 + ("0.001", "007", "1__0", "9" * 30, "1_", "2.5_0", "1" * 4001)
STRINGS = ('"d"', '""', '"Ünïcødé ∀ ✓"', r'"esc \" \\ \n \t"', r'"bad \q escape"', '"# not a comment"')
NEWLINES = ("\n", "\n", "\n", ";", "\n\n", " ; ", "\r\n", "  # comment\n", ";\n;")


@functools.lru_cache(maxsize=1)
def _grammar_rules():
    """Rule name -> its expansions (tuples of symbols), shortest to finish first; and the
    text of every literal terminal."""
    g = lark.Lark(grammar_text(), parser="lalr", lexer="basic")
    terminals, rules, _ignore = g.grammar.compile(["start"], ())
    literal = {t.name: t.pattern.value for t in terminals if isinstance(t.pattern, PatternStr)}
    expansions: dict[str, list[tuple]] = {}
    for r in rules:
        expansions.setdefault(r.origin.name, []).append(tuple(r.expansion))
    height = {name: None for name in expansions}

    def h(sym) -> int | None:
        return 0 if isinstance(sym, Terminal) else height[sym.name]

    changed = True
    while changed:
        changed = False
        for name, exps in expansions.items():
            for exp in exps:
                hs = [h(s) for s in exp]
                if None not in hs:
                    value = 1 + max(hs, default=0)
                    if height[name] is None or value < height[name]:
                        height[name] = value
                        changed = True

    def cost(exp):
        return (1 + max((h(s) for s in exp), default=0), len(exp))

    ordered = {name: sorted(exps, key=cost) for name, exps in expansions.items()}
    return ordered, literal


class _Walker:
    """Prints one sentence of the grammar, steered by a byte string."""

    def __init__(self, choices: bytes, budget: int):
        self.rules, self.literal = _grammar_rules()
        self.choices = choices
        self.pos = 0
        self.budget = budget
        self.out: list[str] = []

    def choose(self, n: int) -> int:
        if self.pos >= len(self.choices):
            return 0
        b = self.choices[self.pos]
        self.pos += 1
        return b % n

    def walk(self, sym, depth: int = 0, glue: bool = False) -> None:
        if isinstance(sym, Terminal):
            self.out.append(("" if glue else self.separator()) + self.terminal(sym.name))
            return
        assert isinstance(sym, NonTerminal)
        exps = self.rules[sym.name]
        self.budget -= 1
        if self.budget <= 0 or depth > 60:
            exp = exps[0]  # the shortest way to finish
        elif sym.name.startswith("__") and "_star_" in sym.name:
            # a repetition (`item (_NL item)*`): go on more often than not
            exp = exps[-1] if self.choose(8) < 6 else exps[0]
        else:
            exp = exps[self.choose(len(exps))]
        # An invariant ID (`BAL-1`) is written without spaces.
        glue_inside = glue or sym.name == "invariant_id"
        for i, s in enumerate(exp):
            self.walk(s, depth + 1, glue_inside and (i > 0 or glue))

    def separator(self) -> str:
        # Mostly a space; rarely a line break, a tab or nothing (two tokens run together).
        return {1: "\n", 2: "\t", 3: ""}.get(self.choose(256), " ")

    def terminal(self, name: str) -> str:
        if name in self.literal:
            return self.literal[name]
        pool = {"NAME": NAMES, "NUMBER": NUMBERS, "STRING": STRINGS, "_NL": NEWLINES}[name]
        return pool[self.choose(len(pool))]


@st.composite
def grammar_sentences(draw) -> str:
    with_prelude = draw(st.booleans())
    # The walker's choices: a random byte string. Hypothesis shrinks its length,
    # and a shorter string ends the sentence sooner (the walker then takes the
    # shortest expansions), so failures shrink to short sentences.
    seed = draw(st.integers(0, 2**64 - 1))
    choices = random.Random(seed).randbytes(draw(st.integers(0, 3000)))
    walker = _Walker(choices, budget=draw(st.integers(20, 400)))
    walker.walk(NonTerminal("start"))
    body = "".join(walker.out)
    return (PRELUDE + "\n" + body) if with_prelude else body


# ---- 1b. typed specs: every expression built for a type ---------------------------------------

# Types: ("bool",) ("int",) ("nat",) ("range", lo, hi) ("dur",) ("enum", E) ("set", S)
#        ("map", K, V) ("record", ((name, T), ...))
BOOL, INT, NAT, DUR = ("bool",), ("int",), ("nat",), ("dur",)

# Tokens after / before which a line break continues an expression (as in parse.py).
CONTINUE_AFTER = frozenset("+ - * / % == = != ≠ < <= ≤ > >= ≥ and ∧ or ∨ not ¬ implies => ⇒ → iff <=> ⇔ in ∈ .. . "
                           ":= , : then if forall exists ∀ ∃ for".split())
CONTINUE_BEFORE = frozenset("+ * / % == = != ≠ < <= ≤ > >= ≥ and ∧ or ∨ implies => ⇒ → iff <=> ⇔ in ∈ .. . "
                            "then else }".split())

SPELLINGS = {
    "and": ("and", "∧"), "or": ("or", "∨"), "not": ("not", "¬"), "implies": ("implies", "=>", "⇒", "→"),
    "iff": ("iff", "<=>", "⇔"), "in": ("in", "∈"), "forall": ("forall", "∀"), "exists": ("exists", "∃"),
    "==": ("==", "="), "!=": ("!=", "≠"), "<=": ("<=", "≤"), ">=": (">=", "≥"),
}
UNITS = {"ms": 1, "msec": 1, "millisecond": 1, "milliseconds": 1, "s": 1000, "sec": 1000, "secs": 1000,
         "second": 1000, "seconds": 1000, "min": 60_000, "mins": 60_000, "minute": 60_000, "minutes": 60_000,
         "h": 3_600_000, "hr": 3_600_000, "hour": 3_600_000, "hours": 3_600_000, "d": 86_400_000,
         "day": 86_400_000, "days": 86_400_000, "week": 604_800_000, "weeks": 604_800_000}

# Levels of binding, loosest first (spec-language.md section 5).
OPEN, IFF, IMPLIES, OR, AND, NOT, CMP, RANGE, ADD, MUL, UNARY, ATOM = range(12)


class E:
    """An expression as tokens, with the level of its loosest operator."""

    __slots__ = ("toks", "level")

    def __init__(self, toks: list[str], level: int):
        self.toks = toks
        self.level = level

    def at(self, level: int) -> list[str]:
        """Tokens fit to stand where an operand of `level` is expected."""
        if self.level < level or (self.level == OPEN and level > OPEN):
            return ["(", *self.toks, ")"]
        return self.toks


class SpecGen:
    """Builds one spec. Structure comes from hypothesis draws (so it shrinks);
    cosmetics (spelling, spacing, line breaks) from a seeded random.Random."""

    def __init__(self, draw, valid: bool):
        self.draw = draw
        self.valid = valid
        self.rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
        self.fresh = 0
        self.sets: list[str] = []
        self.enums: dict[str, list[str]] = {}
        self.consts: dict[str, tuple] = {}  # name -> type
        self.const_values: dict[str, int] = {}  # int constants whose value is a plain literal
        self.state: dict[str, tuple] = {}
        # while writing a constant's value: only forms the checker can evaluate
        self.const_ctx = False

    # -- choices ----------------------------------------------------------------

    def n(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def pick(self, seq):
        seq = list(seq)
        return seq[self.n(0, len(seq) - 1)]

    def chance(self, percent: int) -> bool:
        """True with the given probability; shrinks to False."""
        return self.n(0, 99) >= 100 - percent

    def mistake(self) -> bool:
        return not self.valid and self.chance(6)

    def spell(self, op: str) -> str:
        return self.rnd.choice(SPELLINGS.get(op, (op,)))

    def name(self, base: str) -> str:
        self.fresh += 1
        return f"{base}{self.fresh}"

    # -- types ------------------------------------------------------------------

    def scalar_type(self, allow_set: bool = False) -> tuple:
        options = [BOOL, INT, NAT, DUR, "range"]
        if self.enums:
            options.append("enum")
        if allow_set and self.sets:
            options.append("set")
        t = self.pick(options)
        if t == "range":
            lo = self.n(-3, 3)
            return ("range", lo, lo + self.n(0, 5))
        if t == "enum":
            return ("enum", self.pick(self.enums))
        if t == "set":
            return ("set", self.pick(self.sets))
        return t

    def key_type(self) -> tuple:
        options = ["range"] + (["enum"] if self.enums else []) + (["set"] if self.sets else [])
        k = self.pick(options)
        if k == "range":
            lo = self.n(0, 2)
            return ("range", lo, lo + self.n(0, 3))
        if k == "enum":
            return ("enum", self.pick(self.enums))
        return ("set", self.pick(self.sets))

    def state_type(self, depth: int = 0) -> tuple:
        kind = self.pick(["scalar", "scalar", "scalar", "map", "record"] if depth < 2 else ["scalar"])
        if kind == "scalar":
            return self.scalar_type()
        if kind == "map":
            value = self.state_type(depth + 1) if self.chance(15) else self.scalar_type(allow_set=True)
            if value[0] == "record":
                value = INT
            # a map to a set's elements is keyed by that set (`map[Node, Node]`), so it has values
            return ("map", value if value[0] == "set" else self.key_type(), value)
        fields = []
        for _ in range(self.n(1, 3)):
            fields.append((self.name("f"), self.state_type(depth + 1) if self.chance(30) else self.scalar_type()))
        return ("record", tuple(fields))

    def type_toks(self, t: tuple, in_map: bool = False) -> list[str]:
        if self.mistake():
            return [self.pick(["Integer", "map", "int[3..1]", "bool[0..1]", "map[int, int]", "Foo", "0..", "nat[-1..2]"])]
        kind = t[0]
        if kind in ("bool", "int", "nat"):
            return [kind]
        if kind == "dur":
            return ["duration"]
        if kind == "range":
            lo, hi = self.bound(t[1]), self.bound(t[2])
            if in_map and self.chance(20):
                return [*lo, "..", *hi]  # `map[0..3, bool]`
            return [self.pick(["int", "nat"]) if t[1] >= 0 else "int", "[", *lo, "..", *hi, "]"]
        if kind in ("enum", "set"):
            return [t[1]]
        if kind == "map":
            return ["map", "[", *self.type_toks(t[1], True), ",", *self.type_toks(t[2], True), "]"]
        raise AssertionError(t)

    def bound(self, value: int) -> list[str]:
        """An int constant expression with the given value, for a range bound."""
        named = [c for c, v in self.const_values.items() if v == value]
        if named and self.chance(40):
            return [self.pick(named)]
        if value < 0:
            return ["-", str(-value)]
        if self.chance(15):
            return ["(", str(value + 1), "-", "1", ")"]
        return [str(value)]

    # -- expressions --------------------------------------------------------------

    def lit(self, value: int) -> str:
        s = str(value)
        if len(s) > 3 and self.rnd.random() < 0.5:
            s = f"{value:_}"
        return s

    def expr(self, t: tuple, scope: dict, depth: int = 0) -> E:
        """An expression of type t, reading the names in scope (name -> type)."""
        if self.mistake():
            return self.wrong_expr(scope, depth)
        kind = t[0]
        if kind in ("nat", "range"):
            kind = "int"
        leaves = self.leaves(t, scope, depth)
        compound = depth < 4 and self.chance(55 - 12 * depth)
        if not compound or kind == "set":
            if leaves and (kind == "set" or self.chance(60)):
                return self.pick(leaves)()
            return self.literal(t, scope)
        return getattr(self, f"compound_{kind}")(t, scope, depth + 1)

    def literal(self, t: tuple, scope: dict) -> E:
        kind = t[0]
        if kind == "bool":
            return E([self.pick(["true", "false"])], ATOM)
        if kind == "int":
            v = self.pick([0, 1, 2, 10, 1000, 1_000_000, self.n(-50, 50)])
            if self.chance(2):
                v = 10 ** self.n(18, 3000)  # big, and bigger once multiplied
            return E([self.lit(v)], ATOM) if v >= 0 else E(["-", self.lit(-v)], UNARY)
        if kind == "nat":
            return E([self.lit(self.n(0, 1000))], ATOM)
        if kind == "range":
            return E([self.lit(self.n(t[1], t[2]))], ATOM) if t[1] >= 0 else E(["-", str(-t[1])], UNARY)
        if kind == "dur":
            unit = self.pick(list(UNITS))
            if UNITS[unit] >= 1000 and self.chance(30):
                text = f"{self.n(0, 9)}.{self.n(0, 9)}"  # 1.5 s is a whole number of ms
            else:
                text = self.lit(self.n(0, 3000))
            if self.mistake():
                return E([text, self.pick(["parsecs", "S", "Ms", "m"])], ATOM)
            return E([text, unit], ATOM)
        if kind == "enum":
            member = self.pick(self.enums[t[1]])
            if self.chance(25) or self.collides(member):
                return E([t[1], ".", member], ATOM)
            return E([member], ATOM)
        if kind == "set":
            raise AssertionError("no literal of a set")
        raise AssertionError(t)

    def collides(self, member: str) -> bool:
        return sum(member in ms for ms in self.enums.values()) > 1

    def leaves(self, t: tuple, scope: dict, depth: int) -> list:
        """Ways to read a value of type t from the names in scope (as thunks)."""
        out = []
        for name, nt in scope.items():
            for path, pt in self.paths(name, nt):
                if fits(t, pt):
                    out.append(lambda p=path: E(p, ATOM))
                elif pt[0] == "map" and fits(t, pt[2]) and self.can_make(pt[1], scope):
                    out.append(lambda p=path, k=pt[1]: E([*p, "[", *self.expr(k, scope, depth + 2).toks, "]"], ATOM))
                elif pt[0] == "map" and pt[2][0] == "map" and fits(t, pt[2][2]) and self.can_make(pt[1], scope) \
                        and self.can_make(pt[2][1], scope):
                    out.append(lambda p=path, k=pt[1], k2=pt[2][1]: E(
                        [*p, "[", *self.expr(k, scope, depth + 2).toks, "]", "[", *self.expr(k2, scope, depth + 2).toks, "]"],
                        ATOM))
        return out

    def paths(self, name: str, t: tuple):
        if t[0] == "record":
            for fname, ft in t[1]:
                for p, pt in self.paths(fname, ft):
                    yield [name, ".", *p], pt
        else:
            yield [name], t

    def can_make(self, t: tuple, scope: dict) -> bool:
        if t[0] != "set":
            return True
        return any(fits(t, pt) for name, nt in scope.items() for _, pt in self.paths(name, nt))

    def makeable(self, t: tuple, scope: dict) -> bool:
        """Whether value_for(t, scope) can build a value (a set's element needs a name to read)."""
        if t[0] == "set":
            return self.can_make(t, scope)
        if t[0] == "map":
            return self.makeable(t[2], {**scope, "_key": t[1]})
        return True

    def deep(self) -> int:
        """How many prefix operators to nest: often close to the front end's limit."""
        return self.pick([self.n(1, 40), self.n(MAX_DEPTH - 50, MAX_DEPTH - 1), MAX_DEPTH - 1])

    def binop(self, op: str, left: E, right: E, level: int, left_level: int, right_level: int) -> E:
        return E([*left.at(left_level), self.spell(op), *right.at(right_level)], level)

    def compound_bool(self, t, scope, depth) -> E:
        forms = ["and", "or", "implies", "iff", "not", "cmp", "cmp", "eq", "chain", "if", "paren", "deep",
                 "in_range", "in_domain"]
        if not self.const_ctx:  # a quantifier has no constant value
            forms.append("quantifier")
        form = self.pick(forms)
        sub = functools.partial(self.expr, scope=scope, depth=depth)
        if form == "and":
            return self.binop("and", sub(BOOL), sub(BOOL), AND, AND, NOT)
        if form == "or":
            return self.binop("or", sub(BOOL), sub(BOOL), OR, OR, AND)
        if form == "implies":
            return self.binop("implies", sub(BOOL), sub(BOOL), IMPLIES, OR, IMPLIES)
        if form == "iff":
            return self.binop("iff", sub(BOOL), sub(BOOL), IFF, IFF, IMPLIES)
        if form == "not":
            return E([self.spell("not"), *sub(BOOL).at(NOT)], NOT)
        if form == "cmp":
            nt = self.pick([INT, DUR])
            op = self.pick(["<", "<=", ">", ">=", "==", "!="])
            left, right = sub(nt), sub(nt)
            if nt == DUR and self.chance(20):
                right = E(["0"], ATOM)
            return self.binop(op, left, right, CMP, RANGE, RANGE)
        if form == "eq":
            options = [BOOL, INT, DUR] + [("enum", e) for e in self.enums]
            options += [("set", s) for s in self.sets if self.can_make(("set", s), scope)]
            et = self.pick(options)
            return self.binop(self.pick(["==", "!="]), sub(et), sub(et), CMP, RANGE, RANGE)
        if form == "chain":
            a, b, c = sub(INT), sub(INT), sub(INT)
            op1, op2 = self.pick(["<", "<="]), self.pick(["<", "<=", "=="])
            return E([*a.at(RANGE), self.spell(op1), *b.at(RANGE), self.spell(op2), *c.at(RANGE)], CMP)
        if form == "in_range":
            lo, hi = sub(INT), sub(INT)
            return E([*sub(INT).at(RANGE), self.spell("in"), *lo.at(ADD), "..", *hi.at(ADD)], CMP)
        if form == "in_domain":
            options = [("enum", e) for e in self.enums] + [("set", s) for s in self.sets if self.can_make(("set", s), scope)]
            if not options:
                return sub(BOOL)
            dt = self.pick(options)
            return E([*sub(dt).at(RANGE), self.spell("in"), dt[1]], CMP)
        if form == "quantifier":
            return self.quantifier(scope, depth)
        if form == "deep":
            # nested up to the front end's own limit (MAX_DEPTH in lower.py)
            return E([self.spell("not")] * self.deep() + sub(BOOL).at(NOT), NOT)
        if form == "if":
            return E(["if", *sub(BOOL).toks, "then", *sub(BOOL).toks, "else", *sub(BOOL).toks], OPEN)
        return E(["(", *sub(BOOL).toks, ")"], ATOM)

    def domain(self, scope: dict, depth: int) -> tuple[list[str], tuple]:
        """A quantifier's domain and the type of its variable."""
        options = ["range"] + [("enum", e) for e in self.enums] + [("set", s) for s in self.sets]
        d = self.pick(options)
        if d == "range":
            lo = self.n(-2, 2)
            if self.chance(15):  # an upper bound that may or may not be a constant
                return [*self.bound(lo), "..", *self.expr(INT, scope, depth + 1).at(ADD)], INT
            hi = lo + self.n(0, 4)
            return [*self.bound(lo), "..", *self.bound(hi)], ("range", lo, hi)
        return [d[1]], d

    def quantifier(self, scope, depth) -> E:
        toks = [self.spell(self.pick(["forall", "exists"]))]
        inner = dict(scope)
        for i in range(self.n(1, 2)):
            if i:
                toks.append(",")
            dom, vt = self.domain(scope, depth)
            names = [self.name("q") for _ in range(self.n(1, 2))]
            if self.mistake():
                names[0] = self.pick(list(scope) or ["int"])  # shadows another name
            toks += [*" , ".join(names).split(), self.spell("in"), *dom]
            for v in names:
                inner[v] = vt
        body = self.expr(BOOL, inner, depth)
        return E([*toks, ":", *body.toks], OPEN)

    def compound_int(self, t, scope, depth) -> E:
        form = self.pick(["+", "-", "*", "/", "%", "neg", "abs", "min", "max", "if", "ratio", "paren", "deep"])
        sub = functools.partial(self.expr, scope=scope, depth=depth)
        if form == "deep":
            return E(["-"] * self.deep() + sub(INT).at(UNARY), UNARY)
        if form in ("+", "-"):
            return self.binop(form, sub(INT), sub(INT), ADD, ADD, MUL)
        if form in ("*", "/", "%"):
            divisor = sub(INT) if form == "*" else E([str(self.n(1, 9))], ATOM)
            return self.binop(form, sub(INT), divisor, MUL, MUL, UNARY)
        if form == "neg":
            return E(["-", *sub(INT).at(UNARY)], UNARY)
        if form == "abs":
            return E(["abs", "(", *sub(INT).toks, ")"], ATOM)
        if form in ("min", "max"):
            args = [sub(INT).toks for _ in range(self.n(2, 3))]
            return E([form, "(", *sum(([*a, ","] for a in args), [])[:-1], ")"], ATOM)
        if form == "if":
            return E(["if", *sub(BOOL).toks, "then", *sub(INT).toks, "else", *sub(INT).toks], OPEN)
        if form == "ratio":
            return self.binop("/", sub(DUR), E([str(self.n(1, 9)), self.pick(["ms", "s", "min"])], ATOM), MUL, MUL, UNARY)
        return E(["(", *sub(INT).toks, ")"], ATOM)

    def compound_dur(self, t, scope, depth) -> E:
        form = self.pick(["+", "-", "scale", "scale_left", "div", "%", "neg", "abs", "min", "max", "if", "paren"])
        sub = functools.partial(self.expr, scope=scope, depth=depth)
        if form in ("+", "-"):
            return self.binop(form, sub(DUR), sub(DUR), ADD, ADD, MUL)
        if form == "scale":
            return self.binop("*", sub(DUR), sub(INT), MUL, MUL, UNARY)
        if form == "scale_left":
            return self.binop("*", sub(INT), sub(DUR), MUL, MUL, UNARY)
        if form == "div":
            return self.binop("/", sub(DUR), E([str(self.n(1, 9))], ATOM), MUL, MUL, UNARY)
        if form == "%":
            return self.binop("%", sub(DUR), E([str(self.n(1, 9)), "s"], ATOM), MUL, MUL, UNARY)
        if form == "neg":
            return E(["-", *sub(DUR).at(UNARY)], UNARY)
        if form == "abs":
            return E(["abs", "(", *sub(DUR).toks, ")"], ATOM)
        if form in ("min", "max"):
            return E([form, "(", *sub(DUR).toks, ",", *sub(DUR).toks, ")"], ATOM)
        if form == "if":
            return E(["if", *sub(BOOL).toks, "then", *sub(DUR).toks, "else", *sub(DUR).toks], OPEN)
        return E(["(", *sub(DUR).toks, ")"], ATOM)

    def compound_enum(self, t, scope, depth) -> E:
        sub = functools.partial(self.expr, scope=scope, depth=depth)
        if self.chance(50):
            return E(["if", *sub(BOOL).toks, "then", *sub(t).toks, "else", *sub(t).toks], OPEN)
        return E(["(", *sub(t).toks, ")"], ATOM)

    def wrong_expr(self, scope, depth) -> E:
        """A deliberate mistake in an expression."""
        # a value of another type is the commonest mistake, so it is drawn most often
        form = self.pick(["type"] * 4 + ["unknown", "call", "field", "index", "unit", "deep", "ops", "enum"])
        if form == "type":
            self.valid = True  # one mistake at a time
            try:
                return self.expr(self.pick([BOOL, INT, DUR] + [("enum", e) for e in self.enums]), scope, depth + 1)
            finally:
                self.valid = False
        if form == "unknown":
            return E([self.pick(["balanse", "Foo", "undefined", "int", "abs", "map", "x1"])], ATOM)
        if form == "call":
            return E([self.pick(["abs", "min", "max", "sqrt", "len"]), "(", *(["1", ",", "2", ",", "3"][: 2 * self.n(0, 2) + 1]), ")"], ATOM)
        if form == "field":
            return E([self.pick(list(scope) or ["x"]), ".", self.pick(["ttl", "nope", "valid"])], ATOM)
        if form == "index":
            return E([self.pick(list(scope) or ["x"]), "[", "0", "]"], ATOM)
        if form == "unit":
            return E([self.pick(["1.5", "0.0001", "1" + "0" * 30, "3"]), self.pick(["ms", "s", "week", "d"])], ATOM)
        if form == "deep":
            n = self.n(150, 260)
            return E(["("] * n + ["1"] + [")"] * n if self.chance(50) else ["-"] * n + ["1"], UNARY)
        if form == "ops":
            return E(["1", self.pick(["&", "|", "!", "^", "=>", "∈"]), "2"], CMP)
        if self.enums:
            return E([self.pick(self.enums), ".", "nonexistent"], ATOM)
        return E(["1", "/", "0"], MUL)

    # -- declarations ---------------------------------------------------------------

    def declare(self, base: str) -> str:
        return self.name(base)

    def value_for(self, t: tuple, scope: dict) -> E:
        """A value that fits a declaration of type t (bounded ints are clamped, so a
        constant value stays in range)."""
        kind = t[0]
        if kind == "nat":
            if self.chance(50):
                return E([self.lit(self.n(0, 500))], ATOM)
            return E(["max", "(", "0", ",", *self.expr(INT, scope).toks, ")"], ATOM)
        if kind == "range":
            lo, hi = t[1], t[2]
            if self.chance(50):
                return self.literal(t, scope) if lo >= 0 else E(["-", str(-lo)], UNARY)
            return E(["min", "(", *self.bound(hi), ",", "max", "(", *self.bound(lo), ",",
                      *self.expr(INT, scope).toks, ")", ")"], ATOM)
        if kind == "dur" and self.chance(10):
            return E(["0"], ATOM)  # a bare 0 fits any dimension
        if kind == "map":
            var = self.name("k")
            dom = self.type_domain(t[1])
            inner = {**scope, var: t[1]}
            return E(["{", var, ":", *self.value_for(t[2], inner).toks, "for", var, self.spell("in"), *dom, "}"], ATOM)
        return self.expr(t, scope)

    def type_domain(self, key: tuple) -> list[str]:
        if key[0] == "range":
            return [*self.bound(key[1]), "..", *self.bound(key[2])]
        return [key[1]]

    def build(self) -> str:
        items: list[list[list[str]]] = []  # items -> lines -> tokens
        header = ["spec", self.declare("Spec")]
        if self.chance(70):
            header.append(self.pick(['"generated"', '"Ünïcødé: ∀ accounts ✓"', r'"a \"quoted\" word\n"', '""']))
        items.append([header])

        for _ in range(self.n(0, 2)):
            s = self.declare("Set")
            self.sets.append(s)
            items.append([["set", s]])
        for _ in range(self.n(0, 2)):
            e = self.declare("Enum")
            members = [self.name("m") for _ in range(self.n(1, 4))]
            if self.mistake():
                members.append(members[0])
            if self.enums and self.chance(10):
                members.append(self.pick(self.pick(list(self.enums.values()))))  # shared with another enum
            self.enums[e] = members
            commas = self.chance(90)  # the commas between enum values are optional
            toks = ["enum", e, "{", *sum(([m, ","] if commas else [m] for m in members), [])]
            if commas and not self.chance(30):
                toks.pop()  # no trailing comma
            items.append([[*toks, "}"]])

        for _ in range(self.n(0, 3 if self.valid else 5)):
            t = self.scalar_type() if self.chance(85) else self.pick([INT, BOOL, DUR])
            c = self.declare("C")
            if t == INT and self.chance(50):
                v = self.n(-5, 20)
                value = E([str(v)], ATOM) if v >= 0 else E(["-", str(-v)], UNARY)
                self.const_values[c] = v
            else:
                self.const_ctx = True
                value = self.value_for(t, dict(self.consts))
                self.const_ctx = False
            items.append([["const", c, ":", *self.type_toks(t), "=", *value.toks]])
            self.consts[c] = t

        fields: list[tuple[str, tuple]] = []
        for _ in range(self.n(0, 5)):
            fields.append((self.declare("v"), self.state_type()))
        if self.mistake() and fields:
            fields.append(fields[0])
        self.state = dict(fields)
        if fields or self.chance(10):
            lines = [["state", "{"]]
            for name, t in fields:
                lines += self.field_lines(name, t, "  ")
            lines.append(["}"])
            items.append(lines)

        consts_scope = dict(self.consts)
        if fields or self.chance(10):
            assigns = []
            for name, t in fields:
                for path, pt in self.paths(name, t):
                    if self.mistake():
                        continue  # leaves a variable without a first value
                    assigns.append([*path, ":=", *self.value_for(pt, consts_scope).toks])
            self.draw(st.randoms(use_true_random=False)).shuffle(assigns)
            items.append([["init", "{"], *assigns, ["}"]])

        scope = {**self.consts, **self.state}
        ids: list[str] = []
        for _ in range(self.n(0, 4)):
            inv_id = self.pick(["INV", "BAL", "SEC.AUTH", "R_2.x", "A"]) + (f"-{len(ids) + 1}" if self.chance(80) else "")
            if inv_id in ids and self.valid:
                inv_id += f".{len(ids)}"
            ids.append(inv_id)
            toks = ["invariant", inv_id]
            if self.chance(50):
                toks.append(self.pick(["MUST", "SHOULD", "MAY"]))
            if self.chance(50):
                toks.append('"why it holds"')
            toks += [":", *self.expr(BOOL, scope).toks]
            items.append([toks])

        for _ in range(self.n(0, 3)):
            items.append(self.action(scope))

        if self.mistake():
            i = self.n(0, len(items) - 1)
            items.insert(i, [[self.pick(["invariant", "action", "state {", "requires", "}", "spec X", "init { }", "const C: int"])]])
        return self.render(items)

    def field_lines(self, name: str, t: tuple, indent: str) -> list[list[str]]:
        if t[0] == "record":
            lines = [[indent + name, ":", "{"]]
            for fname, ft in t[1]:
                lines += self.field_lines(fname, ft, indent + "  ")
            return lines + [[indent + "}"]]
        return [[indent + name, ":", *self.type_toks(t)]]

    def action(self, scope: dict) -> list[list[str]]:
        name = self.declare("act")
        params = {}
        ptoks: list[str] = []
        for _ in range(self.n(0, 3)):
            p = self.declare("p")
            t = self.scalar_type(allow_set=True)
            params[p] = t
            ptoks += [p, ":", *self.type_toks(t), ","]
        if ptoks and not self.chance(20):
            ptoks.pop()
        inner = {**scope, **params}
        lines = [["action", name, "(", *ptoks, ")", "{"]]
        for _ in range(self.n(0, 3)):
            line = ["  requires", *self.expr(BOOL, inner).toks]
            if self.chance(70):
                line += ["else", self.pick(["InvalidAmount", "Denied", "TooLate", "Err"])]
            lines.append(line)
        targets = [(path, pt) for name_, t in self.state.items() for path, pt in self.paths(name_, t)
                   if self.makeable(pt, inner)]
        for _ in range(self.n(0, 3) if targets else 0):
            path, pt = self.pick(targets)
            if pt[0] == "map" and self.can_make(pt[1], inner) and self.makeable(pt[2], inner) and self.chance(60):
                key = self.expr(pt[1], inner)
                lines.append(["  ", *path, "[", *key.toks, "]", ":=", *self.value_for(pt[2], inner).toks])
            else:
                lines.append(["  ", *path, ":=", *self.value_for(pt, inner).toks])
        if self.mistake():
            lines.append(["  requires", "true"])  # after an assignment
        lines.append(["}"])
        return lines

    # -- printing ---------------------------------------------------------------

    def render(self, items: list[list[list[str]]]) -> str:
        rnd = self.rnd
        out = []
        if rnd.random() < 0.3:
            out.append("# a generated spec\n")
        for k, item in enumerate(items):
            for j, line in enumerate(item):
                out.append(self.render_line(line))
                last = j == len(item) - 1
                if line[-1] == "{" or (j + 1 < len(item) and item[j + 1] == ["}"]):
                    out.append(rnd.choice(["\n", "\n", " "]) if line[-1] == "{" else rnd.choice(["\n", ";\n", " ; "]))
                elif not last:
                    out.append(rnd.choice(["\n", "\n", "\n", ";", " ; ", "\n\n", "  # note\n", "\r\n"]))
            if k + 1 < len(items):
                out.append(rnd.choice(["\n", "\n", "\n\n", "\n# comment\n", ";", "\r\n"]))
        if rnd.random() < 0.5:
            out.append("\n")
        return "".join(out)

    def render_line(self, toks: list[str]) -> str:
        """Join tokens; where the language allows it, break the line."""
        rnd = self.rnd
        breaks = rnd.random() < 0.3
        parts = [toks[0]]
        depth = 0
        for prev, tok in zip(toks, toks[1:], strict=False):
            if prev in ("(", "["):
                depth += 1
            if tok in (")", "]"):
                depth -= 1
            sep = " "
            glued = prev == "." or tok in (".", ",", ")", "]") or prev in ("(", "[") or (tok in ("(", "[") and prev[-1:].isalnum())
            if glued and rnd.random() < 0.7:
                sep = ""
            if breaks and rnd.random() < 0.15 and prev.strip() not in ("spec", "const", "set", "enum", "action", "invariant", "requires", "else") \
                    and (depth > 0 or prev in CONTINUE_AFTER or (tok in CONTINUE_BEFORE and tok != "}")) and not prev.startswith("\""):
                sep = rnd.choice(["\n    ", "\n", "  # why\n  "])
            parts.append(sep + tok)
        return "".join(parts)


def fits(want: tuple, have: tuple) -> bool:
    """Whether a name of type `have` can stand where `want` is expected."""
    ints = ("int", "nat", "range")
    if want[0] in ints and have[0] in ints:
        return True
    if want[0] in ("enum", "set"):
        return have == want
    return want[0] == have[0] and want[0] in ("bool", "dur")


@st.composite
def typed_specs(draw, valid: bool) -> str:
    return SpecGen(draw, valid).build()


# ---- 2. mutations of the examples ---------------------------------------------------------------

TOKEN = re.compile(r"\s+|[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9_.]*|\"[^\"\n]*\"?|#[^\n]*|.", re.DOTALL)
ODD_CHARACTERS = "\"#{}()[];:,.=<>!-+*/%&|^@'\\\t\r\n\x0b\x0c\x00\u00a0\u2028\u200b\ufeffé∀∃∈≤≥≠¬∧∨⇒→⇔😀ℕ"


@st.composite
def mutated_examples(draw) -> str:
    text = EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))]
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["del_tok", "dup_tok", "swap_tok", "copy_tok", "del_line", "dup_line", "swap_line",
                                   "insert_char", "replace_char", "truncate"]))
        if op.endswith("_tok"):
            toks = TOKEN.findall(text)
            if len(toks) < 2:
                continue
            i = draw(st.integers(0, len(toks) - 1))
            j = draw(st.integers(0, len(toks) - 1))
            if op == "del_tok":
                del toks[i]
            elif op == "dup_tok":
                toks.insert(i, toks[i])
            elif op == "swap_tok":
                toks[i], toks[j] = toks[j], toks[i]
            else:
                toks[i] = toks[j]  # a token from elsewhere in the file: a name used out of place
            text = "".join(toks)
        elif op.endswith("_line"):
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "del_line":
                del lines[i]
            elif op == "dup_line":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op in ("insert_char", "replace_char"):
            i = draw(st.integers(0, len(text)))
            ch = draw(st.sampled_from(ODD_CHARACTERS) | st.characters(codec="utf-8"))
            text = text[:i] + ch + text[i + (op == "replace_char"):]
        else:
            text = text[: draw(st.integers(0, len(text)))]
    return text


# ---- the properties -------------------------------------------------------------------------------


@FUZZ
@given(grammar_sentences())
def test_grammar_sentences_never_crash_the_front_end(text):
    check_robust(text)


@FUZZ
@given(typed_specs(valid=False))  # valid ones are run by the round-trip property below
def test_typed_specs_never_crash_the_front_end(text):
    check_robust(text)


@FUZZ
@given(mutated_examples())
def test_mutated_examples_never_crash_the_front_end(text):
    check_robust(text)


@FUZZ
@given(typed_specs(valid=True))
def test_valid_specs_round_trip_through_json(text):
    loaded = check_robust(text)
    assume(loaded.ok)
    spec = loaded.spec
    dumped = spec.model_dump_json(by_alias=True)
    again = type(spec).model_validate_json(dumped)
    assert again == spec
    assert again.model_dump_json(by_alias=True) == dumped
