"""``sdstudio serve`` on the loopback: two CPU replicas of the demo model, one Ray instance for
the module, driven through the HTTP API and the client the CLI and the window use."""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import json
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PIL import Image

ray = pytest.importorskip("ray", reason='needs the serve extra: pip install "sdstudio[serve]"')
serve = pytest.importorskip("ray.serve", reason="needs the serve extra (Ray Serve)")

from sdstudio.cli import main  # noqa: E402
from sdstudio.engine.cancel import CancelToken  # noqa: E402
from sdstudio.engine.generation.events import Cancelled, StepEvent  # noqa: E402
from sdstudio.engine.generation.request import GenerationRequest  # noqa: E402
from sdstudio.engine.jobs.events import ImageSaved, JobDone, JobFailed, JobStarted  # noqa: E402
from sdstudio.engine.jobs.job import Job, SaveOptions  # noqa: E402
from sdstudio.engine.jobs.runner import run_job  # noqa: E402
from sdstudio.engine.metadata import read_metadata  # noqa: E402
from sdstudio.engine.previews.extension import PreviewImage  # noqa: E402
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings  # noqa: E402
from sdstudio.engine.remote.client import RemoteRunner  # noqa: E402
from sdstudio.engine.remote.wire_job import job_to_wire  # noqa: E402
from sdstudio.engine.sd_upscale.stage import SdUpscaleStage  # noqa: E402
from tests.helpers import max_pixel_difference, noise_image  # noqa: E402
from tests.serve_support import loopback_server, torch_threads  # noqa: E402

TOKEN = "loopback-test-token"


@dataclass(frozen=True)
class Server:
    url: str
    host: str
    port: int

    def runner(self, token: str = TOKEN) -> RemoteRunner:
        return RemoteRunner(self.url, token)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two CPU replicas of the demo model behind a token, on a free loopback port."""
    with loopback_server(tmp_path_factory.mktemp("serve-home"), 2, TOKEN) as port:
        yield Server(f"http://127.0.0.1:{port}", "127.0.0.1", port)


def _request(**changes) -> GenerationRequest:
    values = dict(prompt="a red circle on the left", steps=6, width=64, height=64, seed=11)
    return GenerationRequest(**{**values, **changes})


def _payloads(runner: RemoteRunner, job: Job, cancel: CancelToken | None = None) -> list:
    events = list(runner.run_job(job, cancel))
    assert {event.job_id for event in events} == {job.id}
    return [event.payload for event in events]


@contextlib.contextmanager
def _raw(
    server: Server, method: str, path: str, token: str | None, body: object = None
) -> Iterator[http.client.HTTPResponse]:
    """One request of the HTTP API, as any client would send it."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    data = None if body is None else json.dumps(body).encode()
    try:
        connection.request(method, path, body=data, headers=headers)
        yield connection.getresponse()
    finally:
        connection.close()


def _run_there_and_here(
    server: Server, model, request: GenerationRequest, folder: Path
) -> tuple[ImageSaved, ImageSaved]:
    """The image ``request`` makes on the server, and the one it makes here."""
    remote_job = Job(request, saving=SaveOptions(output_dir=folder / "remote"))
    local_job = Job(request, saving=SaveOptions(output_dir=folder / "local"))
    payloads = _payloads(server.runner(), remote_job)
    assert not [p.message for p in payloads if isinstance(p, JobFailed)]
    [remote] = [p for p in payloads if isinstance(p, ImageSaved)]
    with torch_threads(1):  # as a one-CPU replica runs: the same sums in the same order
        [local] = [e.payload for e in run_job(model, local_job)
                   if isinstance(e.payload, ImageSaved)]  # fmt: skip
    return remote, local


def test_a_job_on_the_server_makes_the_pixels_of_a_local_run(server, demo_model, tmp_path):
    remote, local = _run_there_and_here(server, demo_model, _request(), tmp_path)
    assert remote.path.name == local.path.name == "00001-11.png"
    with Image.open(remote.path) as here, Image.open(local.path) as there:
        assert max_pixel_difference(here, there) == 0


