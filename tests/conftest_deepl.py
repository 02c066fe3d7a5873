"""pytest plugin: a local DeepL API (see deepl_server.py) for the real client.

``deepl_server`` starts the server and points ``DEEPL_SERVER_URL`` and
``DEEPL_AUTH_KEY`` at it for the duration of the test.
"""

from __future__ import annotations

import pytest

from deepl_server import DeepLServer

TEST_KEY = "0f1e2d3c-test-secret-key:fx"


@pytest.fixture
def deepl_server(monkeypatch):
    with DeepLServer(auth_key=TEST_KEY, hang_seconds=10.0) as server:
        monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
        monkeypatch.setenv("DEEPL_AUTH_KEY", TEST_KEY)
        yield server
