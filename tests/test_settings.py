"""Settings: every one documented, every number checked before anything is served, and the
serve options that set them."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from almaty_map.app import create_app
from almaty_map.cli import main as cli
from almaty_map.web.settings import SETTINGS, SettingError

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_the_readme_lists_every_setting_with_its_default():
    rows = dict(re.findall(r"^\| `ALMATY_MAP_(\w+)` \| ([^|]+) \|", README, re.M))
    assert set(rows) == {s.name for s in SETTINGS}
    for setting in SETTINGS:
        if isinstance(setting.default, int | float) and not isinstance(setting.default, bool):
            assert rows[setting.name].strip() == f"{setting.default:g}", setting.name


@pytest.mark.parametrize(
    ("env", "named"),
    [
        (
            {"ALMATY_MAP_HEAVY_SLOTS": "many"},
            "ALMATY_MAP_HEAVY_SLOTS: expected an integer of at least 1, found 'many'",
        ),
        (
            {"ALMATY_MAP_HEAVY_WAIT": "-1"},
            "ALMATY_MAP_HEAVY_WAIT: expected a number of at least 0, found -1",
        ),
        ({"ALMATY_MAP_PROXIES": "1.5"}, "ALMATY_MAP_PROXIES: expected an integer"),
        ({"ALMATY_MAP_WATCH": "perhaps"}, "ALMATY_MAP_WATCH: expected true or false"),
        (
            {
                "ALMATY_MAP_THREADS": "4",
                "ALMATY_MAP_HEAVY_SLOTS": "3",
                "ALMATY_MAP_HEAVY_QUEUE": "1",
            },
            "expected fewer than ALMATY_MAP_THREADS (4), so that quick requests always find a "
            "thread, found 3 + 1",
        ),
    ],
)
def test_a_wrong_setting_is_named_with_what_was_expected(monkeypatch, env, named):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingError) as error:
        create_app({"TESTING": True})
    assert named in str(error.value)
    with socket.socket() as busy:  # should serve start after all, it stops at once
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = CliRunner().invoke(cli, ["serve", "--port", port])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {error.value}"]


def test_environment_numbers_become_numbers(monkeypatch):
    monkeypatch.setenv("ALMATY_MAP_HEAVY_WAIT", "2.5")
    monkeypatch.setenv("ALMATY_MAP_CONNECTION_LIMIT", "300")
    app = create_app({"TESTING": True})
    assert app.config["HEAVY_WAIT"] == 2.5 and app.config["CONNECTION_LIMIT"] == 300


def test_serve_offers_the_server_settings():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    for option in (
        "--threads",
        "--connection-limit",
        "--channel-timeout",
        "--public-url",
        "--proxies",
    ):
        assert option in result.output
    bad = CliRunner().invoke(cli, ["serve", "--public-url", "map.example.org"])
    assert bad.exit_code == 1 and "ALMATY_MAP_PUBLIC_URL: expected an http(s) address" in bad.output
