"""The server's HTTP API (documented in docs/SCALING.md), as a Ray Serve FastAPI ingress.

Every request needs the token when the server has one (``Authorization: Bearer TOKEN``);
every refusal is a JSON ``{"error": "..."}`` with a 4xx status, never a traceback. A job is
checked here, when it is submitted, so a bad one is refused before it waits for a replica.

Serve takes the ingress class when it is decorated, with the module's names defined so far:
the helpers come first, and there is no ``from __future__ import annotations`` (FastAPI reads
the endpoints' annotations at run time).
"""

import asyncio
import hmac
import json
import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from ray import serve
from starlette.exceptions import HTTPException as StarletteHTTPException

from sdstudio import __version__
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.jobs.job import new_job_id
from sdstudio.engine.remote.wire_job import job_from_wire
from sdstudio.serve.a1111 import a1111_answer, a1111_job
from sdstudio.serve.a1111_sd_upscale import is_sd_upscale, upscaler_names, upscalers_answer
from sdstudio.serve.job_stream import job_lines

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024  # a job with an init image, a mask and ControlNet images
NDJSON = "application/x-ndjson"
INLINE_JOB_BYTES = 16 * 1024  # a job this small is read on the event loop (0.2 ms)

api = FastAPI(
    title="sdstudio server", version=__version__, docs_url=None, redoc_url=None, openapi_url=None
)


@api.exception_handler(StarletteHTTPException)
async def _as_json(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"error": error.detail}, error.status_code, headers=error.headers)


