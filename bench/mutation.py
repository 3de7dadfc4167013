"""Mutation benchmark of the property-test bridge (`specforge gen-tests`, `specforge.testing`).

For every spec in examples/*.sf, with its implementation (examples/impl/<name>.py, the class named after the
spec's `spec NAME`) and its mutants (examples/mutants/<name>.py, the `MUTANTS` list):

* the kill rate: the spec's test (`specforge.testing.machine_class(source, factory)`, the same machine as the
  file `specforge gen-tests` writes) is run with unittest at the bridge's default settings (DEFAULT_EXAMPLES
  examples of up to DEFAULT_STEPS steps, deadline=None) and no example database. The correct implementation
  must pass; a mutant is killed when the test fails. Once with `derandomize=True` (as CI seeds it): the kill
  rate, the survivors, how long the correct run took (target: under 10 s of CPU per spec), when and by what each
  mutant was caught, and how the correct run's calls went per action. With --seeds N, also under
  `@hypothesis.seed(s)` for s in 0..N-1: kills out of runs, the mutants killed under every seed, and those that
  are not, with how often they are. Mutants run with the generated files' phases (no shrinking by hypothesis)
  unless --shrink adds hypothesis's shrink and explain phases: whether a mutant is caught is decided in the
  generate phase, and shrinking only shortens the failing example.
  The runs are spread over --jobs worker processes;
* the overhead: the generated test against a hand-written hypothesis stateful test of the same spec
  (bench/handwritten.py: bank.sf and ledger.sf) on the correct implementation, both at the same settings and
  seed. They make different calls, so the comparison is per step: time per step generated / hand-written
  (target: at most 1.3x), and where the generated test's time goes.

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
import multiprocessing
import statistics
import sys
import time
import unittest
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
OVERHEAD_TARGET = 1.3  # time per step, generated / hand-written
DEFAULT_RUNS = 5  # timed runs of each side of the overhead comparison
DEFAULT_OVERHEAD_SEED = 20240617  # the @seed both sides of the overhead comparison share
DEFAULT_JOBS = 2  # worker processes for the kill-rate runs
TASKS_PER_WORKER = 50  # runs before a worker process is replaced by a fresh one
OVERHEAD_EXAMPLES = tuple(handwritten.MACHINES)  # bank, ledger

if str(ROOT) not in sys.path:  # `examples.impl.<name>` and `examples.mutants.<name>`
    sys.path.insert(0, str(ROOT))


# ---- the examples --------------------------------------------------------------------------------------------


@dataclass
class Example:
    name: str  # the file's stem
    path: Path
    source: str
    spec: object  # specforge.ir.Spec
    impl: type
    mutants: list[type]

    @property
    def spec_path(self) -> str:
        return str(self.path.relative_to(ROOT))

    def cls(self, mutant: str | None) -> type:
        """The correct implementation (None) or the mutant of that name."""
        return self.impl if mutant is None else next(m for m in self.mutants if m.__name__ == mutant)


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.sf"))


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


@functools.cache
def loaded_examples() -> dict[str, Example]:
    """Every example, its implementation and its mutants loaded, whichever examples run: hypothesis draws some
    of its values from the constants of the local modules loaded (see local_modules), so every run, in every
    process, must see the same ones."""
    return {name: load_example(name) for name in example_names()}


def local_modules() -> tuple[str, ...]:
    """The files of the loaded modules from this repository. Hypothesis draws some of its values (5% of the
    draws) from the constants in the source of the local modules it has seen loaded, so these decide, with the
    seed, which examples it runs. Files, not module names: a worker process has this script as `__mp_main__`."""
    files = {str(Path(f).resolve().relative_to(ROOT)) for module in list(sys.modules.values())
             if (f := getattr(module, "__file__", None)) and str(Path(f).resolve()).startswith(str(ROOT))}
    return tuple(sorted(files))


def set_keywords(example: Example) -> list[str]:
    """The spec's sets that the implementation's constructor takes as keywords (`Node=`): the bridge passes
    it the run's elements."""
    try:
        params = inspect.signature(example.impl).parameters
    except (TypeError, ValueError):
        return []
    return [s.name for s in example.spec.sets if s.name in params]


# ---- running one test ------------------------------------------------------------------------------------------


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


@contextmanager
def patched(replacements: list[tuple[type, str, Callable[[Callable], Callable]]]) -> Iterator[None]:
    """While the block runs, replace each method `cls.name` with `wrap(original)`; then put the originals back."""
    saved: list[tuple[type, str, object]] = []
    try:
        for cls, name, wrap in replacements:
            original = cls.__dict__[name]
            saved.append((cls, name, original))
            setattr(cls, name, wrap(original))
        yield
    finally:
        for cls, name, original in reversed(saved):
            setattr(cls, name, original)


@dataclass
class Counter:
    """The examples and steps of a generated test's run, and when its first check failed."""

    examples: int = 0
    steps: int = 0
    first_failure: float | None = None

    def failed(self, exc: Exception) -> None:
        """A check raised `exc`; hypothesis's own exceptions (how it steers generation) do not count."""
        if self.first_failure is None and type(exc).__module__.split(".")[0] != "hypothesis":
            self.first_failure = time.perf_counter()


def counting(counter: Counter, failures: bool = True):
    """Count on `SpecRunner`: one `__init__` per example, one `choose_action` per step (`SpecMachine.step`
    calls it once); with `failures`, also note when a check first raised."""
    from specforge.testing import SpecRunner

    def count(field_name: str | None):
        def wrap(original):
            def counted(self, *args, **kwargs):
                if field_name:
                    setattr(counter, field_name, getattr(counter, field_name) + 1)
                try:
                    return original(self, *args, **kwargs)
                except Exception as exc:
                    counter.failed(exc)
                    raise
            return counted
        return wrap

    methods = [(SpecRunner, "__init__", count("examples")), (SpecRunner, "choose_action", count("steps"))]
    if failures:
        methods += [(SpecRunner, "apply", count(None)), (SpecRunner, "check_invariant", count(None))]
    return patched(methods)


def counting_outcomes(counts: dict[str, dict[str, int]]):
    """Count, per action, how the calls went, by asking the spec's model about each call before it is made:
    "ok" when every guard holds, the error of the first false guard, or "assumption" when a guard without
    `else` is false (the call is skipped)."""
    from specforge.testing import SpecRunner

    def wrap(original):
        def apply(runner, name, args):
            failed = runner.interp.failed_guard(runner.interp.action(name), runner.model, args)
            outcome = "ok" if failed is None else (failed.error or "assumption")
            per_action = counts.setdefault(name, {})
            per_action[outcome] = per_action.get(outcome, 0) + 1
            return original(runner, name, args)
        return apply

    return patched([(SpecRunner, "apply", wrap)])


