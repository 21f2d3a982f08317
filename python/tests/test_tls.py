"""TLS trust and proxies over real sockets: an HTTPS front (its certificate from a test CA made
here with the openssl command, as node/test/tls.test.mjs does) relaying to the local server, and
a local CONNECT proxy that records the tunnels it opens."""

from __future__ import annotations

import os
import select
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import cadenya
from conftest import Server, agent_params


def _make_ca(d: Path) -> None:
    """ca.pem (a test CA) and leaf.pem / leaf.key (a certificate for 127.0.0.1 it signed) in `d`."""

    def ssl_cmd(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ssl_cmd("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Cadenya test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ssl_cmd("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=127.0.0.1")
    (d / "leaf.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
    )
    ssl_cmd("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext")


def _relay(a: socket.socket, b: socket.socket) -> None:
    """Copies bytes both ways on one thread (an SSL socket must not be read and written from two)
    until either side closes."""
    try:
        while True:
            readable, _, _ = select.select([a, b], [], [], 30)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                while isinstance(s, ssl.SSLSocket) and s.pending():
                    data += s.recv(s.pending())
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except (OSError, ssl.SSLError):
        return
    finally:
        a.close()
        b.close()


def _serve(handler: Any) -> socketserver.ThreadingTCPServer:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            handler(self.request)

    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class Tls:
    def __init__(self, server: Server, d: Path) -> None:
        self.server, self.dir = server, d
        self.ca = d / "ca.pem"
        self.tunnels: List[str] = []
        up = urllib.parse.urlsplit(server.base_url)
        upstream = (up.hostname or "127.0.0.1", int(up.port or 80))
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(d / "leaf.pem", d / "leaf.key")

        def front(sock: socket.socket) -> None:
            try:
                tls = ctx.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError):
                return  # a client that refused our certificate
            _relay(tls, socket.create_connection(upstream))

        def proxy(sock: socket.socket) -> None:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target = head.split(b" ")[:2]
            if method != b"CONNECT":
                sock.sendall(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
                return
            self.tunnels.append(target.decode())
            host, port = target.decode().rsplit(":", 1)
            up = socket.create_connection((host, int(port)))
            sock.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            _relay(sock, up)

        self.front = _serve(front)
        self.proxy = _serve(proxy)
        self.https_url = f"https://127.0.0.1:{self.front.server_address[1]}"
        self.proxy_url = f"http://127.0.0.1:{self.proxy.server_address[1]}"

    def client(self, **options: Any) -> cadenya.Cadenya:
        s = self.server
        return cadenya.Cadenya(api_key=s.api_key, base_url=self.https_url, workspace_id=s.workspace_id, max_retries=0, **options)


@pytest.fixture(scope="module")
def tls(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tls]:
    d = tmp_path_factory.mktemp("tls")
    _make_ca(d)
    t = Tls(server, d)
    yield t
    for srv in (t.front, t.proxy):
        srv.shutdown()
        srv.server_close()


def test_without_the_test_ca_the_call_fails_with_a_connection_error_that_says_why(tls: Tls) -> None:
    with pytest.raises(cadenya.APIConnectionError) as e:
        tls.client().account.retrieve()
    message = str(e.value)
    assert "certificate" in message.lower() or "UnknownIssuer" in message, message
    assert "ca_bundle" in message or "SSL_CERT_FILE" in message, message
    assert e.value.attempts == 1  # a certificate error is not retried


def test_the_ca_bundle_option_as_a_path_or_pem_bytes_makes_the_certificate_trusted(tls: Tls) -> None:
    for ca_bundle in (tls.ca, str(tls.ca), tls.ca.read_bytes()):
        c = tls.client(ca_bundle=ca_bundle)
        agent = c.agents.create(**agent_params("over-tls"))
        assert c.agents.retrieve(agent.metadata.id).metadata.name == agent.metadata.name
    with pytest.raises(cadenya.ConfigurationError):
        tls.client(ca_bundle=tls.dir / "missing.pem")


def test_ssl_cert_file_makes_the_certificate_trusted(tls: Tls) -> None:
    # The variable is read when the client is made: a child process, its environment set first.
    script = (
        "import cadenya, os\n"
        "c = cadenya.Cadenya(max_retries=0)\n"
        "print(c.account.retrieve().metadata.id)\n"
    )
    env: Dict[str, str] = {k: v for k, v in os.environ.items() if not k.startswith("CADENYA_") and "PROXY" not in k.upper()}
    env.update(
        CADENYA_API_KEY=tls.server.api_key,
        CADENYA_BASE_URL=tls.https_url,
        CADENYA_WORKSPACE_ID=tls.server.workspace_id,
    )
    # Run outside the source tree, so the child imports the installed package.
    run = {"env": env, "cwd": tls.dir, "capture_output": True, "text": True, "timeout": 60}
    without = subprocess.run([sys.executable, "-c", script], **run)  # type: ignore[call-overload]
    assert without.returncode != 0 and "APIConnectionError" in without.stderr, without.stderr
    env["SSL_CERT_FILE"] = str(tls.ca)
    done = subprocess.run([sys.executable, "-c", script], **run)  # type: ignore[call-overload]
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_the_proxy_option_sends_the_traffic_through_a_connect_proxy(tls: Tls) -> None:
    tls.tunnels.clear()
    c = tls.client(ca_bundle=tls.ca, proxy=tls.proxy_url, connect_timeout=5)
    agent = c.agents.create(**agent_params("proxied"))
    assert c.agents.retrieve(agent.metadata.id).metadata.name == agent.metadata.name
    front = f"127.0.0.1:{tls.front.server_address[1]}"
    assert tls.tunnels and all(t == front for t in tls.tunnels), tls.tunnels
    # Without the option the same client settings reach the front directly: no tunnel.
    tls.tunnels.clear()
    tls.client(ca_bundle=tls.ca).account.retrieve()
    assert tls.tunnels == []
