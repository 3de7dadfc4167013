"""Set-up mistakes found before a test runs: the implementation and its binding, checked against the spec.

`gen-tests` calls `check_implementation` when it writes a test file, so a typo in `--impl`, a class that
does not exist, a method or attribute the spec needs and the object lacks, or an exception class that is
nowhere to be found fails the command with a hint, instead of a passing (or crashing) test later. A
`Binding` is checked by `check_binding` the moment it meets its spec: a key the spec does not have is a
mistake, never ignored.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import ir
from ..structure import leaves
from .binding import Binding, BindingError


@dataclass(frozen=True)
class Problem:
    """One set-up mistake: what is wrong, and how to fix it."""

    message: str
    hint: str
    warning: bool = False  # a likely mistake the tool cannot be sure of: reported, not fatal

    def __str__(self) -> str:
        return f"{self.message}\n  = help: {self.hint}"


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def _known(spec: ir.Spec) -> dict[str, list[str]]:
    return {"state": [path for path, _ in leaves(spec)], "actions": [a.name for a in spec.actions],
            "errors": sorted({g.error for a in spec.actions for g in a.guards if g.error})}


def binding_problems(spec: ir.Spec, binding: Binding) -> list[Problem]:
    """Keys of a `Binding` that name nothing in the spec."""
    known = _known(spec)
    given = {"state": binding.state_readers, "actions": binding.action_callers, "errors": binding.error_matchers}
    out = []
    for kind, keys in given.items():
        for key in keys:
            if key not in known[kind]:
                what = {"state": "state variable", "actions": "action", "errors": "failure mode"}[kind]
                suggestion = did_you_mean(key, known[kind])
                out.append(Problem(f"Binding({kind}={{{key!r}: ...}}): the spec has no {what} `{key}`",
                                   suggestion or f"the spec's {kind}: {', '.join(known[kind]) or 'none'}"))
    return out


def check_binding(spec: ir.Spec, binding: Binding) -> None:
    problems = binding_problems(spec, binding)
    if problems:
        raise BindingError("\n".join(str(p) for p in problems))


def import_factory(impl: str, search: Iterable[str] = ()) -> tuple[Callable | None, list[Problem]]:
    """`MODULE:FACTORY` imported as the generated test will (the current directory and `search` on the
    path), or the problems that stop it."""
    module_name, _, factory_name = impl.partition(":")
    added = [p for p in [str(Path.cwd()), *search] if p not in sys.path]
    sys.path[:0] = added
    try:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            missing = e.name or module_name
            parent = missing.rpartition(".")[0]
            siblings = _modules_in(parent) if parent else _modules_in("")
            hint = did_you_mean(missing.rpartition(".")[2], siblings)
            return None, [Problem(f"--impl {impl}: no module named `{missing}`",
                                  hint or "run gen-tests from the directory the tests run from, or give the "
                                          "dotted path of the module as pytest imports it")]
        except Exception as e:  # importing runs the user's code: any error there is theirs to see
            return None, [Problem(f"--impl {impl}: importing `{module_name}` failed: {type(e).__name__}: {e}",
                                  "fix the module so that it imports on its own")]
        factory = getattr(module, factory_name, None)
        if factory is None:
            names = [n for n in dir(module) if not n.startswith("_")]
            return None, [Problem(f"--impl {impl}: `{module_name}` has no `{factory_name}`",
                                  did_you_mean(factory_name, names) or
                                  f"name a class or function of the module: {', '.join(names[:12]) or 'none'}")]
        if not callable(factory):
            return None, [Problem(f"--impl {impl}: `{factory_name}` is not a class or function (it is a value of "
                                  f"type {type(factory).__name__})",
                                  "name the class (or a function) that returns a fresh object")]
        return factory, []
    finally:
        for p in added:
            if p in sys.path:
                sys.path.remove(p)


def _modules_in(package: str) -> list[str]:
    import pkgutil

    try:
        if package:
            pkg = importlib.import_module(package)
            return [m.name for m in pkgutil.iter_modules(getattr(pkg, "__path__", []))]
        return [m.name for m in pkgutil.iter_modules([str(Path.cwd())])]
    except Exception:
        return []


def factory_problems(factory: Callable, spec: ir.Spec, name: str) -> list[Problem]:
    """A factory the test machinery cannot call: a required parameter that is not one of the spec's sets."""
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return []
    sets = {s.name for s in spec.sets}
    required = [p.name for p in params if p.default is inspect.Parameter.empty
                and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
                and p.name not in sets]
    if not required:
        return []
    return [Problem(f"the factory `{name}` needs {', '.join(f'`{r}`' for r in required)}, which the tests "
                    "cannot give it",
                    "give it a default, or wrap it: a function of no arguments returning a fresh object (a "
                    f"keyword named after a set of the spec, {', '.join(sorted(sets)) or 'none here'}, receives "
                    "that set's elements)")]


