"""A scripted hostile agent, as orchestrator and as every task: each escape is refused and no secret leaks."""

from __future__ import annotations

from pathlib import Path

from tests.support.crash import digest_tree
from tests.support.hostile import (
    HOSTILE_CALLS,
    OUTSIDE_SECRET,
    SECRET,
    SECRET_PROBES,
    HostileBackend,
    plant_project,
    run_dir_blobs,
)
from wizard_tui.domain.models import TelemetryRecord
from wizard_tui.domain.persistence import read_queue_file
from wizard_tui.engine.run import Run, RunConfig


class Capture:
    """A telemetry sink standing in for the network one: it sees exactly what would leave the machine."""

    def __init__(self) -> None:
        self.records: list[TelemetryRecord] = []

    def write(self, record: TelemetryRecord) -> None:
        self.records.append(record)

    def close(self) -> None:
        pass


async def test_a_hostile_agent_is_refused_every_escape_and_leaks_nothing(tmp_path: Path) -> None:
    project = plant_project(tmp_path / "app", tmp_path / "outside")
    before = digest_tree(project)
    backend = HostileBackend()
    sink = Capture()
    result = await Run(RunConfig(install_dir=project), backend, sinks=[sink]).execute()  # type: ignore[arg-type]
    assert result.exit_code == 0, result.message

    queue = read_queue_file(project / ".posthog-wizard" / "queue.json")
    agents = {"orchestrator", *(t.id for t in queue.tasks)}
    assert {who for who, _, _ in backend.refused} == agents and len(queue.tasks) == 2
    assert len(backend.refused) == len(agents) * len(HOSTILE_CALLS)
    for who, tool, refused in backend.refused:
        assert refused.is_error, (who, tool, refused.content)
        assert "failed internally" not in refused.content
    assert len(backend.probed) == len(agents) * len(SECRET_PROBES)
    assert backend.detected is not None and not backend.detected.is_error, backend.detected
    assert SECRET not in backend.detected.content and OUTSIDE_SECRET not in backend.detected.content
    for who, tool, probe in backend.probed:
        assert SECRET not in probe.content and OUTSIDE_SECRET not in probe.content, (who, tool)

    # Nothing the run wrote holds a secret: queue, audit, telemetry, handoffs, proposals, the patch.
    blobs = run_dir_blobs(project)
    assert {"queue.json", "audit.jsonl", "telemetry.jsonl", "proposals.json", "changes.patch"} <= set(blobs)
    assert any(name.startswith("handoffs/") for name in blobs)
    for name, blob in blobs.items():
        for secret in (SECRET, OUTSIDE_SECRET, "s3cr3t", "PLANTED"):
            assert secret.encode() not in blob, f"{secret} leaked into {name}"
    # Nor anything that would leave the machine.
    assert sink.records
    for record in sink.records:
        text = record.model_dump_json()
        assert SECRET not in text and OUTSIDE_SECRET not in text and "s3cr3t" not in text
    # The handoffs carry what the agent was given: key names at most.
    evidence = " ".join(t.handoff.evidence or "" for t in queue.tasks if t.handoff)
    assert "POSTHOG_KEY=<redacted>" in evidence

    assert digest_tree(project) == before, "the user's project changed"
    assert (tmp_path / "outside" / "passwd").read_text().count(OUTSIDE_SECRET) == 1
