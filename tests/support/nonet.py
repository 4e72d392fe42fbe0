"""No network in tests, enforced: every connection the test process tries to make to a host
other than this machine (and every name lookup of one) fails at once, as it would offline,
and is recorded, so a test that would have reached a real service (arxiv.org, OpenAlex,
Semantic Scholar, Slack, Discord) fails instead of silently depending on it.

Subprocesses (``paperbot`` started by a test) are not covered; their configs point every
service at the local fake server or at a closed local port.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Callable
from typing import Any

#: Names that are this machine.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_local(host: object) -> bool:
    if not isinstance(host, str | bytes):
        return True
    name = host.decode() if isinstance(host, bytes) else host
    name = name.strip("[]").lower()
    if name in LOCAL_NAMES or name == "":
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


class Guard:
    """Installs the refusals; ``attempts`` lists the hosts a test tried to reach."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._saved: list[tuple[Any, str, Any]] = []

    def _patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        self._saved.append((owner, name, original))
        setattr(owner, name, make(original))

    def install(self) -> None:
        def lookup(original: Any) -> Any:
            def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
                if not is_local(host):
                    self.attempts.append(str(host))
                    raise socket.gaierror(socket.EAI_NONAME, f"tests are offline: {host}")
                return original(host, *args, **kwargs)

            return getaddrinfo

        def connector(original: Any) -> Any:
            def connect(sock: socket.socket, address: Any, *args: Any) -> Any:
                if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
                    self.attempts.append(str(address[0]))
                    raise OSError(errno.ENETUNREACH, f"tests are offline: {address[0]}")
                return original(sock, address, *args)

            return connect

        self._patch(socket, "getaddrinfo", lookup)
        self._patch(socket.socket, "connect", connector)
        self._patch(socket.socket, "connect_ex", connector)

    def uninstall(self) -> None:
        while self._saved:
            owner, name, original = self._saved.pop()
            setattr(owner, name, original)
