"""``mesh policy-config``: the ``--policy-pack-config`` JSON for one environment's deployment.

It spells out every rule of mesh-guardrails (enforcement level and every setting, defaults
included) and adds the mesh facts the pack cannot know by itself, and must not take from the
program it judges: the environment's mesh accounts, the registered external accounts and the
grants the specs decide (by access point name: product, consumer, principal, until; per
granted product: bucket, account, key, classification). The platform team's own overrides (levels,
thresholds) come in with ``--policy-config FILE`` and win over the defaults.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from datamesh.cli.check import add_policy_config, read_config
from datamesh.cli.common import add_domains, add_env, add_today, environment_of, load_valid_mesh
from datamesh.policy.config import render_pack_config
from datamesh.policy.facts import mesh_facts


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "policy-config", help="write the pack config `pulumi --policy-pack-config` takes",
        description="Write the JSON for `pulumi preview/up --policy-pack "
                    "policy_packs/mesh-guardrails --policy-pack-config FILE`: every rule's "
                    "enforcement level and settings, plus the environment's mesh accounts, "
                    "registered external accounts and the grants the specs decide.")
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
    document = render_pack_config(overrides.with_facts(mesh_facts(mesh, env)).to_json())
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(document)
    else:
        sys.stdout.write(document)
    return 0