@dataclass
class Run:
    passed: bool
    wall: float
    cpu: float
    exception: BaseException | None
    started: float  # time.perf_counter() at the start


def run_case(machine: type, settings) -> Run:
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
        raise RuntimeError(f"expected one test in {machine.__name__}.TestCase, unittest ran {result.testsRun}")
    # hypothesis keeps every machine class it has run (RuleBasedStateMachine._setup_state_per_class), and with it
    # the argument pools the bridge caches on the class: free them, or each run leaves megabytes behind and the
    # garbage collector slows down every later run in the process
    pools = machine.__dict__.get("_pools")
    if isinstance(pools, dict):
        pools.clear()
    return Run(result.wasSuccessful(), wall, cpu, result.exception, start)


def spec_machine(example: Example, factory, seed: int | None = None) -> type:
    """The spec's test of `factory`: `machine_class`, a new class each time (so its argument pools start
    empty, as in a fresh test session), under `@hypothesis.seed(seed)` unless seed is None."""
    from hypothesis import seed as hypothesis_seed

    from specforge.testing import machine_class

    machine = machine_class(example.source, factory, example.spec_path)
    return machine if seed is None else hypothesis_seed(seed)(machine)


def kill_settings(seed: int | None, shrink: bool):
    """The generated files' settings, no example database, `derandomize=True` unless a seed is given;
    optionally with hypothesis's shrink and explain phases, which the generated files leave out."""
    from hypothesis import Phase, settings

    from specforge.testing import PHASES
    from specforge.testing.generate import DEFAULT_EXAMPLES, DEFAULT_STEPS

    phases = (*PHASES, Phase.shrink, Phase.explain) if shrink else PHASES
    return settings(max_examples=DEFAULT_EXAMPLES, stateful_step_count=DEFAULT_STEPS, deadline=None,
                    derandomize=seed is None, database=None, print_blob=False, phases=phases)


# ---- part 1: the kill rate, one run per worker task -------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    example: str
    mutant: str | None  # a mutant class's name; None: the correct implementation
    seed: int | None  # @hypothesis.seed(seed); None: derandomize=True
    shrink: bool = False  # run a mutant with hypothesis's shrink and explain phases too
    outcomes: bool = False  # also count how the calls went per action, in a second, untimed run


@dataclass
class Outcome:
    """What a worker sends back about one run (no exception objects: they do not always pickle)."""

    task: Task
    passed: bool
    wall: float
    cpu: float
    examples: int
    steps: int
    found_after: float | None  # from the start of the run to the first failing check
    caught_by: str = "–"
    calls: int | None = None  # calls made by the failing example (not shrunk unless --shrink)
    shortest: int | None = None  # calls in the shortest run that fails the same way, when the failure gives one
    message: str = ""  # the failure's first line
    spec_check: bool = True  # failed by a SpecViolation (not a binding or hypothesis error)
    per_action: dict[str, dict[str, int]] = field(default_factory=dict)
    modules: tuple[str, ...] = ()  # the local modules loaded (see local_modules)
    sources: str = ""  # the digest of the specforge sources when the worker started (and imported them)

    @property
    def killed(self) -> bool:
        return not self.passed


def run_task(task: Task) -> Outcome:
    example = loaded_examples()[task.example]
    cls = example.cls(task.mutant)
    counter = Counter()
    with counting(counter):
        run = run_case(spec_machine(example, cls, task.seed), kill_settings(task.seed, task.shrink))
    found = None if counter.first_failure is None else counter.first_failure - run.started
    outcome = Outcome(task, run.passed, run.wall, run.cpu, counter.examples, counter.steps, found)
    if run.exception is not None:
        outcome.caught_by, outcome.calls, outcome.message, more, outcome.shortest = failure(run.exception)
        if more:
            outcome.caught_by += f" (+{more} more)"
        outcome.spec_check = _is_spec_check(run.exception)
    if task.outcomes:  # the same run again, untimed, counting how the calls went
        with counting_outcomes(outcome.per_action):
            run_case(spec_machine(example, cls, task.seed), kill_settings(task.seed, task.shrink))
    outcome.modules = local_modules()
    outcome.sources = _WORKER_SOURCES
    return outcome


_WORKER_SOURCES = ""


def _init_worker() -> None:
    global _WORKER_SOURCES
    _WORKER_SOURCES = common.source_digest(recursive=True)  # read as the worker imports specforge
    loaded_examples()


def run_tasks(tasks: list[Task], jobs: int, progress: Callable[[Outcome, int], None]) -> list[Outcome]:
    """Run every task in `jobs` worker processes (spawned, so each starts clean and loads the same modules);
    `progress(outcome, done)` is called as each one finishes."""
    outcomes: list[Outcome] = []
    # a fresh worker every TASKS_PER_WORKER runs: hypothesis keeps every machine class it has run, so a worker's
    # heap, and the time the garbage collector takes, grows with each run
    with multiprocessing.get_context("spawn").Pool(jobs, initializer=_init_worker,
                                                   maxtasksperchild=TASKS_PER_WORKER) as pool:
        for outcome in pool.imap_unordered(run_task, tasks):
            outcomes.append(outcome)
            progress(outcome, len(outcomes))
        pool.close()
        pool.join()  # so that the workers' CPU time is counted as the benchmark's own (common.OtherLoad)
    order = {t: i for i, t in enumerate(tasks)}
    return sorted(outcomes, key=lambda o: order[o.task])


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for e in exc.exceptions for leaf in _leaves(e)]
    return [exc]


def _is_spec_check(exc: BaseException | None) -> bool:
    from specforge.testing import SpecViolation

    return exc is not None and isinstance(_leaves(exc)[0], SpecViolation)


def failure(exc: BaseException) -> tuple[str, int | None, str, int, int | None]:
    """(what failed, calls made until it failed, the message's first line, further distinct failures, calls in
    the shortest run that fails the same way, when the message gives one)."""
    from specforge.testing import BindingError, SpecViolation

    leaves = _leaves(exc)
    first = leaves[0]
    head, _, calls = str(first).partition("\n  the calls so far: ")
    head = head.strip().splitlines()[0] if head.strip() else ""
    _, _, shortest = calls.partition("\n  a shortest run that fails the same way: ")
    calls = calls.strip().splitlines()[0] if calls.strip() else ""
    n_calls = None if not calls else (0 if calls == "none" else calls.count("; ") + 1)
    n_shortest = shortest.strip().splitlines()[0].count("; ") + 1 if shortest.strip() else n_calls
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
        head = f"{type(first).__name__}: {head}"
    return what, n_calls, head, len(leaves) - 1, n_shortest


