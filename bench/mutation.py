"""Mutation benchmark of the property-test bridge (`specforge gen-tests`, `specforge.testing`).

For every spec in examples/*.sf, with its implementation (examples/impl/<name>.py, the class named after the
spec's `spec NAME`) and its mutants (examples/mutants/<name>.py, the `MUTANTS` list):

* the kill rate: the spec's test, built with `specforge.testing.machine_class(source, factory)` and, apart,
  from the text of the file `specforge gen-tests` writes, is run with unittest at the generated file's default
  settings (max_examples=100, stateful_step_count=30, deadline=None), with a fixed seed (`derandomize=True`,
  or `--seed N`) and no example database, so that the numbers are reproducible. The correct implementation
  must pass; a mutant is killed when the test fails. It reports the kill rate, the survivors, how long the
  correct run took (target: under 10 s per spec), when each mutant was caught and by what, and how the correct
  run's calls went per action (succeeded, or refused by which guard). Mutants run without hypothesis's shrink
  phase unless --shrink is given: whether a mutant is caught is decided in the generate phase, which is the
  same with or without it, and shrinking (minutes per spec) only makes the failing example shorter;
* the overhead: the generated test against a hand-written hypothesis stateful test of the same spec
  (bench/handwritten.py: bank.sf and ledger.sf) on the correct implementation, with the same seed and the same
  argument strategies. It checks that both sides make the same calls, then reports the ratio
  generated / hand-written (target: at most 1.3x) and where the generated test's time goes.

It prints Markdown; with --record it also writes the results into the section "Property tests (`specforge
gen-tests`)" of docs/benchmarks.md (other sections are kept).

Uses the standard library, specforge and hypothesis only. See bench/README.md.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import inspect
import statistics
import sys
import time
import unittest
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

if __package__:
    from . import _common as common
    from . import handwritten
else:  # run as a script: bench/ is on sys.path
    import _common as common
    import handwritten

ROOT = common.ROOT
EXAMPLES = ROOT / "examples"
BENCHMARKS_MD = common.BENCHMARKS_MD
SECTION_HEADING = "## Property tests (`specforge gen-tests`)"

CORRECT_TARGET_S = 10.0  # the correct implementation's run, per spec
OVERHEAD_TARGET = 1.3  # generated / hand-written
DEFAULT_RUNS = 5  # timed runs of each side of the overhead comparison
DEFAULT_OVERHEAD_SEED = 20240617  # the @seed both sides of the overhead comparison share
OVERHEAD_EXAMPLES = tuple(handwritten.MACHINES)  # bank, ledger

if str(ROOT) not in sys.path:  # `examples.impl.<name>` and `examples.mutants.<name>`
    sys.path.insert(0, str(ROOT))


# ---- running one TestCase ----------------------------------------------------------------------------------


class _Capture(unittest.TestResult):
    """A unittest result that keeps the exception of the first failure or error."""

    def __init__(self):
        super().__init__()
        self.exception: BaseException | None = None

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.exception = self.exception or err[1]

    def addError(self, test, err):
        super().addError(test, err)
        self.exception = self.exception or err[1]


class _Counter:
    """Counts examples and steps of a machine class, and when its first check failed."""

    def __init__(self):
        self.examples = 0
        self.steps = 0
        self.first_failure: float | None = None

    def failed(self, exc: Exception) -> None:
        """A check raised `exc`; hypothesis's own exceptions (how it steers generation) do not count."""
        if self.first_failure is None and type(exc).__module__.split(".")[0] != "hypothesis":
            self.first_failure = time.perf_counter()


def instrument(machine: type, counter: _Counter) -> type:
    """Count on the class itself: a subclass would get another name, and with `derandomize=True` hypothesis
    seeds a machine from its class (for a class built at run time, from its name)."""
    init, step, check = machine.__init__, machine.step, machine.check

    def __init__(self):
        counter.examples += 1
        try:
            init(self)
        except Exception as exc:
            counter.failed(exc)
            raise

    def counted_step(self, name, data):
        counter.steps += 1
        try:
            step(self, name, data)
        except Exception as exc:
            counter.failed(exc)
            raise

    def counted_check(self, invariant_id):
        try:
            check(self, invariant_id)
        except Exception as exc:
            counter.failed(exc)
            raise

    machine.__init__, machine.step, machine.check = __init__, counted_step, counted_check
    return machine


@dataclass
class Run:
    passed: bool
    wall: float
    cpu: float
    examples: int
    steps: int
    found_after: float | None  # from the start of the run to the first failing check
    exception: BaseException | None


def run_case(machine: type, settings, counter: _Counter | None = None) -> Run:
    """Run `machine.TestCase` with unittest under `settings`."""
    case = machine.TestCase
    case.settings = settings
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    result = _Capture()
    gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    suite.run(result)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if result.testsRun != 1:
        sys.exit(f"FAILED: expected one test in {machine.__name__}.TestCase, unittest ran {result.testsRun}")
    found = None if counter is None or counter.first_failure is None else counter.first_failure - start
    return Run(result.wasSuccessful(), wall, cpu, counter.examples if counter else 0,
               counter.steps if counter else 0, found, result.exception)


def kill_settings(seed: int | None, shrink: bool):
    """The generated file's settings, a fixed seed, no example database; optionally without shrinking."""
    from hypothesis import Phase, settings

    from specforge.testing.generate import DEFAULT_EXAMPLES, DEFAULT_STEPS

    phases = settings.default.phases
    if not shrink:
        phases = tuple(p for p in phases if p not in (Phase.shrink, Phase.explain))
    return settings(max_examples=DEFAULT_EXAMPLES, stateful_step_count=DEFAULT_STEPS, deadline=None,
                    derandomize=seed is None, database=None, print_blob=False, phases=phases)


