"""A1111's hires fix for txt2img, as a second stage of the same denoising loop.

A hires run is, per image of seed ``s``:

1. our txt2img at the requested size (the first pass, the request's steps and sampler);
2. the upscale to the hires size (:mod:`sdstudio.engine.generation.hires_target`): a
   latent upscaler interpolates the first pass's final latents
   (``torch.nn.functional.interpolate``, not re-encoded), any other decodes them to a
   picture, resizes it (Pillow's Lanczos or nearest, or an upscaler model) and encodes it
   again with the VAE (:mod:`.upscaling`);
3. our img2img of those latents at the hires size with the same seed ``s``: a fresh
   generator seeded with ``s`` draws (for a picture upscaler) the VAE's sample, then the
   noise added at the first hires timestep, and the hires pass's scheduler steps from there
   (:mod:`.stage`). Its steps follow A1111: ``hires_steps`` (0: the first pass's count) are
   the last steps of a schedule of ``int(hires_steps / min(denoise, 0.999))``.

Step events number both passes as one run, and the last latents are decoded at the hires
size. Extensions see both passes; a ControlNet, whose control image has the first pass's
size, acts on the first pass's steps only (A1111's ControlNet "low res only").
"""
