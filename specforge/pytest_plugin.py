"""pytest collects `.sf` specs: each is checked, proved, and tested against its implementation.

Opt in with `pytest --specforge` (every `.sf` file pytest reaches), or list
the specs in pyproject.toml, where the implementations are named too:

    [tool.specforge]
    specs = ["specs/*.sf"]          # globs from the rootdir; collected without --specforge
    depth = 10                      # prove's search depth and per-check timeout (seconds)
    timeout = 10
    examples = 100                  # property tests: hypothesis examples and steps per run
    steps = 50

    [tool.specforge.impl]
    "specs/bank.sf" = "bank:Account"   # MODULE:FACTORY, as `specforge gen-tests --impl`

A spec gives the items `check` (every diagnostic, file:line:column), one
`prove[ID]` per invariant and type bound (a MUST one fails unless proved; a
SHOULD or MAY one passes with a warning), and `property-test` when an
implementation is named. Registered through the `pytest11` entry point, so
this module is imported by every pytest run: it imports nothing heavy until
a spec is collected.
"""

from __future__ import annotations

import fnmatch
import importlib
import tomllib
import warnings
from pathlib import Path

import pytest

DEFAULTS = {"specs": [], "depth": 10, "timeout": 10.0, "examples": 100, "steps": 50, "impl": {}}


class SpecWarning(UserWarning):
    """A SHOULD or MAY invariant is not proved: reported, but the run passes (as with `specforge prove`)."""


class SpecFailure(Exception):
    """A failure already worded in spec terms: shown as it is, without a Python traceback."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("specforge")
    group.addoption("--specforge", action="store_true", default=False,
                    help="collect .sf specs: check, prove, and property tests of the implementations "
                         "named in [tool.specforge.impl] of pyproject.toml")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "specforge: an item collected from a .sf spec")
    config._specforge = _settings(config)


def _settings(config: pytest.Config) -> dict:
    settings = dict(DEFAULTS)
    pyproject = config.rootpath / "pyproject.toml"
    if pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("specforge", {})
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise pytest.UsageError(f"{pyproject}: cannot read [tool.specforge]: {e}") from None
        unknown = sorted(set(table) - set(DEFAULTS))
        # checked only when the plugin is asked for: installed, it loads in every pytest run
        if unknown and (config.getoption("specforge") or "specs" in table):
            raise pytest.UsageError(f"{pyproject}: [tool.specforge] has unknown keys {unknown}; "
                                    f"the keys are {sorted(DEFAULTS)}")
        settings.update(table)
    return settings


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix != ".sf":
        return None
    config = parent.config
    settings = config._specforge
    relative = _relative(file_path, config.rootpath)
    wanted = config.getoption("specforge") or any(fnmatch.fnmatch(relative, glob) for glob in settings["specs"])
    return SpecFile.from_parent(parent, path=file_path) if wanted else None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class SpecFile(pytest.File):
    """One spec: checked once, proved once; its items read the results."""

    def collect(self):
        from .frontend import load  # here, not at the top: pytest start-up stays free of lark and pydantic

        self.loaded = load(str(self.path))
        self._report = None
        yield CheckItem.from_parent(self, name="check")
        if not self.loaded.ok:
            return
        from .structure import obligation_ids

        for oid in obligation_ids(self.loaded.spec):
            yield ProveItem.from_parent(self, name=f"prove[{oid}]", obligation=oid)
        impl = self.settings["impl"].get(_relative(self.path, self.config.rootpath))
        if impl is not None:
            yield PropertyItem.from_parent(self, name="property-test", impl=impl)

    @property
    def settings(self) -> dict:
        return self.config._specforge

    @property
    def where(self) -> str:
        return _relative(self.path, self.config.rootpath)

    def report(self):
        """The proof of the whole spec (invariants are proved together), made once."""
        if self._report is None:
            from .prove import prove
            from .prove.cache import open_cache
            from .prove.encode import Unsupported

            try:
                with open_cache() as cache:
                    self._report = prove(self.loaded.spec, int(self.settings["depth"]),
                                         float(self.settings["timeout"]), cache=cache)
            except Unsupported as e:
                span = getattr(e.node, "span", None)
                raise SpecFailure(f"{self.where}:{span.line if span else 1}: error[SF301]: {e}") from None
        return self._report


class SpecItem(pytest.Item):
    line = 0  # 1-based line of what the item is about; 0 for the whole file

    def reportinfo(self):
        return self.path, max(self.line - 1, 0), f"{self.parent.where}::{self.name}"

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, SpecFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)


class CheckItem(SpecItem):
    def runtest(self) -> None:
        loaded = self.parent.loaded
        if not loaded.ok:
            shown = "\n".join(d.render(loaded.source) for d in loaded.diagnostics)
            raise SpecFailure(shown.replace(loaded.path, self.parent.where))


class ProveItem(SpecItem):
    def __init__(self, *, obligation: str, **kwargs):
        super().__init__(**kwargs)
        self.obligation = obligation
        spec = self.parent.loaded.spec
        self.line = next((i.span.line for i in spec.invariants if i.id == obligation), spec.span.line)

    def runtest(self) -> None:
        from .report import trace_table

        result = next(r for r in self.parent.report().invariants if r.id == self.obligation)
        self.line = result.line
        if result.verdict.value == "proved":
            return
        what = f"{self.parent.where}:{result.line}: {result.id} ({result.level}) is {result.verdict.value}"
        detail = [f"{what}: {result.reason}" if result.reason else what]
        if result.run is not None:
            detail += trace_table(result.run)
        if result.level != "MUST":
            warnings.warn(SpecWarning("\n".join(detail)), stacklevel=1)
            return
        raise SpecFailure("\n".join(detail))


class PropertyItem(SpecItem):
    def __init__(self, *, impl: str, **kwargs):
        super().__init__(**kwargs)
        self.impl = impl
        self.line = self.parent.loaded.spec.span.line

    def runtest(self) -> None:
        from .testing import SpecViolation, spec_test_case

        case = spec_test_case(str(self.path), self._factory(), examples=int(self.parent.settings["examples"]),
                              steps=int(self.parent.settings["steps"]))
        try:
            case("runTest").runTest()
        except SpecViolation as e:
            self.line = violation_line(self.parent.loaded.spec, e.kind)
            raise SpecFailure(f"{self.parent.where}:{self.line}: {self.impl} does not follow the spec:\n{e}") from None

    def _factory(self):
        module, _, name = self.impl.partition(":")
        try:
            return getattr(importlib.import_module(module), name)
        except ImportError as e:
            raise SpecFailure(f"{self.parent.where}: cannot import {module} for {self.impl}: {e}\n"
                              "  = help: put its folder on pytest's `pythonpath` ini option") from None
        except AttributeError:
            raise SpecFailure(f"{self.parent.where}: {module} has no {name} (from [tool.specforge.impl])") from None


def violation_line(spec, kind: tuple) -> int:
    """The spec line a property-test failure is about: the invariant, the guard, or the action."""
    kind = tuple(kind or ())
    if len(kind) >= 2 and kind[0] == "invariant":
        return next((i.span.line for i in spec.invariants if i.id == kind[1]), spec.span.line)
    action = next((a for a in spec.actions if len(kind) >= 2 and a.name == kind[1]), None)
    if action is None:
        return spec.span.line
    if len(kind) >= 3 and isinstance(kind[2], int) and 0 <= kind[2] < len(action.guards):
        return action.guards[kind[2]].span.line
    return action.span.line
