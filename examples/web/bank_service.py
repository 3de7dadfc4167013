"""An HTTP service for `examples/bank.sf` (spec BankAccount), in Flask: many accounts, one per id.

    POST /accounts/<id>                    open a fresh account (balance 0, not frozen); 201
    GET  /accounts/<id>                    {"balance": ..., "withdrawn_today": ..., "frozen": ...}
    POST /accounts/<id>/deposit            {"amount": 100}
    POST /accounts/<id>/withdraw           {"amount": 100}
    POST /accounts/<id>/start_new_day
    POST /accounts/<id>/freeze
    POST /accounts/<id>/unfreeze

A refusal answers 422 (a bad request: InvalidAmount, LimitExceeded) or 409 (the account's state
forbids it), with {"error": "<the failure mode>", "detail": "..."}. `bank.toml` binds it to the spec.

Three variants, chosen by `create_app(variant)`:
- "correct": the account logic of examples/impl/bank.py behind the routes;
- "buggy": the day's counter is booked before the balance is checked, so a refused withdrawal
  still uses up the daily allowance (the spec's state must be unchanged by a refusal);
- "slow": correct, but every request that changes the account takes SLOW_SECONDS longer.

`serve(app)` runs it on a free port of 127.0.0.1 in a background thread (werkzeug's threaded server).
"""

from __future__ import annotations

import threading
import time

from flask import Flask, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

try:
    from ..impl import bank as impl
except ImportError:  # loaded by file path, outside the `examples` package
    import importlib.util
    import pathlib
    import sys

    _spec = importlib.util.spec_from_file_location(
        "_specforge_example_impl_bank", pathlib.Path(__file__).resolve().parents[1] / "impl" / "bank.py")
    impl = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = impl
    _spec.loader.exec_module(impl)

VARIANTS = ("correct", "buggy", "slow")
SLOW_SECONDS = 0.3
CONFLICT = 409  # the account's state forbids the request
INVALID = 422  # the request itself is out of bounds
STATUS = {"InvalidAmount": INVALID, "LimitExceeded": INVALID}


class BookedBeforeChecking(impl.BankAccount):
    """The bug of the "buggy" variant: the withdrawal is counted against the day first."""

    def withdraw(self, amount: int) -> None:
        self._check_amount(amount)
        self._check_active()
        if amount > self.MAX_WITHDRAWAL:
            raise impl.LimitExceeded(f"at most {self.MAX_WITHDRAWAL} per withdrawal")
        if amount > self.remaining_allowance:
            raise impl.DailyLimitExceeded(f"only {self.remaining_allowance} left today")
        self.withdrawn_today += amount
        if amount > self.balance:
            raise impl.InsufficientFunds(f"balance is {self.balance}, asked for {amount}")
        self.balance -= amount


def create_app(variant: str = "correct") -> Flask:
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}")
    app = Flask(__name__)
    account_class = BookedBeforeChecking if variant == "buggy" else impl.BankAccount
    delay = SLOW_SECONDS if variant == "slow" else 0.0
    accounts: dict[str, impl.BankAccount] = {}
    lock = threading.Lock()  # the server is threaded: one request at a time changes the accounts

    def state(account: impl.BankAccount) -> dict:
        return {"balance": account.balance, "withdrawn_today": account.withdrawn_today, "frozen": account.frozen}

    @app.post("/accounts/<account_id>")
    def open_account(account_id: str):
        with lock:
            accounts[account_id] = account_class()
            return jsonify(state(accounts[account_id])), 201

    @app.get("/accounts/<account_id>")
    def show(account_id: str):
        with lock:
            account = accounts.get(account_id)
            if account is None:
                return jsonify(error="NoSuchAccount", detail=account_id), 404
            return jsonify(state(account))

    @app.post("/accounts/<account_id>/<operation>")
    def operate(account_id: str, operation: str):
        if operation not in ("deposit", "withdraw", "start_new_day", "freeze", "unfreeze"):
            return jsonify(error="NoSuchOperation", detail=operation), 404
        body = request.get_json(silent=True) or {}
        args = {"amount": body["amount"]} if operation in ("deposit", "withdraw") else {}
        if "amount" in args and (isinstance(args["amount"], bool) or not isinstance(args["amount"], int)):
            return jsonify(error="BadRequest", detail="amount must be an integer"), 400
        if delay:
            time.sleep(delay)
        with lock:
            account = accounts.get(account_id)
            if account is None:
                return jsonify(error="NoSuchAccount", detail=account_id), 404
            try:
                getattr(account, operation)(**args)
            except impl.BankError as e:
                name = type(e).__name__
                return jsonify(error=name, detail=str(e)), STATUS.get(name, CONFLICT)
            return jsonify(state(account))

    return app


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args) -> None:  # a line per request would drown a load run's output
        pass


class Server:
    """A variant of the service on a free port of 127.0.0.1, in a background thread; a context manager."""

    def __init__(self, variant: str = "correct"):
        app = create_app(variant)
        self.requests = 0  # answered so far (a test can wait for a run to be under way)

        def counting(environ, start_response):
            self.requests += 1
            return app(environ, start_response)
        self._server = make_server("127.0.0.1", 0, counting, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"bank-{variant}", daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


def serve(variant: str = "correct") -> Server:
    return Server(variant)


if __name__ == "__main__":  # python -m examples.web.bank_service [variant] [port]
    import sys

    app = create_app(sys.argv[1] if len(sys.argv) > 1 else "correct")
    app.run(host="127.0.0.1", port=int(sys.argv[2]) if len(sys.argv) > 2 else 8000)
