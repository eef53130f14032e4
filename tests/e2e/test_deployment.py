"""What an operator deploys: the systemd unit's command runs the bot as documented, and the
Docker image builds and answers — when Docker can run on this machine."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bot.exit_codes import ExitCode
from fake_telegram import FakeBotApi
from tests.e2e.conftest import TOKEN, reply_to
from tests.e2e.real_process import REPO_ROOT, bot_environment, running_bot

UNIT = REPO_ROOT / "docs" / "deploy" / "albania-sim-bot.service"
INSTALLED_AT = "/opt/albania-sim-bot"
ROY = 1201


def unit_service() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT, encoding="utf-8")
    return parser["Service"]


def test_the_unit_does_not_restart_what_a_restart_cannot_fix() -> None:
    service = unit_service()
    assert service["RestartPreventExitStatus"] == str(int(ExitCode.USAGE))
    assert service["Restart"] == "on-failure"
    assert int(service["TimeoutStopSec"]) >= 10  # the bot stops within 8 s


@pytest.mark.slow  # the unit's ExecStart as a process: 2 s
async def test_the_units_exec_start_runs_the_bot(api: FakeBotApi, tmp_path: Path) -> None:
    service = unit_service()
    assert service["WorkingDirectory"] == INSTALLED_AT
    command = shlex.split(service["ExecStart"])
    assert command[0] == f"{INSTALLED_AT}/.venv/bin/python"
    command[0] = sys.executable  # this checkout's venv stands in for the installed one
    env = bot_environment(api.root_url, tmp_path / "data")
    async with running_bot(api, env, tmp_path, command=command) as bot:
        [answer] = await reply_to(api, "第四步", chat_id=ROY, user_id=ROY, timeout=15)
        assert answer["text"].startswith("第 4 步")
        assert await bot.stop() == ExitCode.OK  # systemd's KillSignal=SIGTERM


def docker_unavailable() -> str | None:
    """Why the image cannot be built and run here, or None if it can."""
    if shutil.which("docker") is None:
        return "no docker command on this machine"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return "the Docker daemon is not running (docker info failed)"
    return None


@pytest.mark.slow
async def test_the_image_builds_and_answers_against_the_bot_api(api: FakeBotApi, tmp_path: Path) -> None:
    reason = docker_unavailable()
    if reason is not None:
        pytest.skip(f"Docker cannot run here: {reason}; the unit's command and /healthz are tested directly")
    tag = f"albania-sim-bot-test:{uuid.uuid4().hex[:8]}"
    built = subprocess.run(["docker", "build", "-t", tag, str(REPO_ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]
    name = f"simbot-{uuid.uuid4().hex[:8]}"
    run = [
        "docker", "run", "-d", "--rm", "--name", name, "--network", "host",
        "-e", f"TELEGRAM_BOT_TOKEN={TOKEN}", "-e", f"TELEGRAM_API_BASE_URL={api.root_url}",
        "-e", "BOT_HEALTH_LISTEN=127.0.0.1", tag,
    ]  # fmt: skip
    started = subprocess.run(run, capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    try:
        await api.wait_until(lambda: api.pending_polls > 0, timeout=60, what="the container polling")
        [answer] = await reply_to(api, "第四步", chat_id=ROY, user_id=ROY, timeout=30)
        assert answer["text"].startswith("第 4 步")
        health = subprocess.run(
            ["docker", "inspect", "-f", "{{.State.Health.Status}}", name], capture_output=True, text=True
        )
        assert health.stdout.strip() in {"starting", "healthy"}
        user = subprocess.run(["docker", "exec", name, "id", "-u"], capture_output=True, text=True)
        assert user.stdout.strip() != "0"  # not root
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)
