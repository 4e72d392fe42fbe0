"""The suite's own offline guard (tests/support/nonet.py): a real host is never reached."""

from __future__ import annotations

import socket

import pytest
from support.nonet import Guard


def test_a_real_host_is_neither_looked_up_nor_connected_to(no_network: Guard) -> None:
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("export.arxiv.org", 443)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(OSError):
        s.connect(("93.184.215.14", 443))
    assert no_network.attempts == ["export.arxiv.org", "93.184.215.14"]
    no_network.attempts.clear()  # seen: this test's attempts were the point


def test_this_machine_stays_reachable(no_network: Guard) -> None:
    assert socket.getaddrinfo("127.0.0.1", 80) and socket.getaddrinfo("localhost", 80)
    assert no_network.attempts == []
