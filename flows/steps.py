"""How the flows run a step of sbsk.pipeline (or sbsk.dispatch) as its Prefect task."""

from __future__ import annotations

from typing import Any

from prefect import Task
from prefect.utilities.annotations import opaque
from prefect.utilities.engine import get_state_for_result


def run_step(tasks: dict[str, Any], step, args: dict[str, Any]) -> Any:
    """tasks[step.name](**args). Prefect walks every argument of a task run, to the bottom, looking for
    futures and task results to draw the run's graph and to resolve: through the return definitions,
    the registry and every file's verdict (0.8 s of the 5.4 s py-spy sampled in a city quarter's run
    against a running server), and it linked the definitions to every file's ingest run, having
    found them inside the verdicts. An opaque argument is looked at, not into: a value a task gave
    links the step to that task. A list the flow put together of several tasks' values (the files'
    verdicts) has each item looked at, so it links the step to every run that gave one. A plain
    function (the concurrent ingest) is called as it is."""
    run = tasks[step.name]
    if not isinstance(run, Task):
        return run(**args)
    return run(**{name: unwalked(value) for name, value in args.items()})


def unwalked(value: Any) -> Any:
    """A task argument Prefect looks at but not into (run_step)."""
    if type(value) is list and get_state_for_result(value) is None:
        return [opaque(item) for item in value]
    return opaque(value)
