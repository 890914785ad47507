"""Pulumi components that materialise the Plan (``datamesh.plan``) exactly.

One public component per module: ``Domain`` (domain.py), ``DataProduct`` (data_product.py),
``AccessGrant`` (access_grant.py), ``DiscoveryEndpoint`` (discovery.py); ``materialise`` and
``stack_outputs`` (mesh.py) walk a whole Plan. Import these only where Pulumi runs: the
offline commands (``mesh validate|plan|check|diff|catalog|serve``) never import ``pulumi``.
"""
