"""Fast construction of the frozen pydantic nodes (IR, spans, diagnostics).

Its own module so that `source` (spans) and `ir` (which holds spans) both use it without
importing each other.
"""

from __future__ import annotations

_new = object.__new__
_set = object.__setattr__
_DEFAULTS: dict[type, dict] = {}


def make(cls, **fields):
    """Build a node without re-validating children the lowering already built.

    The lowering creates hundreds of thousands of nodes for a large spec, and
    pydantic validation would be most of its time. Every field a class
    declares with a default is filled in here, so the object is exactly what
    `cls(**fields)` would build; the test suite re-validates lowered specs
    through `model_validate` to keep it that way.
    """
    template = _DEFAULTS.get(cls)
    if template is None:
        # declared order, defaults filled, required fields as placeholders
        template = {name: (None if f.is_required() else f.get_default(call_default_factory=True))
                    for name, f in cls.model_fields.items()}
        _DEFAULTS[cls] = template
    values = template.copy()
    values.update(fields)
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(fields))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj
