"""Pure core of the data mesh provisioner: spec models, mesh resolution, grants, plan, CLI.

Nothing in this package imports ``pulumi``: every offline command stays fast and runs without
cloud credentials. The Pulumi components live in the top-level ``components`` package.
"""

__version__ = "0.1.0"
