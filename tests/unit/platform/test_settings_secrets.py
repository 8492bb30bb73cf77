"""SESSION_SECRET fails closed: generated once in development, required everywhere else."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from nastavnik.platform.settings import SECRET_FILE, SettingsError, load_settings


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"NASTAVNIK_DATA_DIR": str(tmp_path), **values}


@pytest.mark.parametrize("environment", ["", "development"])
def test_development_generates_a_secret_once_into_the_data_folder(tmp_path: Path, environment: str) -> None:
    first = load_settings(_env(tmp_path, NASTAVNIK_ENV=environment))
    path = tmp_path / SECRET_FILE
    assert path.read_text().strip() == first.session_secret
    assert len(first.session_secret) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_settings(_env(tmp_path, NASTAVNIK_ENV=environment))
    assert again.session_secret == first.session_secret


def test_two_development_folders_get_different_secrets(tmp_path: Path) -> None:
    one = load_settings(_env(tmp_path / "a")).session_secret
    two = load_settings(_env(tmp_path / "b")).session_secret
    assert one != two


@pytest.mark.parametrize("environment", ["production", "test", "staging", "Production", "prod"])
def test_any_other_environment_without_a_secret_refuses_to_start(tmp_path: Path, environment: str) -> None:
    with pytest.raises(SettingsError, match="SESSION_SECRET не задан"):
        load_settings(_env(tmp_path, NASTAVNIK_ENV=environment))
    assert not (tmp_path / SECRET_FILE).exists()


def test_an_explicit_secret_is_used_as_given(tmp_path: Path) -> None:
    secret = "x" * 40
    settings = load_settings(_env(tmp_path, NASTAVNIK_ENV="production", SESSION_SECRET=secret))
    assert settings.session_secret == secret
    assert not (tmp_path / SECRET_FILE).exists()


def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="короче 32"):
        load_settings(_env(tmp_path, NASTAVNIK_ENV="production", SESSION_SECRET="change-me"))


def test_a_damaged_secret_file_is_reported_not_used(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE).write_text("")
    with pytest.raises(SettingsError, match="удалите его"):
        load_settings(_env(tmp_path))


def test_no_secret_is_written_in_the_source() -> None:
    source = (Path(__file__).parents[3] / "nastavnik" / "platform" / "settings.py").read_text()
    assert "DEV_SESSION_SECRET" not in source
    assert "change-me" not in source


def test_idle_timeout_defaults_to_two_hours(tmp_path: Path) -> None:
    assert load_settings(_env(tmp_path)).session_idle_seconds == 2 * 3600
    assert load_settings(_env(tmp_path, SESSION_IDLE_SECONDS="600")).session_idle_seconds == 600