@dataclass
class Kills:
    """One example under one seed: the correct run and each mutant's."""

    example: Example
    correct: Outcome
    mutants: list[Outcome]

    @property
    def killed(self) -> int:
        return sum(m.killed for m in self.mutants)

    @property
    def survivors(self) -> list[Outcome]:
        return [m for m in self.mutants if not m.killed]

    @property
    def mutant_time(self) -> float:
        return sum(m.wall for m in self.mutants)


def tasks_for(examples: list[Example], seeds: list[int | None], shrink: bool, outcomes: bool) -> list[Task]:
    """Every correct run first (the longest), then every mutant, each under every seed."""
    correct = [Task(e.name, None, s, outcomes=outcomes) for s in seeds for e in examples]
    mutants = [Task(e.name, m.__name__, s, shrink) for s in seeds for e in examples for m in e.mutants]
    return correct + mutants


def group(examples: list[Example], outcomes: list[Outcome]) -> dict[tuple[str, int | None], Kills]:
    """The outcomes per (example, seed), the mutants in the order of the example's MUTANTS."""
    by_key = {(o.task.example, o.task.mutant, o.task.seed): o for o in outcomes}
    seeds = dict.fromkeys(o.task.seed for o in outcomes)
    return {(e.name, s): Kills(e, by_key[(e.name, None, s)], [by_key[(e.name, m.__name__, s)] for m in e.mutants])
            for s in seeds for e in examples}


# ---- part 2: generated against hand-written --------------------------------------------------------------------


@dataclass
class Timed:
    wall: float
    cpu: float
    examples: int
    steps: int

    @property
    def per_step(self) -> float:
        return self.wall / max(self.steps, 1)

    @property
    def cpu_per_step(self) -> float:
        return self.cpu / max(self.steps, 1)


@dataclass
class OverheadResult:
    name: str
    generated: list[Timed] = field(default_factory=list)
    handwritten: list[Timed] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    breakdown: dict[str, float] = field(default_factory=dict)  # part -> seconds, one instrumented run
    breakdown_run: Timed | None = None
    kills: dict[str, list[str]] = field(default_factory=dict)  # side -> the mutants it killed under the seed
    mutants: int = 0

    @staticmethod
    def median(runs: list[Timed], key: str) -> float:
        return statistics.median(getattr(r, key) for r in runs)

    @property
    def ratio(self) -> float:
        return self.median(self.generated, "per_step") / self.median(self.handwritten, "per_step")

    @property
    def cpu_ratio(self) -> float:
        return self.median(self.generated, "cpu_per_step") / self.median(self.handwritten, "cpu_per_step")

    @property
    def ratios(self) -> list[float]:
        """The ratio per step of each timed run of the generated test to the hand-written run that followed it."""
        return [g.per_step / h.per_step for g, h in zip(self.generated, self.handwritten, strict=True)]


def overhead_settings():
    """The generated files' settings for both sides of the comparison (no example database)."""
    from hypothesis import settings

    from specforge.testing import PHASES
    from specforge.testing.generate import DEFAULT_EXAMPLES, DEFAULT_STEPS

    return settings(max_examples=DEFAULT_EXAMPLES, stateful_step_count=DEFAULT_STEPS, deadline=None,
                    database=None, print_blob=False, phases=PHASES)


def hand_machine(example: Example, factory, seed: int) -> type:
    from hypothesis import seed as hypothesis_seed

    return hypothesis_seed(seed)(handwritten.machine(example.name, factory))


def run_generated(example: Example, seed: int, settings) -> tuple[Run, Timed]:
    counter = Counter()
    machine = spec_machine(example, example.impl, seed)
    with counting(counter, failures=False):
        run = run_case(machine, settings)
    return run, Timed(run.wall, run.cpu, counter.examples, counter.steps)


def run_handwritten(example: Example, seed: int, settings) -> tuple[Run, Timed]:
    machine = hand_machine(example, example.impl, seed)
    run = run_case(machine, settings)
    return run, Timed(run.wall, run.cpu, machine.counts.examples, machine.counts.steps)


# Where the generated test's time goes: (class, method, part). Each wrapper times its method's own time, without
# the wrapped methods it calls, so the parts add up; the rest is hypothesis and the machine's own frames.
BREAKDOWN = [
    ("SpecRunner", "__init__", "setup"),
    ("SpecRunner", "choose_action", "choosing the action"),
    ("SpecRunner", "arguments", "argument pools"),
    ("SpecRunner", "pools", "argument pools"),
    ("Pools", "draw", "drawing"),
    ("Interpreter", "failed_guard", "model"),
    ("Interpreter", "step", "model"),
    ("Interpreter", "effect", "model"),
    ("Binding", "call", "implementation call"),
    ("Binding", "observe", "observing the state"),
    ("SpecRunner", "apply", "checks"),
    ("SpecRunner", "expect_state", "checks"),
    ("SpecRunner", "check_invariant", "invariants"),
    ("Interpreter", "holds", "invariants"),
]
BREAKDOWN_WORDS = {
    "setup": "`SpecRunner.__init__`, once per example: an `Interpreter` over the spec, the initial state, the "
             "implementation from the factory",
    "choosing the action": "`SpecRunner.choose_action`: which actions some arguments can get through in this "
                           "state (the guards evaluated on the finite parameters, the int bounds), cached per "
                           "state",
    "argument pools": "`SpecRunner.arguments` and `pools`: each parameter's accepted values, interval and "
                      "rejected values (boundaries found by evaluating the guards' comparisons at -2..2), "
                      "cached per state and earlier arguments",
    "drawing": "`Pools.draw`: a mode, then a value, for the action and each argument, taken from the step's "
               "`Dice` (the one integer hypothesis draws per step)",
    "model": "`Interpreter.failed_guard`, `step` and `effect`: the guards and the assignments in the spec's model",
    "implementation call": "`Binding.call`: the call into the implementation, arguments converted",
    "observing the state": "`Binding.observe`: reading every state variable of the implementation after each "
                           "call (the reading serves the invariants and the next call's before)",
    "checks": "`SpecRunner.apply` and `expect_state` themselves: comparing the states, keeping the calls for the "
              "failure messages",
    "invariants": "`SpecRunner.check_invariant` and `Interpreter.holds`: evaluating each invariant on the "
                  "observed state",
    "hypothesis and the rest": "everything else: hypothesis's engine (choosing and recording the choices, running the "
                  "rule), `SpecMachine.step`, unittest",
}