# ---- the examples --------------------------------------------------------------------------------------------


@dataclass
class Example:
    name: str  # the file's stem
    path: Path
    source: str
    spec: object  # specforge.ir.Spec
    impl: type
    mutants: list[type]


def load_example(name: str) -> Example:
    from specforge.testing import load_spec

    path = EXAMPLES / f"{name}.sf"
    source = path.read_text(encoding="utf-8")
    spec = load_spec(source, str(path.relative_to(ROOT)))
    impl_module = importlib.import_module(f"examples.impl.{name}")
    mutant_module = importlib.import_module(f"examples.mutants.{name}")
    for module in (impl_module, mutant_module):
        if Path(module.__file__).resolve().parent.parent != EXAMPLES:
            sys.exit(f"FAILED: {module.__name__} was imported from {module.__file__}, not from {EXAMPLES}")
    impl = getattr(impl_module, spec.name, None)
    if impl is None:
        sys.exit(f"FAILED: {impl_module.__file__} has no class {spec.name} (the spec's name)")
    return Example(name, path, source, spec, impl, list(mutant_module.MUTANTS))


def local_modules() -> list[str]:
    """The loaded modules from this repository. Hypothesis draws some of its values (5% of the draws) from the
    constants in the source of the local modules it has seen loaded, so these decide, with the seed, which
    examples it runs."""
    return sorted(name for name, module in list(sys.modules.items())
                  if str(getattr(module, "__file__", None) or "").startswith(str(ROOT)))


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.sf"))


def factory_for(example: Example, cls: type) -> tuple[object, str]:
    """The factory to test `cls` with, and how it was made.

    A class whose signature has a keyword named after a spec set (`Node=`) must receive the set's elements.
    The bridge passes them itself when it supports it (probed once with the real class); otherwise they are
    bound here with functools.partial: the same elements the test draws from."""
    from specforge.interpret import Universe
    from specforge.testing import SpecMachine, SpecRunner

    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        params = {}
    wanted = [s.name for s in example.spec.sets if s.name in params]
    if not wanted:
        return cls, f"`{cls.__name__}`"
    universe = Universe.named(example.spec, SpecMachine.set_size)
    elements = {s: tuple(universe[s]) for s in wanted}
    seen: dict = {}

    def probe(*args, **kwargs):
        seen.update(kwargs)
        return cls(*args, **{**elements, **kwargs})

    probe.__signature__ = inspect.signature(cls)
    try:
        SpecRunner(example.spec, probe, source=example.source)
    except Exception:  # the correct run reports what is wrong
        pass
    shown = ", ".join(f"{s}={elements[s]!r}" for s in wanted)
    if all(s in seen for s in wanted):
        return cls, f"`{cls.__name__}` (the bridge passes `{shown}`)"
    return functools.partial(cls, **elements), f"`functools.partial({cls.__name__}, {shown})`"


# ---- part 1: the kill rate -------------------------------------------------------------------------------------


@dataclass
class MutantResult:
    cls: type
    run: Run

    @property
    def killed(self) -> bool:
        return not self.run.passed


class _Outcomes:
    """Counts, per action, how the correct implementation's calls went, by wrapping `SpecRunner.apply` and
    asking the spec's model about each call first: "ok" when every guard holds, the error of the first false
    guard, or "assumption" when a guard without `else` is false (the call is skipped)."""

    def __init__(self):
        from specforge.testing import SpecRunner

        self.cls = SpecRunner
        self.counts: dict[str, dict[str, int]] = {}
        self._original = None

    def __enter__(self):
        original = self.cls.__dict__.get("apply")
        if original is None:
            return self
        self._original = original
        counts = self.counts

        def apply(runner, name, args):
            try:
                failed = runner.interp.failed_guard(runner.interp.action(name), runner.model, args)
            except Exception:  # the bridge has changed; count nothing rather than fail
                failed = ...
            if failed is not ...:
                outcome = "ok" if failed is None else (failed.error or "assumption")
                per_action = counts.setdefault(name, {})
                per_action[outcome] = per_action.get(outcome, 0) + 1
            return original(runner, name, args)

        self.cls.apply = apply
        return self

    def __exit__(self, *exc):
        if self._original is not None:
            self.cls.apply = self._original
        return False


@dataclass
class ExampleResult:
    example: Example
    variant: str  # a key of VARIANTS
    factory_note: str
    correct: Run
    mutants: list[MutantResult] = field(default_factory=list)
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # action -> outcome -> calls

    @property
    def killed(self) -> int:
        return sum(m.killed for m in self.mutants)

    @property
    def survivors(self) -> list[MutantResult]:
        return [m for m in self.mutants if not m.killed]

    @property
    def mutant_time(self) -> float:
        return sum(m.run.wall for m in self.mutants)

    @property
    def total(self) -> float:
        return self.correct.wall + self.mutant_time


def runtime_machine(example: Example, factory) -> type:
    """`specforge.testing.machine_class`: the test built at run time, without a file."""
    from specforge.testing import machine_class

    return machine_class(example.source, factory, str(example.path.relative_to(ROOT)))


