"""Bundled and generated datasets for the chapter's experiments (no downloads)."""

from ..utils._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._channels": ["add_channels", "load_digits_channels", "load_mnist"],
        "._imdb": ["load_imdb"],
        "._reviews": ["make_reviews"],
    },
)
