"""Inpainting and outpainting: repaint only where a mask says, keep every other pixel.

Semantics are diffusers' ``StableDiffusionInpaintPipeline`` (and its SDXL sibling): 9-channel
inpainting UNets get the mask and the masked picture's latents beside their input; ordinary
models have the kept part blended back after every scheduler step. A1111's options (mask
blur, masked content, only-masked with padding) and its final composite come on top.
"""
