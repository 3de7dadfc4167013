"""Values and runs as data: the one printer (`values.show`), the typed JSON encoding (ITF's), and `Run`.

A value travels one way: z3 model -> typed value -> run -> every consumer. These tests pin the
printer and the encoding on a table of values of every type, refuse what does not fit, and check
that the prover's runs (maps of more than 20 entries, durations, big integers) survive the JSON
report unchanged.
"""

from __future__ import annotations

import json
import pickle

import pytest

from specforge import ir
from specforge.frontend import load_text
from specforge.prove import Verdict, prove
from specforge.report import text, to_json
from specforge.run import Run, RunError, report_run
from specforge.values import Decoder, FrozenMap, ValueFormatError, show
from specforge.values import to_json as value_json

INT, BOOL, MS = ir.IntT(), ir.BoolT(), ir.QuantityT(dimension="time")
MODE, NODE = ir.EnumT(name="Mode"), ir.SetT(name="Node")
DECODER = Decoder({"Mode": ("idle", "busy")}, {"Node": ("Node1", "Node2")})
BIG = 2**80 + 1  # beyond a JSON number's exact range

# value, type, as the spec writes it, as typed JSON
VALUES = [
    (-3, INT, "-3", {"#bigint": "-3"}),
    (BIG, INT, str(BIG), {"#bigint": str(BIG)}),
    (True, BOOL, "true", True),
    (900_000, MS, "15 min", {"#ms": "900000"}),
    (0, MS, "0 s", {"#ms": "0"}),
    (1_500, MS, "1500 ms", {"#ms": "1500"}),
    ("busy", MODE, "busy", "busy"),
    ("Node2", NODE, "Node2", "Node2"),
    (FrozenMap({"Node1": 5, "Node2": -1}), ir.MapT(key=NODE, value=INT), "{Node1: 5, Node2: -1}",
     {"#map": [["Node1", {"#bigint": "5"}], ["Node2", {"#bigint": "-1"}]]}),
    (FrozenMap({"idle": FrozenMap({False: 0, True: 60_000}), "busy": FrozenMap({False: 0, True: 0})}),
     ir.MapT(key=MODE, value=ir.MapT(key=BOOL, value=MS)), "{idle: {false: 0 s, true: 1 min}, busy: {false: 0 s, "
     "true: 0 s}}", {"#map": [["idle", {"#map": [[False, {"#ms": "0"}], [True, {"#ms": "60000"}]]}],
                              ["busy", {"#map": [[False, {"#ms": "0"}], [True, {"#ms": "0"}]]}]]}),
]


@pytest.mark.parametrize(("value", "t", "spec_text", "doc"), VALUES, ids=[v[2][:20] for v in VALUES])
def test_a_value_prints_as_the_spec_writes_it_and_encodes_as_typed_json(value, t, spec_text, doc):
    assert show(value, t) == spec_text
    assert value_json(value, t) == doc
    back = DECODER.read(json.loads(json.dumps(doc)), t, "here")
    assert back == value and type(back) is type(value)


def test_only_the_printer_abbreviates_a_map_and_it_says_how_much_it_leaves_out():
    t = ir.MapT(key=ir.IntT(low=0, high=29), value=INT)
    big = FrozenMap((i, i * i) for i in range(30))
    assert show(big, t, limit=3) == "{0: 0, 1: 1, 2: 4, … 27 more}"
    assert show(big, t).count(":") == 30 and len(value_json(big, t)["#map"]) == 30


@pytest.mark.parametrize(("doc", "t", "message"), [
    ("5", INT, r'`"5"` is not an integer'),
    ({"#bigint": "1.5"}, INT, "is not an integer"),
    ({"#bigint": "--5"}, INT, "is not an integer"),
    (True, INT, "`true` is not an integer"),
    ({"#bigint": "5"}, MS, "is not a duration"),
    (1, BOOL, "is not true or false"),
    ("on", MODE, r"is not a value of enum Mode \(idle, busy\)"),
    ("Node3", NODE, r"is not an element of Node in this run \(Node1, Node2\)"),
    ({"#map": [["Node1", {"#bigint": "1"}]]}, ir.MapT(key=NODE, value=INT), "no entry for Node2"),
    ({"#map": [["Node1", {"#bigint": "1"}], ["Node1", {"#bigint": "2"}]]}, ir.MapT(key=NODE, value=INT),
     "appears twice"),
    ({"Node1": 1}, ir.MapT(key=NODE, value=INT), "is not a map"),
])
def test_a_json_value_that_does_not_fit_its_type_is_refused_saying_where(doc, t, message):
    with pytest.raises(ValueFormatError, match=message):
        DECODER.read(doc, t, "state 1, `x`")