def file_machine(example: Example, factory) -> type:
    """The machine of the file `specforge gen-tests` writes (`specforge.testing.generate`), executed from its
    text; its `factory` is then set to `factory`, as `--impl` would name it."""
    from specforge.testing import SpecMachine
    from specforge.testing.generate import generate

    spec_path = str(example.path.relative_to(ROOT))
    text = generate(example.source, spec_path, f"examples.impl.{example.name}:{example.spec.name}",
                    f"test_{example.name}_spec.py")
    namespace: dict = {"__name__": f"_bench_generated_{example.name}"}
    exec(compile(text, f"<specforge gen-tests {spec_path}>", "exec"), namespace)  # noqa: S102 - our own output
    found = [v for v in namespace.values() if isinstance(v, type) and issubclass(v, SpecMachine)
             and v is not SpecMachine]
    if len(found) != 1:
        sys.exit(f"FAILED: the generated test of {spec_path} defines {len(found)} state machines, expected one")
    machine = found[0]
    machine.factory = staticmethod(factory)
    return machine


VARIANTS = {
    "runtime": ("`machine_class`", runtime_machine),
    "file": ("generated file", file_machine),
}


def rule_names(machine: type) -> list[str]:
    """The `__name__` of each rule's function: hypothesis tells rules apart by it (swarm testing, printing)."""
    return sorted(getattr(machine, k).__name__ for k in dir(machine) if k.startswith("action_"))


def build_machine(example: Example, factory, variant: str, seed: int | None, counter: _Counter) -> type:
    from hypothesis import seed as hypothesis_seed

    machine = instrument(VARIANTS[variant][1](example, factory), counter)
    return hypothesis_seed(seed)(machine) if seed is not None else machine


def measure_kills(example: Example, variant: str, seed: int | None, shrink: bool, log) -> ExampleResult:
    factory, note = factory_for(example, example.impl)
    counter = _Counter()
    correct = run_case(build_machine(example, factory, variant, seed, counter), kill_settings(seed, shrink=True),
                       counter)
    verdict = "passes" if correct.passed else "FAILS"
    print(f"  {example.name} ({VARIANTS[variant][0].strip('`')}): the correct implementation {verdict} in "
          f"{_s(correct.wall)} ({correct.examples} examples, {correct.steps} steps)", file=log)
    if not correct.passed:
        print(f"    {_failure_text(correct.exception)}", file=log)
    result = ExampleResult(example, variant, note, correct)
    with _Outcomes() as outcomes:  # the same run again, untimed, counting how the calls went
        run_case(build_machine(example, factory, variant, seed, _Counter()), kill_settings(seed, shrink=True))
    result.outcomes = outcomes.counts
    for cls in example.mutants:
        factory, _ = factory_for(example, cls)
        counter = _Counter()
        run = run_case(build_machine(example, factory, variant, seed, counter), kill_settings(seed, shrink),
                       counter)
        result.mutants.append(MutantResult(cls, run))
        print(f"    {cls.__name__}: {'killed' if not run.passed else 'SURVIVED'} ({_s(run.wall)})", file=log)
    return result


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for e in exc.exceptions for leaf in _leaves(e)]
    return [exc]


def _failure_text(exc: BaseException | None) -> str:
    if exc is None:
        return "–"
    first = _leaves(exc)[0]
    head = str(first).partition("\n  the calls so far: ")[0].strip().splitlines()
    return f"{type(first).__name__}: {head[0] if head else ''}"


def failure(exc: BaseException | None) -> tuple[str, int | None, str, int]:
    """(what failed, calls made until it failed, the message's first line, further distinct failures)."""
    from specforge.testing import BindingError, SpecViolation

    if exc is None:
        return "–", None, "", 0
    leaves = _leaves(exc)
    first = leaves[0]
    text = str(first)
    head, _, calls = text.partition("\n  the calls so far: ")
    head = head.strip().splitlines()[0] if head.strip() else ""
    calls = calls.strip().splitlines()[0] if calls.strip() else ""
    n_calls = None if not calls else (0 if calls == "none" else calls.count("; ") + 1)
    if isinstance(first, SpecViolation):
        if "every guard holds, so the call must succeed" in head:
            what = "a valid call raised"
        elif "but it returned normally" in head:
            what = "an invalid call returned"
        elif "so the call must raise" in head:
            what = "wrong exception"
        elif "but changed the state" in head:
            what = "a refused call changed the state"
        elif head.startswith("invariant "):
            what = f"invariant {head.split()[1]}"
        elif "the spec says" in head:
            what = "state differs from the spec"
        else:
            what = "spec check"
    elif isinstance(first, BindingError):
        what = "binding error"
    else:
        module = type(first).__module__.split(".")[0]
        what = f"{module} {type(first).__name__}" if module == "hypothesis" else type(first).__name__
    return what, n_calls, head, len(leaves) - 1


# ---- part 2: generated against hand-written --------------------------------------------------------------------


@dataclass
class OverheadResult:
    name: str
    examples: int = 0
    steps: int = 0
    same_calls: bool = False
    first_difference: str = ""
    generated: list[float] = field(default_factory=list)
    generated_cpu: list[float] = field(default_factory=list)
    handwritten: list[float] = field(default_factory=list)
    handwritten_cpu: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    breakdown: dict[str, float] = field(default_factory=dict)  # part -> seconds, one instrumented run
    breakdown_total: float = 0.0

    @property
    def ratio(self) -> float:
        return statistics.median(self.generated) / statistics.median(self.handwritten)

    @property
    def cpu_ratio(self) -> float:
        return statistics.median(self.generated_cpu) / statistics.median(self.handwritten_cpu)


def overhead_settings():
    from hypothesis import settings

    from specforge.testing.generate import DEFAULT_EXAMPLES, DEFAULT_STEPS

    return settings(max_examples=DEFAULT_EXAMPLES, stateful_step_count=DEFAULT_STEPS, deadline=None,
                    derandomize=True, database=None, print_blob=False)


