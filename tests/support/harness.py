"""The store wiring of one run over a real run dir (store, bus, telemetry, tool services), for tool tests."""

from __future__ import annotations

from pathlib import Path

from tests.support.clock import FrozenClock, SequentialIds
from wizard_tui.domain.events import EventBus
from wizard_tui.domain.guards import Limits
from wizard_tui.domain.models import AuditRecord, Task, TelemetryRecord
from wizard_tui.domain.persistence import RunPaths
from wizard_tui.domain.prompts import PromptLibrary, load_prompts
from wizard_tui.domain.queue import QueueStore
from wizard_tui.engine.tools import ALL_TOOLS, RunServices, ToolBox, ToolContext
from wizard_tui.telemetry.emitter import Telemetry


class Harness:
    """A store, services and event capture for one project folder."""

    def __init__(self, project: Path, limits: Limits | None = None, library: PromptLibrary | None = None) -> None:
        self.project = project.resolve()
        self.bus = EventBus()
        self.audit: list[AuditRecord] = []
        self.telemetry_records: list[TelemetryRecord] = []
        self.bus.subscribe(lambda e: (self.audit if isinstance(e, AuditRecord) else self.telemetry_records).append(e))  # type: ignore[arg-type]
        clock = FrozenClock(step=0.001)
        self.paths = RunPaths(self.project)
        self.paths.create()
        self.store = QueueStore(
            run_id="run-t", install_dir=self.project, clock=clock, ids=SequentialIds(), bus=self.bus
        )
        self.telemetry = Telemetry("run-t", clock, self.bus)
        self.bus.subscribe(self.telemetry.observe)
        self.services = RunServices(
            install_dir=self.project,
            paths=self.paths,
            store=self.store,
            library=library or load_prompts(),
            limits=limits or Limits(),
            valid_models={"claude-haiku-4-5"},
        )

    def enqueue(self, task_type: str = "init") -> Task:
        """A seeded task of `task_type`, pending."""
        return self.store.enqueue(
            task_type=task_type,
            label=task_type,
            inputs={},
            depends_on=[],
            reason="test",
            model=None,
            enqueued_by="orchestrator",
            depth=0,
        )

    def start_task(self, task_type: str = "init") -> str:
        """Enqueue a task and start it, as the executor would; its id."""
        task = self.enqueue(task_type)
        self.store.start(task.id)
        return task.id

    def box(self, agent_id: str = "orchestrator") -> ToolBox:
        task = self.store.tasks.get(agent_id)
        return ToolBox(list(ALL_TOOLS.values()), ToolContext(services=self.services, agent_id=agent_id, task=task))
