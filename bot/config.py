"""Settings: read once from the environment (and a git-ignored ``.env``) into a value."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_API_URL = "https://api.telegram.org/bot"
BUNDLED_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
_TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for a person."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    webhook_url: str | None = None
    port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    knowledge_dir: Path = BUNDLED_KNOWLEDGE
    log_level: str = "INFO"
    data_dir: Path = Path("data")
    admin_ids: frozenset[int] = frozenset()
    retention_days: int = 90
    record_console: bool = False
    record_salt: str | None = field(default=None, repr=False)


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse ``KEY=value`` lines of a .env file (quotes stripped, comments ignored)."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return values
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    raw = env.get(name, "").strip() or default
    if raw is None:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{name} must be an http(s) URL, got {raw!r}")
    return raw


def load_settings(environ: Mapping[str, str] | None = None,
                  dotenv: Path | None = Path(".env")) -> Settings:
    """Build :class:`Settings` from ``environ`` (default: the process environment).

    Values in the environment win over those in ``dotenv``.
    """
    env = dict(read_dotenv(dotenv)) if dotenv is not None else {}
    env.update(os.environ if environ is None else environ)
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not _TOKEN.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a bot token "
                          "(expected digits, a colon and at least 20 letters; ask @BotFather)")
    level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
    secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError("WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1-256 chars)")
    admins_raw = env.get("BOT_ADMIN_IDS", "").replace(",", " ").split()
    try:
        admins = frozenset(int(a) for a in admins_raw)
    except ValueError:
        raise ConfigError("BOT_ADMIN_IDS must be Telegram user ids separated by commas") from None
    knowledge = env.get("KNOWLEDGE_DIR", "").strip()
    return Settings(
        token=token,
        api_url=_url(env, "TELEGRAM_API_URL", DEFAULT_API_URL),
        webhook_url=_url(env, "WEBHOOK_URL", None),
        port=_int(env, "PORT", 8443, 1, 65535),
        webhook_secret=secret,
        knowledge_dir=Path(knowledge) if knowledge else BUNDLED_KNOWLEDGE,
        log_level=level,
        data_dir=Path(env.get("DATA_DIR", "").strip() or "data"),
        admin_ids=admins,
        retention_days=_int(env, "RETENTION_DAYS", 90, 1, 36500),
        record_console=env.get("RECORD_CONSOLE", "").strip().lower() in {"1", "true", "yes"},
        record_salt=env.get("RECORD_SALT", "").strip() or None,
    )