def generated_machine(example: Example, seed: int, log: list | None = None) -> type:
    """The generated file's machine of `example` under `@seed(seed)`; with `log`, every call it makes is
    appended."""
    from hypothesis import seed as hypothesis_seed

    machine = file_machine(example, factory_for(example, example.impl)[0])
    if log is not None:
        init = machine.__init__

        def __init__(self):
            log.append(("<init>", ()))
            init(self)
            apply = self.runner.apply

            def logged(name, args):
                log.append((name, tuple(args.items())))
                return apply(name, args)

            self.runner.apply = logged

        machine.__init__ = __init__
    return hypothesis_seed(seed)(machine)


def hand_machine(example: Example, seed: int, log: list | None = None) -> type:
    from hypothesis import seed as hypothesis_seed

    return hypothesis_seed(seed)(handwritten.machine(example.name, factory_for(example, example.impl)[0], log))


# Where the generated test's time goes: methods timed by wrapping them on their class, if the bridge has them.
# (class, method, label); `arguments` includes `int_strategy`, which is reported apart.
BREAKDOWN = [
    ("SpecMachine", "__init__", "setup"),
    ("SpecRunner", "int_strategy", "strategies"),
    ("SpecRunner", "arguments", "drawing"),
    ("SpecRunner", "apply", "call"),
    ("SpecRunner", "check_invariant", "invariants"),
]
BREAKDOWN_WORDS = {
    "setup": "per example: the `SpecRunner` (an `Interpreter`, the initial state, the implementation, the "
             "initial-state check)",
    "strategies": "building each int argument's strategy (`int_strategy`: the boundaries, found numerically)",
    "drawing": "drawing the arguments from the strategies (`arguments` minus `int_strategy`: hypothesis)",
    "call": "`apply`: the guards in the interpreter, reading the state before, the call, the model's step, "
            "reading and comparing the state after",
    "invariants": "`check_invariant` once per invariant ID after each step: reading the state, evaluating the "
                  "invariant",
    "rest": "everything else: hypothesis's engine, choosing the rules, calling them",
}


class _Breakdown:
    """Times the methods of BREAKDOWN while it is active (restoring them afterwards)."""

    def __init__(self):
        from specforge.testing import machine as machine_module

        self.module = machine_module
        self.times: dict[str, float] = {}
        self._saved: list[tuple[type, str, object]] = []

    def __enter__(self):
        for cls_name, method, label in BREAKDOWN:
            cls = getattr(self.module, cls_name, None)
            original = cls.__dict__.get(method) if cls is not None else None
            if original is None:
                continue
            self._saved.append((cls, method, original))

            def timed(obj, *args, _original=original, _label=label, **kwargs):
                t0 = time.perf_counter()
                try:
                    return _original(obj, *args, **kwargs)
                finally:
                    self.times[_label] = self.times.get(_label, 0.0) + time.perf_counter() - t0

            setattr(cls, method, timed)
        return self

    def __exit__(self, *exc):
        for cls, method, original in self._saved:
            setattr(cls, method, original)
        return False


def _first_difference(a: list, b: list) -> str:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"call {i}: generated {x!r}, hand-written {y!r}"
    return f"the generated side made {len(a)} calls (and inits), the hand-written one {len(b)}"


def measure_overhead(example: Example, runs: int, seed: int, log) -> OverheadResult:
    result = OverheadResult(example.name)
    settings = overhead_settings()
    # one recorded run of each side: are the calls the same? (also the warm-up)
    gen_log: list = []
    hand_log: list = []
    for side, machine in (("generated", generated_machine(example, seed, gen_log)),
                          ("hand-written", hand_machine(example, seed, hand_log))):
        run = run_case(machine, settings)
        if not run.passed:
            result.failures.append(f"{side}: {_failure_text(run.exception)}")
    result.examples = sum(1 for name, _ in gen_log if name == "<init>")
    result.steps = len(gen_log) - result.examples
    result.same_calls = gen_log == hand_log
    if not result.same_calls:
        result.first_difference = _first_difference(gen_log, hand_log)
    print(f"  {example.name}: {result.examples} examples, {result.steps} calls; the same calls on both sides: "
          f"{'yes' if result.same_calls else 'NO (' + result.first_difference + ')'}", file=log)
    with _Breakdown() as clock:  # one instrumented run of the generated test: where its time goes
        run = run_case(generated_machine(example, seed), settings)
    times = dict(clock.times)
    if "drawing" in times and "strategies" in times:
        times["drawing"] -= times["strategies"]
    times["rest"] = run.wall - sum(times.values())
    result.breakdown, result.breakdown_total = times, run.wall
    generated, hand = generated_machine(example, seed), hand_machine(example, seed)
    for _ in range(runs):  # the two sides alternate
        for machine, wall, cpu in ((generated, result.generated, result.generated_cpu),
                                   (hand, result.handwritten, result.handwritten_cpu)):
            run = run_case(machine, settings)
            if not run.passed:
                result.failures.append(_failure_text(run.exception))
            wall.append(run.wall)
            cpu.append(run.cpu)
    print(f"    generated {_s(statistics.median(result.generated))}, hand-written "
          f"{_s(statistics.median(result.handwritten))}: {result.ratio:.2f}x", file=log)
    return result


# ---- reporting ----------------------------------------------------------------------------------------------------


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def _cell(text: str, limit: int = 150) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return text.replace("|", "\\|")


def _met(ok: bool, detail: str) -> str:
    return ("yes" if ok else "**no**") + f" ({detail})"


def _doc(cls: type) -> str:
    return " ".join((inspect.getdoc(cls) or "").split())


