"""Where a webhook may be sent: public unicast addresses only, in every spelling (pure).

`why_refused(ip)` names what a non-public address is ("loopback", "private", ...). IPv6 forms
that carry an IPv4 address inside them are judged by that IPv4 address too: IPv4-mapped
(`::ffff:127.0.0.1`), IPv4-compatible (`::127.0.0.1`), 6to4 (`2002:7f00:1::`), Teredo and NAT64
(`64:ff9b::7f00:1`). Python 3.11's `ipaddress` calls some of these "global", so the checks do
not rely on `is_global` alone. Spellings such as `2130706433`, `0x7f.1` or `0177.0.0.1` are
numbers the resolver turns into an address: `parse_literal` reads them the same way, and
delivery judges the address the resolver returned, never the text of the URL.
"""

from __future__ import annotations

import ipaddress
import re
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
# Blocks that are not public but that Python 3.11 reports as global.
_ALSO_REFUSED = tuple(ipaddress.ip_network(n) for n in (
    "192.0.0.0/24",   # IETF protocol assignments
    "fec0::/10",      # deprecated site-local
    "100::/64",       # discard-only
    "2001:db8::/32",  # documentation
))
_NUMERIC = re.compile(r"[0-9a-fA-FxX.]+")


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, Teredo client,
    NAT64), or None."""
    if ip.version == 4:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64[0] or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def why_refused(ip: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """None for a public unicast address; else what it is. `allow_loopback` lets this machine
    through (development and tests: the plugin's `WEBHOOKS_ALLOW_LOCAL_HTTP`)."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        reason = why_refused(inner, allow_loopback=allow_loopback)
        if reason is not None:
            return f"{reason} ({inner} inside {ip})"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.version == 6 and ip in _UNIQUE_LOCAL:
        return "unique-local"
    if ip.is_private:
        return "private"
    if ip.is_reserved or any(ip in net for net in _NAT64) or (
            ip.version == 6 and ip in _IPV4_COMPATIBLE):
        return "reserved"
    if not ip.is_global or any(ip in net for net in _ALSO_REFUSED):
        return "not public"
    return None


def parse_literal(host: str) -> IPAddress | None:
    """The address a URL's host names literally, in any spelling the resolver accepts
    (`127.1`, `2130706433`, `0x7f.0.0.1`, `[::ffff:127.0.0.1]`), or None for a name."""
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if not _NUMERIC.fullmatch(text):
        return None
    try:
        return ipaddress.ip_address(socket.inet_aton(text))
    except OSError:
        return None
