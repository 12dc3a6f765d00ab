"""Flow commands run their flows without Prefect's flow heartbeats unless the operator set their
interval (sbsk.runtime.without_heartbeats): the heartbeat thread's one-second sleep was waited out
at the end of every flow run, 0.97 s of a 5 s `sbsk run` against a running server."""

from __future__ import annotations

import argparse

import pytest

from sbsk import cli, runtime, temp_server


def _frequency():
    from prefect.settings import get_current_settings

    return get_current_settings().flows.heartbeat_frequency


@pytest.fixture
def no_interval_set(monkeypatch):
    for name in runtime.HEARTBEAT_SETTINGS:
        monkeypatch.delenv(name, raising=False)


def test_a_command_runs_its_flows_without_heartbeats(no_interval_set):
    before = _frequency()
    assert before == 180  # Prefect's default: every 180 s, a thread per flow run
    with runtime.without_heartbeats():
        assert _frequency() is None
    assert _frequency() == before  # the process's settings are as they were


@pytest.mark.parametrize("name", runtime.HEARTBEAT_SETTINGS)
def test_an_interval_the_operator_set_is_kept(no_interval_set, monkeypatch, name):
    monkeypatch.setenv(name, "60")  # read by Prefect at import; here only whether it was set counts
    before = _frequency()
    with runtime.without_heartbeats():
        assert _frequency() == before is not None


def _seen_by(command: str, monkeypatch, tmp_path) -> list:
    seen = []
    monkeypatch.setattr(runtime, "configure_prefect", lambda out_dir=None: None)
    monkeypatch.setattr(temp_server, "start", lambda: None)
    monkeypatch.setattr(temp_server, "stop", lambda: None)
    monkeypatch.setitem(cli.COMMANDS, command, lambda args: seen.append(_frequency()) or 0)
    assert cli._command(argparse.Namespace(command=command, out_dir=tmp_path), []) == 0
    return seen


def test_the_flow_commands_and_only_they_go_without(no_interval_set, monkeypatch, tmp_path):
    for command in sorted(cli.FLOW_COMMANDS):
        assert _seen_by(command, monkeypatch, tmp_path) == [None], command
    # sbsk serve's runs keep Prefect's heartbeats: nobody watches a scheduled run
    assert _seen_by("serve", monkeypatch, tmp_path) == [180]
