"""Alcance: plan how to bring the internet to schools and remote communities."""

from __future__ import annotations

from alcance.errors import AlcanceError, InputError

__all__ = ["AlcanceError", "InputError", "__version__"]

__version__ = "0.1.0"