def _summary_rows(results: list[ExampleResult]) -> list[str]:
    out = []
    for r in results:
        c = r.correct
        n = len(r.mutants)
        survivors = ", ".join(f"`{m.cls.__name__}`" for m in r.survivors) or "none"
        passes = "passes" if c.passed else f"**fails**: {_cell(_failure_text(c.exception), 100)}"
        out.append(
            f"| `{r.example.name}.sf` | {r.factory_note} | {passes} | {c.examples} / {c.steps:,} | {_s(c.wall)} | "
            f"{_s(c.cpu)} | {_met(c.wall < CORRECT_TARGET_S, f'{c.wall / CORRECT_TARGET_S:.0%} of target')} | "
            f"{r.killed} / {n} | {r.killed / n:.0%} | {survivors} | {_s(r.mutant_time)} | {_s(r.total)} |")
    killed = sum(r.killed for r in results)
    total = sum(len(r.mutants) for r in results)
    out.append(f"| all | | | {sum(r.correct.examples for r in results)} / "
               f"{sum(r.correct.steps for r in results):,} | {_s(sum(r.correct.wall for r in results))} | "
               f"{_s(sum(r.correct.cpu for r in results))} | | {killed} / {total} | {killed / total:.0%} | | "
               f"{_s(sum(r.mutant_time for r in results))} | {_s(sum(r.total for r in results))} |")
    return out


_SUMMARY_HEAD = [
    "| Spec | Factory | Correct implementation | Examples / steps | Correct run | CPU | Target < 10 s | Killed | "
    "Kill rate | Survivors | Mutant runs | Total |",
    "| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: |",
]


def _killed_line(results: list[ExampleResult]) -> str:
    killed = sum(r.killed for r in results)
    total = sum(len(r.mutants) for r in results)
    return f"{killed} of {total} mutants killed ({killed / total:.0%})"


def render_kills(kills: dict[str, list[ExampleResult]], seed: int | None, shrink: bool,
                 names: dict[str, list[str]]) -> list[str]:
    from specforge.testing.generate import DEFAULT_EXAMPLES, DEFAULT_STEPS

    runtime, file = kills.get("runtime", []), kills.get("file", [])
    seeding = (f"`@hypothesis.seed({seed})` on each machine class" if seed is not None else
               "`derandomize=True`: hypothesis then seeds a machine from a digest of its class, here of its name "
               "(`<Spec>Spec`; a class made at run time has no source to hash), so the correct implementation "
               "and every mutant of one spec get the same seed, and a mutant is called exactly as the correct "
               "implementation is until it first goes wrong")
    out = [
        "### Kill rate at the default settings",
        "",
        "For each spec in `examples/`, its test is run with unittest, once on the correct implementation and "
        "once on each mutant; a mutant is killed when the test fails. The test is built in two ways: "
        "`specforge.testing.machine_class(source, factory)`, the run-time API, and the file `specforge "
        "gen-tests` writes (the text `specforge.testing.generate` returns, executed in process, its factory "
        "set to the class under test). Settings: the generated file's defaults, "
        f"`max_examples={DEFAULT_EXAMPLES}`, `stateful_step_count={DEFAULT_STEPS}`, `deadline=None`; seeded "
        f"with {seeding}; `database=None`, so no earlier run's failures are replayed. Health checks are on.",
        "",
        ("Mutants run with every phase, shrinking included (`--shrink`)." if shrink else
         "Mutants run without the shrink and explain phases (`--shrink` puts them back): whether a mutant is "
         "caught is decided in the generate phase, which runs the same with or without them, so the verdicts "
         "are those of the default settings; shrinking only shortens the failing example, and after the first "
         "failure hypothesis also keeps generating for up to 10 s of wall time to look for other bugs, which "
         "makes a run several times slower (up to two minutes for a single mutant) and its length depend on "
         "the machine's speed. The correct implementations run with every phase (with no failure, shrinking "
         "never starts)."),
        "",
    ]
    if runtime and file:
        per_example = names.get("runtime", [])
        if any(len(set(n)) < len(n) for n in per_example):
            shared = sorted({x for n in per_example for x in n if n.count(x) > 1})
            shown = ", ".join(f"`{x}`" for x in shared)
            out += [
                "**The two are not the same test.** Hypothesis tells the rules of a state machine apart by the "
                "`__name__` of their functions. `machine_class` gives the rules of a spec the same function name "
                f"({shown}); a generated file names each after its action (`action_deposit`, ...). With one "
                "name, hypothesis's swarm testing (in each example it switches a random subset of the rules "
                "off, so that some examples are long runs of a few actions) never switches anything off, and "
                f"its printed steps all read `state.{shared[0]}(...)`. So the two draw different examples from "
                "the same seed, and can kill different mutants.",
                "",
            ]
    if runtime:
        out += [f"**`machine_class`: {_killed_line(runtime)}.** Target: 100%, and the correct run under "
                f"{CORRECT_TARGET_S:g} s per spec.", "", *_SUMMARY_HEAD, *_summary_rows(runtime), ""]
    if file:
        out += [f"**Generated file: {_killed_line(file)}.**", "", *_SUMMARY_HEAD, *_summary_rows(file), ""]
    out += [
        "*Factory*: what the test was given to make an implementation. *Examples / steps*: the examples "
        "hypothesis ran on the correct implementation and the steps (actions) they took. *Correct run*: its wall "
        "time; *CPU*: this process's CPU time for it. *Mutant runs*: the wall time of all the mutants' runs "
        "together; *Total*: the correct run plus the mutant runs.",
        "",
        "Each mutant, with each way of building the test: killed or not, and when its run failed (wall time from "
        "the start of the run to the first failing check). For `machine_class`, also how many calls the failing "
        "example had made by then " + ("(after shrinking)" if shrink else "(not shrunk)") + ", what caught it, "
        "and the first line of the failure. A survivor ran all its examples.",
        "",
    ]
    by_key = {(r.example.name, m.cls.__name__): m for r in file for m in r.mutants}
    head = "| Spec | Mutant |"
    rule = "| --- | --- |"
    if runtime:
        head += " `machine_class` | Failed after | Calls | Caught by | Failure |"
        rule += " --- | ---: | ---: | --- | --- |"
    if file:
        head += " Generated file | Failed after |"
        rule += " --- | ---: |"
    out += [head, rule]
    for r in runtime or file:
        for m in r.mutants:
            row = f"| `{r.example.name}.sf` | `{m.cls.__name__}` |"
            if runtime:
                what, n_calls, first_line, more = failure(m.run.exception)
                if more:
                    what += f" (+{more} more)"
                row += (f" {'killed' if m.killed else '**survived**'} | {_s(m.run.found_after)} | "
                        f"{'–' if n_calls is None else n_calls} | {what} | {_cell(first_line)} |")
            other = by_key.get((r.example.name, m.cls.__name__)) if runtime else m
            if file and other is not None:
                row += f" {'killed' if other.killed else '**survived**'} | {_s(other.run.found_after)} |"
            out.append(row)
    survivors: dict[tuple[str, str], tuple[type, list[str]]] = {}
    for variant, results in kills.items():
        for r in results:
            for m in r.survivors:
                survivors.setdefault((r.example.name, m.cls.__name__), (m.cls, []))[1].append(
                    VARIANTS[variant][0])
    if survivors:
        out += ["", "The survivors, with what their docstrings say the bug is and what should catch it:", ""]
        for (example, name), (cls, where) in survivors.items():
            out.append(f"- `{example}.sf`, `{name}` (survives {' and '.join(where)}): {_doc(cls)}")
    out += render_outcomes(kills)
    odd = [m.cls.__name__ for results in kills.values() for r in results for m in r.mutants
           if m.killed and not _is_spec_check(m.run.exception)]
    if odd:
        out += ["", "Killed by something other than a spec check (a binding error, a hypothesis error): "
                + ", ".join(f"`{n}`" for n in dict.fromkeys(odd)) + "."]
    return out


