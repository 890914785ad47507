"""Every rule of the mesh guardrails, in the order reports list them.

Imported statically (no module scanning) so the policy pack and ``mesh check`` start fast; a
meta-test proves every module under ``rules/`` is registered here and named after its id.
"""

from __future__ import annotations

from datamesh.policy.model import Rule
from datamesh.policy.rules import (
    mesh_access_point_has_grant,
    mesh_bucket_controls_present,
    mesh_bucket_encryption,
    mesh_bucket_lifecycle,
    mesh_bucket_lifecycle_present,
    mesh_bucket_ownership_enforced,
    mesh_bucket_pattern_own_account,
    mesh_bucket_policy_delegation_only,
    mesh_bucket_public_access_block,
    mesh_bucket_tags,
    mesh_bucket_tls_only,
    mesh_bucket_versioning,
    mesh_data_protected,
    mesh_domain_account,
    mesh_grant_matches_spec,
    mesh_grant_principal_accounts,
    mesh_grant_read_only,
    mesh_key_policy_own_account,
    mesh_kms_key_rotation,
    mesh_no_service_principal,
    mesh_no_wildcard_data_action,
    mesh_no_wildcard_principal,
    mesh_provider_allowed_accounts,
    mesh_resource_types_allowed,
    mesh_restricted_grant_duration,
    mesh_restricted_retention,
    mesh_trust_own_account,
)

RULES: tuple[Rule, ...] = (
    # spec-v1's default global policies
    mesh_restricted_retention.RULE,
    mesh_restricted_grant_duration.RULE,
    # product buckets
    mesh_bucket_versioning.RULE,
    mesh_bucket_encryption.RULE,
    mesh_bucket_public_access_block.RULE,
    mesh_bucket_ownership_enforced.RULE,
    mesh_bucket_tls_only.RULE,
    mesh_bucket_policy_delegation_only.RULE,
    mesh_bucket_tags.RULE,
    mesh_bucket_lifecycle.RULE,
    mesh_data_protected.RULE,
    # grants and principals
    mesh_grant_principal_accounts.RULE,
    mesh_no_wildcard_principal.RULE,
    mesh_no_service_principal.RULE,
    mesh_no_wildcard_data_action.RULE,
    mesh_grant_read_only.RULE,
    mesh_grant_matches_spec.RULE,
    # keys, roles and providers: each trusts only its own account
    mesh_kms_key_rotation.RULE,
    mesh_key_policy_own_account.RULE,
    mesh_trust_own_account.RULE,
    mesh_bucket_pattern_own_account.RULE,
    mesh_provider_allowed_accounts.RULE,
    mesh_domain_account.RULE,
    # the stack holds only what the planner emits
    mesh_resource_types_allowed.RULE,
    # stack-level
    mesh_access_point_has_grant.RULE,
    mesh_bucket_lifecycle_present.RULE,
    mesh_bucket_controls_present.RULE,
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