class Clock:
    """Times the methods of BREAKDOWN, each by its own time (a wrapped method called inside another is taken
    out of the caller's time), while `clock.running()` is active."""

    def __init__(self):
        self.own: dict[str, float] = {}
        self._children: list[float] = []  # per active wrapped call: the time of the wrapped calls inside it

    def wrap(self, part: str):
        def wrapper(original):
            clock = self

            def timed(*args, **kwargs):
                clock._children.append(0.0)
                t0 = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    elapsed = time.perf_counter() - t0
                    inner = clock._children.pop()
                    clock.own[part] = clock.own.get(part, 0.0) + elapsed - inner
                    if clock._children:
                        clock._children[-1] += elapsed
            return timed
        return wrapper

    def running(self):
        from specforge.interpret import Interpreter
        from specforge.testing.binding import Binding
        from specforge.testing.choices import Pools
        from specforge.testing.runner import SpecRunner

        classes = {"SpecRunner": SpecRunner, "Pools": Pools, "Interpreter": Interpreter, "Binding": Binding}
        return patched([(classes[cls], method, self.wrap(part)) for cls, method, part in BREAKDOWN])


def measure_overhead(example: Example, runs: int, seed: int, log) -> OverheadResult:
    result = OverheadResult(example.name)
    settings = overhead_settings()
    for side, run_side in (("generated", run_generated), ("hand-written", run_handwritten)):  # warm-up
        run, _ = run_side(example, seed, settings)
        if not run.passed:
            result.failures.append(f"{side}: {_failure_text(run.exception)}")
    for _ in range(runs):  # the two sides alternate
        for run_side, timed in ((run_generated, result.generated), (run_handwritten, result.handwritten)):
            run, t = run_side(example, seed, settings)
            if not run.passed:
                result.failures.append(_failure_text(run.exception))
            timed.append(t)
    clock, counter = Clock(), Counter()
    machine = spec_machine(example, example.impl, seed)
    with counting(counter, failures=False), clock.running():  # one more run of the generated test: where its
        run = run_case(machine, settings)  # time goes
    result.breakdown = dict(clock.own)
    result.breakdown["hypothesis and the rest"] = run.wall - sum(clock.own.values())
    result.breakdown_run = Timed(run.wall, run.cpu, counter.examples, counter.steps)
    g, h = result.generated, result.handwritten
    print(f"  {example.name}: generated {_s(result.median(g, 'wall'))} for {g[-1].steps:,} steps, hand-written "
          f"{_s(result.median(h, 'wall'))} for {h[-1].steps:,} steps: {result.ratio:.2f}x per step", file=log)
    # which mutants each side kills under the same seed (one run each)
    result.mutants = len(example.mutants)
    for side, make in (("generated", lambda cls: spec_machine(example, cls, seed)),
                       ("hand-written", lambda cls: hand_machine(example, cls, seed))):
        result.kills[side] = [cls.__name__ for cls in example.mutants if not run_case(make(cls), settings).passed]
    return result


# ---- reporting ----------------------------------------------------------------------------------------------------


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _range(times: list[float]) -> str:
    return f"{_s(statistics.median(times))}, {_s(max(times))}"


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


def _failure_text(exc: BaseException | None) -> str:
    if exc is None:
        return "–"
    return failure(exc)[2]


def _settings_text() -> str:
    from specforge.testing.generate import DEFAULT_EXAMPLES, DEFAULT_STEPS

    return (f"`max_examples={DEFAULT_EXAMPLES}`, `stateful_step_count={DEFAULT_STEPS}` (the defaults of "
            "`specforge.testing.generate`), `deadline=None`, `database=None`")


