"""The package's one exception tree. Every message names the input, what was expected and how to fix it."""

from __future__ import annotations


class Text2TableError(Exception):
    """Base class of every error text2table raises on purpose."""


class InputError(Text2TableError, ValueError):
    """Bad user input: a file, a line, a record or a field that is not what it should be.

    ``source`` is the file (or another name for the input), ``line`` the 1-based line number.
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        self.source = source
        self.line = line
        self.hint = hint
        where = ""
        if source is not None:
            where = f"{source}:{line}: " if line is not None else f"{source}: "
        text = f"{where}{message}"
        if hint:
            text += f" (fix: {hint})"
        super().__init__(text)


class SchemaError(Text2TableError, ValueError):
    """A schema that breaks the contract (names, structure, types)."""


class ParseError(Text2TableError, ValueError):
    """Model or file text that cannot be read as a schema or NDJSON rows (strict parsing)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class ConfigError(Text2TableError, ValueError):
    """An invalid configuration value (recipe, reward weights, backend options)."""


class BackendError(Text2TableError, RuntimeError):
    """A model backend that cannot load or answer (missing package, server down, timeout)."""


class MissingDependencyError(Text2TableError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed; install it with `pip install 'text2table[{extra}]'`"
            f" (or `make install`)")
