"""JSON Schemas of the three spec kinds, generated from the models.

Committed under ``schemas/`` (``mesh schema --output schemas``) so editors validate specs as
people type (``# yaml-language-server: $schema=...``); a test keeps them in sync.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from datamesh.spec.models import DataProduct, Domain, Mesh

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "mesh.schema.json": Mesh,
    "domain.schema.json": Domain,
    "data-product.schema.json": DataProduct,
}


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://datamesh.dev/schemas/v1/{model.__name__}.json",
        **schema,
    }


def render(model: type[BaseModel]) -> str:
    return json.dumps(schema_of(model), indent=2, sort_keys=True) + "\n"
