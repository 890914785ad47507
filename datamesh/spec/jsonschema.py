"""JSON Schemas of the three spec kinds, generated from the models.

Committed under ``schemas/`` (``mesh schema --output schemas``) so editors validate specs as
people type (``# yaml-language-server: $schema=...``); a test keeps them in sync.
"""

from __future__ import annotations

import ast
import inspect
import json
from typing import Any

from pydantic import BaseModel

from datamesh.spec import models
from datamesh.spec.models import DataProduct, Domain, Mesh

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "mesh.schema.json": Mesh,
    "domain.schema.json": Domain,
    "data-product.schema.json": DataProduct,
}


def attribute_docs() -> dict[str, dict[str, str]]:
    """Field docstrings of the spec models: class name → field name → text.

    Read from the source here, only when schemas are generated, rather than by pydantic's
    ``use_attribute_docstrings`` at every import (it parses the source: ~100 ms per start).
    """
    docs: dict[str, dict[str, str]] = {}
    for node in ast.parse(inspect.getsource(models)).body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields = docs.setdefault(node.name, {})
        for stmt, following in zip(node.body, node.body[1:], strict=False):
            if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                    and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                fields[stmt.target.id] = inspect.cleandoc(following.value.value)
    return docs


def _describe(schema: dict[str, Any], cls: type[BaseModel], docs: dict[str, dict[str, str]]) -> None:
    texts = docs.get(cls.__name__, {})
    properties = schema.get("properties", {})
    for name, info in cls.model_fields.items():
        prop = properties.get(info.alias or name)
        if prop is not None and name in texts:
            prop["description"] = texts[name]


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    docs = attribute_docs()
    _describe(schema, model, docs)
    for name, sub in schema.get("$defs", {}).items():
        cls = getattr(models, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            _describe(sub, cls, docs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://datamesh.dev/schemas/v1/{model.__name__}.json",
        **schema,
    }


def render(model: type[BaseModel]) -> str:
    return json.dumps(schema_of(model), indent=2, sort_keys=True) + "\n"
