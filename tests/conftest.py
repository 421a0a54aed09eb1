"""Shared fixtures. Every test is offline by construction: any connection or
name lookup to something other than loopback fails the test."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.httpserver import LocalHTTPServer

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).strip("[]")
    if host in _LOOPBACK_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class OutsideNetworkError(AssertionError):
    """A test tried to reach an address other than loopback."""


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def _check(sock: socket.socket, address: object) -> None:
        inet = sock.family in (socket.AF_INET, socket.AF_INET6)
        if inet and isinstance(address, tuple) and not _is_loopback(address[0]):
            raise OutsideNetworkError(f"test tried to connect to {address[0]!r}")

    def connect(self: socket.socket, address: object) -> None:
        _check(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        _check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        if not _is_loopback(host):
            raise OutsideNetworkError(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


@pytest.fixture
async def http_server() -> AsyncIterator[LocalHTTPServer]:
    """A real HTTP server on 127.0.0.1; see tests/support/httpserver.py for routes and replies."""
    async with LocalHTTPServer() as server:
        yield server
