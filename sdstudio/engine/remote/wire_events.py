"""A job's events as JSON lines, and back: one object per payload, named by ``"event"``.

The server writes what the local runner yields; the client reads it back into the same
payload types. A step's latents stay on the server (a remote :class:`StepEvent` has
``latents`` and ``x0`` of None; front ends read its numbers only). A finished image travels
as the PNG file a local run saves (its record's chunks in it), which the client writes as it
is (:class:`RemoteImage`): encoded once, where the image is made. Its preview frames travel
as their step numbers: the client already has those previews. Lines the server adds to keep
the stream alive (``queued``, ``waiting``) read back as None, as do event names a newer
server may send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image

from sdstudio.engine.generation.events import Cancelled, Notice, StepEvent
from sdstudio.engine.jobs.events import ImageSaved, JobDone, JobFailed, JobStarted
from sdstudio.engine.metadata.autosave import png_file
from sdstudio.engine.metadata.png_chunks import RECORD_CHUNK, record_chunks
from sdstudio.engine.metadata.record import GenerationRecord, RecordError
from sdstudio.engine.previews.extension import PreviewImage
from sdstudio.engine.remote.wire_error import WireError
from sdstudio.engine.remote.wire_png import (
    bytes_text,
    picture_from_bytes,
    picture_from_text,
    png_bytes,
    png_text,
)

KEEPALIVE_EVENTS = ("queued", "waiting")


@dataclass(frozen=True)
class RemoteImage:
    """A finished image as the server sent it: ``file`` is the PNG to save here as it is
    (``record``'s chunks in it), ``image`` its pixels."""

    image: Image.Image
    file: bytes
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
        infotext = payload.infotext or payload.record.infotext()
        record = payload.record.to_json()
        return {
            "event": "image",
            "png": bytes_text(png_file(payload.image, record_chunks(infotext, record))),
            "seed": payload.seed,
            "image_index": payload.image_index,
            "batch_count": payload.batch_count,
            "infotext": infotext,
            "record": record,
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
    record_json = str(data["record"])
    try:
        record = GenerationRecord.from_json(record_json)
    except RecordError as error:
        raise WireError(f"The server sent a damaged record: {error}") from None
    file = png_bytes(data["png"], "The finished image")
    image = picture_from_bytes(file, "The finished image")
    if image.info.get(RECORD_CHUNK) != record_json:  # the file is saved as it is
        raise WireError("The server sent a finished image whose file does not hold its record")
    return RemoteImage(
        image=image,
        file=file,
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