def test_a_job_with_a_picture_of_many_megabytes_runs_as_it_runs_here(server, demo_model, tmp_path):
    """7 MiB of pixels between the server's processes: beyond gRPC's default 4 MiB message."""
    noise = Image.frombytes("RGB", (1600, 1600), random.Random(3).randbytes(1600 * 1600 * 3))
    request = _request(init_image=noise, strength=0.5, steps=4)
    remote, local = _run_there_and_here(server, demo_model, request, tmp_path)
    with Image.open(remote.path) as here, Image.open(local.path) as there:
        assert max_pixel_difference(here, there) == 0


def test_the_saved_file_carries_the_infotext_of_a_local_run(server, demo_model, tmp_path):
    request = _request(seed=12, steps=4)
    [remote] = [
        p
        for p in _payloads(server.runner(), Job(request, saving=SaveOptions(tmp_path / "r")))
        if isinstance(p, ImageSaved)
    ]
    local_job = Job(request, saving=SaveOptions(output_dir=tmp_path / "l"))
    [local] = [
        e.payload for e in run_job(demo_model, local_job) if isinstance(e.payload, ImageSaved)
    ]
    here, there = read_metadata(remote.path), read_metadata(local.path)
    assert here.texts["parameters"] == there.texts["parameters"]
    assert here.record.seed == 12 and here.record.model_name == "demo"


def test_an_sd_upscale_on_the_server_saves_the_picture_and_infotext_of_one_here(
    server, demo_model, tmp_path
):
    request = _request(init_image=noise_image(96, 80, seed=4), strength=0.3, steps=4)
    stage = SdUpscaleStage("Lanczos", 2.0, 32)
    remote_job = Job(request, saving=SaveOptions(tmp_path / "remote"), sd_upscale=stage)
    payloads = _payloads(server.runner(), remote_job)
    assert not [p.message for p in payloads if isinstance(p, JobFailed)]
    [remote] = [p for p in payloads if isinstance(p, ImageSaved)]
    local_job = replace(remote_job, saving=SaveOptions(tmp_path / "local"))
    with torch_threads(1):
        [local] = [e.payload for e in run_job(demo_model, local_job)
                   if isinstance(e.payload, ImageSaved)]  # fmt: skip
    with Image.open(remote.path) as here, Image.open(local.path) as there:
        assert here.size == (192, 160)
        assert max_pixel_difference(here, there) == 0
    parameters = read_metadata(remote.path).texts["parameters"]
    assert parameters == read_metadata(local.path).texts["parameters"]
    assert "SD upscale overlap: 32, SD upscale upscaler: Lanczos" in parameters
    tiles = [(p.image_index, p.batch_count) for p in payloads if isinstance(p, StepEvent)]
    assert [index for index, _ in tiles] == sorted(index for index, _ in tiles)
    assert {count for _, count in tiles} == {tiles[-1][0] + 1}  # every tile, counted


def test_streamed_previews_arrive_in_step_order(server, tmp_path):
    previews = PreviewSettings(PreviewKind.LATENT, every_n_steps=2)
    job = Job(_request(steps=8), previews=previews, saving=SaveOptions(output_dir=tmp_path))
    payloads = _payloads(server.runner(), job)
    order = [
        (type(p).__name__, p.step) for p in payloads if isinstance(p, StepEvent | PreviewImage)
    ]
    preview_steps = [step for kind, step in order if kind == "PreviewImage"]
    assert preview_steps == [2, 4, 6, 8]
    for index, (kind, step) in enumerate(order):  # each right after its own step
        if kind == "PreviewImage":
            assert order[index - 1] == ("StepEvent", step)
    [saved] = [p for p in payloads if isinstance(p, ImageSaved)]
    assert [step for step, _ in saved.frames] == preview_steps


