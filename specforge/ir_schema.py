"""The JSON Schema of the IR, as published in docs/ir.schema.json."""

from __future__ import annotations

from typing import Any

from .ir import IR_VERSION, Spec


def ir_schema() -> dict[str, Any]:
    schema = Spec.model_json_schema(by_alias=True, mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"specforge IR, version {IR_VERSION}"
    return schema