@api.exception_handler(Exception)
async def _failure_as_json(_request: Request, error: Exception) -> JSONResponse:
    """What went wrong here (Ray could not reach a deployment, a bug), in words: 500."""
    logger.error("A request failed", exc_info=error)
    message = f"The server could not take this request: {type(error).__name__}: {error}"
    return JSONResponse({"error": message[:1000]}, 500)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, f"A job may be at most {MAX_BODY_BYTES // 2**20} MiB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, f"A job may be at most {MAX_BODY_BYTES // 2**20} MiB")
    return bytes(body)


def _json_body(body: bytes, status: int = 400) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise HTTPException(status, f"The body is not JSON: {error}") from None


def _upscaler_names() -> list[str]:
    """A1111's upscaler list on this server: the built-in ones, then its model files."""
    from sdstudio.engine.upscalers.model_files import upscaler_files

    return upscaler_names([path.stem for path in upscaler_files()])


@serve.deployment(max_ongoing_requests=1000, ray_actor_options={"num_cpus": 0})
@serve.ingress(api)
class Gateway:
    """Routes the API to the ``board`` and ``engine`` deployments."""

    def __init__(self, engine: Any, board: Any, token: str | None) -> None:
        self._engine = engine
        self._board = board
        self._token = token

    @api.get("/health")
    async def health(self, request: Request) -> dict[str, Any]:
        self._check_token(request)
        model = await self._board.model.remote()
        return {"status": "ready" if model else "loading", "version": __version__}

    @api.get("/models")
    async def models(self, request: Request) -> dict[str, Any]:
        self._check_token(request)
        model = await self._board.model.remote()
        if model is None:
            raise HTTPException(503, "The model is still loading; try again in a moment")
        return {"models": [model]}

    @api.post("/jobs")
    async def submit(self, request: Request) -> dict[str, str]:
        self._check_token(request)
        job = await self._job_of(request)
        if not await self._board.submit.remote(job):
            raise HTTPException(503, "Too many jobs are waiting; try again later")
        return {"id": job.id}

    @api.post("/jobs/run")
    async def submit_and_stream(self, request: Request) -> StreamingResponse:
        """``POST /jobs`` and ``GET /jobs/{id}/events`` in one request: one request and one
        call to the board fewer (the first line names the job, for a cancel)."""
        self._check_token(request)
        job = await self._job_of(request)
        # the run first: it is what the client waits for; the board learns of the job meanwhile
        run = self._engine.options(stream=True).run.remote(job)  # (see JobBoard)
        submitted = self._board.follow.remote(job.id)
        try:
            if not await submitted:
                raise HTTPException(503, "Too many jobs are waiting; try again later")
        except BaseException:  # the board is full or unreachable: no stream will read the run
            run.cancel()
            raise
        return StreamingResponse(job_lines(run, self._board, job), media_type=NDJSON)

    async def _job_of(self, request: Request) -> Any:
        """The job in the request's body, under a new id; 400 (413) when it cannot run."""
        body = await _body(request)

        def job_of() -> Any:
            return job_from_wire(_json_body(body), new_job_id())

        try:
            if len(body) <= INLINE_JOB_BYTES:  # no pictures: less work than a thread's hop
                return job_of()
            return await asyncio.to_thread(job_of)  # pictures: the loop goes on meanwhile
        except UserFacingError as error:
            raise HTTPException(400, str(error)) from None

    @api.get("/jobs/{job_id}/events")
    async def events(self, job_id: str, request: Request) -> StreamingResponse:
        self._check_token(request)
        job = await self._board.take.remote(job_id)
        if job is None:
            raise HTTPException(
                404, f"No job {job_id!r} is waiting to stream (unknown, or already streaming)"
            )
        run = self._engine.options(stream=True).run.remote(job)
        return StreamingResponse(job_lines(run, self._board, job), media_type=NDJSON)

    @api.post("/jobs/{job_id}/cancel")
    async def cancel(self, job_id: str, request: Request) -> dict[str, bool]:
        self._check_token(request)
        if not await self._board.cancel.remote(job_id):
            raise HTTPException(404, f"No job {job_id!r} is waiting or running")
        return {"cancelled": True}

    @api.post("/sdapi/v1/txt2img")
    async def a1111_txt2img(self, request: Request) -> dict[str, Any]:
        return await self._a1111(request, img2img=False)

    @api.post("/sdapi/v1/img2img")
    async def a1111_img2img(self, request: Request) -> dict[str, Any]:
        return await self._a1111(request, img2img=True)

    @api.get("/sdapi/v1/upscalers")
    async def a1111_upscalers(self, request: Request) -> list[dict[str, Any]]:
        """A1111's list: its places are the SD upscale script's ``upscaler_index``."""
        self._check_token(request)
        return upscalers_answer(await asyncio.to_thread(_upscaler_names))

    async def _a1111(self, request: Request, img2img: bool) -> dict[str, Any]:
        """A1111's API: one request runs the job and answers with its images (422 for a
        value the job cannot take, as A1111's own checks answer; 500 when the run fails)."""
        self._check_token(request)
        body = _json_body(await _body(request), 422)

        def job_of() -> tuple[Any, dict[str, Any], list[str]]:
            wanted = isinstance(body, dict) and is_sd_upscale(body.get("script_name"))
            upscalers = _upscaler_names() if wanted else ()
            wire, notes = a1111_job(body, img2img, upscalers)
            return job_from_wire(wire, new_job_id()), wire, notes

        try:
            job, wire, notes = await asyncio.to_thread(job_of)
        except UserFacingError as error:
            raise HTTPException(422, str(error)) from None
        images, failure = await self._run_whole(job)
        if failure is not None:
            raise HTTPException(500, failure)
        return await asyncio.to_thread(a1111_answer, body, wire, images, notes)

    async def _run_whole(self, job: Any) -> tuple[list[dict[str, Any]], str | None]:
        """Run ``job`` on an engine replica to its end: its ``image`` events and the message
        it failed with (None). No board: nothing else can name this job, and a client that
        goes away cancels the request, which stops the run."""
        images: list[dict[str, Any]] = []
        failure = None
        stream = self._engine.options(stream=True).run.remote(job)
        try:
            async for batch in stream:
                for data in batch:
                    if data["event"] == "image":
                        images.append(data)
                    elif data["event"] == "failed":
                        failure = str(data["message"])
        except asyncio.CancelledError:
            stream.cancel()
            raise
        except Exception as error:  # the replica died, or the run could not start
            failure = f"The server lost the replica running this job ({type(error).__name__})"
        return images, failure

    def _check_token(self, request: Request) -> None:
        if self._token is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self._token.encode()
        ):
            raise HTTPException(
                401,
                "A valid token is needed: send 'Authorization: Bearer TOKEN'",
                headers={"WWW-Authenticate": "Bearer"},
            )
