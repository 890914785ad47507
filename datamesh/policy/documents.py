"""IAM policy documents as rules read them: statements, principals, actions, conditions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from datamesh.policy import model
from datamesh.policy.values import get_path, items, json_document, mapping

POLICY_FIELDS: Mapping[str, tuple[str, ...]] = {
    model.BUCKET_POLICY: ("policy",),
    model.ACCESS_POINT: ("policy",),
    model.ACCESS_POINT_POLICY: ("policy",),
    model.KMS_KEY: ("policy",),
    model.IAM_ROLE: ("assumeRolePolicy",),
    model.IAM_ROLE_POLICY: ("policy",),
    model.IAM_POLICY: ("policy",),
}
"""Where each resource type keeps its policy documents (an IAM role also has
``inlinePolicies[].policy``)."""

DOCUMENT_TYPES = frozenset(POLICY_FIELDS)
RESOURCE_POLICY_TYPES = frozenset(
    {model.BUCKET_POLICY, model.ACCESS_POINT, model.ACCESS_POINT_POLICY, model.KMS_KEY, model.IAM_ROLE})
"""Types whose documents name principals (resource and trust policies)."""


@dataclass(frozen=True, slots=True)
class Statement:
    label: str
    """How a message names it: ``policy statement "Sid"`` or ``policy statement #2``."""
    effect: str
    principals: tuple[tuple[str, str], ...]
    """``(kind, value)`` pairs: kind ``AWS``, ``Service``, ``Federated``, ``CanonicalUser``, or
    ``*`` for a bare ``"Principal": "*"``."""
    not_principal: bool
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    """A ``NotResource`` statement: it applies to every resource not listed (``resources`` is empty)."""
    condition: Mapping[str, Any]
    allows: bool
    wildcard_principal: bool
    """An ``*`` principal (``"*"`` or ``{"AWS": "*"}``)."""


@dataclass(frozen=True, slots=True)
class Document:
    field: str
    """The input holding it: ``policy``, ``assumeRolePolicy``, ``inlinePolicies[0].policy``."""
    parsed: Mapping[str, Any] | None
    """None when the value is not a JSON policy document."""
    text: str | None = None
    """The JSON text it was parsed from, when given as text (the key of the statements cache)."""

    def statements(self) -> tuple[Statement, ...]:
        if self.parsed is None:
            return ()
        if self.text is not None:
            return _cached_statements(self.field, self.text)
        return statements_of(self.field, self.parsed)


def _document(field: str, value: Any) -> Document:
    if isinstance(value, str):
        return _text_document(field, value)
    return Document(field, json_document(value))


@lru_cache(maxsize=65536)
def _text_document(field: str, text: str) -> Document:
    return Document(field, json_document(text), text)


def documents_of(inputs: Mapping[str, Any], type_token: str) -> list[Document]:
    docs: list[Document] = []
    for key in POLICY_FIELDS.get(type_token, ()):
        value = inputs.get(key)
        if value is not None and value != "":
            docs.append(_document(key, value))
    if type_token == model.IAM_ROLE:
        for i, inline in enumerate(items(inputs.get("inlinePolicies"))):
            value = get_path(inline, "policy")
            if value is not None and value != "":
                docs.append(_document(f"inlinePolicies[{i}].policy", value))
    return docs


@lru_cache(maxsize=65536)
def _cached_statements(field: str, text: str) -> tuple[Statement, ...]:
    """Statements of a JSON document, once per distinct text (several rules read each)."""
    parsed = json_document(text)
    return statements_of(field, parsed) if parsed is not None else ()


def statements_of(field: str, doc: Mapping[str, Any]) -> tuple[Statement, ...]:
    result: list[Statement] = []
    for i, raw in enumerate(items(doc.get("Statement"))):
        st = mapping(raw)
        if st is None:
            continue
        sid = st.get("Sid")
        label = f'{field} statement "{sid}"' if isinstance(sid, str) and sid else f"{field} statement #{i}"
        not_principal = "NotPrincipal" in st
        principal_value = st.get("NotPrincipal") if not_principal else st.get("Principal")
        not_action = "NotAction" in st
        action_value = st.get("NotAction") if not_action else st.get("Action")
        effect = str(st.get("Effect", ""))
        principals = _principals(principal_value)
        result.append(Statement(
            label=label,
            effect=effect,
            principals=principals,
            not_principal=not_principal,
            actions=tuple(str(a) for a in items(action_value)),
            not_action=not_action,
            resources=tuple(str(r) for r in items(st.get("Resource"))),
            not_resource="NotResource" in st,
            condition=mapping(st.get("Condition")) or {},
            allows=effect == "Allow",
            wildcard_principal=any(value == "*" for _, value in principals),
        ))
    return tuple(result)


def _principals(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (("*", value),) if value == "*" else (("AWS", value),)
    m = mapping(value)
    if m is None:
        return tuple(("AWS", str(v)) for v in items(value))
    return tuple((str(kind), str(v)) for kind, vs in m.items() for v in items(vs))


def condition_values(condition: Mapping[str, Any], operator: str, key: str) -> list[str] | None:
    """The values of ``Condition.<operator>.<key>`` (keys compare case-insensitively); None if absent."""
    block = mapping(condition.get(operator))
    if block is None:
        return None
    for k, v in block.items():
        if str(k).lower() == key.lower():
            return [str(x) for x in items(v)]
    return None


def action_matches(pattern: str, action: str) -> bool:
    """Whether an IAM action pattern (``s3:Get*``) covers ``action`` (case-insensitive)."""
    return fnmatchcase(action.lower(), pattern.lower())
