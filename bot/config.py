"""Settings from the environment and `.env`, validated once at start-up.

The token is kept in a SecretStr-like wrapper whose repr and str never show it, so it can
be logged or put in an exception by mistake without leaking.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.kb.base import DEFAULT_KB_DIR
from bot.storage.unanswered import DEFAULT_KEEP_DAYS
from bot.text.patterns import BOT_TOKEN

DEFAULT_DATA_DIR = Path("data")
DEFAULT_ENV_FILE = Path(".env")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is safe to print (no secrets)."""


@dataclass(frozen=True)
class Secret:
    """A secret value that never shows itself in repr, str or f-strings."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "***" if self.value else ""

    def __repr__(self) -> str:
        return "Secret('***')"


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with (see .env.example for each setting)."""

    token: Secret
    api_base_url: str | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    kb_dir: Path = DEFAULT_KB_DIR
    log_level: str = "INFO"
    admin_ids: frozenset[int] = frozenset()
    watch_kb: bool = False
    log_unanswered: bool = True
    unanswered_keep_days: int = DEFAULT_KEEP_DAYS  # days an unanswered question is kept (/privacy says it)
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: Secret = Secret("")
    http_timeout: float = 10.0
    cache_dir: Path | None = None  # where the built index is kept between starts (None: not kept)
    health_port: int | None = None  # /healthz and /metrics (bot/telegram/runtime/health.py); None: off
    health_listen: str = "127.0.0.1"
    log_format: str = "text"  # or "json": one JSON object per line


