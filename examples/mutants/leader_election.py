"""Buggy variants of `examples/impl/leader_election.py` (spec LeaderElection, `examples/leader_election.sf`).

Each class is a realistic bug; its docstring says what is wrong and which
element of the spec catches it. Like the correct class, each takes the
cluster membership as `nodes=` (or `Node=`).
"""

from __future__ import annotations

try:
    from ..impl import leader_election as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_leader_election",
        pathlib.Path(__file__).resolve().parents[1] / "impl" / "leader_election.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)

FOLLOWER, CANDIDATE, LEADER = impl.FOLLOWER, impl.CANDIDATE, impl.LEADER


class VotesTwiceInATerm(impl.LeaderElection):
    """Missing guard: vote never checks whether the voter already voted in
    the candidate's term, so two candidates of one term can both collect it.

    Caught by vote's `requires voted_term[voter] < term[cand] else
    AlreadyVoted` (and, further on, LE-1/LE-2): with A and B both
    candidates in term 1, `vote(voter=B, cand=A)` must raise AlreadyVoted.
    """

    def vote(self, voter, cand) -> None:
        if voter == cand:
            raise impl.SelfVote("self vote")
        c, v = self.peer(cand), self.peer(voter)
        if c.role != CANDIDATE:
            raise impl.NotCandidate("not a candidate")
        if c.term < v.term:
            raise impl.StaleTerm("stale term")
        v = self._record(voter)
        v.voted_term, v.voted_for, v.term, v.role = c.term, cand, c.term, FOLLOWER


class EqualTermIsStale(impl.LeaderElection):
    """Off-by-one in a guard: a candidate whose term merely equals the
    voter's is treated as stale (`>` where the spec has `>=`).

    Caught by vote's `requires term[cand] >= term[voter] else StaleTerm`:
    A times out (term 1) and steps down to term 2, B times out twice
    (term 2); `vote(voter=A, cand=B)` must succeed.
    """

    def vote(self, voter, cand) -> None:
        if voter != cand and self.peer(cand).role == CANDIDATE \
                and self.peer(cand).term == self.peer(voter).term:
            raise impl.StaleTerm("candidate's term is not newer")
        super().vote(voter=voter, cand=cand)


class AlreadyVotedBeforeStaleTerm(impl.LeaderElection):
    """Guard order swap: vote checks for an earlier vote before the term
    comparison.

    Caught by vote's guard order (StaleTerm is the third guard, AlreadyVoted
    the fourth): A times out twice (term 2), B once (term 1);
    `vote(voter=A, cand=B)` fails both and must raise StaleTerm.
    """

    def vote(self, voter, cand) -> None:
        if voter == cand:
            raise impl.SelfVote("self vote")
        c, v = self.peer(cand), self.peer(voter)
        if c.role != CANDIDATE:
            raise impl.NotCandidate("not a candidate")
        if v.voted_term >= c.term:
            raise impl.AlreadyVoted("already voted")
        super().vote(voter=voter, cand=cand)


class CountsStaleVotes(impl.LeaderElection):
    """Quorum bug: become_leader counts every node whose last vote went to the
    candidate, whatever term that vote was cast in.

    Caught by become_leader's `requires (forall m in Node: voted_term[m] ==
    term[n] and voted_for[m] == n) else NoQuorum`: with two nodes, A times
    out, B votes for A (term 1), A steps down to term 2 and times out again
    (term 3); `become_leader(n=A)` must raise NoQuorum.
    """

    def become_leader(self, n) -> None:
        p = self.peer(n)
        if p.role != CANDIDATE:
            raise impl.NotCandidate("not a candidate")
        if any(self.peer(m).voted_for != n for m in self.members()):
            raise impl.NoQuorum("no quorum")
        self._record(n).role = LEADER


class VoteRecordedOnCandidate(impl.LeaderElection):
    """Map update applied to the wrong key: the vote is written into the
    candidate's record (`voted_term[cand]`, `voted_for[cand]`) instead of
    the voter's.

    Caught by vote's effects `voted_term[voter] := term[cand]` and
    `voted_for[voter] := cand`: after any successful vote the voter's
    voted_term must equal the candidate's term.
    """

    def vote(self, voter, cand) -> None:
        if voter == cand:
            raise impl.SelfVote("self vote")
        c, v = self.peer(cand), self.peer(voter)
        if c.role != CANDIDATE:
            raise impl.NotCandidate("not a candidate")
        if c.term < v.term:
            raise impl.StaleTerm("stale term")
        if v.voted_term >= c.term:
            raise impl.AlreadyVoted("already voted")
        c, v = self._record(cand), self._record(voter)
        c.voted_term, c.voted_for = c.term, cand
        v.term, v.role = c.term, FOLLOWER


class StepDownDemotesFirst(impl.LeaderElection):
    """State changed before raising: step_down demotes the node to follower
    before validating the new term, and stays demoted when it then refuses
    with StaleTerm.

    Caught by "a failed guard leaves the state unchanged" on step_down's
    `requires new_term > term[n] else StaleTerm`: a candidate in term 1
    given `step_down(n, new_term=1)` must still be a candidate.
    """

    def step_down(self, n, new_term: int) -> None:
        if self.peer(n).role == FOLLOWER:
            raise impl.AlreadyFollower("already a follower")
        p = self._record(n)
        p.role = FOLLOWER
        if new_term <= p.term:
            raise impl.StaleTerm("stale term")
        p.term = new_term


class NoQuorumAsNotCandidate(impl.LeaderElection):
    """Wrong exception: become_leader reports a missing quorum as NotCandidate.

    Caught by become_leader's `requires ... else NoQuorum`: a fresh
    candidate (after one timeout, with other nodes that have not voted)
    must get NoQuorum.
    """

    def become_leader(self, n) -> None:
        try:
            super().become_leader(n=n)
        except impl.NoQuorum as e:
            raise impl.NotCandidate(str(e)) from None


class LeaderTimesOut(impl.LeaderElection):
    """Missing guard: timeout does not check for leadership, so a leader that
    misses its own heartbeat starts a new election.

    Caught by timeout's `requires role[n] != leader else AlreadyLeader`:
    once A has become leader (every other node voted for it),
    `timeout(n=A)` must raise AlreadyLeader.
    """

    def timeout(self, n) -> None:
        p = self._record(n)
        p.term += 1
        p.voted_term, p.voted_for = p.term, n
        p.role = CANDIDATE


class TimeoutForgetsOwnVote(impl.LeaderElection):
    """Missing update (neighbouring field): timeout starts the new term and
    becomes a candidate but does not record its vote for itself.

    Caught by timeout's effects `voted_term[n] := term[n]`,
    `voted_for[n] := n` (and LE-3): the first `timeout(n=A)` must set
    voted_term[A] to 1.
    """

    def timeout(self, n) -> None:
        if self.peer(n).role == LEADER:
            raise impl.AlreadyLeader("already leader")
        p = self._record(n)
        p.term += 1
        p.role = CANDIDATE


MUTANTS = [
    VotesTwiceInATerm,
    EqualTermIsStale,
    AlreadyVotedBeforeStaleTerm,
    CountsStaleVotes,
    VoteRecordedOnCandidate,
    StepDownDemotesFirst,
    NoQuorumAsNotCandidate,
    LeaderTimesOut,
    TimeoutForgetsOwnVote,
]
