"""The server client without a server: the wire format both ways, and a connection that goes
wrong fails the job with a message instead of raising. No Ray needed."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved, JobDone, JobFailed, JobStarted
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.metadata.autosave import png_file
from sdstudio.engine.metadata.png_chunks import png_info, read_metadata
from sdstudio.engine.metadata.record import GenerationRecord
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings
from sdstudio.engine.remote.client import RemoteRunner
from sdstudio.engine.remote.wire_error import WireError
from sdstudio.engine.remote.wire_events import payload_from_wire, wire_event
from sdstudio.engine.remote.wire_job import job_from_wire, job_to_wire
from sdstudio.engine.remote.wire_png import png_text
from sdstudio.engine.sd_upscale.stage import SdUpscaleStage
from tests.helpers import max_pixel_difference, noise_image


def _request(**changes) -> GenerationRequest:
    values = dict(prompt="a red circle", steps=3, width=64, height=64, seed=4)
    return GenerationRequest(**{**values, **changes})


def test_a_job_crosses_the_wire_with_its_settings_pictures_and_previews() -> None:
    init, mask = noise_image(64, 64, seed=1), Image.new("L", (64, 64), 255)
    previews = PreviewSettings(PreviewKind.LATENT, every_n_steps=3, taesd_path="/mine/taesd")
    job = Job(_request(init_image=init, mask=mask, strength=0.4, cfg_scale=5.5), previews)
    back = job_from_wire(json.loads(json.dumps(job_to_wire(job))), "serverid")
    assert back.request == job.request
    assert max_pixel_difference(back.request.init_image, init) == 0
    assert back.previews.every_n_steps == 3 and back.previews.taesd_path is None  # not ours
    assert back.saving == SaveOptions(enabled=False) and back.id == "serverid"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"settings": {"step": 3}}, "Unknown settings: step"),
        ({"settings": {"steps": "many"}}, "Setting steps must be int"),
        ({"settings": {"steps": 0}}, "steps must be at least 1"),
        ({"images": {"init_image": "not base64!"}}, "init_image is not valid base64"),
        ({"probes": {"watch": ["unet.mid_block"]}}, "Watching modules"),
        ({"controlnets": [{"weight": 1.0}]}, "ControlNet unit 1 needs a 'model'"),
        ([1, 2], "A job is a JSON object"),
    ],
)
def test_a_job_the_api_does_not_allow_is_refused_with_its_reason(data, message) -> None:
    with pytest.raises(WireError, match=message):
        job_from_wire(data, "x")


def _sd_upscale_wire(**stage) -> dict[str, object]:
    request = _request(init_image=noise_image(96, 80, seed=2), strength=0.3)
    job = Job(request, sd_upscale=SdUpscaleStage("Lanczos", 2.0, 32))
    wire = json.loads(json.dumps(job_to_wire(job)))
    wire["sd_upscale"].update(stage)
    return wire


def test_an_sd_upscale_crosses_the_wire_with_its_picture_and_stage() -> None:
    back = job_from_wire(_sd_upscale_wire(), "serverid")
    assert back.sd_upscale == SdUpscaleStage("Lanczos", 2.0, 32)
    assert max_pixel_difference(back.request.init_image, noise_image(96, 80, seed=2)) == 0
    assert (back.request.width, back.request.strength) == (64, 0.3)  # the tiles' settings


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ({"scale": "twice"}, "SD upscale's scale cannot be 'twice'"),
        ({"scale": 0}, "scale must be a number above 0"),
        ({"scale": 200.0}, "would make a 19200×16000 picture; at most 16384"),
        ({"overlap": 40}, "overlap"),
        ({"tiles": 4}, "'sd_upscale' is an object with an upscaler, a scale and an overlap"),
    ],
)
def test_an_sd_upscale_the_run_would_refuse_is_refused_when_it_comes_in(stage, message) -> None:
    with pytest.raises(WireError, match=message):
        job_from_wire(_sd_upscale_wire(**stage), "x")


def test_an_sd_upscale_without_its_picture_is_refused_when_it_comes_in() -> None:
    wire = _sd_upscale_wire()
    del wire["images"]["init_image"]
    with pytest.raises(WireError, match="An SD upscale needs its picture"):
        job_from_wire(wire, "x")


def _preview(png: str) -> dict[str, object]:
    return {
        "event": "preview",
        "step": 2,
        "total": 3,
        "image_index": 0,
        "batch_count": 1,
        "png": png,
    }


def test_a_preview_from_the_server_reads_back_with_its_pixels() -> None:
    picture = noise_image(48, 32, seed=3)
    preview = payload_from_wire(_preview(png_text(picture)))
    assert preview.image.size == (48, 32)
    assert max_pixel_difference(preview.image, picture) == 0


@pytest.mark.parametrize(
    ("png", "message"),
    [
        (png_text(Image.new("L", (4097, 1))), "A preview is 4097x1; at most 4096 pixels a side"),
        (png_text(noise_image(32, 32, seed=1))[:200], "A preview (cannot be read|is not valid)"),
        ("aGVsbG8=", "A preview is not a PNG"),
    ],
)
def test_a_damaged_or_oversized_preview_is_refused_by_name(png, message) -> None:
    with pytest.raises(WireError, match=message):
        payload_from_wire(_preview(png))


class _LinesServer(BaseHTTPRequestHandler):
    """A stand-in server: answers with JSON lines, then closes the connection."""

    def stream(self, lines: list[dict[str, object]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for line in lines:
            self.wfile.write(json.dumps(line).encode() + b"\n")
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *_args: object) -> None:
        pass


@contextlib.contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` on a free loopback port; yields its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _DroppingServer(_LinesServer):
    """Takes the job, streams its start and one step, then closes the connection."""

    def do_POST(self) -> None:  # noqa: N802  (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        reply = json.dumps({"id": "abc123"}).encode() if self.path == "/jobs" else b"{}"
        self.send_response(200 if self.path == "/jobs" else 404)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self) -> None:  # noqa: N802
        step = {"timestep": 999.0, "image_index": 0, "batch_count": 1, "row": 0}
        self.stream(
            [
                {"event": "queued"},
                {"event": "started", "images": 1},
                {"event": "step", "step": 1, "total": 3, **step},
            ]
        )


@pytest.fixture
def dropping_server() -> Iterator[str]:
    with _serving(_DroppingServer) as url:
        yield url


def test_a_lost_connection_fails_the_job_with_a_message(dropping_server, tmp_path) -> None:
    out = tmp_path / "out"
    job = Job(_request(), saving=SaveOptions(output_dir=out))
    payloads = [event.payload for event in RemoteRunner(dropping_server).run_job(job)]
    assert [type(p) for p in payloads] == [JobStarted, StepEvent, JobFailed, JobDone]
    assert "closed before the job finished" in payloads[2].message
    assert not out.exists()


def test_a_server_nobody_runs_fails_the_job_with_a_message(tmp_path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    job = Job(_request(), saving=SaveOptions(output_dir=tmp_path))
    payloads = [e.payload for e in RemoteRunner(f"http://127.0.0.1:{port}").run_job(job)]
    assert [type(p) for p in payloads] == [JobStarted, JobFailed, JobDone]
    assert "Cannot reach the server" in payloads[1].message


class _OneJobServer(_LinesServer):
    """Answers ``POST /jobs/run`` with the lines in ``LINES`` (set by the test)."""

    LINES: list[dict[str, object]] = []
    url = ""

    def do_POST(self) -> None:  # noqa: N802  (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.stream([{"event": "queued", "job": "abc123"}, *self.LINES])


@pytest.fixture
def one_job_server() -> Iterator[type[_OneJobServer]]:
    with _serving(_OneJobServer) as url:
        _OneJobServer.url = url
        yield _OneJobServer


def _finished_lines(record: GenerationRecord) -> list[dict[str, object]]:
    """What a server streams for one finished image, as its replica writes it."""
    saved = ImageSaved(noise_image(64, 48, seed=7), record.seed, None, record)
    return [{"event": "started", "images": 1}, wire_event(saved), {"event": "done"}]


def test_a_finished_image_crosses_as_the_file_a_local_run_saves() -> None:
    record = GenerationRecord(prompt="a red circle", seed=11, width=64, height=48)
    image = payload_from_wire(_finished_lines(record)[1])
    assert image.file == png_file(noise_image(64, 48, seed=7), png_info(record))
    assert image.record == record
    assert max_pixel_difference(image.image, noise_image(64, 48, seed=7)) == 0


def test_an_sd_upscales_file_keeps_the_keys_its_infotext_adds(one_job_server, tmp_path) -> None:
    record = GenerationRecord(prompt="tiles", seed=11, width=64, height=48)
    infotext = record.infotext() + ", SD upscale overlap: 32, SD upscale upscaler: Lanczos"
    saved = ImageSaved(noise_image(64, 48, seed=7), 11, None, record, infotext=infotext)
    one_job_server.LINES = [{"event": "started", "images": 1}, wire_event(saved)]
    one_job_server.LINES.append({"event": "done"})
    job = Job(_request(), saving=SaveOptions(output_dir=tmp_path))
    payloads = [e.payload for e in RemoteRunner(one_job_server.url).run_job(job)]
    here = next(p for p in payloads if isinstance(p, ImageSaved))
    assert here.infotext == infotext
    assert read_metadata(here.path).texts["parameters"] == infotext
    assert read_metadata(here.path).record == record


def test_the_client_writes_the_servers_file_as_it_came(one_job_server, tmp_path) -> None:
    record = GenerationRecord(prompt="a red circle", seed=11, width=64, height=48)
    lines = _finished_lines(record)
    buffer = io.BytesIO()  # a level-1 file: not as a save encodes
    noise_image(64, 48, seed=7).save(buffer, "PNG", pnginfo=png_info(record), compress_level=1)
    sent = base64.b64encode(buffer.getvalue()).decode("ascii")
    lines[1]["png"] = sent
    one_job_server.LINES = lines
    job = Job(_request(), saving=SaveOptions(output_dir=tmp_path))
    payloads = [e.payload for e in RemoteRunner(one_job_server.url).run_job(job)]
    saved = next(p for p in payloads if isinstance(p, ImageSaved))
    assert saved.path is not None and saved.path.read_bytes() == base64.b64decode(sent)
    assert base64.b64decode(sent) != png_file(noise_image(64, 48, seed=7), png_info(record))
    assert read_metadata(saved.path).record == record


def test_a_file_without_its_record_fails_the_job_and_saves_nothing(
    one_job_server, tmp_path
) -> None:
    lines = _finished_lines(GenerationRecord(prompt="a red circle", seed=11))
    lines[1]["record"] = GenerationRecord(prompt="something else", seed=11).to_json()
    one_job_server.LINES = lines
    job = Job(_request(), saving=SaveOptions(output_dir=tmp_path / "out"))
    payloads = [e.payload for e in RemoteRunner(one_job_server.url).run_job(job)]
    assert [type(p) for p in payloads] == [JobStarted, JobFailed, JobDone]
    assert "finished image whose file does not hold its record" in payloads[1].message
    assert not (tmp_path / "out").exists()
