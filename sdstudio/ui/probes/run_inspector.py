"""The worker-side half of looking inside a run: hooks around the events, pictures out.

``RunInspector`` lives on the GUI thread (its signals arrive there) but its
:meth:`~RunInspector.inspect` runs on the worker thread, wrapped around the engine's event
stream. Only inside that wrapper do the :class:`ModuleWatcher` hooks and the
:class:`AttentionCapture` processors exist; :meth:`~RunInspector.close` (called when the
run ends, however it ends) makes sure none is left behind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from sdstudio.engine.probes.views import ActivationView, ViewSettings
from sdstudio.ui.image_convert import pil_to_qimage
from sdstudio.ui.latest_slot import LatestSlot
from sdstudio.ui.probes.activation_recorder import ActivationRecorder
from sdstudio.ui.probes.messages import ActivationFrame, AttentionResult, InspectionOptions

if TYPE_CHECKING:
    from sdstudio.engine.generation.events import GenerationEvent
    from sdstudio.engine.generation.request import GenerationRequest


class RunInspector(QObject):
    """Watches modules and captures attention during a run, when the run asks for it.

    Signals (delivered on the GUI thread):
        stepActivations(object): the newest step's frames, a tuple of
            :class:`ActivationFrame` (one per watched module); stale steps are skipped.
        imageActivations(object): :class:`RecordedActivations` of an image that finished.
        attentionMaps(object): :class:`AttentionResult` of an image that finished.
    """

    stepActivations = Signal(object)
    imageActivations = Signal(object)
    attentionMaps = Signal(object)
    _posted = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._live: LatestSlot[tuple[ActivationFrame, ...]] = LatestSlot()
        self._view = ViewSettings()
        self._stack: contextlib.ExitStack | None = None
        self._posted.connect(self._drain, Qt.ConnectionType.QueuedConnection)

    # -- GUI thread ------------------------------------------------------------------------
    def set_view_settings(self, settings: ViewSettings) -> None:
        """How the next steps are drawn (takes effect at the running run's next step)."""
        self._view = settings  # one reference swap: the worker reads whole settings

    def clear(self) -> None:
        """Forget a step that was posted but not shown yet (before a new run)."""
        self._live.clear()

    @Slot()
    def _drain(self) -> None:
        frames = self._live.take()
        if frames is not None:
            self.stepActivations.emit(frames)

    # -- worker thread ---------------------------------------------------------------------
    def inspect(
        self,
        pipeline: Any,
        request: GenerationRequest,
        options: InspectionOptions | None,
        events: Iterator[GenerationEvent],
    ) -> Iterator[GenerationEvent]:
        """``events`` unchanged, with hooks around them when ``options`` ask for any.

        Pictures are made after the consumer handled each event (its preview decoding
        included), as the module watcher expects. A wrong module path raises
        ``UserFacingError`` here, before the first step.
        """
        if options is None or not options.active:
            return events
        self._view = options.view
        return self._inspected(pipeline, request, options, events)

    def close(self) -> None:
        """Remove every hook and processor of the current run (safe to call twice)."""
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    def _inspected(
        self,
        pipeline: Any,
        request: GenerationRequest,
        options: InspectionOptions,
        events: Iterator[GenerationEvent],
    ) -> Iterator[GenerationEvent]:
        from sdstudio.engine.generation.events import ImageFinished
        from sdstudio.engine.probes import AttentionCapture, ModuleWatcher

        self.close()
        with contextlib.ExitStack() as stack:
            self._stack = stack
            watcher = capture = None
            if options.watch:
                watcher = ModuleWatcher(pipeline, options.watch, request, self._view)
                stack.enter_context(watcher)
            if options.attention:
                capture = stack.enter_context(AttentionCapture(pipeline, request))
            recorder = ActivationRecorder()
            for event in events:
                yield event
                if watcher is not None:
                    watcher.settings = self._view
                    self._post(recorder, watcher.collect(event))
                if isinstance(event, ImageFinished):
                    if watcher is not None:
                        self.imageActivations.emit(recorder.take(event.image_index))
                    if capture is not None:
                        self.attentionMaps.emit(AttentionResult(event.image_index, capture.take()))
            self._stack = None

    def _post(self, recorder: ActivationRecorder, views: list[ActivationView]) -> None:
        frames = tuple(_frame(view) for view in views)
        for frame in frames:
            recorder.add(frame)
        if frames and self._live.put(frames):
            self._posted.emit()


def _frame(view: ActivationView) -> ActivationFrame:
    return ActivationFrame(
        module_path=view.module_path,
        step=view.step,
        total=view.total,
        image=pil_to_qimage(view.image),
        shape=view.shape,
        mode=view.mode,
        half=view.half.value,
        image_index=view.image_index,
        fresh=view.fresh,
        final=view.final,
    )