def test_a_cancel_stops_the_run_within_a_step(server, tmp_path):
    cancel = CancelToken()
    out = tmp_path / "out"
    # Steps long against the way from the server to here and back (a few tens of ms).
    job = Job(_request(steps=30, width=512, height=512), saving=SaveOptions(output_dir=out))
    payloads, seen_when_cancelled = [], None
    for event in server.runner().run_job(job, cancel):
        payloads.append(event.payload)
        if isinstance(event.payload, StepEvent) and event.payload.step == 3:
            seen_when_cancelled = 3
            cancel.cancel()
    [stopped] = [p for p in payloads if isinstance(p, Cancelled)]
    assert seen_when_cancelled == 3
    # The step under way when the cancel arrives finishes; no other starts.
    assert stopped.after_step <= seen_when_cancelled + 1
    assert max(p.step for p in payloads if isinstance(p, StepEvent)) == stopped.after_step
    assert not any(isinstance(p, ImageSaved) for p in payloads)
    assert not out.exists() or list(out.iterdir()) == []
    assert isinstance(payloads[-1], JobDone)


def test_a_job_cancelled_while_it_waits_for_a_replica_never_runs(server, tmp_path):
    busy = [CancelToken(), CancelToken()]  # both replicas on long jobs until the end
    long = [Job(_request(steps=400, width=256, height=256, seed=n)) for n in range(2)]
    started = threading.Semaphore(0)

    def occupy(job: Job, cancel: CancelToken) -> None:
        for event in server.runner().run_job(job, cancel):
            if isinstance(event.payload, StepEvent) and event.payload.step == 1:
                started.release()

    threads = [threading.Thread(target=occupy, args=pair) for pair in zip(long, busy, strict=True)]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert started.acquire(timeout=120)
    cancel = CancelToken()
    threading.Timer(0.5, cancel.cancel).start()
    out = tmp_path / "out"
    waiting = Job(_request(seed=5), saving=SaveOptions(output_dir=out))
    payloads = _payloads(server.runner(), waiting, cancel)
    for token in busy:
        token.cancel()
    for thread in threads:
        thread.join(timeout=120)
    assert [type(p) for p in payloads] == [JobStarted, Cancelled, JobDone]
    assert payloads[1].after_step == 0 and not out.exists()


def test_two_replicas_run_six_queued_jobs_and_save_each_image_once(server, tmp_path):
    jobs = [
        Job(_request(seed=100 + n, steps=8, width=128, height=128), saving=SaveOptions(tmp_path))
        for n in range(6)
    ]
    spans: dict[str, list[float]] = {}
    results: dict[str, list] = {}

    def run(job: Job) -> None:
        payloads = []
        for event in server.runner().run_job(job):
            if isinstance(event.payload, JobStarted | JobDone):
                spans.setdefault(job.id, []).append(time.monotonic())
            payloads.append(event.payload)
        results[job.id] = payloads

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(isinstance(p, JobFailed) for ps in results.values() for p in ps)
    files = sorted(tmp_path.glob("*.png"))
    assert len(files) == 6
    assert sorted(read_metadata(file).record.seed for file in files) == list(range(100, 106))
    starts_and_ends = [span for span in spans.values() if len(span) == 2]
    overlapping = max(
        sum(start <= moment < end for start, end in starts_and_ends)
        for moment, _ in starts_and_ends
    )
    assert overlapping >= 2  # both replicas worked at once


def test_a_job_submitted_and_streamed_in_one_request_is_named_first(server):
    body = {"settings": {"prompt": "a blue square", "steps": 3, "width": 64, "height": 64}}
    with _raw(server, "POST", "/jobs/run", TOKEN, body) as lines:
        first = json.loads(lines.readline())
        assert first["event"] == "queued" and first["job"].isalnum()
        with _raw(server, "GET", f"/jobs/{first['job']}/events", TOKEN) as again:
            assert again.status == 404  # it streams already, here
        events = [json.loads(line)["event"] for line in lines]
    assert events[-2:] == ["image", "done"]


