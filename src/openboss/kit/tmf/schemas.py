"""Pydantic building blocks for TMF resource schemas.

:class:`TmfModel` gives the wire conventions (camelCase aliases, unknown
attributes refused, aliases on output). :data:`Text` is a string that both
databases can store: PostgreSQL refuses NUL characters in text, so a NUL is a
400 naming the field rather than an error at INSERT time. :func:`json_value`
checks free JSON values (a characteristic's ``value``) the same way, and keeps
integers within 64 bits, which is what the databases and JSON parsers handle.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from openboss.kit.tmf.attributes import INT64_MAX, INT64_MIN


class TmfModel(BaseModel):
    """Base of TMF request and response models."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", serialize_by_alias=True
    )


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


#: A string without NUL characters.
Text = Annotated[str, AfterValidator(_no_nul)]


def json_value(value: Any) -> Any:
    """Check a free JSON value: no NUL in strings or keys, 64-bit integers."""
    if isinstance(value, str):
        _no_nul(value)
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        pass
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError("integer out of range (64 bits)")
    elif isinstance(value, list):
        for item in value:
            json_value(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            json_value(item)
    return value


#: The ``{id}`` path parameter of a TMF resource.
ResourceId = Annotated[
    str,
    Path(
        description="Identifier of the resource.",
        min_length=1,
        max_length=64,
        pattern=r"^[^\x00-\x1f/]+$",
    ),
]
