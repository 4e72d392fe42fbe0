"""``paperbot demo``: the whole bot offline on the shipped listings, exit 0 at end of input."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.demo import EXAMPLES

REPO = Path(__file__).resolve().parent.parent.parent
ALERT = "── new paper in console ──"
#: What a bot subscribed to the examples would have posted on the shipped days, in order.
ALERTED = [
    "UP-NRPA: User Portrait based Nested Rollout Policy Adaptation",
    "FedSPC: Shared Parameter Correction for Personalized Federated Learning",
    "Phishing Email Detection Using Large Language Models",
    "Honeypot Protocol",
    "SkillChain-Gym: A Benchmark for Reskilling-Aware Production-Inventory Control",
    "Skill-Constrained Model Predictive Control for Resilient Manufacturing Supply Chains",
    # `federated` matches its inflections since topics are stemmed ("federation" here).
    "CMIP-Forge: An Agentic System that Retrieves, Computes, and Self-Reviews Climate Science",
    "Loss Landscape Poisoning: Targeted Extraction of Unseen Training Data from LLMs",
]


def no_network() -> list[str]:
    """``unshare -n`` (a network namespace with no network, loopback down) where it works."""
    if shutil.which("unshare") is None:
        return []
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return ["unshare", "-n"] if probe.returncode == 0 else []


def run_demo(tmp_path: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "LC_ALL": "C.UTF-8",
    }
    argv = [*no_network(), sys.executable, "-m", "bot", "demo"]
    kwargs: dict[str, object] = (
        {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    )
    proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, timeout=60, **kwargs)  # type: ignore[call-overload]
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode()
    )


def assert_alerts(out: str) -> None:
    assert out.count(ALERT) == len(ALERTED)
    positions = [out.index(title) for title in ALERTED]
    assert positions == sorted(positions)


def test_demo_with_stdin_at_end_prints_the_alerts_and_exits_0_without_network(
    tmp_path: Path,
) -> None:
    done = run_demo(tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert_alerts(done.stdout)
    for kind, value in EXAMPLES:
        assert f"{kind}: {value}" in done.stdout
    assert "matched author: Sanoja, Carlos Eduardo" in done.stdout
    assert "matched topic: federated" in done.stdout
    # Babuschkin: no alert, but the GPT-4 report by look-up, and why.
    assert "matched author: Babuschkin" not in done.stdout
    assert "paperbot> lookup 2303.08774\nFound (store)\nGPT-4 Technical Report" in done.stdout
    assert "why no alert for #1 author: Babuschkin, Igor" in done.stdout
    assert "only replaced" in done.stdout
    assert not (tmp_path / "home").exists() and not (tmp_path / "xdg-data").exists()


def test_demo_chat_answers_from_the_shipped_papers(tmp_path: Path) -> None:
    done = run_demo(tmp_path, b"federated learning\nlist\nlsit\nquit\n")
    assert (done.returncode, done.stderr) == (0, "")
    chat = done.stdout.partition("Ctrl-D leaves.")[2]
    assert "Found (store)" in chat and "FedSPC" in chat  # a title look-up, offline
    assert '#5 topic: "offline reinforcement learning"' in chat
    assert "Did you mean list?" in chat


def test_demo_ignores_the_users_config_and_store(tmp_path: Path) -> None:
    (tmp_path / "paperbot.toml").write_text("[arxiv]\ncolour = 'blue'\n", encoding="utf-8")
    done = run_demo(tmp_path)
    assert done.returncode == 0 and "config error" not in done.stderr
    assert_alerts(done.stdout)


@pytest.fixture
def restore_log_levels() -> Iterator[None]:
    loggers = [logging.getLogger(n) for n in ("paperbot.fetch", "aiosqlite", "asyncio")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_demo_opens_no_network_socket(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_log_levels: None,
) -> None:
    """In process, every way out to the network is watched: none is taken."""
    tried: list[str] = []

    def refuse(what: str):  # type: ignore[no-untyped-def]
        def call(*args: object, **kwargs: object) -> None:
            tried.append(what)
            raise OSError(f"the demo must not use {what}")

        return call

    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect_ex"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    with open(os.devnull, encoding="utf-8") as devnull:
        monkeypatch.setattr(sys, "stdin", devnull)
        assert main(["demo"]) == 0
    assert tried == []
    assert_alerts(capsys.readouterr().out)
