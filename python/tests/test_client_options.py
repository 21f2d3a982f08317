"""Client options wired through the core's settings: `ca_bundle`, `proxy`, `connect_timeout`."""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator, List

import pytest

import cadenya
from conftest import Server


def _client(server: Server, **options: Any) -> cadenya.Cadenya:
    return cadenya.Cadenya(api_key=server.api_key, base_url=server.base_url, workspace_id=server.workspace_id, **options)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def proxy() -> Iterator[List[str]]:
    """A forwarding HTTP proxy on localhost; yields the list of URLs it forwarded, then its URL."""
    seen: List[str] = []

    class Forward(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            seen.append(self.path)  # absolute form: http://host:port/path
            url = urllib.parse.urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            conn = http.client.HTTPConnection(url.netloc, timeout=10)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
            conn.request(self.command, url.path + (f"?{url.query}" if url.query else ""), body or None, headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _forward

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    seen.append(f"http://127.0.0.1:{httpd.server_address[1]}")
    try:
        yield seen
    finally:
        httpd.shutdown()


def test_the_proxy_option_routes_calls_through_the_proxy(server: Server, proxy: List[str]) -> None:
    url = proxy.pop(0)
    with _client(server, proxy=url) as c:
        assert c.account.retrieve().metadata.id
    assert proxy and all(p.startswith(server.base_url) for p in proxy)
    assert any("/account" in p for p in proxy)


def test_a_proxy_nobody_listens_on_is_a_connection_error(server: Server) -> None:
    with _client(server, proxy=f"http://127.0.0.1:{_free_port()}", max_retries=0) as c:
        with pytest.raises(cadenya.APIConnectionError):
            c.account.retrieve()


def test_a_bad_proxy_url_is_a_configuration_error(server: Server) -> None:
    with pytest.raises(cadenya.ConfigurationError):
        _client(server, proxy="not a url")


def test_ca_bundle_as_a_path_or_pem_bytes(server: Server, tmp_path: Path) -> None:
    with pytest.raises(cadenya.ConfigurationError) as e:
        _client(server, ca_bundle=str(tmp_path / "missing.pem"))
    assert "missing.pem" in str(e.value) or "CA" in str(e.value)
    with pytest.raises(cadenya.ConfigurationError):
        _client(server, ca_bundle=b"\xff\xfe not pem")
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
    with pytest.raises(cadenya.ConfigurationError):
        _client(server, ca_bundle=bad)


def test_connect_timeout_is_accepted_and_validated(server: Server) -> None:
    with _client(server, connect_timeout=2.5) as c:
        assert c.account.retrieve().metadata.id
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(cadenya.ConfigurationError):
            _client(server, connect_timeout=bad)


def test_with_options_keeps_the_new_options(server: Server, proxy: List[str]) -> None:
    url = proxy.pop(0)
    with _client(server, connect_timeout=2.0) as c:
        via_proxy = c.with_options(proxy=url)
        via_proxy.account.retrieve()
        assert proxy
        via_proxy.close()
