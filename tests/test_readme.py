"""The README's embedding example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- embedding:start -->", "<!-- embedding:end -->"


def embedding_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count(START) == 1, f"README.md needs exactly one {START}"
    assert text.count(END) == 1, f"README.md needs exactly one {END}"
    section = text[text.index(START) : text.index(END)]
    blocks = re.findall(r"^```python\n(.*?)^```$", section, flags=re.DOTALL | re.MULTILINE)
    assert len(blocks) == 1, "the Embedding section holds one ```python block"
    return str(blocks[0])


def test_embedding_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    code = compile(embedding_example(), "README.md#embedding", "exec")
    exec(code, {"__name__": "readme_example"})
    out = capsys.readouterr().out
    assert out.startswith(("proceed", "proceed with conditions", "reconsider"))
    assert "\nwaived PF-" in out
    assert "\nlicensing-outdoor-brand: " in out
