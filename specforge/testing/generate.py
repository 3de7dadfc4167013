"""The spec as a pytest file: a `SpecMachine` (whose one rule, `step`, runs an action) naming the invariant IDs it checks.

The output is deterministic (the same spec and options give the same bytes)
and safe: spec text reaches the generated code only as `repr()` literals and
as identifiers that have been validated, so a hostile description or ID
cannot inject code.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping

from hypothesis import settings as hypothesis_settings

from .. import ir
from ..frontend import load_text
from ..run import Run, RunError, report_runs
from ..structure import obligation_ids
from ..values import Universe
from .binding import Binding
from .defaults import DEFAULT_CALL_TIMEOUT, DEFAULT_EXAMPLES, DEFAULT_STEPS
from .machine import PHASES, SpecMachine
from .runner import SET_SIZE, SpecRunner

_IMPL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class GenerationError(ValueError):
    pass


def spec_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def load_spec(source: str, path: str = "<spec>") -> ir.Spec:
    """The typed IR of an embedded spec; a spec with errors is a test error that says why."""
    loaded = load_text(source, path)
    if not loaded.ok:
        raise GenerationError("the embedded spec does not check:\n" +
                              "\n".join(d.render(loaded.source) for d in loaded.diagnostics))
    return loaded.spec


def _method(prefix: str, name: str, taken: set[str]) -> str:
    base = prefix + re.sub(r"[^A-Za-z0-9_]", "_", name)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    assert _IDENT.fullmatch(candidate)
    return candidate


def _class_name(spec: ir.Spec) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", spec.name)
    return (name[:1].upper() + name[1:]) + "Spec"


# ---- replaying prover traces ---------------------------------------------------------------------------


def replays_from_report(report: dict, spec: ir.Spec) -> list[Run]:
    """The violating runs of a `specforge prove --format json` report, read and checked against the spec
    (`specforge.run`, as `export-tla --trace` reads them); `GenerationError` says what does not fit."""
    try:
        runs = report_runs(report, spec)
    except RunError as e:
        raise GenerationError(f"the report cannot be replayed: {e}") from None
    # a `defined:` run ends where the spec itself has no meaning: a defect of the spec that no
    # implementation can pass or fail, so it is not pinned as a test
    return [r for r in runs if not (r.breaks or "").startswith("defined:")]


def replay(machine: type[SpecMachine], steps: Iterable[tuple[str, Mapping]], invariant_id: str,
           set_size: int = SET_SIZE, sets: Mapping[str, Iterable] | None = None) -> None:
    """Run a prover's trace against the implementation with every check of the property test: each call's
    outcome and state, and after each call the machine's `invariant_ids`; at the end, `invariant_id`.

    `sets` gives each set's elements as the run has them (the size the violation needs, an empty set
    included); without it, each set has `set_size` elements named `<Set>1`, ..."""
    universe = Universe({name: tuple(elements) for name, elements in sets.items()}) if sets is not None else set_size
    runner = SpecRunner(machine.spec, machine.factory, machine.binding, machine.source, universe)
    for name, args in steps:
        runner.apply(name, args)
        runner.check_invariants(machine.invariant_ids)
    if all(e.id != invariant_id for a in machine.spec.actions for e in a.ensures):
        runner.check_invariant(invariant_id)  # (a postcondition's run ends with its call, whose answer apply checked)


# ---- the generated file ----------------------------------------------------------------------------------


def generate(source: str, spec_path: str, impl: str | None, output: str, replay_report: dict | None = None,
             examples: int = DEFAULT_EXAMPLES, steps: int = DEFAULT_STEPS, spec: ir.Spec | None = None,
             call_timeout: float = DEFAULT_CALL_TIMEOUT, http: tuple[str, str] | None = None) -> str:
    """The test file's text. `impl` is MODULE:FACTORY; or `http` is (binding file, base URL): the tests
    then drive a live service (the environment variable SPECFORGE_BASE_URL, when set, wins over the URL).
    `spec` is `source` already checked (the CLI has loaded it to report its diagnostics), so that it is
    not parsed and checked a second time."""
    if http is None and not (impl and _IMPL.fullmatch(impl)):
        raise GenerationError(f"--impl must be MODULE:FACTORY (a dotted module path and a name), not {impl!r}")
    spec = spec if spec is not None else load_spec(source, spec_path)
    cls = _class_name(spec)
    taken: set[str] = set()
    replays = replays_from_report(replay_report, spec) if replay_report else []
    q = repr  # every piece of spec text goes through repr()
    if http is None:
        module, factory = impl.split(":")
        target, options = impl, f"--impl {impl}"
        imports = [f"from {module} import {factory} as implementation", "", f"SPEC_PATH = {q(spec_path)}"]
    else:
        target = f"the HTTP service at {_comment(http[1])}"
        options = f"--http {_comment(http[0])} --base-url {_comment(http[1])}"
        imports = ["from specforge.testing.http import HttpService, http_binding", "",
                   f"SPEC_PATH = {q(spec_path)}", f"BINDING_PATH = {q(http[0])}",
                   f"BASE_URL = {q(http[1])}  # the environment variable SPECFORGE_BASE_URL, when set, wins"]
    lines = [
        "# -*- coding: utf-8 -*-",  # first: a path in the next line could otherwise declare another encoding
        "# Generated by `specforge gen-tests`; do not edit. Regenerate with:",
        f"#   specforge gen-tests {_comment(spec_path)} {options} -o {_comment(output)}",
        "# and check that it is current (for CI) with the same command and --check.",
        f'"""Property tests of {target} against the spec {spec.name} (sha256 {spec_hash(source)[:16]})."""',
        "",
        "from hypothesis import settings",
        "",
        "from specforge.testing import PHASES, SpecMachine, load_spec" + (", replay" if replays else ""),
        *imports,
        f"SPEC_SHA256 = {q(spec_hash(source))}",
        "SOURCE = (",
        *[f"    {q(line + nl)}" for line, nl in _lines(source)],
        ")",
        "",
        "",
        f"class {cls}(SpecMachine):",
        f'    """The spec {spec.name} as a state machine. Each step (SpecMachine.step) runs one of its actions',
        f"    ({_comment(', '.join(a.name for a in spec.actions)) or 'none'}) on the implementation and on the "
        "spec's model;",
        '    each of its invariants is checked after every step."""',
        "",
        "    spec = load_spec(SOURCE, SPEC_PATH)",
        "    source = SOURCE",
        *(["    factory = staticmethod(implementation)"] if http is None else
          ["    binding = http_binding(BINDING_PATH, spec)",
           "    factory = staticmethod(HttpService(binding, BASE_URL))"]),
    ]
    if call_timeout != DEFAULT_CALL_TIMEOUT:  # the default is SpecMachine's own: say only a different one
        lines.append(f"    call_timeout = {float(call_timeout)!r}  # seconds one call may take (0: no bound)")
    lines += ["    # checked after every step, in this order: the invariants, then the bounds of the state's types",
              "    invariant_ids = (", *[f"        {q(oid)},{_described(spec, oid)}" for oid in obligation_ids(spec)], "    )"]
    lines += [
        "",
        "",
        "# no shrinking by hypothesis (see PHASES): a failure reports the shortest run that fails the same way",
        f"{cls}.TestCase.settings = settings(max_examples={int(examples)}, stateful_step_count={int(steps)}, "
        "deadline=None, phases=PHASES)",
        f"Test{cls} = {cls}.TestCase",
    ]
    for r in replays:
        name = _method("test_replay_", r.breaks, taken)
        calls = [(c.action, dict(sorted(c.args.items()))) for c in r.calls]
        lines += ["", "", f"def {name}():",
                  f'    """The run `specforge prove` found to violate {_comment(r.breaks)}, replayed with its own '
                  'sets."""',
                  f"    replay({cls}, {q(calls)}, {q(r.breaks)},",
                  f"           sets={q({s: tuple(e) for s, e in r.sets.items()})})"]
    return "\n".join(lines) + "\n"


