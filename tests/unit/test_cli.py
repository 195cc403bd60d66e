"""The command line as an operator meets it: clear sentences, right exit codes, no secrets."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from bot.__main__ import _RedactToken


def _cohort(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_running_without_a_token_says_what_to_do(tmp_path: Path) -> None:
    result = _cohort(env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c.db"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN is not set" in result.stderr
    assert ".env" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_in_dotenv_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=\nLOG_LEVEL=loud\n")
    result = _cohort(env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid setting log_level" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
    result = _cohort("migrate", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Database is at revision" in result.stdout
    assert (tmp_path / "fresh.db").exists()


def test_unreachable_database_is_one_sentence(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    result = _cohort("migrate", env={"DATABASE_URL": url, "DISCORD_TOKEN": "x"}, cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_token_never_reaches_the_logs() -> None:
    secret = "MTIz.secret.token"
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "login with %s failed", (secret,), None
    )
    _RedactToken(secret).filter(record)
    assert secret not in record.getMessage()
    assert "[token]" in record.getMessage()
