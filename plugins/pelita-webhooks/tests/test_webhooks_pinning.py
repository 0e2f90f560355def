"""Deliveries go only to public addresses, and to exactly the address that was checked.

The fake resolver (`dns`) answers for made-up names; `network` records every outgoing TCP
connection and lets only this machine through, except that the made-up public address PUBLIC is
answered by the local receiver: nothing ever leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.x509.oid import NameOID
from pelita_webhooks import addresses, delivery, store
from sqlalchemy import select

from lms.extensions import db
from lms.jobs import services as jobs
from lms.jobs.models import Job

PUBLIC = "93.184.216.34"  # public, so it passes the check; never actually contacted


@pytest.fixture
def dns(monkeypatch):
    """answers[name] = [first answer, second answer, ...] (the last one repeats)."""
    real = socket.getaddrinfo
    state = SimpleNamespace(answers={}, calls=[])

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 - socket's names
        if host not in state.answers:
            return real(host, port, family, type, proto, flags)
        state.calls.append(host)
        queue = state.answers[host]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0)) if ":" in a
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answer]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return state


@pytest.fixture
def network(monkeypatch, receiver):
    """Every TCP connection the code under test opens, as (address, port)."""
    real_connect = socket.socket.connect
    receiver_port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    state = SimpleNamespace(connected=[])

    def connect(sock, address):
        state.connected.append((address[0], address[1]))
        if address[0] == PUBLIC:  # "the internet": answered by the local receiver
            return real_connect(sock, ("127.0.0.1", receiver_port))
        if ipaddress.ip_address(address[0]).is_loopback:
            return real_connect(sock, address)
        raise OSError(f"test network: {address[0]} is not reachable from a test")

    monkeypatch.setattr(socket.socket, "connect", connect)
    return state


@pytest.fixture
def production(app):
    """Outside development: this machine is not an allowed destination."""
    app.config["WEBHOOKS_ALLOW_LOCAL_HTTP"] = False


def stored_endpoint(url: str) -> store.Endpoint:
    """An endpoint saved as it is (as under another configuration, or before a DNS change)."""
    store._store({"e1": {"url": url, "secret": "whsec_test", "events": [],
                         "description": "", "created_at": "2026-01-01T00:00:00+00:00"}})
    db.session.commit()
    return store.get_endpoint("e1")


def the_job() -> Job:
    db.session.expire_all()
    (job,) = db.session.scalars(select(Job).where(Job.kind == delivery.JOB_KIND))
    return job


# ----------------------------------------------------------------------------- addresses


@pytest.mark.parametrize("text, reason", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"),
    ("192.168.1.1", "private"), ("172.16.0.1", "private"), ("169.254.169.254", "link-local"),
    ("fe80::1", "link-local"), ("fd00::1", "unique-local"), ("fc00::1", "unique-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("0.0.0.0", "unspecified"),  # noqa: S104
    ("::", "unspecified"), ("240.0.0.1", "private"), ("100.64.0.1", "not public"),
    ("192.0.0.8", "not public"), ("fec0::1", "not public"),
    ("::ffff:127.0.0.1", "loopback (127.0.0.1 inside ::ffff:7f00:1)"),
    ("::127.0.0.1", "loopback (127.0.0.1 inside ::7f00:1)"),
    ("2002:7f00:1::1", "loopback (127.0.0.1 inside 2002:7f00:1::1)"),
    ("2002:a00:1::1", "private (10.0.0.1 inside 2002:a00:1::1)"),
    ("64:ff9b::7f00:1", "loopback (127.0.0.1 inside 64:ff9b::7f00:1)"),
    ("64:ff9b::a9fe:a9fe", "link-local (169.254.169.254 inside 64:ff9b::a9fe:a9fe)"),
    ("64:ff9b::5db8:d822", "reserved"),  # NAT64 at all: not on a server's path
    ("64:ff9b:1::1", "reserved"),
])
def test_non_public_addresses_are_refused_in_every_form(text, reason):
    assert addresses.why_refused(ipaddress.ip_address(text)) == reason


@pytest.mark.parametrize("text", [PUBLIC, "2606:4700::1111", "2002:5db8:d822::1", "8.8.8.8"])
def test_public_addresses_pass(text):
    assert addresses.why_refused(ipaddress.ip_address(text)) is None


@pytest.mark.parametrize("spelling", ["2130706433", "0x7f.1", "0x7f.0.0.1", "0177.0.0.1",
                                      "127.1", "[::ffff:127.0.0.1]", "017700000001"])
def test_numeric_spellings_are_read_as_the_resolver_reads_them(spelling):
    assert addresses.parse_literal(spelling) in (ipaddress.ip_address("127.0.0.1"),
                                                 ipaddress.ip_address("::ffff:127.0.0.1"))
    assert addresses.parse_literal("hooks.example.org") is None


@pytest.mark.parametrize("url", [
    "https://[::127.0.0.1]/h", "https://[2002:7f00:1::1]/h", "https://[64:ff9b::7f00:1]/h",
    "https://[fd00::1]/h", "https://[fe80::1]/h", "https://[ff02::1]/h", "https://192.0.0.8/h",
    "https://0x7f.1/h", "https://[::]/h",
])
def test_ipv4_inside_ipv6_and_other_internal_literals_are_refused_when_added(app, admin_user,
                                                                             url):
    app.config["WEBHOOKS_ALLOW_LOCAL_HTTP"] = False
    with pytest.raises(store.WebhookError, match="mesin ini atau jaringan lokalnya"):
        store.add_endpoint(admin_user, url, [])


# ----------------------------------------------------------------------------- delivery


@pytest.mark.parametrize("answer", [["127.0.0.1"], ["10.1.2.3"], ["169.254.169.254"],
                                    ["::ffff:127.0.0.1"], ["64:ff9b::7f00:1"], ["fd00::1"],
                                    [PUBLIC, "127.0.0.1"]])
def test_a_name_that_resolves_to_an_internal_address_is_refused_and_nothing_is_sent(
        app, production, dns, network, receiver, answer):
    """Before pinning, any host name was sent to whatever it resolved to, e.g. the
    installation's own admin pages or a cloud metadata service."""
    port = receiver.url.rsplit(":", 1)[1].split("/")[0]
    stored_endpoint(f"http://intranet.example:{port}/hook")
    dns.answers["intranet.example"] = [answer]
    delivery.forward("enrolled", {"user_id": 1})
    jobs.run_pending()
    job = the_job()
    assert job.status == "failed" and job.attempts == 1  # for good: not retried
    assert "refused: intranet.example resolves to" in job.last_error
    assert "webhooks go to public addresses only" in job.last_error
    assert network.connected == [] and receiver.requests == []


