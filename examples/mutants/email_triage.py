"""Buggy variants of `examples/impl/email_triage.py` (spec EmailTriage, `examples/email_triage.sf`).

Each class is a realistic bug; its docstring says what is wrong and which
element of the spec catches it.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

try:
    from ..impl import email_triage as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_email_triage", pathlib.Path(__file__).resolve().parents[1] / "impl" / "email_triage.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)


class SummaryKeepsTheWholeBody(impl.EmailTriage):
    """The summary is the body as it came (the word cap was lost in a refactoring).

    Caught by `ensures words(result.summary) <= MAX_SUMMARY_WORDS`: a body of
    61 words must come back summarised in at most 60.
    """

    def triage(self, e, subject, body):
        answer = super().triage(e, subject, body)
        return dataclasses.replace(answer, summary=body)


class RoutesByHalfConfidence(impl.EmailTriage):
    """Sends a classification to a person only below 0.5 confidence, not 0.65.

    Caught by `ensures result.confidence < SURE implies result.route == human_queue`:
    an email with no keyword is classified at 0.5 and must be queued.
    """

    def triage(self, e, subject, body):
        answer = super().triage(e, subject, body)
        route = impl.Route.human_queue if answer.confidence < Decimal("0.5") else impl.Route.automatic
        return dataclasses.replace(answer, route=route)


class AcceptsAnEmptyBody(impl.EmailTriage):
    """Triages an email whose body is empty (it summarises the subject).

    Caught by `requires body != "" else MissingBody`.
    """

    def triage(self, e, subject, body):
        return super().triage(e, subject, body or " ")


class MarksRefusedEmailsTriaged(impl.EmailTriage):
    """Records the email as seen before checking it, so a refused email can never be triaged.

    Caught by the effect `triaged[e] := true`, which a refusal must not make:
    after `MissingBody`, `triaged[e]` is still false.
    """

    def triage(self, e, subject, body):
        if subject != "" and len(subject) <= impl.MAX_SUBJECT and body == "":
            self._triaged.add(e)
        return super().triage(e, subject, body)


class QueuesWithoutCounting(impl.EmailTriage):
    """Routes unsure answers to a person but forgets to count them in the queue.

    Caught by the effect `queued := queued + (if result.route == human_queue then 1 else 0)`:
    after an answer routed to `human_queue`, `queued` must have grown by one.
    """

    def triage(self, e, subject, body):
        queued = self.queued
        answer = super().triage(e, subject, body)
        self.queued = queued
        return answer


MUTANTS = [
    SummaryKeepsTheWholeBody,
    RoutesByHalfConfidence,
    AcceptsAnEmptyBody,
    MarksRefusedEmailsTriaged,
    QueuesWithoutCounting,
]
