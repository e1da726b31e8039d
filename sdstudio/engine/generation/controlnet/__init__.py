"""ControlNet: a second network that reads a control image (edges, depth, a pose) and steers
the UNet through residuals added to its down and middle blocks.

Semantics are diffusers' ``StableDiffusionControlNetPipeline``,
``StableDiffusionControlNetImg2ImgPipeline`` and ``StableDiffusionXLControlNetPipeline``
(several units at once as ``MultiControlNetModel``: their residuals summed), with A1111's
sd-webui-controlnet control modes on top (:mod:`.modes`). The loop knows none of it: the
extension adds the residuals to each UNet call's keyword arguments.
"""