def render_outcomes(kills: dict[str, list[ExampleResult]]) -> list[str]:
    """How the correct implementation's calls went, per action: a bug in an action's effect can only be caught
    by a call that succeeds."""
    variants = [v for v in VARIANTS if v in kills and any(r.outcomes for r in kills[v])]
    if not variants:
        return []
    out = [
        "",
        "How the calls of the correct implementation's run went, per action (counted in a second, untimed run "
        "of it): how many calls, how many had every guard true (*ok*: the call must succeed, and its effect is "
        "checked), and the most frequent refusal (the first false guard's error). A bug in what an action "
        "does can only be caught by a call that succeeds, and a bug in a guard only by a call that reaches "
        "it.",
        "",
        "| Spec | Action | " + " | ".join(f"{VARIANTS[v][0]}: calls | ok | most refused" for v in variants) + " |",
        "| --- | --- | " + " | ".join("---: | ---: | ---" for _ in variants) + " |",
    ]
    by_variant = {v: {r.example.name: r.outcomes for r in kills[v]} for v in variants}
    for r in kills[variants[0]]:
        for action in (a.name for a in r.example.spec.actions):
            cells = []
            for v in variants:
                counts = by_variant[v].get(r.example.name, {}).get(action, {})
                calls = sum(counts.values())
                refusals = sorted(((n, e) for e, n in counts.items() if e != "ok"), key=lambda x: (-x[0], x[1]))
                top = f"{refusals[0][1]} ({refusals[0][0]:,})" if refusals else "–"
                ok = counts.get("ok", 0)
                shown = "**0**" if calls and not ok else f"{ok:,}"  # called, but never successfully
                cells.append(f"{calls:,} | {shown} | {top}")
            out.append(f"| `{r.example.name}.sf` | `{action}` | " + " | ".join(cells) + " |")
    return out


def _is_spec_check(exc: BaseException | None) -> bool:
    from specforge.testing import SpecViolation

    return exc is not None and isinstance(_leaves(exc)[0], SpecViolation)


