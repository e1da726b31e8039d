"""What a run is asked to show of its inside: watched modules, how to draw them, attention."""

from __future__ import annotations

from dataclasses import dataclass, field

from sdstudio.engine.probes.views import ViewSettings


@dataclass(frozen=True)
class ProbeOptions:
    """Part of a job: with nothing watched and attention off, the run gets no hook at all."""

    watch: tuple[str, ...] = ()
    view: ViewSettings = field(default_factory=ViewSettings)
    attention: bool = False

    @property
    def active(self) -> bool:
        return bool(self.watch) or self.attention
