"""Fixtures for the X channel: the fake X API (one per test session, clean
for each test) and X backends pointed at it."""

from collections.abc import Callable

import pytest

from publishers.backends.social.x import XBackend
from tests.fakes.x_server import XServer

# Short enough that timeout tests stay quick, long enough for a loaded CI.
TEST_TIMEOUT = (2.0, 1.0)


def x_options(server: XServer, **changes: object) -> dict[str, object]:
    credentials = server.credentials
    return {
        "CONSUMER_KEY": credentials.consumer_key,
        "CONSUMER_SECRET": credentials.consumer_secret,
        "ACCESS_TOKEN": credentials.access_token,
        "ACCESS_TOKEN_SECRET": credentials.access_token_secret,
        "API_URL": server.url,
        "TIMEOUT_SECONDS": TEST_TIMEOUT,
        **changes,
    }


@pytest.fixture(scope="session")
def x_server_running():
    with XServer() as server:
        yield server


@pytest.fixture
def x_server(x_server_running):
    x_server_running.reset()
    yield x_server_running
    x_server_running.reset()


@pytest.fixture
def make_x_backend(x_server) -> Callable[..., XBackend]:
    """``make_x_backend(CONSUMER_SECRET="wrong")``: a backend on the fake."""

    def make(**changes: object) -> XBackend:
        return XBackend(x_options(x_server, **changes), alias="x")

    return make


@pytest.fixture
def x_backend(make_x_backend) -> XBackend:
    return make_x_backend()
