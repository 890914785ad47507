"""The CloudFormation intrinsics the bootstrap templates use, evaluated as CloudFormation would.

``Fn::Sub`` (string form), ``Ref`` (parameters, pseudo parameters and resources, all given),
``Fn::If`` over the template's ``Conditions`` (``Fn::Equals``, ``Fn::Not``), ``AWS::NoValue``
(the property or list item disappears) and ``Fn::GetAtt`` (looked up in ``attributes``). Any
other intrinsic fails the test: a template using one must teach this evaluator first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NO_VALUE = object()


class Template:
    def __init__(self, template: Mapping[str, Any], parameters: Mapping[str, str], account: str,
                 refs: Mapping[str, str] | None = None, attributes: Mapping[str, str] | None = None) -> None:
        self.template = template
        declared = template.get("Parameters", {})
        unknown = set(parameters) - set(declared)
        assert not unknown, f"not parameters of the template: {unknown}"
        self.parameters = {name: parameters.get(name, p.get("Default")) for name, p in declared.items()}
        missing = [name for name, value in self.parameters.items() if value is None]
        assert not missing, f"parameters without value or default: {missing}"
        for name, value in self.parameters.items():
            pattern = declared[name].get("AllowedPattern")
            assert pattern is None or re.fullmatch(pattern, value), f"{name}={value!r} fails {pattern}"
        self.refs = {**self.parameters, "AWS::Partition": "aws", "AWS::AccountId": account, **(refs or {})}
        self.attributes = dict(attributes or {})
        self.conditions = {name: self._condition(c) for name, c in template.get("Conditions", {}).items()}

    def _condition(self, node: Any) -> bool:
        [(fn, args)] = node.items()
        if fn == "Fn::Equals":
            left, right = (self.evaluate(a) for a in args)
            return bool(left == right)
        if fn == "Fn::Not":
            return not self._condition(args[0])
        raise AssertionError(f"condition function {fn} is not modelled")

    def resources(self) -> dict[str, dict[str, Any]]:
        """The resources that exist under the parameters: name → evaluated ``Properties``."""
        return {name: self.evaluate(r.get("Properties", {}))
                for name, r in self.template["Resources"].items()
                if self.conditions.get(r.get("Condition", ""), True)}

    def outputs(self) -> dict[str, Any]:
        return {name: self.evaluate(o["Value"]) for name, o in self.template.get("Outputs", {}).items()
                if self.conditions.get(o.get("Condition", ""), True)}

    def evaluate(self, node: Any) -> Any:
        if isinstance(node, dict):
            if len(node) == 1:
                [(key, arg)] = node.items()
                if key == "Fn::Sub":
                    assert isinstance(arg, str), "only the string form of Fn::Sub is modelled"
                    return re.sub(r"\$\{([^}]+)\}", lambda m: self.refs[m[1]], arg)
                if key == "Ref":
                    return NO_VALUE if arg == "AWS::NoValue" else self.refs[arg]
                if key == "Fn::If":
                    condition, then, otherwise = arg
                    return self.evaluate(then if self.conditions[condition] else otherwise)
                if key == "Fn::GetAtt":
                    return self.attributes[".".join(arg)]
                assert not key.startswith("Fn::"), f"{key} is not modelled"
            out = {k: self.evaluate(v) for k, v in node.items()}
            return {k: v for k, v in out.items() if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in (self.evaluate(item) for item in node) if v is not NO_VALUE]
        return node