def test_a_bad_job_is_refused_with_a_json_message(server):
    with _raw(server, "POST", "/jobs", TOKEN, {"settings": {"step": 3}}) as response:
        assert response.status == 400
        assert "Unknown settings: step" in json.loads(response.read())["error"]


def test_a_wrong_token_is_refused(server):
    for token in ("not-the-token", None):
        with _raw(server, "GET", "/models", token) as response:
            assert response.status == 401
            assert "token" in json.loads(response.read())["error"]
    with _raw(server, "GET", "/models", TOKEN) as response:
        assert response.status == 200
        assert json.loads(response.read())["models"][0]["default_size"] == 128


def test_generate_with_server_saves_here_as_a_local_run_does(server, tmp_path, capsys):
    out = tmp_path / "out"
    arguments = ["--prompt", "a blue square", "--steps", "4", "--seed", "21"]
    code = main(
        ["generate", *arguments, "--output-dir", str(out), "--server", server.url]
        + ["--token", TOKEN]
    )
    assert code == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed == out / "00001-21.png"
    record = read_metadata(printed).record
    assert (record.width, record.height, record.prompt) == (128, 128, "a blue square")


def _a1111(server: Server, endpoint: str, body: dict, token: str | None = TOKEN):
    """Status and JSON answer of ``POST /sdapi/v1/{endpoint}``."""
    with _raw(server, "POST", f"/sdapi/v1/{endpoint}", token, body) as response:
        return response.status, json.loads(response.read())


def _picture(text: str) -> Image.Image:
    with Image.open(io.BytesIO(base64.b64decode(text))) as opened:
        opened.load()
        return opened.copy()


def test_a1111_txt2img_makes_the_pixels_of_the_same_job(server):
    settings = dict(prompt="a red circle on the left", steps=6, width=64, height=64, seed=11)
    with _raw(server, "POST", "/jobs", TOKEN, {"settings": {**settings, "scheduler": "Euler"}}) \
            as response:  # fmt: skip
        job_id = json.loads(response.read())["id"]
    with _raw(server, "GET", f"/jobs/{job_id}/events", TOKEN) as lines:
        [ours] = [data for data in map(json.loads, lines) if data["event"] == "image"]

    body = {**settings, "sampler_name": "euler", "cfg_scale": 7, "batch_size": 1, "n_iter": 1,
            "override_settings": {"sd_model_checkpoint": "other"}, "made_up_field": 1}  # fmt: skip
    status, answer = _a1111(server, "txt2img", body)
    assert status == 200, answer
    [image] = answer["images"]
    assert max_pixel_difference(_picture(image), _picture(ours["png"])) == 0
    assert answer["parameters"] == body
    info = json.loads(answer["info"])
    assert (info["seed"], info["all_seeds"], info["sampler_name"]) == (11, [11], "Euler")
    assert info["infotexts"] == [ours["infotext"]]
    assert _picture(image).info["parameters"] == ours["infotext"]
    assert any("override_settings is ignored" in note for note in info["notes"])


def test_a1111_img2img_starts_from_the_init_image(server):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (20, 40, 220)).save(buffer, format="JPEG")  # as clients send
    init = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()
    settings = dict(prompt="a red circle on the left", steps=6, width=64, height=64, seed=5)
    body = {**settings, "init_images": [init], "denoising_strength": 0.5}
    status, answer = _a1111(server, "img2img", body)
    assert status == 200, answer
    [image] = answer["images"]
    assert answer["parameters"]["init_images"] is None  # as A1111 answers
    info = json.loads(answer["info"])
    assert info["denoising_strength"] == 0.5
    assert "Denoising strength: 0.5" in info["infotexts"][0]

    as_png = io.BytesIO()
    _picture(init.partition(",")[2]).convert("RGB").save(as_png, format="PNG")
    job = {
        "settings": {**settings, "strength": 0.5},
        "images": {"init_image": base64.b64encode(as_png.getvalue()).decode()},
    }
    with _raw(server, "POST", "/jobs", TOKEN, job) as response:
        job_id = json.loads(response.read())["id"]
    with _raw(server, "GET", f"/jobs/{job_id}/events", TOKEN) as lines:
        [ours] = [data for data in map(json.loads, lines) if data["event"] == "image"]
    assert max_pixel_difference(_picture(image), _picture(ours["png"])) == 0
    _, plain = _a1111(server, "txt2img", settings)  # the init image made a difference
    assert max_pixel_difference(_picture(image), _picture(plain["images"][0])) > 20


