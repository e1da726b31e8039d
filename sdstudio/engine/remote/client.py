"""The local job runner's stand-in that runs each job on an ``sdstudio serve`` server.

``RemoteRunner(url, token).run_job(job, cancel)`` yields what
``engine.jobs.runner.run_job(model, job, cancel)`` yields, tagged with ``job.id``: a
:class:`JobStarted` when a server replica starts it, steps, previews, notices, each finished
image as an :class:`ImageSaved` after it was saved *here* (as a local run saves it, with the
server's record and infotext), then :class:`Cancelled` or :class:`JobFailed` when so, and
:class:`JobDone` last. It never raises: a server that cannot be reached, refuses the job or
drops the connection fails the job with a message, and the runner can take the next job.

Setting ``cancel`` asks the server to stop; a small thread watches the token because the
reading thread may be waiting on the network. A consumer that stops reading early cancels
the job on the server too.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, TypeGuard

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.jobs.events import JobDone, JobEvent, JobFailed, JobStarted
from sdstudio.engine.jobs.save_destination import check_save_destination
from sdstudio.engine.previews.extension import PreviewImage
from sdstudio.engine.remote.local_save import saved_here
from sdstudio.engine.remote.server_connection import ServerConnection, ServerError
from sdstudio.engine.remote.wire_events import RemoteImage, payload_from_wire
from sdstudio.engine.remote.wire_job import job_to_wire
from sdstudio.engine.upscalers.upscale import target_size

if TYPE_CHECKING:
    from PIL import Image

    from sdstudio.engine.jobs.job import Job

logger = logging.getLogger(__name__)

CANCEL_POLL_S = 0.1  # how often the watcher looks whether the job is over
CANCEL_TIMEOUT_S = 5.0


class RemoteRunner:
    """Runs jobs on the server at ``url`` (``http://HOST:PORT``) with ``token``.

    ``timeout`` is how long the server may stay silent before the connection counts as lost.
    """

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0) -> None:
        self._connection = ServerConnection(url, token, timeout)
        self._two_requests = False  # the server has no POST /jobs/run

    @property
    def url(self) -> str:
        return self._connection.url

    def models(self) -> list[dict[str, Any]]:
        """What ``GET /models`` says: each model's name, family, native size and device."""
        listed = self._connection.get_json("/models")
        models = listed.get("models") if isinstance(listed, dict) else None
        if not isinstance(models, list) or not all(isinstance(m, dict) for m in models):
            raise ServerError(f"The server at {self.url} sent no list of models")
        return models

    def run_job(self, job: Job, cancel: CancelToken | None = None) -> Iterator[JobEvent[Any]]:
        """Yield the job's events, from :class:`JobStarted` to :class:`JobDone`."""
        started = failed = False
        failure: str | None = None
        try:
            with contextlib.closing(self._payloads(job, cancel or CancelToken())) as payloads:
                for payload in payloads:
                    if not started and not isinstance(payload, JobStarted):
                        # cancelled while it waited for a replica: it never started there
                        yield JobEvent(job.id, JobStarted(job.request.image_count))
                    started = True
                    failed = failed or isinstance(payload, JobFailed)
                    yield JobEvent(job.id, payload)
        except UserFacingError as error:
            failure = str(error)
        except Exception as error:
            logger.exception("Job %s failed on the server at %s", job.id, self.url)
            failure = f"The server run failed: {type(error).__name__}: {error}"
        if failure is not None and not failed:
            if not started:
                yield JobEvent(job.id, JobStarted(job.request.image_count))
            yield JobEvent(job.id, JobFailed(failure))
        yield JobEvent(job.id, JobDone())

    def _payloads(self, job: Job, cancel: CancelToken) -> Iterator[Any]:
        if job.probes.watch or job.probes.attention:
            raise ServerError("Watching modules and attention maps need a local run, not a server")
        check_save_destination(job.saving, *_saved_size(job))  # before the work
        server_id, stream = self._stream(job_to_wire(job))
        with contextlib.closing(stream) as lines:
            frames = _Frames()
            with _CancelRelay(cancel, partial(self._cancel, server_id)) as relay:
                for data in lines:
                    payload = payload_from_wire(data)
                    if isinstance(payload, JobDone):
                        relay.finished()
                        return
                    if isinstance(payload, RemoteImage):
                        yield from saved_here(job, payload, frames.take(payload))
                        continue
                    if isinstance(payload, PreviewImage):
                        frames.add(payload)
                    if payload is not None:
                        yield payload
        raise ServerError(f"The connection to {self.url} closed before the job finished")

    def _stream(self, wire: dict[str, Any]) -> tuple[str, Iterator[Any]]:
        """The server's id of the job and its stream of events: submitted and streamed in
        one request (``POST /jobs/run``, whose first line names the job), or in two for a
        server that predates it."""
        if not self._two_requests:
            lines = self._connection.lines("/jobs/run", wire)
            try:
                first = next(lines, None)  # "queued"
            except ServerError as error:
                if error.status not in (404, 405):
                    raise
                self._two_requests = True
            else:
                server_id = first.get("job") if isinstance(first, dict) else None
                if _is_id(server_id):
                    return server_id, lines
                lines.close()
                raise ServerError(f"The server at {self.url} did not give the job an id")
        reply = self._connection.post_json("/jobs", wire)
        server_id = reply.get("id") if isinstance(reply, dict) else None
        if not _is_id(server_id):
            raise ServerError(f"The server at {self.url} did not give the job an id")
        return server_id, self._connection.lines(f"/jobs/{server_id}/events")

    def _cancel(self, server_id: str) -> None:
        self._connection.post_json(f"/jobs/{server_id}/cancel", {}, timeout=CANCEL_TIMEOUT_S)


def _saved_size(job: Job) -> tuple[int, int]:
    """The size of the picture ``job`` saves: an SD upscale's is its upscaled picture's."""
    picture = job.request.init_image
    if job.sd_upscale is None or picture is None:
        return job.request.final_size
    return target_size(picture.size, job.sd_upscale.scale)


def _is_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.isalnum()


class _Frames:
    """The previews received per image, handed over as the image's frames when it is done."""

    def __init__(self) -> None:
        self._previews: dict[int, dict[int, Image.Image]] = {}

    def add(self, preview: PreviewImage) -> None:
        self._previews.setdefault(preview.image_index, {})[preview.step] = preview.image

    def take(self, remote: RemoteImage) -> tuple[tuple[int, Image.Image], ...]:
        received = self._previews.pop(remote.image_index, {})
        return tuple((step, received[step]) for step in remote.frame_steps if step in received)


class _CancelRelay:
    """Sends the server one cancel when ``cancel`` is set, or when reading stops before the
    job finished (the consumer stopped early, the stream failed)."""

    def __init__(self, cancel: CancelToken, send: Callable[[], None]) -> None:
        self._cancel = cancel
        self._send = send
        self._over = False  # reading stopped
        self._sent = False
        self._done = False  # the server said the job is done
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="sdstudio-cancel", daemon=True)

    def __enter__(self) -> _CancelRelay:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self._over = True  # the watcher sends nothing more and ends at its next look
        if not self._done:
            self._send_once()

    def finished(self) -> None:
        self._done = True

    def _watch(self) -> None:
        while not self._over:
            if self._cancel.wait(CANCEL_POLL_S):
                with self._lock:
                    if self._over:
                        return
                self._send_once()
                return

    def _send_once(self) -> None:
        with self._lock:
            if self._sent:
                return
            self._sent = True
        try:
            self._send()
        except UserFacingError as error:  # the job ends anyway; the stream says how
            logger.info("Could not ask the server to cancel: %s", error)
