"""principalmapper's local IAM policy evaluation, importable on Python >= 3.10.

principalmapper 1.1.5 (its latest release) imports ``Mapping`` and ``MutableMapping`` from
``collections``, where Python 3.10 removed them (they live in ``collections.abc``). The aliases
below are exactly what that import expects; nothing of principalmapper's evaluation changes.
"""

from __future__ import annotations

import collections
import collections.abc

for _name in ("Mapping", "MutableMapping"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

from principalmapper.common import Node, Policy  # noqa: E402
from principalmapper.querying.local_policy_simulation import (  # noqa: E402
    ResourcePolicyEvalResult,
    policy_has_matching_statement,
    resource_policy_authorization,
)
from principalmapper.querying.query_interface import (  # noqa: E402
    local_check_authorization,
    local_check_authorization_full,
)
from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict  # noqa: E402

__all__ = ["CaseInsensitiveDict", "Node", "Policy", "ResourcePolicyEvalResult", "local_check_authorization",
           "local_check_authorization_full", "policy_has_matching_statement", "resource_policy_authorization"]