def _lines(source: str):
    parts = source.split("\n")
    for i, line in enumerate(parts):
        if i == len(parts) - 1 and line == "":
            break
        yield line, "\n" if i < len(parts) - 1 else ""


def _described(spec: ir.Spec, oid: str) -> str:
    """A comment after an invariant's ID: its level and description, as the spec says them."""
    inv = next((i for i in spec.invariants if i.id == oid), None)
    if inv is None:
        return ""
    return "  # " + _comment(" ".join(filter(None, (inv.level.value, inv.description))))


def _comment(text: str) -> str:
    """Text safe inside a one-line comment."""
    return re.sub(r"[\r\n\x00-\x1f]", "?", text)


# ---- the same machine, built at run time -------------------------------------------------------------------


def machine_class(source: str, factory: Callable[[], object], path: str = "<spec>",
                  binding: Binding | None = None) -> type[SpecMachine]:
    spec = load_spec(source, path)
    # the same members as the generated file
    body: dict = {"spec": spec, "source": source, "factory": staticmethod(factory), "binding": binding,
                  "invariant_ids": tuple(obligation_ids(spec))}
    return type(_class_name(spec), (SpecMachine,), body)


def spec_test_case(spec_path: str, factory: Callable[[], object], binding: Binding | None = None,
                   examples: int = DEFAULT_EXAMPLES, steps: int = DEFAULT_STEPS):
    """A unittest TestCase that tests `factory()` objects against the spec file, without a generated file."""
    with open(spec_path, encoding="utf-8") as fh:
        source = fh.read()
    machine = machine_class(source, factory, spec_path, binding)
    case = machine.TestCase
    case.settings = hypothesis_settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                                        phases=PHASES)
    return case


def report_json(text: str) -> dict:
    return json.loads(text)
