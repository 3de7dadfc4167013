"""The fast entry point reads `prove`'s command line as click does, or hands it to click."""

from __future__ import annotations

import click
import pytest

from specforge import fastpath
from specforge.cli.prove import prove


def _click_options() -> dict[str, click.Option]:
    return {name: p for p in prove.params if isinstance(p, click.Option) for name in p.opts}


def test_every_option_of_prove_is_read_by_the_fast_path_or_sends_the_run_to_click():
    handed_to_click = {"--no-cache", "--write-support"}
    assert set(_click_options()) == set(fastpath._VALUED) | set(fastpath._FLAGS) | handed_to_click


def test_the_fast_paths_defaults_and_ranges_are_clicks():
    options = _click_options()
    for name, (dest, _) in fastpath._VALUED.items():
        option = options[name]
        if dest in fastpath._DEFAULTS:
            assert fastpath._DEFAULTS[dest] == option.default, name
        if dest in fastpath.RANGES:
            assert fastpath.RANGES[dest] == (option.type.min, option.type.max), name
    assert list(fastpath._FORMATS) == list(options["--format"].type.choices)


@pytest.mark.parametrize("args, files, changed", [
    (["a.sf"], ["a.sf"], {}),
    (["a.sf", "--depth", "5", "b.sf"], ["a.sf", "b.sf"], {"depth": 5}),
    (["--timeout=2", "-o", "out.txt", "a.sf"], ["a.sf"], {"timeout": 2.0, "output": "out.txt"}),
    (["--no-explore", "--format", "json", "-j", "2", "a.sf"], ["a.sf"], {"no_explore": True, "fmt": "json", "jobs": 2}),
])
def test_the_plain_forms_of_proves_options_are_read_as_click_reads_them(args, files, changed):
    read_files, opts = fastpath.parse_prove(args)
    assert read_files == files
    assert {k: v for k, v in opts.items() if fastpath._DEFAULTS.get(k, object()) != v} == changed


@pytest.mark.parametrize("args", [
    [], ["--help", "a.sf"], ["--no-cache", "a.sf"], ["--write-support", "s.sf", "a.sf"], ["-j2", "a.sf"],
    ["-o=x", "a.sf"], ["--depth", "x", "a.sf"], ["--depth", "5000", "a.sf"], ["--timeout", "nan", "a.sf"],
    ["--format", "html", "a.sf"], ["--", "a.sf"], ["a.sf", "--depth"], ["--unknown", "a.sf"],
])
def test_anything_else_is_handed_to_click(args):
    assert fastpath.parse_prove(args) is None


@pytest.mark.parametrize("command, one_shot", [("check", True), ("prove", True), ("lsp", False), ("watch", False)])
def test_only_a_command_that_ends_after_its_specs_freezes_what_the_front_end_built(command, one_shot, monkeypatch):
    import gc
    import sys

    from specforge import cli, frontend, process

    monkeypatch.setattr(sys, "argv", ["specforge", command, "--help"])
    monkeypatch.setattr(process, "ONE_SHOT", False)
    monkeypatch.setattr(fastpath, "cached_prove", lambda args: None)
    monkeypatch.setattr(cli, "main", lambda prog_name: None)
    fastpath.main()
    assert process.ONE_SHOT is one_shot
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    assert frontend.load_text("spec S\nstate { n: int }\ninit { n := 0 }\n").ok
    assert frozen == ([True] if one_shot else [])
