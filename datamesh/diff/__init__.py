"""``mesh diff`` and ``mesh affected``: what a change does, computed from two plans.

``sides`` loads the working tree and the base commit (from git objects), ``compute`` compares
them into one frozen ``model.MeshDiff`` (``risks``, ``resources`` and ``approvers`` are its pure
parts), and each ``render_*`` module turns that value into text, markdown or json. ``affected``
lists the scopes whose plan differs.
"""
