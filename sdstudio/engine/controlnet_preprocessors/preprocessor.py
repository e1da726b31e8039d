"""What the registry knows of one preprocessor: its A1111 names, parameters, and how it runs.

A preprocessor that needs a model sdstudio cannot run (LeReS, DWPose, BAE…) is described too,
with ``run`` left empty, so that an infotext naming it gets a sentence saying what to do
instead of "unknown preprocessor". One that runs a model the user points to (depth, normal,
pose) names the weights folder it reads (``annotator``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PIL import Image

from sdstudio.engine.controlnet_preprocessors.parameters import Parameter
from sdstudio.engine.errors import RequestError

Run = Callable[..., Image.Image]
Check = Callable[[Mapping[str, float]], None]


@dataclass(frozen=True)
class Preprocessor:
    """One preprocessor, keyed by A1111's module name.

    ``label`` is the name A1111's dropdown shows and its infotext writes ("invert (from white
    bg & black line)"); ``name`` is its older module name ("invert"). Either finds it.
    ``needs_weights`` says what image the user should bring instead (``"a depth map"``) when
    this preprocessor needs model weights: with ``run`` ``None`` sdstudio cannot run it at all;
    with ``annotator`` set ("depth" or "pose", see ``annotator_weights``) it runs once that
    folder holds weights, and ``run`` takes the folder after the picture:
    ``run(image, folder, **values)``. ``check`` looks at the parameters together (Canny's low
    threshold not above the high one).
    """

    name: str
    label: str
    description: str
    run: Run | None
    parameters: tuple[Parameter, ...] = ()
    needs_weights: str | None = None
    check: Check | None = None
    annotator: str | None = None

    @property
    def available(self) -> bool:
        """Whether sdstudio can run it (for an ``annotator`` one: once given its weights)."""
        return self.run is not None

    def defaults(self) -> dict[str, float]:
        """Each parameter's default, by name."""
        return {parameter.name: parameter.default for parameter in self.parameters}

    def checked_parameters(self, given: Mapping[str, object]) -> dict[str, float]:
        """``given`` completed with defaults and checked; a ``RequestError`` says what is wrong."""
        known = {parameter.name: parameter for parameter in self.parameters}
        unknown = sorted(set(given) - set(known))
        if unknown:
            accepted = ", ".join(known) if known else "none"
            raise RequestError(
                f"The {self.label} preprocessor has no parameter {', '.join(unknown)}. "
                f"It takes: {accepted}."
            )
        values = {
            name: parameter.checked(given.get(name, parameter.default), self.label)
            for name, parameter in known.items()
        }
        if self.check is not None:
            self.check(values)
        return values
