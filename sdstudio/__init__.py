"""sdstudio: a desktop Stable Diffusion studio that also lets you look inside the model."""

__version__ = "0.1.0"
