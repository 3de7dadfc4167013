"""A failing run cut down: the shortest run found that fails the same way, with the smallest arguments.

Hypothesis's own shrinking is off in the spec tests (see `specforge.testing.machine.PHASES`): it changes
the integers the steps drew, and each changed integer is a different call. Here the calls themselves
are left out and their int arguments brought down, each candidate replayed on a fresh implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from ..structure import within
from .choices import FINITE
from .runner import SpecRunner, SpecViolation

REPLAYS = 1_000  # replays `shortest` may make (each a fresh implementation and up to a run's calls)


def shortest(runner: SpecRunner, kind: tuple, invariant_ids: Iterable[str] = ()) -> list[tuple[str, Mapping]] | None:
    """The calls of this run cut down to the shortest run found that fails with the same `kind`
    (chunks of calls left out, then single ones), and each int argument in it brought down to the
    smallest value found that still fails (0, 1, -1, the action's literals, halvings); each candidate
    is replayed on a fresh implementation from the factory, checking `invariant_ids` after every call.
    None when the run made no calls, or its replay does not fail that way (an implementation that
    does not behave the same on the same calls). At most `REPLAYS` replays: past that, the run found
    so far is the answer."""
    ids = tuple(invariant_ids)
    budget = [REPLAYS]

    def fails(calls: list) -> list | None:
        """The calls the replay made, up to the one that failed with `kind`; None if it did not."""
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        try:
            replay = type(runner)(runner.spec, runner.factory, runner.binding, None, runner.size, runner.cache)
            for name, args in calls:
                replay.apply(name, args)
                replay.check_invariants(ids)
        except SpecViolation as e:
            return list(replay.history) if e.kind == kind else None
        except Exception:
            return None
        return None

    calls = fails(list(runner.history)) if runner.history else None
    if calls is None:
        return None
    return _smaller_arguments(runner, _fewer_calls(calls, fails), fails)


def _fewer_calls(calls: list, fails: Callable[[list], list | None]) -> list:
    """Chunks of calls left out while the run still fails the same way, then single ones (ddmin)."""
    chunks = 2
    while len(calls) >= 2:
        size = -(-len(calls) // chunks)
        for start in range(0, len(calls), size):
            made = fails(calls[:start] + calls[start + size:])
            if made is not None:
                calls, chunks = made, max(chunks - 1, 2)
                break
        else:
            if size == 1:
                break
            chunks = min(chunks * 2, len(calls))
    return calls


def _smaller_arguments(runner: SpecRunner, calls: list, fails: Callable[[list], list | None]) -> list:
    """Each int argument brought down to the smallest candidate with which the run still fails; a
    smaller argument may make the run fail sooner, and then it is shorter."""
    i = 0
    while i < len(calls):
        name, args = calls[i]
        for p in runner.interp.actions[name].params:
            v, t = args[p.name], p.type.resolved
            if isinstance(t, FINITE) or type(v) is not int:
                continue
            for c in _smaller(v, t, runner.shape.literals[name]):
                made = fails([*calls[:i], (name, {**args, p.name: c}), *calls[i + 1:]])
                if made is not None:
                    calls = made
                    break
            if i >= len(calls) or calls[i][0] != name:
                break
            args = calls[i][1]
        i += 1
    return calls


def _smaller(v: int, t, literals) -> list[int]:
    """Candidates nearer to 0 than `v` within the type `t`, nearest first: 0, 1, -1, the action's
    literals, halvings of `v`."""
    halvings = {v >> k for k in range(1, 64) if v >> k not in (0, -1)}
    return sorted((c for c in {0, 1, -1, *literals, *halvings} if abs(c) < abs(v) and within(t, c)),
                  key=lambda c: (abs(c), c))
