"""`Record`: the base of every pydantic model of ours (files, tool inputs, telemetry, settings).

Each model builds its validator and serializer on first use rather than when its module is
imported (pydantic's `defer_build`). The terminal UI imports nearly all of them before its
first frame but uses only a few (the run's settings, a prompt's front matter, the queue's
orchestrator state) until the run starts; building the rest at import cost that first frame
about 20 ms (`python -m bench startup`). A model is built once, on the first validation,
dump or JSON schema, whichever thread asks first (pydantic locks the build).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    """A pydantic model whose schema is built when first used; subclasses add their own config."""

    model_config = ConfigDict(defer_build=True)
