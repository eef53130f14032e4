"""Running the command line as a user does: in-process (fast), or as `python -m bot` in a subprocess
where the process boundary is the point (the entry point itself, `run`'s exit codes)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

REPO = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """Run the command line with `args` in a subprocess; `env` replaces the environment (PATH is kept)."""
    environment = None if env is None else {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
    )


class InProcessCli:
    """`bot.cli.main(argv)` as a subprocess would see it, without starting one (0.5 s each saved).

    The environment is replaced as run_cli replaces it (only PATH is kept, then `env`), the
    working directory is `cwd`, stdin is `stdin`; what main() prints is captured. Unless `env`
    says otherwise, the caches live in one directory for the whole session, so each call loads
    the knowledge base as a second start does.
    """

    def __init__(self, cache_dir: Path) -> None:
        self._cache_dir = cache_dir

    def __call__(
        self, *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path = REPO
    ) -> subprocess.CompletedProcess[str]:
        with pytest.MonkeyPatch.context() as patch:
            for key in list(os.environ):
                if key != "PATH":
                    patch.delenv(key)
            for key, value in {"BOT_CACHE_DIR": str(self._cache_dir), **(env or {})}.items():
                patch.setenv(key, value)
            patch.chdir(cwd)
            patch.setattr(sys, "stdin", io.StringIO(stdin))
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main(list(args))
                except SystemExit as exit_:  # argparse: --help, --version, usage errors
                    code = exit_.code if isinstance(exit_.code, int) else 2
        return subprocess.CompletedProcess(["bot", *args], code, out.getvalue(), err.getvalue())