def test_dns_rebinding_between_check_and_connect_cannot_reach_this_machine(
        app, production, dns, network, receiver):
    """The name answers a public address when it is checked and 127.0.0.1 afterwards: the
    delivery goes to the checked address, resolved once, with the original Host header."""
    stored_endpoint("http://rebind.example:8443/hook?x=1")
    dns.answers["rebind.example"] = [[PUBLIC], ["127.0.0.1"]]
    delivery.forward("enrolled", {"user_id": 1})
    jobs.run_pending()
    assert the_job().status == "done"
    assert dns.calls == ["rebind.example"]  # resolved once
    assert network.connected == [(PUBLIC, 8443)]  # to the checked address, never 127.0.0.1
    (got,) = receiver.requests
    assert got.headers["Host"] == "rebind.example:8443" and got.path == "/hook?x=1"


def test_redirects_are_not_followed(app, production, dns, network, receiver):
    stored_endpoint("http://hooks.example.org/hook")
    dns.answers["hooks.example.org"] = [[PUBLIC]]
    receiver.statuses, receiver.location = [307], "http://127.0.0.1:5000/admin"
    delivery.forward("enrolled", {"user_id": 1})
    jobs.run_pending()
    job = the_job()
    assert job.status == "queued" and "HTTP 307" in job.last_error
    assert "redirects are not followed" in job.last_error
    assert network.connected == [(PUBLIC, 80)] and len(receiver.requests) == 1


# ----------------------------------------------------------------------------- https


def _certificate(tmp_path, name: str):
    """A CA and a server certificate for `name` signed by it: (CA PEM, cert file, key file)."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ca_key, key = generate_private_key(SECP256R1()), generate_private_key(SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Pelita test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now).not_valid_after(now + dt.timedelta(days=36500))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=36500))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "server.pem", tmp_path / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca.public_bytes(serialization.Encoding.PEM).decode(), cert_file, key_file


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An HTTPS receiver on 127.0.0.1 with a certificate for hooks.example.org (trusted by the
    delivery through a test CA); records the SNI name and the Host header of each request."""
    ca_pem, cert_file, key_file = _certificate(tmp_path, "hooks.example.org")
    state = SimpleNamespace(sni=[], hosts=[])
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_file, key_file)
    server_context.sni_callback = lambda sock, name, ctx: state.sni.append(name)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.hosts.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    monkeypatch.setattr(delivery, "tls_context",
                        lambda: ssl.create_default_context(cadata=ca_pem))
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_https_connects_to_the_pinned_address_but_verifies_the_host_name(app, dns,
                                                                         tls_receiver):
    """Loopback is allowed here (tests are a development setting): the point is that TLS
    speaks to 127.0.0.1 as hooks.example.org (SNI, certificate check) while the TCP connection
    goes to the address that was checked."""
    port = tls_receiver.port
    dns.answers["hooks.example.org"] = [["127.0.0.1"]]
    endpoint = stored_endpoint(f"https://hooks.example.org:{port}/hook")
    result = delivery.send_test(endpoint)
    assert result.status == 204
    assert tls_receiver.sni == ["hooks.example.org"]
    assert tls_receiver.hosts == [f"hooks.example.org:{port}"]

    # The same server under another name fails the certificate check: nothing is delivered.
    dns.answers["other.example.org"] = [["127.0.0.1"]]
    other = stored_endpoint(f"https://other.example.org:{port}/hook")
    with pytest.raises(delivery.DeliveryFailed, match="certificate"):
        delivery.send_test(other)
    assert tls_receiver.hosts == [f"hooks.example.org:{port}"]
