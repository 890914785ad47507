"""The pack as `pulumi preview --policy-pack` starts it: a process serving the analyzer over gRPC.

The Pulumi CLI runs ``python -u -m pulumi.policy <engine> <pack dir>`` in the pack's virtualenv
(``pulumi-analyzer-policy-python``); ``__main__.py`` builds the ``PolicyPack``, which prints its
port and serves until killed. This test does exactly that in a child process it owns, talks to
it with the real gRPC stub, and kills it. Nothing imports ``__main__.py``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator

import grpc
import pytest
from analyzer_helpers import PACK_DIR, Engine, struct
from google.protobuf import empty_pb2
from policy_helpers import FACTS, compliant_stack, mutate, versioning
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from datamesh.policy import RULES, PackConfig

START_TIMEOUT_S = 60


@pytest.fixture
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    proc = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(PACK_DIR)],
                            cwd=PACK_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(proc.stdout.readline() if proc.stdout else ""),
                                  daemon=True)
        reader.start()
        reader.join(START_TIMEOUT_S)
        port = first[0].strip() if first else ""
        if not port.isdigit():
            proc.kill()
            _, err = proc.communicate(timeout=10)
            pytest.fail(f"the pack did not start: stdout {port!r}, stderr {err[-2000:]!r}")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_pack_process_serves_the_guardrails(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert info.name == "mesh-guardrails"
    assert [p.name for p in info.policies] == [r.id for r in RULES]

    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for rule_id, entry in PackConfig().with_facts(FACTS).to_json().items():
        props = {k: v for k, v in entry.items() if k != "enforcementLevel"}
        request.policyConfig[rule_id].CopyFrom(
            analyzer_pb2.PolicyConfig(enforcementLevel=proto.MANDATORY, properties=struct(props)))
    analyzer.Configure(request, timeout=30)

    broken = mutate(versioning(), ["versioningConfiguration", "status"], "Suspended")
    stack = [broken if r.name == broken.name else r for r in compliant_stack()]
    engine = Engine(stack)
    response = analyzer.Analyze(engine.analyze_request(broken), timeout=30)
    assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [
        ("mesh-bucket-versioning", proto.MANDATORY)]
    assert analyzer.AnalyzeStack(engine.stack_request(), timeout=30).diagnostics == []
