"""`make setup` with a Python older than 3.11 stops at once and says which it needs (it used to
spin in pip for eleven minutes)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_setup_with_an_old_python_says_which_it_needs(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    old_python = tmp_path / "python3.10"
    # Answers like Python 3.10: its version on --version, and "too old" to the version check.
    old_python.write_text('#!/bin/sh\n[ "$1" = --version ] && { echo "Python 3.10.12"; exit 0; }\nexit 1\n')
    old_python.chmod(0o755)
    result = subprocess.run(
        ["make", "setup", f"PYTHON={old_python}"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "needs Python 3.11 or newer" in result.stdout
    assert "Python 3.10.12" in result.stdout
    assert not (tmp_path / ".venv").exists()  # stopped before creating anything
