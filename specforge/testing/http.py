"""A spec bound to a running HTTP service by a binding file (TOML), so that the property tests and
`specforge load` drive the service through the same oracle as a Python object.

    [service]
    new = "POST /accounts/{instance}"      # a fresh instance in the initial state (or a reset)
    timeout = 5                            # seconds, for every request

    [state]
    path = "/accounts/{instance}"          # GET: one JSON object, a field per state variable

    [actions.withdraw]
    method = "POST"
    path = "/accounts/{instance}/withdraw" # `{param}` fills in a parameter; the rest go in the JSON body

    [errors.InsufficientFunds]
    status = 409                           # and, by default, the body's "error" field names the failure mode

`{instance}` is an id specforge makes up for each fresh implementation (a test run, a load session), so
that independent runs can share one service; without it, `new` resets the one instance. The file is
read with `tomllib`, which gives no lines for keys: `BindingFileError` finds the key's line in the text
itself. httpx is imported only when a request is made (`pip install 'specforge[http]'`).
"""

from __future__ import annotations

import decimal
import itertools
import re
import ssl
import threading
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .. import ir
from ..interpret import Interpreter
from ..structure import leaves
from ..values import State
from .binding import Binding, BindingError
from .preflight import did_you_mean
from .records import RecordValue

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
INSTANCE = "instance"  # the placeholder specforge fills with a fresh id per implementation
DEFAULT_TIMEOUT = 5.0  # seconds, for every request unless the file says otherwise
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class BindingFileError(ValueError):
    """A mistake in a binding file, positioned at its line, with a fix."""

    def __init__(self, path: str, line: int | None, message: str, hint: str = ""):
        self.path, self.line, self.message, self.hint = path, line, message, hint
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: error: {message}" + (f"\n  = help: {hint}" if hint else ""))


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # a template: `{name}` is a parameter of the action, or `{instance}`
    body: tuple[str, ...]  # the parameters sent as fields of a JSON object (query parameters for GET)


@dataclass(frozen=True)
class ErrorRule:
    """How a refusal names its failure mode: a status code (any 4xx when None) and a JSON field's value."""

    status: int | None
    field: str | None
    value: str


@dataclass
class HttpBindingSpec:
    """A binding file, read and checked against its spec."""

    path: str
    new: Request | None
    state: Request
    fields: dict[str, str]  # state variable: its key in the state document (dots for nesting)
    actions: dict[str, Request]
    errors: dict[str, ErrorRule]
    timeout: float = DEFAULT_TIMEOUT
    budgets: tuple[str, ...] = ()  # `specforge load` budgets (specforge.load.budget syntax)
    per_instance: bool = field(default=False)  # some path names `{instance}`: runs can share the service
    cost_header: str | None = None  # the response header that reports a call's cost (`cost` constraints)


# ---- reading the file -----------------------------------------------------------------------------------


def read_binding_file(path: str | Path, spec: ir.Spec) -> HttpBindingSpec:
    """The binding file at `path`, checked against `spec`; `BindingFileError` names the line of a mistake."""
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise BindingFileError(path, None, f"cannot read the binding file: {e.strerror or e}") from None
    return parse_binding(text, spec, path)


def parse_binding(text: str, spec: ir.Spec, path: str = "<binding>") -> HttpBindingSpec:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = re.search(r"line (\d+)", str(e))
        raise BindingFileError(path, int(line.group(1)) if line else None, f"not valid TOML: {e}") from None
    return _Reader(text, spec, path).read(data)


