"""One module per rule, named after the rule id (``mesh-bucket-versioning`` →
``mesh_bucket_versioning``), each exposing ``RULE``. Modules starting with ``_`` are helpers.
The registry (``datamesh.policy.registry``) lists them in report order."""
