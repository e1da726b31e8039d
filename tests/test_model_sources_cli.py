"""The CLI's model loading: hub ids need --allow-download, and download progress goes to stderr."""

from __future__ import annotations

import io

from sdstudio.cli import main
from sdstudio.cli.model_options import DownloadProgressPrinter
from sdstudio.engine.models.load_progress import LoadProgress, LoadStage


def test_an_uncached_hub_id_tells_the_user_about_allow_download(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))

    code = main(["generate", "--prompt", "a cat", "--model", "someone/some-model"])

    err = capsys.readouterr().err
    assert code == 2
    assert "--allow-download" in err and "Traceback" not in err


def test_allow_download_while_offline_explains_why_nothing_downloads(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))

    code = main(["generate", "--prompt", "a cat", "--model", "someone/x", "--allow-download"])

    assert code == 2
    assert "HF_HUB_OFFLINE is set" in capsys.readouterr().err


def test_download_progress_is_printed_every_tenth_when_not_on_a_terminal():
    stream = io.StringIO()
    printer = DownloadProgressPrinter(stream)

    for done in range(0, 4_000_000_001, 100_000_000):
        printer(LoadProgress(LoadStage.DOWNLOADING, "Downloading a/b", done, 4_000_000_000))
    printer(LoadProgress(LoadStage.READING, "Reading a/b"))

    lines = stream.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[-1] == "Downloading a/b: 4.00 / 4.00 GB (100%)"
