"""Which configuration resources belong to which bucket, for the stack rules.

A bucket's companion (versioning, encryption, lifecycle, …) names the bucket by its physical
name in ``bucket``. When that value is not a known string (a deploy-time value), the companion
belongs to the bucket that shares its parent (the DataProduct component).
"""

from __future__ import annotations

from typing import Any

from datamesh.policy.model import ResourceView, StackView
from datamesh.policy.values import text

_Index = tuple[dict[str, list[ResourceView]], dict[str, list[ResourceView]]]


def _index(stack: StackView, type_token: str) -> _Index:
    key = f"companions:{type_token}"
    cached: Any = stack.cache.get(key)
    if cached is None:
        by_bucket: dict[str, list[ResourceView]] = {}
        by_parent: dict[str, list[ResourceView]] = {}
        for r in stack.of_type(type_token):
            target = text(r.inputs.get("bucket"))
            if target is not None:
                by_bucket.setdefault(target, []).append(r)
            elif r.parent is not None:
                by_parent.setdefault(r.parent, []).append(r)
        cached = (by_bucket, by_parent)
        stack.cache[key] = cached
    result: _Index = cached
    return result


def companions(stack: StackView, bucket: ResourceView, type_token: str) -> list[ResourceView]:
    by_bucket, by_parent = _index(stack, type_token)
    found: list[ResourceView] = []
    name = text(bucket.inputs.get("bucket"))
    if name is not None:
        found.extend(by_bucket.get(name, ()))
    if bucket.parent is not None:
        found.extend(by_parent.get(bucket.parent, ()))
    return found


def short(type_token: str) -> str:
    """``aws:s3/bucketVersioning:BucketVersioning`` → ``BucketVersioning``."""
    return type_token.rsplit(":", 1)[-1]
