import pytest

from text2table.backends.models import is_gguf, split_continuation
from text2table.errors import InputError


def test_a_final_assistant_message_is_continued():
    user = {"role": "user", "content": "doc"}
    assert split_continuation([user]) == ([user], None)
    assert split_continuation([user, {"role": "assistant", "content": '{"a": 1}\n'}]) == ([user], '{"a": 1}\n')
    with pytest.raises(InputError, match="at least one"):
        split_continuation([])
    with pytest.raises(InputError, match="message 0"):
        split_continuation([{"role": "user"}])


def test_gguf_is_an_existing_file_with_the_suffix(tmp_path):
    (tmp_path / "m.GGUF").write_bytes(b"GGUF")
    (tmp_path / "dir.gguf").mkdir()
    assert is_gguf(tmp_path / "m.GGUF")
    assert not is_gguf(tmp_path / "dir.gguf") and not is_gguf(tmp_path / "missing.gguf")
