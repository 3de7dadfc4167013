"""The export warns before TLC drowns: an action whose arguments alone make the model too big gets a
positioned warning with the `--bound` that tames it; `--must-only` keeps TLC's verdict to the MUST
invariants, as `specforge prove`'s exit code does."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from specforge.cli import main
from specforge.diagnostics import Severity
from specforge.frontend import load, load_text
from specforge.tla import export_tla, parse_bound
from specforge.tla.model import build_model
from specforge.tla.size import WARN_COMBINATIONS, _taming, action_sizes

from .support import ROOT
from .test_tla_support import needs_tlc, run_tlc, write

WIDE = """\
spec Wide
state {
  x: int
}
init {
  x := 0
}
invariant W-1: x >= -1000000
action f(a: int, b: int, c: int, d: int, e: int, g: int, h: int) {
  requires a + b + c + d + e + g + h > 3 else Small
  x := a + b + c + d + e + g + h
}
action g(k: int) {
  x := k
}
"""


def spec(text: str):
    loaded = load_text(text, "wide.sf")
    assert loaded.ok
    return loaded.spec


def test_an_action_with_too_many_argument_combinations_is_warned_at_its_line_with_bounds_that_tame_it():
    s = spec(WIDE)
    warnings = [d for d in export_tla(s).diagnostics if d.code == "SF325"]
    assert len(warnings) == 1
    (w,) = warnings
    assert w.severity is Severity.WARNING and w.span.line == 9
    assert "action `f` has 10,000,000 argument combinations per state" in w.message
    size = next(x for x in action_sizes(s, build_model(s)) if x.action.name == "f")
    suggested, combos = _taming(s, build_model(s), size)
    assert combos <= WARN_COMBINATIONS and all(b in w.hint for b in suggested)
    tamed = export_tla(s, [parse_bound(b.strip("'")) for b in suggested])
    assert not [d for d in tamed.diagnostics if d.code == "SF325"]


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.sf")), ids=lambda p: p.stem)
def test_the_examples_export_without_a_size_warning(example):
    assert not [d for d in export_tla(load(str(example)).spec).diagnostics if d.code == "SF325"]


def test_must_only_leaves_should_and_may_invariants_out_of_the_cfg_and_says_so(tmp_path):
    result = CliRunner().invoke(main, ["export-tla", str(ROOT / "examples" / "leader_election.sf"), "-o",
                                       str(tmp_path), "--must-only"])
    assert result.exit_code == 0, result.output
    cfg = next(tmp_path.glob("*.cfg")).read_text()
    s = load(str(ROOT / "examples" / "leader_election.sf")).spec
    for inv in s.invariants:
        checked = [line for line in cfg.splitlines() if f"\\* {inv.id} (" in line and not line.strip().startswith("\\*")]
        assert bool(checked) == (inv.level.value == "MUST"), inv.id
        if inv.level.value != "MUST":
            assert f"not checked (--must-only): Inv_{inv.id.replace('-', '_')}" in cfg


VIOLATED_SHOULD = """\
spec Soft
state {
  x: int[0..5]
}
init {
  x := 0
}
invariant S-1 SHOULD: x <= 2
action up() {
  requires x < 5 else Top
  x := x + 1
}
"""


@needs_tlc
def test_with_must_only_tlc_passes_a_spec_whose_only_violation_is_a_should(tmp_path):
    s = spec(VIOLATED_SHOULD)
    full = export_tla(s)
    write(tmp_path / "full", full)
    assert "is violated" in run_tlc(tmp_path / "full", full.module)
    must = export_tla(s, must_only=True)
    write(tmp_path / "must", must)
    assert "No error has been found" in run_tlc(tmp_path / "must", must.module)


CLOCK = ("spec Clock\nstate {\n  clock: duration\n}\ninit {\n  clock := 0 s\n}\ninvariant C-1: clock >= 0 s\n"
         "action tick() {\n  clock := clock + 20 d\n}\n")


def test_a_value_that_can_leave_tlcs_integers_in_one_step_is_warned_at_its_assignment():
    warnings = [d for d in export_tla(spec(CLOCK)).diagnostics if d.code == "SF321"]
    assert len(warnings) == 1 and warnings[0].span.line == 10 and "TLC would stop with an overflow" in warnings[0].message
    small = CLOCK.replace("20 d", "1 s")
    assert not [d for d in export_tla(spec(small)).diagnostics if d.code == "SF321"]


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.sf")), ids=lambda p: p.stem)
def test_no_example_warns_of_an_overflow(example):
    assert not [d for d in export_tla(load(str(example)).spec).diagnostics if d.code == "SF321"]
