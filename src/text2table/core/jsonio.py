"""Reading and writing JSON Lines safely: errors name file and line; writes are atomic (temp file + rename)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from text2table.errors import InputError


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file (a BOM is accepted); a wrong encoding names the file and the byte offset."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=str(p), hint="check the path") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"not valid UTF-8 at byte {exc.start}", source=str(p), line=line,
                         hint="re-encode the file as UTF-8, e.g. `iconv -f latin1 -t utf-8`") from None


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, object)`` for each non-blank line, streaming; bad lines raise :class:`InputError`."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", source=str(p), hint="check the path")
    with p.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"not valid UTF-8 at column {exc.start + 1}", source=str(p), line=number,
                                 hint="re-encode the file as UTF-8") from None
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON at column {exc.colno}: {exc.msg}", source=str(p), line=number,
                                 hint="each line must be one complete JSON object") from None


def dumps_line(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write to a temporary file in the same folder and rename it over ``path`` only on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path: str | Path, obj: Any) -> None:
    """Atomically write pretty, key-stable JSON."""
    with atomic_writer(path) as handle:
        handle.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def write_jsonl(path: str | Path, objects: Any) -> int:
    """Atomically write an iterable of objects as JSON Lines; returns the count."""
    count = 0
    with atomic_writer(path) as handle:
        for obj in objects:
            handle.write(dumps_line(obj))
            count += 1
    return count


def append_jsonl(handle: IO[str], obj: Any) -> None:
    """Append one complete line and flush it to disk (for resumable batch outputs)."""
    handle.write(dumps_line(obj))
    handle.flush()
    os.fsync(handle.fileno())