def object_problems(obj: object, spec: ir.Spec, binding: Binding, module: str) -> list[Problem]:
    """What the spec binds by name and a fresh object lacks: methods, attributes, exception classes."""
    out = []
    for action in spec.actions:
        if action.name in binding.action_callers:
            continue
        method = getattr(obj, action.name, None)
        if not callable(method):
            methods = [n for n in dir(obj) if not n.startswith("_") and callable(getattr(obj, n, None))]
            out.append(Problem(f"the implementation has no method `{action.name}` for the action `{action.name}` "
                               f"(line {action.span.line})",
                               did_you_mean(action.name, methods) or
                               "add the method, or bind it with Binding(actions={...})"))
            continue
        problem = _parameters(method, action)
        if problem:
            out.append(problem)
    for path, _ in leaves(spec):
        if path in binding.state_readers:
            continue
        value = obj
        for part in path.split("."):
            if not hasattr(value, part):
                attrs = [n for n in dir(value) if not n.startswith("_")]
                out.append(Problem(f"the implementation has no attribute `{path}` for the state variable `{path}`",
                                   did_you_mean(part, attrs) or
                                   "add it, or bind it with Binding(state={...})"))
                break
            value = getattr(value, part)
    classes = _exception_classes(obj, module)
    for error in _known(spec)["errors"]:
        if error in binding.error_matchers or error in classes:
            continue
        out.append(Problem(f"no exception class named `{error}` is in sight of the implementation (its module, its "
                           "classes' modules and what they import); the spec names it as a failure mode",
                           did_you_mean(error, classes) or
                           f"define `class {error}(Exception)` where the implementation raises it, or bind it "
                           "with Binding(errors={...})", warning=True))
    return out


def _parameters(method: Callable, action: ir.Action) -> Problem | None:
    try:
        params = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return None
    names = [p.name for p in action.params]
    missing = [n for n in names if n not in params]
    if missing:
        return Problem(f"`{action.name}` is called with keyword arguments ({', '.join(names)}), but the method takes "
                       f"({', '.join(params)})",
                       f"name the method's parameters {', '.join(names)}, or bind it with Binding(actions={{...}})")
    return None


def _exception_classes(obj: object, module: str) -> list[str]:
    """Names of the exception classes the implementation can see: those of its module and of the modules
    of its class and base classes, and of the modules those import, with all their base classes."""
    seen: set[str] = set()
    todo = [module, *(cls.__module__ for cls in type(obj).__mro__)]
    modules = []
    for depth in range(2):
        for name in todo:
            mod = sys.modules.get(name)
            if mod is None or name in seen:
                continue
            seen.add(name)
            modules.append(mod)
        todo = [v.__name__ for mod in modules for v in vars(mod).values() if inspect.ismodule(v)] if depth == 0 else []
    names: set[str] = set()
    for mod in modules:
        for value in vars(mod).values():
            if isinstance(value, type) and issubclass(value, BaseException):
                names.update(cls.__name__ for cls in value.__mro__)
    return sorted(names)


def check_implementation(spec: ir.Spec, impl: str, binding: Binding | None = None) -> list[Problem]:
    """Every set-up problem of `--impl MODULE:FACTORY` against the spec (an empty list when there is none)."""
    binding = binding or Binding()
    problems = binding_problems(spec, binding)
    factory, found = import_factory(impl)
    problems += found
    if factory is None:
        return problems
    name = impl.partition(":")[2]
    found = factory_problems(factory, spec, name)
    if found:
        return problems + found
    from ..values import Universe

    universe = Universe.named(spec, 2)
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        params = {}
    kwargs = {s: universe[s] for s in universe if s in params}
    try:
        obj = factory(**kwargs)
    except Exception as e:
        return problems + [Problem(f"calling the factory `{name}` failed: {type(e).__name__}: {e}",
                                   "the factory must return a fresh object in the spec's initial state")]
    return problems + object_problems(obj, spec, binding, impl.partition(":")[0])


__all__ = ["BindingError", "Problem", "binding_problems", "check_binding", "check_implementation", "did_you_mean"]
