"""Model backends behind one interface (see :mod:`text2table.backends.base`)."""

from text2table.backends.base import Backend, Generation, available_backends, create_backend, register_backend

__all__ = ["Backend", "Generation", "available_backends", "create_backend", "register_backend"]