def read_env_file(path: Path) -> dict[str, str]:
    """The KEY=VALUE settings of a .env file, as python-dotenv reads it (comments after values,
    quotes, `export`, escapes): the format operators know from Docker Compose and elsewhere. A
    hand-written parser here rejected `TELEGRAM_BOT_TOKEN="123:AA…" # prod`."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values  # only `run`, `chat` and `make` read .env

    return {key: value for key, value in dotenv_values(path, encoding="utf-8").items() if value is not None}


def merged_environment(
    env_file: Path = DEFAULT_ENV_FILE, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """`.env` values overridden by the real environment (so a deployment can override the file)."""
    merged = read_env_file(env_file)
    merged.update(os.environ if environ is None else environ)
    return merged


def token_configured(env: Mapping[str, str]) -> bool:
    """Whether any token is set at all (make run uses this to pick bot or console)."""
    return bool(env.get("TELEGRAM_BOT_TOKEN", "").strip())


def resolve_kb_dir(explicit: Path | None, env: Mapping[str, str]) -> Path:
    """The knowledge-base directory every command and the bot use, decided here and nowhere else.

    In order: a directory given on the command line (`--kb`, `check PATH`), then BOT_KB_DIR, then
    the knowledge base that comes with the code (bot.kb.base.DEFAULT_KB_DIR: the checkout's knowledge/,
    or the copy inside an installed wheel). ConfigError names the directory and where it came from
    when it is not there, instead of one "file is missing" line per YAML file.
    """
    from_env = env.get("BOT_KB_DIR", "").strip()
    if explicit is not None:
        directory, origin = explicit, "given on the command line"
    elif from_env:
        directory, origin = Path(from_env), "set by BOT_KB_DIR"
    else:
        directory, origin = DEFAULT_KB_DIR, "the one that comes with the bot; set BOT_KB_DIR or pass --kb"
    if not directory.is_dir():
        problem = "is not a directory" if directory.exists() else "does not exist"
        raise ConfigError(f"knowledge-base directory {directory} {problem} ({origin})")
    return directory


CACHE_OFF = frozenset({"off", "none", "0", "false", "no"})
CACHE_SUBDIR = "albania-sim-bot"


def resolve_cache_dir(env: Mapping[str, str]) -> Path | None:
    """Where the built index is kept between starts (bot/understanding/index_cache.py), or None for nowhere.

    BOT_CACHE_DIR when set ("off" keeps nothing), else the user's cache directory as the XDG
    convention has it ($XDG_CACHE_HOME, or ~/.cache) under albania-sim-bot/. A user without a
    home directory simply gets no cache.
    """
    configured = env.get("BOT_CACHE_DIR", "").strip()
    if configured:
        return None if configured.lower() in CACHE_OFF else Path(configured)
    base = env.get("XDG_CACHE_HOME", "").strip()
    if base:
        return Path(base) / CACHE_SUBDIR
    try:
        return Path.home() / ".cache" / CACHE_SUBDIR
    except RuntimeError:  # no home directory to be found
        return None


def load_settings(env: Mapping[str, str], kb_dir: Path | None = None) -> Settings:
    """Validate the settings; ConfigError names the setting and never echoes a secret.

    `kb_dir` is the directory given on the command line, if any (see resolve_kb_dir).
    """
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in .env (see .env.example)"
        )
    if not BOT_TOKEN.fullmatch(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<35 letters, digits, - or _>'"
            " as @BotFather gives it"
        )
    return Settings(
        token=Secret(token),
        api_base_url=_url(env, "TELEGRAM_API_BASE_URL"),
        data_dir=Path(env.get("BOT_DATA_DIR") or DEFAULT_DATA_DIR),
        kb_dir=resolve_kb_dir(kb_dir, env),
        log_level=_log_level(env.get("LOG_LEVEL", "INFO")),
        admin_ids=_admin_ids(env.get("BOT_ADMIN_IDS", "")),
        watch_kb=_flag(env, "BOT_WATCH_KB", default=False),
        log_unanswered=_flag(env, "BOT_LOG_UNANSWERED", default=True),
        unanswered_keep_days=_days(env, "BOT_UNANSWERED_KEEP_DAYS", default=DEFAULT_KEEP_DAYS),
        webhook_url=_url(env, "BOT_WEBHOOK_URL"),
        webhook_listen=env.get("BOT_WEBHOOK_LISTEN", "127.0.0.1") or "127.0.0.1",
        webhook_port=_port(env.get("BOT_WEBHOOK_PORT", "8443")),
        webhook_secret=Secret(env.get("BOT_WEBHOOK_SECRET", "").strip()),
        http_timeout=_seconds(env.get("BOT_HTTP_TIMEOUT", "10")),
        cache_dir=resolve_cache_dir(env),
        health_port=_optional_port(env, "BOT_HEALTH_PORT"),
        health_listen=env.get("BOT_HEALTH_LISTEN", "127.0.0.1").strip() or "127.0.0.1",
        log_format=_log_format(env.get("BOT_LOG_FORMAT", "text")),
    )


def _optional_port(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"{name} must be a port number, not {value!r}")
    return int(value)


def _log_format(value: str) -> str:
    chosen = value.strip().lower() or "text"
    if chosen not in {"text", "json"}:
        raise ConfigError(f"BOT_LOG_FORMAT must be text or json, not {value!r}")
    return chosen


def _url(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if not re.match(r"^https?://[^\s/]+", value):
        raise ConfigError(f"{name} must be an http(s) URL")
    return value


def _log_level(value: str) -> str:
    level = value.strip().upper() or "INFO"
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {value!r}")
    return level


def _admin_ids(value: str) -> frozenset[int]:
    ids = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    bad = [part for part in ids if not part.lstrip("-").isdigit()]
    if bad:
        raise ConfigError(
            f"BOT_ADMIN_IDS must be numeric Telegram user ids separated by commas, not {bad[0]!r}"
        )
    return frozenset(int(part) for part in ids)


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}")


MAX_KEEP_DAYS = 3650


def _days(env: Mapping[str, str], name: str, *, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_KEEP_DAYS:
        raise ConfigError(f"{name} must be a whole number of days from 1 to {MAX_KEEP_DAYS}, not {value!r}")
    return int(value)


def _port(value: str) -> int:
    if not value.strip().isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"BOT_WEBHOOK_PORT must be a port number, not {value!r}")
    return int(value)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 300:
        raise ConfigError(f"BOT_HTTP_TIMEOUT must be a number of seconds between 0 and 300, not {value!r}")
    return seconds