def test_a1111_sd_upscale_script_upscales_and_refines_by_tiles(server):
    with _raw(server, "GET", "/sdapi/v1/upscalers", TOKEN) as response:
        names = [each["name"] for each in json.loads(response.read())]
    assert names[:3] == ["None", "Lanczos", "Nearest"]
    init = base64.b64encode(_png_bytes(noise_image(96, 80, seed=4))).decode()
    script = {"script_name": "SD upscale", "script_args": ["", 32, names.index("Lanczos"), 2]}
    body = {"prompt": "a red circle on the left", "steps": 4, "width": 64, "height": 64,
            "seed": 7, "init_images": [init], "denoising_strength": 0.3, **script}  # fmt: skip
    status, answer = _a1111(server, "img2img", body)
    assert status == 200, answer
    [image] = answer["images"]
    assert _picture(image).size == (192, 160)
    infotext = json.loads(answer["info"])["infotexts"][0]
    assert "SD upscale overlap: 32, SD upscale upscaler: Lanczos" in infotext


def test_a1111_refuses_a_wrong_token_and_a_bad_width(server):
    for endpoint in ("txt2img", "img2img"):
        status, answer = _a1111(server, endpoint, {"prompt": "x"}, "not-the-token")
        assert status == 401 and "token" in answer["error"]
    status, answer = _a1111(server, "txt2img", {"prompt": "x", "width": 100})
    assert status == 422
    assert answer["error"] == "width must be a positive multiple of 8, got 100"
    status, answer = _a1111(server, "txt2img", {"prompt": "x", "steps": "many"})
    assert (status, answer["error"]) == (422, "steps must be a whole number, not 'many'")
    status, answer = _a1111(server, "img2img", {"prompt": "x"})
    assert status == 422 and "init_images" in answer["error"]


def test_killing_a_replica_mid_job_fails_that_job_and_the_rest_complete(server, tmp_path):
    """Last in the module: the killed replica is replaced while the module ends."""
    victim = Job(_request(steps=60, width=256, height=256), saving=SaveOptions(tmp_path))
    with _raw(server, "POST", "/jobs", TOKEN, job_to_wire(victim)) as response:
        job_id = json.loads(response.read())["id"]
    others = [Job(_request(seed=300 + n), saving=SaveOptions(tmp_path)) for n in range(3)]
    results: dict[str, list] = {}

    def run(job: Job) -> None:
        results[job.id] = _payloads(server.runner(), job)

    threads = [threading.Thread(target=run, args=(job,)) for job in others]
    with _raw(server, "GET", f"/jobs/{job_id}/events", TOKEN) as lines:
        replica = _replica_of(lines)
        for thread in threads:
            thread.start()
        ray.kill(ray.get_actor(replica, namespace="serve"), no_restart=True)
        ending = [json.loads(line) for line in lines]
    for thread in threads:
        thread.join(timeout=300)
    assert ending[-2]["event"] == "failed" and "replica" in ending[-2]["message"]
    assert ending[-1]["event"] == "done"
    for job in others:
        assert [type(p) for p in results[job.id] if isinstance(p, ImageSaved | JobFailed)] == [
            ImageSaved
        ]


def _replica_of(lines: http.client.HTTPResponse) -> str:
    """Read the stream up to the job's first step; the replica that runs it."""
    replica = None
    for line in lines:
        data = json.loads(line)
        if data["event"] == "started":
            replica = data["replica"]
        if data["event"] == "step":
            assert replica is not None
            return replica
    raise AssertionError("the stream ended before the first step")


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
