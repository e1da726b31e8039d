"""A server run's payloads reach the event loop in order, gathered into few batches, and a
payload that cannot be sent ends the stream with a message and stops the run."""

from __future__ import annotations

import asyncio
import threading

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.generation.events import Notice
from sdstudio.engine.jobs.events import JobDone, JobStarted
from sdstudio.engine.remote.wire_events import wire_event
from sdstudio.serve.payload_batches import PayloadBatches


def _read_all(payloads: list, wire=wire_event, cancel: CancelToken | None = None) -> list:
    """Every batch of ``payloads`` put by a run's thread before it ends."""

    async def scenario() -> list:
        batches = PayloadBatches(asyncio.get_running_loop(), wire, cancel or CancelToken(), "j")
        for payload in payloads:
            batches.put(payload)
        batches.end()
        pump = threading.Thread(target=batches.pump)
        pump.start()
        read = []
        while (batch := await asyncio.wait_for(batches.next(), 10)) is not None:
            read.append(batch)
        pump.join(10)
        return read

    return asyncio.run(scenario())


def test_payloads_queued_together_go_as_one_batch_in_order():
    notes = [Notice(f"note {n}") for n in range(5)]
    batches = _read_all([JobStarted(1), *notes, JobDone()])
    assert [[data["event"] for data in batch] for batch in batches] == [
        ["started", *["notice"] * 5, "done"]
    ]
    assert [data["text"] for data in batches[0][1:6]] == [f"note {n}" for n in range(5)]


def test_a_payload_that_cannot_be_sent_stops_the_run_and_ends_the_stream_with_why():
    cancel = CancelToken()

    def wire(payload):
        if isinstance(payload, Notice) and payload.text == "bad":
            raise ValueError("not JSON")
        return wire_event(payload)

    [batch] = _read_all([JobStarted(1), Notice("bad"), Notice("after"), JobDone()], wire, cancel)
    assert [data["event"] for data in batch] == ["started", "failed", "done"]
    assert "not JSON" in batch[1]["message"] and cancel.cancelled
