"""``paperbot chat`` on a real pseudo-terminal, and from a pipe: a typo, Ctrl-C during a poll,
Ctrl-D, ``quit``, end of input; arXiv unreachable. What is asserted is the screen."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.terminal import Terminal

REPO = Path(__file__).resolve().parent.parent.parent
#: What must never reach the screen, whatever moment the chat is left at.
NOISE = ("Traceback", "CancelledError", "Exception", "Error:")


def write_config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "paperbot.toml"
    path.write_text(
        f"""
[database]
path = "db.sqlite3"

[semantic_scholar]
api_url = ""

[arxiv]
categories = ["cs.AI"]
rss_url = "http://127.0.0.1:{port}/rss/"
api_url = "http://127.0.0.1:{port}/api/query"
min_interval_seconds = 0.0
retries = 0
timeout_seconds = 60
""",
        encoding="utf-8",
    )
    return path


def environment(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "LC_ALL": "C.UTF-8",
    }


@pytest.fixture
def silent_arxiv() -> Iterator[socket.socket]:
    """A port that takes connections and never answers: every poll hangs on it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(30)
    yield server
    server.close()


def chat(tmp_path: Path, port: int) -> Terminal:
    config = write_config(tmp_path, port)
    term = Terminal.spawn(
        ["--config", str(config), "chat"], env=environment(tmp_path), cwd=tmp_path
    )
    term.wait_for("paperbot>")
    return term


def assert_clean(screen: str) -> None:
    for noise in NOISE:
        assert noise not in screen, screen


def test_typo_then_ctrl_c_during_a_poll_exits_cleanly(
    tmp_path: Path, silent_arxiv: socket.socket
) -> None:
    term = chat(tmp_path, silent_arxiv.getsockname()[1])
    term.type("lsit")
    term.wait_for("Did you mean list?")
    poll, _ = silent_arxiv.accept()  # the first poll is waiting for arXiv now
    term.press("c")
    assert term.wait_exit() == 0
    poll.close()
    screen = term.text()
    assert_clean(screen)
    assert screen.splitlines()[-1] == "paperbot>"  # the prompt as it was, then the shell's
    assert term.screen.cursor.x == 0


def test_ctrl_d_during_a_poll_ends_on_a_fresh_line(
    tmp_path: Path, silent_arxiv: socket.socket
) -> None:
    term = chat(tmp_path, silent_arxiv.getsockname()[1])
    poll, _ = silent_arxiv.accept()
    term.type("/paper help")
    term.wait_for("ends the chat")
    term.press("d")
    assert term.wait_exit() == 0
    poll.close()
    assert_clean(term.text())
    assert term.screen.cursor.x == 0  # the shell's prompt starts its own line


@pytest.mark.parametrize("word", ["quit", "exit"])
def test_quit_and_exit_leave(tmp_path: Path, silent_arxiv: socket.socket, word: str) -> None:
    term = chat(tmp_path, silent_arxiv.getsockname()[1])
    term.type(word)
    assert term.wait_exit() == 0
    assert_clean(term.text())


def test_unreachable_arxiv_is_one_line_above_the_redrawn_prompt(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port where nothing listens: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    term = chat(tmp_path, port)
    screen = term.wait_for("paperbot demo")
    (line,) = [line for line in screen.splitlines() if "arXiv" in line and "unreachable" in line]
    assert "connection refused" in line and "`paperbot demo`" in line
    assert screen.splitlines()[-1] == "paperbot>"  # redrawn below the message
    term.type("status")
    term.wait_for("Deliveries: ")
    term.type("quit")
    assert term.wait_exit() == 0
    assert_clean(term.text())


def test_end_of_piped_input_during_a_poll_exits_cleanly(
    tmp_path: Path, silent_arxiv: socket.socket
) -> None:
    config = write_config(tmp_path, silent_arxiv.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "chat"],
        cwd=tmp_path,
        env={**environment(tmp_path), "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    proc.stdin.write(b"help\n")
    proc.stdin.flush()
    poll, _ = silent_arxiv.accept()
    out, err = proc.communicate(b"", timeout=30)  # end of input, the poll still waiting
    poll.close()
    assert proc.returncode == 0
    assert "ends the chat" in out.decode() and "paperbot>" not in out.decode()
    assert_clean(err.decode())