def render_kills(groups: dict[tuple[str, int | None], Kills], examples: list[Example], shrink: bool) -> list[str]:
    results = [groups[(e.name, None)] for e in examples]
    killed = sum(r.killed for r in results)
    total = sum(len(r.mutants) for r in results)
    with_sets = [f"`{e.impl.__name__}({', '.join(f'{s}=...' for s in set_keywords(e))})`" for e in examples
                 if set_keywords(e)]
    out = [
        "### Kill rate at the default settings, one seed",
        "",
        "For each spec in `examples/`, its test is run with unittest, once on the correct implementation and once "
        "on each mutant; a mutant is killed when the test fails. The test is `specforge.testing."
        "machine_class(source, factory)`, the same machine as the file `specforge gen-tests` writes (same members; "
        "with the same seed, the same calls), with the class under test as its factory"
        + (f" ({', '.join(with_sets)} receives the run's elements from the bridge)" if with_sets else "")
        + f". Settings: {_settings_text()}, `derandomize=True`: hypothesis then seeds a machine from a digest of "
        "its class, here of its name (`<Spec>Spec`: a class made at run time has no source to hash), so the "
        "correct implementation and every mutant of one spec get the same seed, and a mutant is called exactly "
        "as the correct implementation is until it first goes wrong. CI's test of the mutants "
        "(`tests/test_examples_bridge.py`) seeds them the same way, but takes its other settings from the "
        "generated files in `tests/generated/` and runs under pytest, without `bench/` loaded, so it may draw "
        "other examples (see above). Health checks are on.",
        "",
        ("Every run adds hypothesis's shrink and explain phases to the generated files' (`--shrink`)." if shrink
         else "Every run has the generated files' phases (`specforge.testing.PHASES`: explicit, reuse, generate, "
         "target; no shrinking by hypothesis, a failure reports the shortest run specforge finds). Whether a "
         "mutant is caught is decided in the generate phase, which runs the same with or without shrinking."),
        "",
        f"**{killed} of {total} mutants killed ({killed / total:.0%}).** Target: 100%, and the correct run under "
        f"{CORRECT_TARGET_S:g} s of CPU time per spec.",
        "",
        "| Spec | Correct implementation | Examples / steps | Correct run | CPU | Target < 10 s | Killed | "
        "Kill rate | Survivors | Mutant runs | Total |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in results:
        c = r.correct
        n = len(r.mutants)
        survivors = ", ".join(f"`{m.task.mutant}`" for m in r.survivors) or "none"
        passes = "passes" if c.passed else f"**fails**: {_cell(c.message, 100)}"
        out.append(
            f"| `{r.example.name}.sf` | {passes} | {c.examples} / {c.steps:,} | {_s(c.wall)} | {_s(c.cpu)} | "
            f"{_met(c.cpu < CORRECT_TARGET_S, f'{c.cpu / CORRECT_TARGET_S:.0%} of target')} | "
            f"{r.killed} / {n} | {r.killed / n:.0%} | {survivors} | {_s(r.mutant_time)} | "
            f"{_s(c.wall + r.mutant_time)} |")
    out += [
        f"| all | | {sum(r.correct.examples for r in results)} / {sum(r.correct.steps for r in results):,} | "
        f"{_s(sum(r.correct.wall for r in results))} | {_s(sum(r.correct.cpu for r in results))} | | "
        f"{killed} / {total} | {killed / total:.0%} | | {_s(sum(r.mutant_time for r in results))} | "
        f"{_s(sum(r.correct.wall + r.mutant_time for r in results))} |",
        "",
        "*Examples / steps*: the examples hypothesis ran on the correct implementation and the steps (actions) "
        "they took. *Correct run*: its wall time; *CPU*: its worker process's CPU time, what the target is "
        "checked against. The wall time grows with every other process that wants a core (here the other worker "
        "at least); the CPU time much less, but it grows too when both cores are busy (by up to a half on this "
        "machine), so a near miss in a busy run is noise: the many-seed table below, when there is one, gives "
        "each spec's median. *Mutant runs*: the wall time of all the mutants' runs together; *Total*: the "
        "correct run plus the mutant runs.",
        "",
        "Each mutant: killed or not, when its run failed (wall time from the start of the run to the first "
        "failing check), how many calls the failing example had made by then "
        + ("(after shrinking)" if shrink else "(not shrunk)") + ", how many the shortest run that fails the same "
        "way has (`SpecRunner.shortest`, in the failure message), what caught it, and the first line of the "
        "failure. A survivor ran all its examples.",
        "",
        "| Spec | Mutant | Verdict | Failed after | Calls | Shortest | Caught by | Failure |",
        "| --- | --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        for m in r.mutants:
            out.append(f"| `{r.example.name}.sf` | `{m.task.mutant}` | {'killed' if m.killed else '**survived**'} | "
                       f"{_s(m.found_after)} | {'–' if m.calls is None else m.calls} | "
                       f"{'–' if m.shortest is None else m.shortest} | "
                       f"{m.caught_by if m.killed else '–'} | {_cell(m.message)} |")
    survivors = [(r.example, r.example.cls(m.task.mutant)) for r in results for m in r.survivors]
    if survivors:
        out += ["", "The survivors, with what their docstrings say the bug is and what should catch it:", ""]
        out += [f"- `{e.name}.sf`, `{cls.__name__}`: {_doc(cls)}" for e, cls in survivors]
    odd = [m.task.mutant for r in results for m in r.mutants if m.killed and not m.spec_check]
    if odd:
        out += ["", "Killed by something other than a spec check (a binding error, a hypothesis error): "
                + ", ".join(f"`{n}`" for n in odd) + "."]
    return out + render_outcomes(results)


def render_outcomes(results: list[Kills]) -> list[str]:
    """How the correct implementation's calls went, per action: a bug in an action's effect can only be caught
    by a call that succeeds."""
    if not any(r.correct.per_action for r in results):
        return []
    out = [
        "",
        "How the calls of the correct implementation's run went, per action (counted in a second, untimed run "
        "of it): how many calls, how many had every guard true (*ok*: the call must succeed, and its effect is "
        "checked), and the most frequent refusal (the first false guard's error). A bug in what an action does "
        "can only be caught by a call that succeeds, and a bug in a guard only by a call that reaches it.",
        "",
        "| Spec | Action | Calls | ok | Most refused |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for r in results:
        for action in (a.name for a in r.example.spec.actions):
            counts = r.correct.per_action.get(action, {})
            calls = sum(counts.values())
            refusals = sorted(((n, e) for e, n in counts.items() if e != "ok"), key=lambda x: (-x[0], x[1]))
            top = f"{refusals[0][1]} ({refusals[0][0]:,})" if refusals else "–"
            ok = counts.get("ok", 0)
            shown = "**0**" if calls and not ok else f"{ok:,}"  # called, but never successfully
            out.append(f"| `{r.example.name}.sf` | `{action}` | {calls:,} | {shown} | {top} |")
    return out


def render_seeds(groups: dict[tuple[str, int | None], Kills], examples: list[Example], seeds: list[int],
                 jobs: int, elapsed: float) -> list[str]:
    n = len(seeds)
    per_example = {e.name: [groups[(e.name, s)] for s in seeds] for e in examples}
    out = [
        f"### Kill rate over {_plural(n, 'seed')}",
        "",
        f"The same runs under `@hypothesis.seed(s)` for s in {seeds[0]}..{seeds[-1]} on each machine class "
        f"(`derandomize=False`; the seed decides every draw): the correct implementation under every seed (it "
        "must pass under each), and every mutant under every seed, with the same settings and phases as above. "
        "A run is one mutant under one seed. *Killed under every seed* counts the mutants that no seed let "
        "through. *Correct run*: the wall time of the correct implementation's run; *CPU*: its CPU time. "
        "*Mutant runs*: the wall time of every mutant's run under every seed, together."
        f" All {sum(len(e.mutants) + 1 for e in examples) * n:,} runs, the correct implementations' included, "
        f"were spread over {jobs} worker "
        f"process{'es' if jobs != 1 else ''} and took {elapsed:.0f} s of wall time.",
        "",
        "| Spec | Mutants | Correct passes | Correct run: median, max | CPU: median, max | Killed runs | "
        "Kill rate | Killed under every seed | Mutant runs |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    totals = [0, 0, 0, 0, 0, 0.0]  # mutants, passes, killed runs, runs, always killed, mutant time
    walls_all: list[float] = []
    cpus_all: list[float] = []
    for e in examples:
        runs = per_example[e.name]
        m = len(e.mutants)
        passes = sum(r.correct.passed for r in runs)
        killed = sum(r.killed for r in runs)
        always = sum(all(not r.mutants[i].passed for r in runs) for i in range(m))
        walls, cpus = [r.correct.wall for r in runs], [r.correct.cpu for r in runs]
        walls_all += walls
        cpus_all += cpus
        mutant_time = sum(r.mutant_time for r in runs)
        shown_passes = f"{passes} / {n}" if passes == n else f"**{passes} / {n}**"
        out.append(f"| `{e.name}.sf` | {m} | {shown_passes} | {_range(walls)} | {_range(cpus)} | "
                   f"{killed} / {m * n} | {killed / (m * n):.1%} | {always} / {m} | {_s(mutant_time)} |")
        for i, x in enumerate((m, passes, killed, m * n, always, mutant_time)):
            totals[i] += x
    mutants, passes, killed, runs, always, mutant_time = totals
    out.append(f"| all | {mutants} | {passes} / {len(examples) * n} | {_range(walls_all)} | {_range(cpus_all)} | "
               f"{killed} / {runs} | {killed / runs:.1%} | {always} / {mutants} | "
               f"{_s(mutant_time)} |")
    by_seed = [sum(groups[(e.name, s)].killed for e in examples) for s in seeds]
    out += ["", "Mutants killed per seed (of " + f"{mutants}): "
            + ", ".join(f"seed {s}: {k}" for s, k in zip(seeds, by_seed, strict=True)) + "."]
    failing = [(e.name, s, groups[(e.name, s)].correct) for e in examples for s in seeds
               if not groups[(e.name, s)].correct.passed]
    if failing:
        out += ["", "**The correct implementation failed** under:", ""]
        out += [f"- `{name}.sf`, seed {s}: {_cell(c.message, 300)}" for name, s, c in failing]
    sometimes = []
    for e in examples:
        runs = per_example[e.name]
        for i, cls in enumerate(e.mutants):
            survived = [s for s, r in zip(seeds, runs, strict=True) if r.mutants[i].passed]
            if survived:
                sometimes.append((e, cls, n - len(survived), survived))
    if sometimes:
        out += [
            "",
            "The mutants not killed under every seed: how many seeds killed them, the seeds they survived, and "
            "what their docstrings say the bug is and what should catch it.",
            "",
            "| Spec | Mutant | Killed | Survived under seeds | The bug |",
            "| --- | --- | ---: | --- | --- |",
        ]
        for e, cls, k, survived in sorted(sometimes, key=lambda x: (x[2], x[0].name, x[1].__name__)):
            out.append(f"| `{e.name}.sf` | `{cls.__name__}` | {k} / {n} | {', '.join(map(str, survived))} | "
                       f"{_cell(_doc(cls), 400)} |")
    else:
        out += ["", "Every mutant was killed under every seed."]
    return out


def render_overhead(results: list[OverheadResult], runs: int, seed: int) -> list[str]:
    out = [
        "### Generated test against a hand-written stateful test",
        "",
        "The generated test (`machine_class`, as above) against the stateful test a careful developer would "
        "write by hand for the same spec (`bench/handwritten.py`): one `@rule` per action with natural "
        "strategies (amounts `st.integers(-10, 3_000)` or one of the spec's boundary constants, accounts "
        "`st.sampled_from` three fixed ids), the spec's model as plain attributes, and the same checks (the "
        "guards in order, the first false guard's error by class or base-class name, the state unchanged after "
        "a refusal and equal to the model after a success, each invariant checked after every step). Both on the "
        f"correct implementation, with {_settings_text()}, the same `@hypothesis.seed({seed})`, a new machine "
        "class for each run (so the generated test's argument pools start empty, as in a new test session). "
        "The two tests make different calls, and hypothesis ends some examples early, so they do not run the "
        "same number of steps: each side counts the steps it ran (the hand-written rules count themselves; the "
        "generated test counts its calls of `SpecRunner.choose_action`, one per step), and the comparison is "
        "**per step**: a run's wall time, hypothesis's own work included, divided by its steps. After one "
        f"warm-up run of each, the two sides alternate, {runs} timed run{'s' if runs != 1 else ''} each; the "
        f"table gives medians. Target: time per step generated / hand-written ≤ {OVERHEAD_TARGET:g}x.",
        "",
        "| Spec | Generated: examples / steps | Hand-written: examples / steps | Generated | Hand-written | "
        "Generated per step | Hand-written per step | Ratio per step | Target ≤ 1.3x | Lowest, highest | "
        "CPU ratio per step |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]

    def counts(runs: list[Timed]) -> str:
        steps = sorted({r.steps for r in runs})
        shown = f"{steps[0]:,}" if len(steps) == 1 else f"{steps[0]:,}–{steps[-1]:,}"
        return f"{runs[-1].examples} / {shown}"
    for r in results:
        g, h = r.generated, r.handwritten
        out.append(f"| `{r.name}.sf` | {counts(g)} | {counts(h)} | {_s(r.median(g, 'wall'))} | "
                   f"{_s(r.median(h, 'wall'))} | {_us(r.median(g, 'per_step'))} | {_us(r.median(h, 'per_step'))} | "
                   f"{r.ratio:.2f}x | {_met(r.ratio <= OVERHEAD_TARGET, f'{r.ratio / OVERHEAD_TARGET:.0%} of target')}"
                   f" | {min(r.ratios):.2f}x, {max(r.ratios):.2f}x | {r.cpu_ratio:.2f}x |")
    for r in results:
        for f in r.failures:
            out.append(f"\n**A run failed** on `{r.name}.sf`: {_cell(f, 300)}")
    out += [
        "",
        "*Generated*, *Hand-written*: the median wall time of a whole run. *Per step*: the median over the runs "
        "of wall time / steps. *Lowest, highest*: the ratio per step of each timed generated run to the "
        "hand-written run after it, the spread a reader should allow for. *CPU ratio per step*: the same ratio "
        "in process CPU time.",
    ]
    with_breakdown = [r for r in results if r.breakdown]
    if with_breakdown:
        parts = [p for p in BREAKDOWN_WORDS if any(p in r.breakdown for r in with_breakdown)]
        out += [
            "",
            "Where the generated test's time goes, in one more run of it with the bridge's methods wrapped in "
            "timers (each part is its methods' own time, without the wrapped methods they call; the wrappers "
            "add time of their own, so this run is slower than the median above), per part: its time, its share "
            "of the run, and per step; the hand-written test's whole time per step, for comparison:",
            "",
            "| Part | " + " | ".join(f"`{r.name}.sf`" for r in with_breakdown) + " |",
            "| --- | " + " | ".join("---:" for _ in with_breakdown) + " |",
        ]
        for p in parts:
            cells = []
            for r in with_breakdown:
                t = r.breakdown.get(p)
                cells.append("–" if t is None else f"{_s(t)} ({t / r.breakdown_run.wall:.0%}), "
                             f"{_us(t / max(r.breakdown_run.steps, 1))}")
            out.append(f"| {p.capitalize()} | " + " | ".join(cells) + " |")
        out.append("| **Whole run (instrumented)** | " + " | ".join(
            f"{_s(r.breakdown_run.wall)}, {_us(r.breakdown_run.per_step)}" for r in with_breakdown) + " |")
        out.append("| Hand-written, whole run (median) | " + " | ".join(
            f"{_s(r.median(r.handwritten, 'wall'))}, {_us(r.median(r.handwritten, 'per_step'))}"
            for r in with_breakdown) + " |")
        out += ["", *[f"- *{p.capitalize()}*: {BREAKDOWN_WORDS[p]}." for p in parts]]
    with_kills = [r for r in results if r.kills]
    if with_kills:
        out += [
            "",
            f"What each side catches under the same `@hypothesis.seed({seed})` (one run per mutant, no shrinking; "
            "one seed, so a rough indication only):",
            "",
            "| Spec | Mutants | Generated kills | Hand-written kills | Only the generated test kills | "
            "Only the hand-written test kills |",
            "| --- | ---: | ---: | ---: | --- | --- |",
        ]
        for r in with_kills:
            gen, hand = r.kills["generated"], r.kills["hand-written"]
            only_gen = ", ".join(f"`{m}`" for m in gen if m not in hand) or "none"
            only_hand = ", ".join(f"`{m}`" for m in hand if m not in gen) or "none"
            out.append(f"| `{r.name}.sf` | {r.mutants} | {len(gen)} | {len(hand)} | {only_gen} | {only_hand} |")
    out += [
        "",
        "What a generated step does that a hand-written one does not:",
        "",
        "- **Choosing the action and its arguments from the guards.** Each step the generated test works out "
        "which actions some arguments can get through in the current state, then for each parameter the values "
        "the guards accept, an interval inside the guards' linear bounds and the values each guard rejects "
        "(both cached per state), and picks a mode and then a value for the action and for each argument, all "
        "from the one integer hypothesis draws for the step (`Dice`), where the hand-written rule has hypothesis "
        "draw each argument.",
        "- **The model.** The spec's own model, specforge's IR interpreter, evaluates the guards in order and "
        "the assignments; the hand-written test has the guards as `if`s and the model as a few attributes.",
        "- **Reading the state.** The generated test reads every state variable through the binding (by "
        "attribute name; a map is read at every element of the run's sets) after each call (the reading is "
        "kept until the next call, for the invariants and the next step), and evaluates the invariants in the "
        "interpreter, at the end of the step (not as hypothesis `@invariant`s); the hand-written one reads the "
        "attributes it needs and checks each invariant, an `@invariant` of its own, as a Python expression.",
        "- **Messages.** The generated test keeps the calls so far for its failure messages.",
    ]
    return out


def reproduce_command(args) -> str:
    parts = ["python bench/mutation.py"]
    if args.examples != example_names():
        parts.append("--examples " + ",".join(args.examples))
    if args.seeds:
        parts.append(f"--seeds {args.seeds}")
    if args.jobs != DEFAULT_JOBS:
        parts.append(f"--jobs {args.jobs}")
    if args.shrink:
        parts.append("--shrink")
    if args.runs != DEFAULT_RUNS:
        parts.append(f"--runs {args.runs}")
    if args.overhead_seed != DEFAULT_OVERHEAD_SEED:
        parts.append(f"--overhead-seed {args.overhead_seed}")
    if args.skip_overhead:
        parts.append("--skip-overhead")
    parts.append("--record")
    return " ".join(parts)


@dataclass
class Results:
    examples: list[Example]
    groups: dict[tuple[str, int | None], Kills]
    seeds_elapsed: float | None
    overhead: list[OverheadResult]
    loads: tuple
    others: dict[str, tuple[float | None, float]]  # part -> (CPU share of other processes, wall time)
    modules_changed: list[str]
    sources: str  # the digest of the specforge sources the script imported
    other_sources: list[str]  # other digests, of the sources some worker imported
    total: float
    cpu: float


def render_section(res: Results, args) -> str:
    import hypothesis

    libraries = [f"hypothesis {hypothesis.__version__}", f"lark {common.version('lark')}",
                 f"pydantic {common.version('pydantic')}"]
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    busy = [v for v, _ in res.others.values() if v is not None and v > 0.10]
    lines = [
        SECTION_HEADING,
        "",
        "How many of the example mutants the generated property tests kill at their default settings, under "
        "one seed (seeded as CI seeds them) and over many seeds, how long a test of a correct implementation takes, and what a "
        "generated test costs per step over a hand-written hypothesis stateful test of the same spec. Measured "
        "by `bench/mutation.py` on `examples/*.sf`, their implementations in `examples/impl/` and the mutants in "
        "`examples/mutants/`.",
        "",
        f"Measured on {date} on:",
        "",
        *common.platform_lines(libraries, recursive=True, digest=res.sources),
        f"- Load average (1 / 5 / 15 min) at the start: {common.show_load(res.loads[0])}; at the end: "
        f"{common.show_load(res.loads[1])} (this includes the benchmark's own processes).",
        "- Each part's wall time, and the CPU used by other processes while it ran, as a share of all cores "
        "(from /proc/stat, minus the benchmark's own CPU time and its workers'): "
        + "; ".join(f"{k}: {t:.0f} s, {common.show_share(v)}" for k, (v, t) in res.others.items())
        + f". The kill-rate runs use {args.jobs} worker process{'es' if args.jobs != 1 else ''}; the "
        "comparison with the hand-written tests runs in one process, one run at a time.",
        "",
    ]
    if busy:
        lines += [f"**The machine was shared**: other processes used up to {max(busy):.0%} of its CPU while the "
                  "benchmark ran, so the wall times are inflated and noisy; the CPU times and the ratios are "
                  "less affected.", ""]
    lines += [
        "To reproduce, from the repository root:",
        "",
        "```sh",
        reproduce_command(args),
        "```",
        "",
        f"The whole run took {res.total:.0f} s of wall time and {res.cpu:.0f} s of CPU time (the script and its "
        "workers).",
        "",
        "Which examples hypothesis runs depends on its version and, with a fixed seed, also on the source "
        "code loaded: it draws some of its values (5% of the draws) from the constants it finds in the loaded "
        "local modules (here specforge, `examples/` and `bench/`; files under `tests/` are left out). The script "
        "loads every example's modules before the first run, in every worker, so each run sees the same "
        "constants whatever ran before it; but a change to any of that code, even one that does not touch the "
        "bridge, can change the examples and so the numbers. For the same reason, CI's run of the mutants "
        "(under pytest, without `bench/` loaded) may draw other examples than the one-seed run here.",
        "",
    ]
    if res.other_sources:
        lines += [f"**Warning**: the specforge sources changed while the benchmark ran: some worker processes "
                  f"imported other sources ({', '.join(res.other_sources)}) than the script ({res.sources}), so "
                  "not every run measured the same code.", ""]
    if res.modules_changed:
        lines += [f"**Warning**: the runs did not all see the same local modules ({', '.join(res.modules_changed)} "
                  "loaded in some and not in others), so they did not all see the same constants.", ""]
    if any(seed is None for _, seed in res.groups):
        lines += render_kills(res.groups, res.examples, args.shrink) + [""]
    if args.seeds:
        lines += render_seeds(res.groups, res.examples, list(range(args.seeds)), args.jobs, res.seeds_elapsed)
        lines += [""]
    if res.overhead:
        lines += render_overhead(res.overhead, args.runs, args.overhead_seed) + [""]
    return "\n".join(lines)


# ---- main ------------------------------------------------------------------------------------------------------


def _examples(text: str) -> list[str]:
    names = [n.strip().removesuffix(".sf") for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in example_names()]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown example(s) {', '.join(unknown)}; "
                                         f"known: {', '.join(example_names())}")
    return names


class Progress:
    """Prints to `log` how the runs of one part go: each run of the one-seed part; for the many-seed part, the
    unexpected outcomes (a correct run that fails, a mutant that survives) and every tenth of the runs."""

    def __init__(self, total: int, one_seed: bool, log):
        self.total, self.one_seed, self.log = total, one_seed, log
        self.every = max(1, total // 10)
        self.began = time.perf_counter()

    def __call__(self, o: Outcome, done: int) -> None:
        t = o.task
        name = f"{t.example} {t.mutant or 'correct implementation'}"
        if self.one_seed:
            verdict = ("passes" if o.passed else "FAILS") if t.mutant is None else \
                ("killed" if o.killed else "SURVIVED")
            steps = f", {o.examples} examples, {o.steps} steps" if t.mutant is None else ""
            print(f"  {name}: {verdict} ({_s(o.wall)}{steps})", file=self.log)
            return
        if (t.mutant is None) != o.passed:  # a correct run failed, or a mutant survived
            print(f"  seed {t.seed}: {name} {'FAILS' if t.mutant is None else 'SURVIVED'}", file=self.log)
        if done % self.every == 0 or done == self.total:
            print(f"  {done} / {self.total} runs ({time.perf_counter() - self.began:.0f} s)", file=self.log)


def kill_rates(examples: list[Example], args, log, others: dict) -> tuple[dict, float | None, set[tuple], set[str]]:
    """The one-seed run, then (with --seeds) the many-seed one, each in the worker pool. Also returns the local
    modules and the specforge sources the runs saw."""
    groups: dict[tuple[str, int | None], Kills] = {}
    modules: set[tuple] = set()
    sources: set[str] = set()
    seeds_elapsed = None
    parts = [("kill rate, one seed", [None], True)]
    if args.seeds:
        parts.append((f"kill rate, {_plural(args.seeds, 'seed')}", list(range(args.seeds)), False))
    for label, seeds, outcomes in parts:
        tasks = tasks_for(examples, seeds, args.shrink, outcomes)
        print(f"{label}: {len(tasks)} runs in {args.jobs} worker process(es) ...", file=log)
        began = time.perf_counter()
        watch = common.OtherLoad()
        done = run_tasks(tasks, args.jobs, Progress(len(tasks), seeds == [None], log))
        others[label] = (watch.share(), time.perf_counter() - watch.t0)
        if seeds != [None]:
            seeds_elapsed = time.perf_counter() - began
        groups.update(group(examples, done))
        modules |= {o.modules for o in done}
        sources |= {o.sources for o in done}
    return groups, seeds_elapsed, modules, sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Mutation benchmark of the generated property tests: the kill rate on examples/mutants at "
                    "default settings (one seed, and with --seeds over many), the time per spec, and the cost per "
                    "step over a hand-written stateful test.",
        epilog="Results are printed as Markdown; --record also writes them to docs/benchmarks.md.",
    )
    parser.add_argument("--examples", type=_examples, default=example_names(), metavar="NAME[,NAME...]",
                        help="the examples to run (default: every examples/*.sf: " + ", ".join(example_names())
                             + ")")
    parser.add_argument("--seeds", type=int, default=0, metavar="N",
                        help="also run the correct implementation and every mutant under @hypothesis.seed(s) for "
                             "s in 0..N-1 (default 0: only the one-seed run, derandomize=True)")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS, metavar="J",
                        help=f"worker processes for the kill-rate runs (default {DEFAULT_JOBS})")
    parser.add_argument("--shrink", action="store_true",
                        help="add hypothesis's shrink and explain phases, which the generated files leave out "
                             "(several times slower, same verdicts)")
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
    if args.runs < 1 or args.jobs < 1 or args.seeds < 0:
        parser.error("--runs and --jobs must be at least 1, --seeds at least 0")

    began = time.perf_counter()
    load_before = common.load_average()
    log = sys.stderr
    others: dict[str, tuple[float | None, float]] = {}
    loaded = loaded_examples()  # specforge and the examples are imported from here on
    sources = common.source_digest(recursive=True)
    examples = [loaded[name] for name in args.examples]
    modules = local_modules()
    groups, seeds_elapsed, seen, worker_sources = kill_rates(examples, args, log, others)
    overhead: list[OverheadResult] = []
    chosen = [e for e in examples if e.name in OVERHEAD_EXAMPLES]
    if not args.skip_overhead and chosen:
        print("generated against hand-written ...", file=log)
        watch = common.OtherLoad()
        overhead = [measure_overhead(e, args.runs, args.overhead_seed, log) for e in chosen]
        others["generated against hand-written"] = (watch.share(), time.perf_counter() - watch.t0)
    seen |= {modules, local_modules()}
    changed = sorted(set().union(*seen) - set.intersection(*map(set, seen)))
    if changed:
        print(f"warning: local modules differ between runs: {changed}", file=log)
    other_sources = sorted(worker_sources - {sources})
    if other_sources:
        print(f"warning: the specforge sources changed during the run: workers imported {other_sources}, the "
              f"script {sources}", file=log)
    results = Results(examples, groups, seeds_elapsed, overhead, (load_before, common.load_average()), others,
                      changed, sources, other_sources, time.perf_counter() - began,
                      common.own_cpu_time())
    section = render_section(results, args)
    print(section)
    if args.record:
        common.record(section, SECTION_HEADING)
        print(f"recorded in {BENCHMARKS_MD.relative_to(ROOT)}", file=log)
    print(f"total time {results.total:.0f} s", file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
