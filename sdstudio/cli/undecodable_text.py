"""Text arguments that were not valid UTF-8.

Python hands bytes it cannot decode from the command line (``--prompt $'fox \\xff'``) or a
file over as lone surrogates (``'\\udcff'``), which no tokenizer and no PNG text chunk can
take. Each such byte becomes U+FFFD, the replacement character, and a line on stderr says
which argument had them, so the run goes on with a prompt the user can see was changed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

REPLACEMENT_NAME = "U+FFFD"


def readable(text: str) -> str:
    """``text`` with each undecodable byte replaced by U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def replace_undecodable(
    args: argparse.Namespace, flags: Mapping[str, str], where: str = ""
) -> None:
    """Make the text arguments of ``args`` named in ``flags`` (attribute → flag) readable in
    place, one line on stderr for each that changed (``where`` says where it was read:
    "prompts.txt line 3: ")."""
    for name, label in flags.items():
        value = getattr(args, name, None)
        if isinstance(value, str):
            fixed: str | list[str] = readable(value)
        elif isinstance(value, list) and all(isinstance(each, str) for each in value):
            fixed = [readable(each) for each in value]
        else:
            continue
        if fixed != value:
            setattr(args, name, fixed)
            print(
                f"sdstudio: {where}{label} has bytes that are not UTF-8 text; each was "
                f"replaced by {REPLACEMENT_NAME}",
                file=sys.stderr,
            )
