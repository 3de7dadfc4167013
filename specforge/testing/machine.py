"""The hypothesis glue: `SpecMachine` drives a `SpecRunner` (specforge.testing.runner) from a
`RuleBasedStateMachine`; the generated test files and `spec_test_case` both build on it. Each step
costs hypothesis one draw, an integer that `Dice` stretches into all of the step's choices, and each
run one more, for the number of set elements and the swarm.
"""

from __future__ import annotations

from hypothesis import Phase
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from .. import ir
from .binding import Binding
from .choices import Dice
from .defaults import DEFAULT_CALL_TIMEOUT
from .runner import SET_SIZES, SpecRunner, SpecViolation, _call_text
from .shorten import shortest

# The phases of hypothesis a spec test runs: all but shrinking and explaining. Hypothesis shrinks a run by
# changing the integers its steps drew, and each changed integer is a different call, so shrinking took it up
# to minutes and still left long runs; a failure instead reports the shortest run `specforge.testing.shorten.shortest`
# finds, cutting the calls down and replaying them, in a fraction of a second.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target)
class SpecMachine(RuleBasedStateMachine):
    """A hypothesis state machine for one spec; subclasses set `spec`, `source` and `factory`.

    It has one rule, `step`: each step the runner chooses an action with regard to the guards
    (`SpecRunner.choose_action`) and its arguments, runs it, then checks each of `invariant_ids`
    (`start` checks them on the initial state). The invariants are checked inside the step, not as
    hypothesis `@invariant`s: hypothesis spends about as long on each `@invariant` as the check itself
    takes, and the failing example it prints is half as long. The generated test files subclass it,
    naming the spec, the factory and the invariant IDs; `machine_class` builds the same class at run time.
    """

    spec: ir.Spec
    source: str = ""
    binding: Binding | None = None
    set_size: int | None = None  # None: each run draws one of SET_SIZES
    call_timeout: float | None = DEFAULT_CALL_TIMEOUT  # seconds one call may take; None: no bound
    invariant_ids: tuple[str, ...] = ()  # what is checked after every step: invariants and type obligations

    @staticmethod
    def factory():  # pragma: no cover - replaced by every subclass
        raise NotImplementedError("a SpecMachine subclass names the implementation's factory")

    @initialize(size=st.sampled_from(SET_SIZES), swarm=st.integers(0, Dice.MASK))
    def start(self, size: int, swarm: int) -> None:
        """A fresh implementation from the factory, and the spec's initial state beside it; `size`: how
        many elements each `set` has in this run (unless the class fixes `set_size`)."""
        cls = type(self)
        cache = cls.__dict__.get("_pools")
        if cache is None:
            cache = {}
            cls._pools = cache  # one per machine class: the pools depend only on the state and the arguments
        self.runner = SpecRunner(self.spec, cls.factory, self.binding, self.source, self.set_size or size, cache,
                                 swarm, self.call_timeout)
        self.check_spec_invariants()

    @rule(choice=st.integers(0, Dice.MASK))
    def step(self, choice: int) -> None:
        """One action of the spec, with its arguments, on the implementation and on the model, then every
        invariant; `choice` decides which action and arguments (see `Dice`)."""
        __tracebackhide__ = True
        if not self.runner.interp.actions:  # a spec of state and invariants only: its initial state is the test
            self.check_spec_invariants()
            return
        dice = Dice(choice)
        action = self.runner.choose_action(dice)
        try:
            self.runner.apply(action.name, self.runner.arguments(action, dice))
        except SpecViolation as violation:
            self._shorten(violation)
            raise
        self.check_spec_invariants()

    def check_spec_invariants(self) -> None:
        """Each of `invariant_ids`, on the implementation's state as it is now."""
        __tracebackhide__ = True
        try:
            self.runner.check_invariants(self.invariant_ids)
        except SpecViolation as violation:
            self._shorten(violation)
            raise

    def _shorten(self, violation: SpecViolation) -> None:
        """Add to the message of a failure, when hypothesis runs the failing example for the last time
        (to report it), the shortest run `shortest` finds that fails the same way."""
        try:
            from hypothesis.control import current_build_context
            final = current_build_context().is_final
        except Exception:  # not under hypothesis's engine, or its internals moved: shorten every time
            final = True
        if not final:
            return
        calls = shortest(self.runner, violation.kind, self.invariant_ids)
        if calls is not None and calls != self.runner.history:
            text = "; ".join(_call_text(name, args) for name, args in calls)
            violation.args = (f"{violation.args[0]}\n  a shortest run that fails the same way: {text}",)
