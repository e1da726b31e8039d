"""Keep Hugging Face libraries from printing progress bars and advice the user cannot act on."""

from __future__ import annotations

import warnings
from functools import cache


@cache
def quiet_libraries() -> None:
    """Silence download/loading progress bars and info-level logging once per process."""
    import diffusers.utils.logging as diffusers_logging
    import transformers.utils.logging as transformers_logging

    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    # diffusers renamed ``torch_dtype`` to ``dtype``; older releases only know the former.
    warnings.filterwarnings("ignore", message=r".*Please use `dtype` instead.*")
