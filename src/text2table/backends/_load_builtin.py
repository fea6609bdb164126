"""Import the built-in backends so that they register themselves. Heavy imports happen inside each backend."""

from text2table.backends import rules  # noqa: F401
from text2table.backends import llamacpp  # noqa: F401
from text2table.backends import hf  # noqa: F401
from text2table.backends import openai  # noqa: F401
