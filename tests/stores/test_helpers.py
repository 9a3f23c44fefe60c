"""The test suite's own redis-server helper: it waits for the server and survives a port taken under it."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.stores.helpers import RedisServer


def test_redis_server_moves_to_another_port_when_its_port_is_taken(redis_binary: str, tmp_path: Path) -> None:
    """A port bound by someone else between the pick and the start makes the first start use another port."""
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        server = RedisServer(redis_binary, tmp_path)
        server.port = taken
        server.start()
        try:
            assert server.port != taken
            assert server.answers()
        finally:
            server.stop()


def test_a_restarted_redis_server_keeps_its_port(redis_binary: str, tmp_path: Path) -> None:
    """Stopping and starting again keeps the port, so clients holding the URL reconnect."""
    server = RedisServer(redis_binary, tmp_path)
    server.start()
    port = server.port
    server.stop()
    assert not server.answers()
    server.start()
    try:
        assert (server.port, server.answers()) == (port, True)
    finally:
        server.stop()