class _Reader:
    def __init__(self, text: str, spec: ir.Spec, path: str):
        self.text, self.spec, self.path = text, spec, path
        self.actions = {a.name: a for a in spec.actions}
        self.state_vars = [p for p, _ in leaves(spec)]
        self.errors = sorted({g.error for a in spec.actions for g in a.guards if g.error})

    def fail(self, keys: tuple[str, ...], message: str, hint: str = ""):
        raise BindingFileError(self.path, key_line(self.text, keys), message, hint)

    def unknown(self, keys: tuple[str, ...], what: str, name: str, known: list[str]):
        self.fail(keys, f"the spec {self.spec.name} has no {what} `{name}`",
                  did_you_mean(name, known) or f"its {what}s: {', '.join(known) or 'none'}")

    def table(self, data: Mapping, keys: tuple[str, ...], allowed: tuple[str, ...]) -> dict:
        value = data.get(keys[-1], {})
        if not isinstance(value, dict):
            self.fail(keys, f"`{'.'.join(keys)}` must be a table")
        if allowed:
            self.settings(value, keys, allowed)
        return value

    def settings(self, entry: dict, keys: tuple[str, ...], allowed: tuple[str, ...]) -> None:
        for k in entry:
            if k not in allowed:
                self.fail((*keys, k), f"`{'.'.join(keys)}` has no setting `{k}`",
                          did_you_mean(k, allowed) or f"its settings: {', '.join(allowed)}")

    def read(self, data: dict) -> HttpBindingSpec:
        for k in data:
            if k not in ("service", "state", "actions", "errors", "budgets"):
                self.fail((k,), f"unknown section `{k}`",
                          did_you_mean(k, ("service", "state", "actions", "errors", "budgets"))
                          or "the sections: service, state, actions, errors, budgets")
        service = self.table(data, ("service",), ("new", "timeout", "cost_header"))
        cost_header = service.get("cost_header")
        if cost_header is not None and (not isinstance(cost_header, str) or not re.fullmatch(r"[A-Za-z0-9-]+", cost_header)):
            self.fail(("service", "cost_header"), "`cost_header` must be the name of an HTTP header",
                      'e.g. `cost_header = "X-Cost"`: each answer reports its call\'s cost there')
        timeout = service.get("timeout", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
            self.fail(("service", "timeout"), "`timeout` must be a number of seconds between 0 and 600")
        new = self.request_line(service["new"], ("service", "new"), {}) if "new" in service else None
        state = self.table(data, ("state",), ("path", "fields"))
        if "path" not in state:
            self.fail(("state",), "`[state]` needs `path`, the GET endpoint of the state document",
                      'add `path = "/state"` under [state]')
        state_req = Request("GET", self.template(state["path"], ("state", "path"), {}), ())
        fields = self.fields(state.get("fields", {}))
        actions = self.read_actions(self.table(data, ("actions",), ()))
        errors = self.read_errors(self.table(data, ("errors",), ()))
        budgets = self.budgets(self.table(data, ("budgets",), ("load",)).get("load", []))
        requests = [r for r in (new, state_req, *actions.values()) if r is not None]
        per_instance = any(INSTANCE in _names(r.path) for r in requests)
        return HttpBindingSpec(self.path, new, state_req, fields, actions, errors, float(timeout),
                               tuple(budgets), per_instance, cost_header)

    def budgets(self, budgets) -> list[str]:
        from ..load.budget import BudgetError, parse_budget

        if not isinstance(budgets, list) or not all(isinstance(b, str) for b in budgets):
            self.fail(("budgets", "load"), "`[budgets] load` must be a list of strings",
                      'e.g. load = ["p99(latency) <= 250 ms"]')
        for b in budgets:
            try:
                parse_budget(b, list(self.actions))
            except BudgetError as e:
                self.fail(("budgets", "load"), str(e), "see docs/load.md, section Budgets")
        return budgets

    def fields(self, fields) -> dict[str, str]:
        if not isinstance(fields, dict):
            self.fail(("state", "fields"), "`[state.fields]` must be a table: state variable = key in the document")
        for var, key in fields.items():
            if var not in self.state_vars:
                self.unknown(("state", "fields", var), "state variable", var, self.state_vars)
            if not isinstance(key, str) or not key:
                self.fail(("state", "fields", var), f"the key of `{var}` must be a non-empty string")
        return {var: fields.get(var, var) for var in self.state_vars}

    def read_actions(self, table: dict) -> dict[str, Request]:
        out = {}
        for name, entry in table.items():
            keys = ("actions", name)
            if name not in self.actions:
                self.unknown(keys, "action", name, list(self.actions))
            if not isinstance(entry, dict):
                self.fail(keys, f"`actions.{name}` must be a table with `method` and `path`")
            self.settings(entry, keys, ("method", "path", "body"))
            params = {p.name: p for p in self.actions[name].params}
            if "path" not in entry:
                self.fail(keys, f"`actions.{name}` needs `path`", f'add `path = "/{name}"`')
            method = self.method(entry.get("method", "POST"), (*keys, "method"))
            template = self.template(entry["path"], (*keys, "path"), params)
            in_path = _names(template)
            body = entry.get("body", [p for p in params if p not in in_path])
            if not isinstance(body, list) or not all(isinstance(b, str) for b in body):
                self.fail((*keys, "body"), "`body` must be a list of parameter names")
            for b in body:
                if b not in params:
                    self.fail((*keys, "body"), f"`body` names `{b}`, which is not a parameter of `{name}`",
                              did_you_mean(b, params) or f"its parameters: {', '.join(params) or 'none'}")
            missing = [p for p in params if p not in in_path and p not in body]
            if missing:
                self.fail((*keys, "body"), f"the request of `{name}` does not send its parameter `{missing[0]}`",
                          f"name it in the path as `{{{missing[0]}}}` or in `body`")
            out[name] = Request(method, template, tuple(body))
        absent = [a for a in self.actions if a not in out]
        if absent:
            self.fail(("actions",), f"the spec's action `{absent[0]}` has no request",
                      f'add [actions.{absent[0]}] with method = "POST" and path = "/{absent[0]}"')
        return out

    def read_errors(self, table: dict) -> dict[str, ErrorRule]:
        out = {}
        for name, entry in table.items():
            keys = ("errors", name)
            if name not in self.errors:
                self.unknown(keys, "failure mode", name, self.errors)
            if isinstance(entry, int) and not isinstance(entry, bool):
                entry = {"status": entry}
            if not isinstance(entry, dict):
                self.fail(keys, f"`errors.{name}` must be a status code or a table with `status`, `field`, `value`")
            self.settings(entry, keys, ("status", "field", "value"))
            status = entry.get("status")
            if status is not None and (isinstance(status, bool) or not isinstance(status, int)
                                       or not 400 <= status <= 599):
                self.fail((*keys, "status"), f"the status of `{name}` must be an error code, 400 to 599")
            fld = entry.get("field", "error")
            out[name] = ErrorRule(status, fld or None, str(entry.get("value", name)))
        for name in self.errors:  # by default: any 4xx whose body's "error" field names the failure mode
            out.setdefault(name, ErrorRule(None, "error", name))
        return out

    def request_line(self, text, keys: tuple[str, ...], params: Mapping) -> Request:
        """`"POST /path"`, as `[service] new` takes it."""
        if not isinstance(text, str) or len(text.split()) != 2:
            self.fail(keys, f"`{'.'.join(keys)}` must be a method and a path", 'e.g. "POST /reset"')
        method, template = text.split()
        return Request(self.method(method, keys), self.template(template, keys, params), ())

    def method(self, method, keys: tuple[str, ...]) -> str:
        if not isinstance(method, str) or method.upper() not in METHODS:
            self.fail(keys, f"`{method}` is not an HTTP method",
                      did_you_mean(str(method).upper(), METHODS) or f"one of {', '.join(METHODS)}")
        return method.upper()

    def template(self, template, keys: tuple[str, ...], params: Mapping) -> str:
        if not isinstance(template, str) or not template.startswith("/"):
            self.fail(keys, "a path must be a string that starts with `/`", 'e.g. "/accounts/{instance}"')
        if template.count("{") != template.count("}"):
            self.fail(keys, f"unbalanced braces in the path `{template}`")
        for name in _names(template):
            if name != INSTANCE and name not in params:
                self.fail(keys, f"the path `{template}` names `{{{name}}}`, which is not a parameter of "
                          f"`{keys[1] if keys[0] == 'actions' else keys[0]}`",
                          did_you_mean(name, [*params, INSTANCE])
                          or f"its parameters: {', '.join(params) or 'none'}; and `{{{INSTANCE}}}`")
        return template


def _names(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def key_line(text: str, keys: tuple[str, ...]) -> int | None:
    """The line (1-based) where the key `keys` (a table path and a key in it) is written; else the first
    line that writes a table or key under it (`[actions.deposit]` for `actions`); else the nearest line
    that writes a table it lies under; None when none does. tomllib gives lines only for syntax errors."""
    best, best_depth, below = None, 0, None
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = _dotted(header.group(1))
            here = table
        else:
            key = _KEY.match(line)
            if not key:
                continue
            here = table + _dotted(key.group(1))
        depth = _common(here, keys)
        if depth == len(keys) and len(here) == len(keys):
            return number
        if depth == len(here) and depth > best_depth:  # a table or key that `keys` lies under
            best, best_depth = number, depth
        if depth == len(keys) and below is None:  # the first table or key under `keys`
            below = number
    return below if below is not None and best_depth < len(keys) else best


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", text))


def _common(a: tuple, b: tuple) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


# ---- driving the service --------------------------------------------------------------------------------


class HttpRefusal(Exception):
    """The service answered with an error status; `error_matches` decides which failure mode it names."""

    def __init__(self, status: int, body: object, request: str):
        self.status, self.body, self.request = status, body, request
        super().__init__(f"{request} answered {status}: {_short(body)}")


class HttpServiceError(Exception):
    """The service did not answer as a service bound to a spec must (not JSON, a 5xx, no state document)."""


class _JsonMap(dict):
    """A JSON object read as a spec map: its keys are strings, so an int or bool key is looked up as text."""

    def __missing__(self, key):
        if isinstance(key, str):
            raise KeyError(key)
        return self[str(key).lower() if isinstance(key, bool) else str(key)]


@dataclass
class Instance:
    """One fresh implementation behind the service: its id, and the service's client of the calling thread."""

    service: HttpService
    id: str
    last_cost: str | None = None  # the cost header of its last answer

    @property
    def client(self):
        return self.service.client()

    def url(self, template: str, args: Mapping[str, object]) -> str:
        values = {**args, INSTANCE: self.id}
        return _PLACEHOLDER.sub(lambda m: _quote(values[m.group(1)]), template)


class HttpBinding(Binding):
    """A `Binding` whose implementation is an `Instance` of a live service: an action is a request, a
    failure mode a refusal matched by status and error field, the state a GET of one JSON document."""

    def __init__(self, spec: HttpBindingSpec):
        super().__init__(durations="seconds")
        self.http = spec

    def observe(self, obj: Instance, interp: Interpreter) -> State:
        document = _json(self.send(obj, self.http.state, {}), f"GET {self.http.state.path}")
        if not isinstance(document, dict):
            raise HttpServiceError(f"GET {self.http.state.path} must answer a JSON object, not {_short(document)}")
        return State((path, self.to_model(self._field(document, path), t, interp, path))
                     for path, t in interp.leaves)

    def _field(self, document: dict, var: str):
        value: object = document
        for part in self.http.fields.get(var, var).split("."):
            if not isinstance(value, dict) or part not in value:
                raise BindingError(f"the state document of GET {self.http.state.path} has no field "
                                   f"`{self.http.fields.get(var, var)}` for the state variable `{var}`; add it "
                                   f"or map it under [state.fields] in {self.http.path}")
            value = value[part]
        return _JsonMap(value) if isinstance(value, dict) else value

    def to_model(self, raw, t, interp, where):
        if isinstance(raw, dict) and not isinstance(raw, _JsonMap):
            raw = _JsonMap(raw)
        return super().to_model(raw, t, interp, where)

    def to_impl(self, value, t):
        value = super().to_impl(value, t)
        return value.plain() if isinstance(value, RecordValue) else value  # a JSON object in a request

    def cost_of(self, obj: Instance):
        header = getattr(obj, "last_cost", None)
        if header is None:
            return None
        try:
            return Fraction(decimal.Decimal(header.strip()))
        except (decimal.InvalidOperation, ValueError):
            raise BindingError(f"the {self.http.cost_header} header must be a number, not {_short(header)}") from None

    def call(self, obj: Instance, action: ir.Action, args: Mapping[str, object]) -> object:
        values = {p.name: self.to_impl(args[p.name], p.type.resolved) for p in action.params}
        response = self.send(obj, self.http.actions[action.name], values)
        # an action with a result (`-> T`) answers it as the response's JSON body
        return _json(response, f"{action.name}'s answer") if action.result is not None else None

    def send(self, obj: Instance, request: Request, args: Mapping[str, object]):
        url = obj.url(request.path, args)
        fields = {name: args[name] for name in request.body}
        kwargs = {"params": fields} if request.method == "GET" else {"json": fields}
        response = obj.client.request(request.method, url, **kwargs)
        if self.http.cost_header is not None:  # read by `cost_of` after the call, refused or not
            obj.last_cost = response.headers.get(self.http.cost_header)
        if response.status_code >= 500:
            raise HttpServiceError(f"{request.method} {url} answered {response.status_code}: "
                                   f"{_short(response.text)}")
        if response.status_code >= 400:
            body = _json(response, f"{request.method} {url}", strict=False)
            raise HttpRefusal(response.status_code, body, f"{request.method} {url}")
        return response

    def error_matches(self, exc: BaseException, name: str) -> bool:
        if not isinstance(exc, HttpRefusal):
            return False
        rule = self.http.errors.get(name)
        if rule is None:
            return False
        if rule.status is not None and exc.status != rule.status:
            return False
        if rule.field is None:
            return True
        return isinstance(exc.body, dict) and str(exc.body.get(rule.field)) == rule.value


class HttpService:
    """The factory of a live service's instances: each call makes a fresh one (`[service] new`) and
    returns it; one connection pool serves them all. The environment variable SPECFORGE_BASE_URL, when
    set, wins over `base_url`; it is read when the first instance is made, so a test may start the
    service on a free port and set it after the test file is imported."""

    _ids = itertools.count(1)

    def __init__(self, binding: HttpBinding, base_url: str | None = None):
        self.binding, self.base_url = binding, base_url
        self._local = threading.local()  # one client per thread: `load` calls from many threads at once
        self._clients: list = []
        self._tls = None

    def __call__(self) -> Instance:
        instance = Instance(self, f"i{next(self._ids)}-{uuid.uuid4().hex[:8]}")
        if self.binding.http.new is not None:
            self.binding.send(instance, self.binding.http.new, {})
        return instance

    def client(self):
        client = getattr(self._local, "client", None)
        if client is None:
            import os

            import httpx

            base = os.environ.get("SPECFORGE_BASE_URL") or self.base_url
            if not base:
                raise BindingError("no base URL: pass --base-url or set SPECFORGE_BASE_URL")
            if self._tls is None:  # building it takes ~90 ms: once, not once per thread
                self._tls = ssl.create_default_context()
            client = self._local.client = httpx.Client(base_url=base, timeout=self.binding.http.timeout,
                                                       verify=self._tls)
            self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
        self._local = threading.local()


def http_binding(binding_path: str | Path, spec: ir.Spec) -> HttpBinding:
    return HttpBinding(read_binding_file(binding_path, spec))


def _json(response, what: str, strict: bool = True):
    try:
        return response.json()
    except ValueError:
        if strict:
            raise HttpServiceError(f"{what} answered {response.status_code} without JSON: "
                                   f"{_short(response.text)}") from None
        return response.text


def _quote(v) -> str:
    from urllib.parse import quote

    if isinstance(v, bool):
        v = str(v).lower()
    return quote(str(v), safe="")


def _short(value, limit: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