SLOTS = """spec Slots
set Node
enum Mode { idle, busy }
state {
  slots: map[0..29, int]
  clock: duration
  mode: map[Node, Mode]
  big: int
}
init {
  slots := {i: 0 for i in 0..29}
  clock := 0 s
  mode := {n: idle for n in Node}
  big := 0
}
action tick(n: Node, d: duration) {
  requires d > 0 s else Bad
  requires d <= 1 h else Bad
  slots[29] := slots[29] + 1
  clock := clock + d
  mode[n] := busy
  big := 1208925819614629174706176
}
invariant SLOW: clock < 30 min or big == 0
invariant LAST: slots[29] == 0
"""


@pytest.fixture(scope="module")
def slots():
    loaded = load_text(SLOTS, "slots.sf")
    assert loaded.ok
    return loaded.spec, prove(loaded.spec, depth=3)


def test_a_run_with_a_map_of_thirty_entries_a_duration_and_a_big_integer_survives_the_json_report(slots):
    spec, report = slots
    runs = [r.run for r in report.invariants if r.verdict is Verdict.VIOLATED]
    assert len(runs) == 2
    document = json.loads(to_json([report]))
    for run in runs:
        assert len(run.states[-1]["slots"]) == 30 and run.states[-1]["slots"][29] == 1
        assert run.states[-1]["big"] == 2**80 and run.states[-1]["clock"] > 0
        back = report_run(document, spec, run.breaks)
        assert back == run and back.to_json() == run.to_json()


def test_the_text_report_abbreviates_what_the_json_report_carries_whole(slots):
    _, report = slots
    printed = text([report])
    assert "… 10 more}" in printed and "29: 1" not in printed
    assert json.dumps(json.loads(to_json([report]))).count('{"#bigint": "29"}') >= 2


def test_a_run_pickles_for_the_parallel_prover(slots):
    _, report = slots
    run = report.invariants[0].run
    assert pickle.loads(pickle.dumps(run)) == run


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["states"].append({**d["states"][-1], "#meta": {"index": 2}}), "has 2 calls, not 1"),
    (lambda d: d["states"].append(d["states"][-1]), "state 2 is numbered 1"),
    (lambda d: d["sets"].pop("Node"), "no elements for set Node"),
    (lambda d: d["sets"].update(Extra={"#set": []}), "sets the spec does not declare: Extra"),
    (lambda d: d["sets"].update(Node={"#set": ["Node1", "Node1"]}), "not distinct"),
    (lambda d: d["states"][0]["#meta"].update(index=4), "state 0 is numbered 4"),
    (lambda d: d.update(breaks=7), "not an invariant ID"),
])
def test_a_run_that_does_not_fit_its_spec_is_refused(slots, change, message):
    spec, report = slots
    doc = json.loads(json.dumps(next(r.run for r in report.invariants if r.id == "LAST").to_json()))
    change(doc)
    with pytest.raises(RunError, match=message):
        Run.from_json(doc, spec)


@pytest.mark.parametrize(("state", "message"), [
    ({"slots": dict.fromkeys(range(30), True)}, r"`slots`: .* is not a value of type map\[int\[0\.\.29\], int\]"),
    ({"slots": dict.fromkeys(range(29), 0)}, r"`slots`: .* is not a value of type map\[int\[0\.\.29\], int\]"),
    ({"clock": "15 min"}, "`clock`: '15 min' is not a value of type duration"),
    ({"mode": {"Node1": "asleep"}}, r"`mode`: .* is not a value of type map\[Node, Mode\]"),
    ({"big": 1.5}, "`big`: 1.5 is not a value of type int"),
])
def test_a_producer_that_makes_a_run_of_ill_typed_values_is_told_which(slots, state, message):
    spec, _ = slots
    good = {"slots": dict.fromkeys(range(30), 0), "clock": 0, "mode": {"Node1": "idle"}, "big": 0}
    with pytest.raises(RunError, match="state 0, " + message):
        Run.of(spec, {"Node": ["Node1"]}, [{**good, **state}], [], "LAST")