def render_overhead(results: list[OverheadResult], runs: int, seed: int) -> list[str]:
    from specforge.testing.generate import DEFAULT_EXAMPLES, DEFAULT_STEPS

    out = [
        "### Generated test against a hand-written stateful test",
        "",
        "The generated test (the machine of the file `specforge gen-tests` writes) against a hand-written "
        "`RuleBasedStateMachine` of the same spec (`bench/handwritten.py`), both on the correct implementation, "
        f"with `max_examples={DEFAULT_EXAMPLES}`, "
        f"`stateful_step_count={DEFAULT_STEPS}`, `deadline=None`, `database=None` and the same seed, "
        f"`@hypothesis.seed({seed})` on both classes (it takes precedence over `derandomize=True`, which would "
        "seed each class from a digest of its own source, different for the two). The hand-written machine has "
        "the same rules in the same order (one `st.data()` each) and draws the same argument strategies, worked "
        "out by hand, so both sides make the same calls; one recorded run of each side checks that they do. "
        "(`machine_class` would not: its rules all have one function name, see above; its per-call work is the "
        "same code.) "
        f"Then the two sides alternate, {runs} timed run{'s' if runs != 1 else ''} each; the table gives medians. "
        f"Target: generated / hand-written ≤ {OVERHEAD_TARGET:g}x.",
        "",
        "| Spec | Examples | Calls | Same calls | Generated | Hand-written | Ratio | Target ≤ 1.3x | CPU ratio | "
        "Generated per call | Hand-written per call |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for r in results:
        g, h = statistics.median(r.generated), statistics.median(r.handwritten)
        same = "yes" if r.same_calls else f"**no**: {_cell(r.first_difference, 80)}"
        out.append(f"| `{r.name}.sf` | {r.examples} | {r.steps:,} | {same} | {_s(g)} | {_s(h)} | {r.ratio:.2f}x | "
                   f"{_met(r.ratio <= OVERHEAD_TARGET, f'{r.ratio / OVERHEAD_TARGET:.0%} of target')} | "
                   f"{r.cpu_ratio:.2f}x | {_us(g / max(r.steps, 1))} | {_us(h / max(r.steps, 1))} |")
    for r in results:
        for f in r.failures:
            out.append(f"\n**A run failed** on `{r.name}.sf`: {_cell(f, 300)}")
    with_breakdown = [r for r in results if r.breakdown]
    if with_breakdown:
        parts = [p for p in ("setup", "strategies", "drawing", "call", "invariants", "rest")
                 if any(p in r.breakdown for r in with_breakdown)]
        out += [
            "",
            "Where the generated test's time goes, in one more run of it with the bridge's methods timed by "
            "wrappers (which add a little time of their own, counted in their parts), against the hand-written "
            "run's median:",
            "",
            "| Spec | Generated (instrumented) | " + " | ".join(p.capitalize() for p in parts)
            + " | Hand-written (median) |",
            "| --- | ---: | " + " | ".join("---:" for _ in parts) + " | ---: |",
        ]
        for r in with_breakdown:
            cells = [f"{_s(r.breakdown[p])} ({r.breakdown[p] / r.breakdown_total:.0%})" if p in r.breakdown
                     else "–" for p in parts]
            out.append(f"| `{r.name}.sf` | {_s(r.breakdown_total)} | " + " | ".join(cells)
                       + f" | {_s(statistics.median(r.handwritten))} |")
        out += ["", *[f"- *{p.capitalize()}*: {BREAKDOWN_WORDS[p]}." for p in parts]]
    out += [
        "",
        "*Calls*: the actions called in all the examples, the same on both sides when *Same calls* says yes; the "
        "per-call times divide each side's whole run (hypothesis's own work included) by that number. *CPU "
        "ratio*: the same ratio in process CPU time, less affected by other load on the machine.",
        "",
        "What differs between the two sides, besides the same calls and the same checks:",
        "",
        "- **The model.** The generated test runs the spec's own model, specforge's IR interpreter: each call "
        "evaluates the guards in order (`failed_guard`) and, when they hold, the assignments (`step`). The "
        "hand-written one keeps the state in a few attributes and has the guards as `if`s.",
        "- **Reading the state.** The generated test reads every state variable through the binding (attribute "
        "by name, a `FrozenMap` per map with one lookup per set element, durations and enums converted) before "
        "and after each call, and again for each invariant after every step (one `observe()` per invariant "
        "ID), and then evaluates the invariant in the interpreter; the hand-written one reads each attribute "
        "it needs and checks the invariants as Python expressions.",
        "- **Arguments.** Both draw from the same strategies, but the generated test finds the boundaries "
        "numerically on every draw: it evaluates each guard comparison at 0, ±1 and ±2 to find its root, and "
        "for each numeric state variable the action assigns, every comparison in the spec's guards and "
        "invariants. The hand-written one has the closed forms (`MAX_BALANCE - balance`, ...).",
        "- **Per example and per call.** The generated machine builds a `SpecRunner` for each example (an "
        "`Interpreter` over the spec with a universe of 3 elements per set, the initial state) and formats each "
        "call as text for its failure messages; the hand-written one sets a few attributes.",
        "- **Errors.** Both match an exception by the name of its class or a base class.",
    ]
    return out


def reproduce_command(args) -> str:
    parts = ["python bench/mutation.py"]
    if args.examples != example_names():
        parts.append("--examples " + ",".join(args.examples))
    if args.seed is not None:
        parts.append(f"--seed {args.seed}")
    if args.shrink:
        parts.append("--shrink")
    if args.variants != list(VARIANTS):
        parts.append("--variants " + ",".join(args.variants))
    if args.runs != DEFAULT_RUNS:
        parts.append(f"--runs {args.runs}")
    if args.overhead_seed != DEFAULT_OVERHEAD_SEED:
        parts.append(f"--overhead-seed {args.overhead_seed}")
    if args.skip_overhead:
        parts.append("--skip-overhead")
    parts.append("--record")
    return " ".join(parts)


def render_section(kills: dict[str, list[ExampleResult]], names: dict[str, list[list[str]]],
                   overhead: list[OverheadResult], args, loads, others: dict[str, float | None],
                   total_s: float) -> str:
    import hypothesis

    libraries = [f"hypothesis {hypothesis.__version__}", f"lark {common.version('lark')}",
                 f"pydantic {common.version('pydantic')}"]
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        SECTION_HEADING,
        "",
        "How many of the example mutants the generated property tests kill at their default settings, how long "
        "a test of a correct implementation takes, and what a generated test costs over a hand-written "
        "hypothesis stateful test of the same spec. Measured by `bench/mutation.py` on `examples/*.sf`, their "
        "implementations in `examples/impl/` and the mutants in `examples/mutants/`.",
        "",
        f"Measured on {date} on:",
        "",
        *common.platform_lines(libraries, recursive=True),
        f"- Load average (1 / 5 / 15 min) at the start: {common.show_load(loads[0])}; at the end: "
        f"{common.show_load(loads[1])} (this includes the benchmark's own process).",
        "- CPU used by other processes while each part ran, as a share of all cores (from /proc/stat, minus "
        "the benchmark's own CPU time): " + "; ".join(f"{k}: {common.show_share(v)}" for k, v in others.items())
        + ". Anything well above 0% inflates the wall times. The benchmark runs in one process, on one core.",
        "",
        "To reproduce, from the repository root:",
        "",
        "```sh",
        reproduce_command(args),
        "```",
        "",
        f"The whole run took {total_s:.0f} s.",
        "",
        "Which examples hypothesis runs depends on its version and, with a fixed seed, also on the source "
        "code loaded: it draws some of its values (5% of the draws) from the constants it finds in the "
        "loaded local modules (here specforge, `examples/` and `bench/`). The script loads every example's "
        "modules before the first run, so each run sees the same constants whatever ran before it; but a "
        "change to any of that code, even one that does not touch the bridge, can change the examples and so "
        "the numbers.",
        "",
    ]
    changed = getattr(args, "modules_changed", None)
    if changed:
        lines += [f"**Warning**: local modules were loaded during the runs ({', '.join(changed)}), so the "
                  "runs did not all see the same constants.", ""]
    if kills:
        lines += render_kills(kills, args.seed, args.shrink, names) + [""]
    if overhead:
        lines += render_overhead(overhead, args.runs, args.overhead_seed) + [""]
    return "\n".join(lines)


