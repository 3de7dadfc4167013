"""Raft-style leader election, safety part: the implementation behind `examples/leader_election.sf`
(spec LeaderElection).

Each node's election state is a `Peer` record in a dict keyed by node id.
The spec's maps (`role`, `term`, `voted_term`, `voted_for`) are read-only
views over those records; a node with no record yet reads as the spec's
`init` says: a follower in term 0 that never voted, whose `voted_for` is
itself. Roles are plain strings ("follower", "candidate", "leader").

Becoming leader needs the vote of every member of the cluster, so the
object must know the membership: pass it as `LeaderElection(nodes=[...])`
(or under the spec's set name, `LeaderElection(Node=[...])`). Without it,
the cluster is taken to be the nodes seen so far, which is only right once
every member has taken part.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"


class ElectionError(Exception):
    """Base class of every refusal of the election protocol."""


class AlreadyLeader(ElectionError):
    pass


class SelfVote(ElectionError):
    pass


class NotCandidate(ElectionError):
    pass


class StaleTerm(ElectionError):
    pass


class AlreadyVoted(ElectionError):
    pass


class NoQuorum(ElectionError):
    pass


class AlreadyFollower(ElectionError):
    pass


@dataclass
class Peer:
    node: Hashable
    role: str = FOLLOWER
    term: int = 0
    voted_term: int = 0  # 0: never voted
    voted_for: Hashable = None

    def __post_init__(self) -> None:
        if self.voted_for is None:
            self.voted_for = self.node


class PeerView(Mapping):
    """One field of every node as a read-only total mapping (unknown nodes read as fresh peers)."""

    def __init__(self, election: LeaderElection, read: Callable[[Peer], object]):
        self._election, self._read = election, read

    def __getitem__(self, node: Hashable):
        return self._read(self._election.peer(node))

    def __contains__(self, node: object) -> bool:
        return True

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._election.members())

    def __len__(self) -> int:
        return len(self._election.members())


class LeaderElection:
    def __init__(self, nodes: Iterable[Hashable] | None = None, *, Node: Iterable[Hashable] | None = None):
        members = nodes if nodes is not None else Node
        self._configured = tuple(members) if members is not None else None
        self._peers: dict[Hashable, Peer] = {}

    # -- membership and per-node state

    def members(self) -> tuple:
        if self._configured is not None:
            return self._configured
        return tuple(self._peers)

    def peer(self, node: Hashable) -> Peer:
        """The node's record for reading (a fresh one, not stored, if it has none)."""
        return self._peers.get(node) or Peer(node)

    def _record(self, node: Hashable) -> Peer:
        """The node's record for writing (created on first use)."""
        if node not in self._peers:
            self._peers[node] = Peer(node)
        return self._peers[node]

    @property
    def role(self) -> PeerView:
        return PeerView(self, lambda p: p.role)

    @property
    def term(self) -> PeerView:
        return PeerView(self, lambda p: p.term)

    @property
    def voted_term(self) -> PeerView:
        return PeerView(self, lambda p: p.voted_term)

    @property
    def voted_for(self) -> PeerView:
        return PeerView(self, lambda p: p.voted_for)

    def leader_of(self, term: int) -> Hashable | None:
        for node, p in self._peers.items():
            if p.role == LEADER and p.term == term:
                return node
        return None

    def __repr__(self) -> str:
        return f"LeaderElection({list(self._peers.values())!r})"

    # -- protocol steps

    def timeout(self, n: Hashable) -> None:
        if self.peer(n).role == LEADER:
            raise AlreadyLeader(f"{n!r} already leads term {self.peer(n).term}")
        p = self._record(n)
        p.term += 1
        p.voted_term, p.voted_for = p.term, n
        p.role = CANDIDATE

    def vote(self, voter: Hashable, cand: Hashable) -> None:
        if voter == cand:
            raise SelfVote("a node votes for itself only by timing out")
        c, v = self.peer(cand), self.peer(voter)
        if c.role != CANDIDATE:
            raise NotCandidate(f"{cand!r} is not a candidate")
        if c.term < v.term:
            raise StaleTerm(f"{cand!r} is in term {c.term}, {voter!r} already in {v.term}")
        if v.voted_term >= c.term:
            raise AlreadyVoted(f"{voter!r} already voted in term {v.voted_term}")
        v = self._record(voter)
        v.voted_term, v.voted_for = c.term, cand
        v.term = c.term
        v.role = FOLLOWER

    def become_leader(self, n: Hashable) -> None:
        p = self.peer(n)
        if p.role != CANDIDATE:
            raise NotCandidate(f"{n!r} is not a candidate")
        missing = [m for m in self.members()
                   if not (self.peer(m).voted_term == p.term and self.peer(m).voted_for == n)]
        if missing:
            raise NoQuorum(f"{n!r} lacks the votes of {missing!r} for term {p.term}")
        self._record(n).role = LEADER

    def step_down(self, n: Hashable, new_term: int) -> None:
        p = self.peer(n)
        if p.role == FOLLOWER:
            raise AlreadyFollower(f"{n!r} is already a follower")
        if new_term <= p.term:
            raise StaleTerm(f"term {new_term} is not later than {p.term}")
        p = self._record(n)
        p.term = new_term
        p.role = FOLLOWER
