"""Fixtures for the plugin tests: the Extism test plugins, a local HTTP server.

The prebuilt Extism plugins are read from ``../shared/testsuite/extism`` beside the
checkout, or from ``$ZEROWASM_EXTISM_DIR``; tests that need them are skipped with a
clear message when neither exists.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
from typing import Any, Dict, Iterator

import pytest

import zerowasm.plugin as extism

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXTISM_DIR = os.environ.get("ZEROWASM_EXTISM_DIR") or os.path.join(
    REPO, "..", "shared", "testsuite", "extism")


def extism_dir() -> str:
    if not os.path.isdir(os.path.join(EXTISM_DIR, "plugins")):
        pytest.skip("Extism test plugins not found at %s (set ZEROWASM_EXTISM_DIR to the "
                    "directory holding plugins/ and PLUGINS.md)" % EXTISM_DIR)
    return EXTISM_DIR


def plugin_path(name: str) -> str:
    path = os.path.join(extism_dir(), "plugins", name)
    if not os.path.exists(path):
        pytest.skip("Extism test plugin %s not found in %s" % (name, extism_dir()))
    return path


@pytest.fixture
def wasm() -> Any:
    """``wasm("hello.wasm")`` -> path of a test plugin (skips if absent)."""
    return plugin_path


@pytest.fixture
def fixture_dir(tmp_path: Any) -> str:
    """A temporary copy of the suite's ``fixtures/`` (test.txt = b'hello world!')."""
    source = os.path.join(extism_dir(), "fixtures")
    target = tmp_path / "fixtures"
    shutil.copytree(source, str(target))
    return str(target)


@pytest.fixture(autouse=True)
def _no_default_host_functions() -> Iterator[None]:
    """Each test starts with an empty ``@host_fn`` registry (the SDK's default list)."""
    saved = list(extism.HOST_FN_REGISTRY)
    del extism.HOST_FN_REGISTRY[:]
    yield
    extism.HOST_FN_REGISTRY[:] = saved


class _Handler(http.server.BaseHTTPRequestHandler):
    page = b"<html><body>local test page</body></html>"

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str,
              extra: Dict[str, str] = {}) -> None:  # noqa: B006 - read only
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Corpus", "yes")
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.startswith("/redirect"):
            target = self.path.split("to=", 1)[1]
            self._send(302, b"", "text/plain", {"Location": target})
        elif self.path.startswith("/missing"):
            self._send(404, b"not here", "text/plain")
        elif self.path.startswith("/headers"):
            echo = {k.lower(): v for k, v in self.headers.items()}
            self._send(200, json.dumps(echo).encode(), "application/json")
        elif self.path.startswith("/slow"):
            import time
            time.sleep(2)
            self._send(200, b"late", "text/plain")
        else:
            self._send(200, self.page, "text/html; charset=utf-8")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length).decode("utf-8", "replace")
        body = json.dumps({"data": data, "method": "POST"}).encode()
        self._send(200, body, "application/json")


@pytest.fixture(scope="session")
def http_server() -> Iterator[str]:
    """A local HTTP server on 127.0.0.1; yields its base URL (``http://127.0.0.1:PORT``)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
