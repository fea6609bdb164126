"""Import the built-in backends so that they register themselves. Heavy imports happen inside each backend."""

from . import rules  # noqa: F401
from . import llamacpp  # noqa: F401
from . import hf  # noqa: F401
from . import openai  # noqa: F401
