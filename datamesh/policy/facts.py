"""Mesh facts the rules need, from a resolved mesh: the accounts of one environment."""

from __future__ import annotations

from datamesh.resolve import ResolvedMesh


def mesh_facts(mesh: ResolvedMesh, env: str) -> dict[str, list[str]]:
    """``meshAccounts`` (the platform's and every domain's account in ``env``) and
    ``externalAccounts`` (mesh.yaml ``external_accounts``)."""
    accounts = {mesh.spec.platform.accounts[env]}
    accounts.update(d.model.aws.accounts[env] for d in mesh.domains.values())
    return {
        "meshAccounts": sorted(accounts),
        "externalAccounts": sorted({e.id for e in mesh.spec.external_accounts}),
    }
