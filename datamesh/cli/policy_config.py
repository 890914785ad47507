"""``mesh policy-config``: the ``--policy-pack-config`` JSON for one environment's deployment.

It spells out every rule of mesh-guardrails (enforcement level and every setting, defaults
included) and adds the mesh facts the pack cannot know by itself: the environment's mesh
accounts and the registered external accounts. The platform team's own overrides (levels,
thresholds) come in with ``--policy-config FILE`` and win over the defaults.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from datamesh.cli.check import add_policy_config, read_config
from datamesh.cli.common import add_domains, add_env, add_today, environment_of, load_valid_mesh
from datamesh.policy.facts import mesh_facts


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "policy-config", help="write the pack config `pulumi --policy-pack-config` takes",
        description="Write the JSON for `pulumi preview/up --policy-pack "
                    "policy_packs/mesh-guardrails --policy-pack-config FILE`: every rule's "
                    "enforcement level and settings, plus the environment's mesh accounts and "
                    "registered external accounts.")
    add_domains(parser)
    add_env(parser)
    add_today(parser)
    add_policy_config(parser, "the platform team's overrides (levels, thresholds) to merge in")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write to FILE instead of standard output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    overrides = read_config(args.policy_config)
    _, mesh = load_valid_mesh(args)
    if mesh is None:
        return 1
    env = environment_of(args, mesh)
    document = json.dumps(overrides.with_facts(mesh_facts(mesh, env)).to_json(), indent=2) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(document)
    else:
        sys.stdout.write(document)
    return 0
