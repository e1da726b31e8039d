"""The step numbers a user reads: the steps they set, not the UNet calls behind them.

The loop counts UNet calls, and some schedulers make more calls than they were given steps:
PNDM's PLMS warm-up adds one (21 calls for 20 steps), Heun two per step but the last (39
for 20). The window speaks of the steps the user set, so a PNDM run of 20 ends on 20/20.
"""

from __future__ import annotations


def shown_step(call: int, calls: int, steps: int) -> tuple[int, int]:
    """(step, total) for UNet call ``call`` (1-based) of ``calls``, in a run of ``steps``.

    With more calls than steps, a call belongs to ``floor(call × steps / calls)``, at least
    1: a step is done when its last call is, which is exact for PNDM (its first two calls
    make step 1) and for Heun (step k ends on call 2k, the last step on the last call).
    Otherwise the calls are the steps and are shown as they are.
    """
    if steps <= 0 or calls <= steps:
        return call, calls
    return max(1, call * steps // calls), steps
