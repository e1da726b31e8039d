"""A job's events as JSON lines, and back: one object per payload, named by ``"event"``.

The server writes what the local runner yields; the client reads it back into the same
payload types. Two things stay on the server: a step's latents (a remote
:class:`StepEvent` has ``latents`` and ``x0`` of None; front ends read its numbers only) and
the finished image's file, which the client writes itself (:class:`RemoteImage` carries what
it needs). A finished image's preview frames travel as their step numbers: the client already
has those previews. Lines the server adds to keep the stream alive (``queued``, ``waiting``)
read back as None, as do event names a newer server may send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image

from sdstudio.engine.generation.events import Cancelled, Notice, StepEvent
from sdstudio.engine.jobs.events import ImageSaved, JobDone, JobFailed, JobStarted
from sdstudio.engine.metadata.png_chunks import png_info
from sdstudio.engine.metadata.record import GenerationRecord, RecordError
from sdstudio.engine.previews.extension import PreviewImage
from sdstudio.engine.remote.wire_error import WireError
from sdstudio.engine.remote.wire_png import picture_from_text, png_text

KEEPALIVE_EVENTS = ("queued", "waiting")


@dataclass(frozen=True)
class RemoteImage:
    """A finished image as the server sent it, to be saved here with its record."""

    image: Image.Image
    seed: int
    record: GenerationRecord
    image_index: int
    batch_count: int
    frame_steps: tuple[int, ...]


def wire_event(payload: Any) -> dict[str, Any] | None:
    """``payload`` as a JSON object; None for payloads that never leave the server (the
    probes' pictures, which a server job refuses to make)."""
    if isinstance(payload, JobStarted):
        return {"event": "started", "images": payload.batch_count}
    if isinstance(payload, StepEvent):
        return {
            "event": "step",
            "step": payload.step,
            "total": payload.total,
            "timestep": float(payload.timestep),
            "image_index": payload.image_index,
            "batch_count": payload.batch_count,
            "row": payload.row,
        }
    if isinstance(payload, PreviewImage):
        return {
            "event": "preview",
            "step": payload.step,
            "total": payload.total,
            "image_index": payload.image_index,
            "batch_count": payload.batch_count,
            "png": png_text(payload.image),
        }
    if isinstance(payload, ImageSaved):
        return {
            "event": "image",
            "png": png_text(payload.image, png_info(payload.record)),
            "seed": payload.seed,
            "image_index": payload.image_index,
            "batch_count": payload.batch_count,
            "infotext": payload.record.infotext(),
            "record": payload.record.to_json(),
            "frames": [step for step, _ in payload.frames],
        }
    if isinstance(payload, Notice):
        return {"event": "notice", "text": payload.text, "topic": payload.topic}
    if isinstance(payload, Cancelled):
        return {"event": "cancelled", "after_step": payload.after_step}
    if isinstance(payload, JobFailed):
        return {"event": "failed", "message": payload.message}
    if isinstance(payload, JobDone):
        return {"event": "done"}
    return None


def payload_from_wire(data: object) -> Any:
    """The payload a JSON object describes (:class:`RemoteImage` for a finished image); None
    for keep-alive lines and unknown events; :class:`WireError` for a damaged one."""
    if not isinstance(data, dict):
        raise WireError(f"The server sent an event that is not an object: {data!r:.80}")
    kind = data.get("event")
    try:
        reader = _READERS.get(kind)
        return None if reader is None else reader(data)
    except (KeyError, TypeError, ValueError) as error:
        raise WireError(f"The server sent a damaged {kind!r} event: {error!r}") from None


def _step(data: dict[str, Any]) -> StepEvent:
    return StepEvent(
        step=int(data["step"]),
        total=int(data["total"]),
        timestep=float(data["timestep"]),
        latents=None,  # type: ignore[arg-type]  # they stay on the server
        x0=None,  # type: ignore[arg-type]
        image_index=int(data["image_index"]),
        batch_count=int(data["batch_count"]),
        row=int(data["row"]),
    )


def _preview(data: dict[str, Any]) -> PreviewImage:
    return PreviewImage(
        step=int(data["step"]),
        total=int(data["total"]),
        image=picture_from_text(data["png"], "A preview"),
        image_index=int(data["image_index"]),
        batch_count=int(data["batch_count"]),
    )


def _image(data: dict[str, Any]) -> RemoteImage:
    try:
        record = GenerationRecord.from_json(str(data["record"]))
    except RecordError as error:
        raise WireError(f"The server sent a damaged record: {error}") from None
    return RemoteImage(
        image=picture_from_text(data["png"], "The finished image"),
        seed=int(data["seed"]),
        record=record,
        image_index=int(data["image_index"]),
        batch_count=int(data["batch_count"]),
        frame_steps=tuple(int(step) for step in data.get("frames", ())),
    )


_READERS = {
    "started": lambda data: JobStarted(int(data["images"])),
    "step": _step,
    "preview": _preview,
    "image": _image,
    "notice": lambda data: Notice(str(data["text"]), str(data.get("topic", ""))),
    "cancelled": lambda data: Cancelled(int(data["after_step"])),
    "failed": lambda data: JobFailed(str(data["message"])),
    "done": lambda data: JobDone(),
}
