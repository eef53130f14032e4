"""The package as an operator installs it: the wheel in a fresh virtualenv, run from another directory.

Offline by design: the wheel is built without build isolation (hatchling comes with the dev extra)
and installed with --no-deps --no-index; the runtime dependencies are the project virtualenv's,
made visible through a `.pth` line. A path line does not process the `.pth` files inside that
directory, so the editable install of this checkout stays out of sight — which the first test checks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.conversation.render import html_to_plain
from bot.conversation.service import Conversation, PersonState, Speaker, Text
from bot.kb.base import KnowledgeBase
from bot.understanding.answer import Responder

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
QUESTION = "保号卡怎么注销"


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a build or install step; its stderr is the failure message."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@dataclass(frozen=True)
class InstalledBot:
    """A temporary virtualenv with the wheel installed, and a working directory outside the checkout."""

    venv: Path
    site_packages: Path
    workdir: Path

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `program` (python or simbot) from the venv in the work directory, with a clean env."""
        env = {
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.workdir),
            "PYTHONUTF8": "1",
        }
        return subprocess.run(
            [str(self.venv / "bin" / program), *args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> InstalledBot:
    root = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run(
        [*pip, "wheel", str(REPO), "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", "dist"],
        root,
    )
    (wheel,) = (root / "dist").glob("*.whl")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root)
    python = venv / "bin" / "python"
    _run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)], root)
    site_packages = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], root).strip()
    )
    dependencies = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site_packages / "project-dependencies.pth").write_text("\n".join(dependencies) + "\n", encoding="utf-8")
    workdir = root / "elsewhere"
    workdir.mkdir()
    return InstalledBot(venv=venv, site_packages=site_packages, workdir=workdir)


def test_the_installed_package_and_its_knowledge_base_come_from_the_temporary_venv(
    installed: InstalledBot,
) -> None:
    assert not installed.workdir.is_relative_to(REPO)
    result = installed.run(
        "python", "-c", "import bot, bot.kb.base; print(bot.__file__); print(bot.kb.base.DEFAULT_KB_DIR)"
    )
    assert result.returncode == 0, result.stderr
    module_file, kb_dir = (Path(line) for line in result.stdout.splitlines())
    assert module_file == installed.site_packages / "bot" / "__init__.py"
    assert kb_dir == installed.site_packages / "bot" / "knowledge"
    assert sorted(path.name for path in kb_dir.glob("*.yaml")) == sorted(
        path.name for path in (REPO / "knowledge").glob("*.yaml")
    )


def test_installed_ask_replies_as_the_checkout_does(installed: InstalledBot, responder: Responder) -> None:
    result = installed.run("python", "-m", "bot", "ask", QUESTION)
    assert result.returncode == 0, result.stderr
    turn = Conversation(responder).handle(Text(QUESTION), PersonState(), Speaker(), 0.0)
    expected = "\n\n".join(html_to_plain(text) for text in turn.reply.texts)
    assert expected.strip()
    assert result.stdout == expected + "\n"


def test_installed_check_validates_the_packaged_knowledge_base(
    installed: InstalledBot, kb: KnowledgeBase
) -> None:
    result = installed.run("python", "-m", "bot", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok: {len(kb.sections)} sections, ")


def test_simbot_version_prints_the_version_pip_installed(installed: InstalledBot) -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    for program, args in (("simbot", ["--version"]), ("python", ["-m", "bot", "--version"])):
        result = installed.run(program, *args)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"albania-sim-bot {version}\n"


def test_the_sdist_carries_the_knowledge_base_at_its_top(tmp_path: Path) -> None:
    _run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)], REPO)
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {f"knowledge/{path.name}" for path in (REPO / "knowledge").glob("*.yaml")} <= names
    assert "pyproject.toml" in names