# ---- main ------------------------------------------------------------------------------------------------------


def _examples(text: str) -> list[str]:
    names = [n.strip().removesuffix(".sf") for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in example_names()]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown example(s) {', '.join(unknown)}; "
                                         f"known: {', '.join(example_names())}")
    return names


def _variants(text: str) -> list[str]:
    chosen = [v.strip() for v in text.split(",") if v.strip()]
    if not chosen or any(v not in VARIANTS for v in chosen):
        raise argparse.ArgumentTypeError(f"expected some of {', '.join(VARIANTS)}, got {text!r}")
    return list(dict.fromkeys(chosen))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Mutation benchmark of the generated property tests: the kill rate on examples/mutants at "
                    "default settings, the time per spec, and the overhead over a hand-written stateful test.",
        epilog="Results are printed as Markdown; --record also writes them to docs/benchmarks.md.",
    )
    parser.add_argument("--examples", type=_examples, default=example_names(), metavar="NAME[,NAME...]",
                        help="the examples to run (default: every examples/*.sf: " + ", ".join(example_names())
                             + ")")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed the kill-rate runs with @hypothesis.seed(SEED) instead of derandomize=True")
    parser.add_argument("--shrink", action="store_true",
                        help="run the mutants with hypothesis's shrink phase (the default settings exactly; "
                             "several times slower, same verdicts)")
    parser.add_argument("--variants", type=_variants, default=list(VARIANTS), metavar="V[,V...]",
                        help="how to build the tests for the kill rate: runtime (machine_class), file (the "
                             "generated file), or both (default runtime,file)")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help=f"timed runs of each side of the overhead comparison (default {DEFAULT_RUNS})")
    parser.add_argument("--overhead-seed", type=int, default=DEFAULT_OVERHEAD_SEED,
                        help=f"the @hypothesis.seed both sides of the overhead comparison share "
                             f"(default {DEFAULT_OVERHEAD_SEED})")
    parser.add_argument("--skip-overhead", action="store_true",
                        help="only the kill rate, not the comparison with the hand-written tests")
    parser.add_argument("--record", action="store_true",
                        help="write the results into the property-test section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    began = time.perf_counter()
    load_before = common.load_average()
    log = sys.stderr
    others: dict[str, float | None] = {}
    # Every example's modules are loaded before the first run, whichever examples run, so that every run sees
    # the same local constants (see local_modules) and a spec's numbers do not depend on what ran before it.
    loaded = {name: load_example(name) for name in example_names()}
    examples = [loaded[name] for name in args.examples]
    modules = local_modules()
    kills: dict[str, list[ExampleResult]] = {}
    names: dict[str, list[list[str]]] = {}
    for variant in args.variants:
        print(f"the kill rate at default settings, {VARIANTS[variant][0].strip('`')} ...", file=log)
        watch = common.OtherLoad()
        kills[variant] = [measure_kills(example, variant, args.seed, args.shrink, log) for example in examples]
        names[variant] = [rule_names(VARIANTS[variant][1](example, example.impl)) for example in examples]
        others[f"kill rate, {VARIANTS[variant][0].strip('`')}"] = watch.share()
    overhead: list[OverheadResult] = []
    chosen = [n for n in OVERHEAD_EXAMPLES if n in args.examples]
    if not args.skip_overhead and chosen:
        print("generated against hand-written ...", file=log)
        watch = common.OtherLoad()
        overhead = [measure_overhead(e, args.runs, args.overhead_seed, log) for e in examples if e.name in chosen]
        others["overhead"] = watch.share()
    if local_modules() != modules:
        others_note = sorted(set(local_modules()) ^ set(modules))
        print(f"warning: local modules were loaded or unloaded during the runs: {others_note}", file=log)
        args.modules_changed = others_note
    total = time.perf_counter() - began
    section = render_section(kills, names, overhead, args, (load_before, common.load_average()), others, total)
    print(section)
    if args.record:
        common.record(section, SECTION_HEADING)
        print(f"recorded in {BENCHMARKS_MD.relative_to(ROOT)}", file=log)
    print(f"total time {total:.0f} s", file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
