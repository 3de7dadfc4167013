"""Published artifacts that are generated from the code stay in step with it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from specforge.diagnostics import codes_markdown
from specforge.frontend import load
from specforge.ir_schema import ir_schema

from .support import ROOT, golden

EXAMPLES = sorted((ROOT / "examples").glob("*.sf"))


def test_the_published_ir_schema_is_current():
    golden(ROOT / "docs" / "ir.schema.json", json.dumps(ir_schema(), indent=2, sort_keys=True) + "\n")


def test_the_published_diagnostic_codes_are_current():
    golden(ROOT / "docs" / "diagnostics.md", codes_markdown())


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_emitted_ir_validates_against_the_published_schema(example):
    doc = json.loads(load(str(example)).spec.model_dump_json(by_alias=True))
    jsonschema.validate(doc, ir_schema())
