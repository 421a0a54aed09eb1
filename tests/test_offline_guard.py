"""The autouse loopback guard in conftest.py really blocks the outside world.

These tests never send a packet: the guard raises before connect() or the
resolver runs.
"""

from __future__ import annotations

import socket

import pytest

from tests.conftest import OutsideNetworkError


def test_connect_to_outside_address_is_blocked() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(OutsideNetworkError),
    ):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: documentation range


def test_name_lookup_outside_is_blocked() -> None:
    with pytest.raises(OutsideNetworkError):
        socket.getaddrinfo("example.invalid", 80)


def test_loopback_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
