"""Which addresses Tsunagu may connect to, and the allow-list that overrides it.

``ipaddress``'s ``is_global`` is the starting point, but in Python 3.13 it
calls multicast (224.0.0.0/4, ff00::/8), IPv6 site-local (fec0::/10), the
NAT64 prefix 64:ff9b::/96 and IPv4-compatible ::a.b.c.d "global", and it does
not know 3fff::/20 (documentation, RFC 9637). So the named categories are
checked first from our own tables, IPv6 forms that carry an IPv4 address are
judged by that IPv4 address, and IPv6 must also be in 2000::/3, the only block
IANA hands out as global unicast.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: ``resolver(host, port)`` returns the IP addresses (as strings) to try, in
#: order. It is called exactly once per request hop; the connection then goes
#: to one of the addresses it returned, never to a second lookup.
Resolver = Callable[[str, int], Sequence[str]]


def _nets(*cidrs: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


# Order matters only for the wording: the first match names the category.
_IPV4_CATEGORIES = (
    ("unspecified", _nets("0.0.0.0/8")),
    ("loopback", _nets("127.0.0.0/8")),
    ("link-local", _nets("169.254.0.0/16")),
    ("private", _nets("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")),
    ("shared", _nets("100.64.0.0/10")),
    ("documentation", _nets("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")),
    ("benchmarking", _nets("198.18.0.0/15")),
    ("multicast", _nets("224.0.0.0/4")),
    # IETF protocol assignments, the retired 6to4 relay anycast, class E and
    # broadcast: nothing a government website lives on.
    ("reserved", _nets("192.0.0.0/24", "192.88.99.0/24", "240.0.0.0/4")),
)
_IPV6_CATEGORIES = (
    ("unspecified", _nets("::/128")),
    ("loopback", _nets("::1/128")),
    ("link-local", _nets("fe80::/10")),
    ("private", _nets("fc00::/7", "fec0::/10")),  # unique-local, site-local
    ("documentation", _nets("2001:db8::/32", "3fff::/20")),
    ("benchmarking", _nets("2001:2::/48")),
    ("multicast", _nets("ff00::/8")),
)
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # SIIT, RFC 2765
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated by RFC 4291


@dataclass(frozen=True)
class Verdict:
    """Why an address is refused; ``inner`` is the IPv4 address an IPv6 form
    carried, when that is what was refused."""

    category: str
    inner: ipaddress.IPv4Address | None = None


def _embedded_ipv4(
    address: ipaddress.IPv6Address,
) -> tuple[str, ipaddress.IPv4Address] | None:
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        return "mapped", address.ipv4_mapped
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address in _NAT64:
        return "nat64", low32
    if address in _IPV4_TRANSLATED:
        return "translated", low32
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # not :: or ::1
        return "compatible", low32
    return None


def _classify_ipv4(address: ipaddress.IPv4Address) -> str | None:
    for category, networks in _IPV4_CATEGORIES:
        if any(address in network for network in networks):
            return category
    if not address.is_global or address.is_multicast or address.is_reserved:
        return "reserved"
    return None


def address_verdict(address: IPAddress) -> Verdict | None:
    """None when Tsunagu may connect to ``address``; else why not."""
    if isinstance(address, ipaddress.IPv4Address):
        category = _classify_ipv4(address)
        return Verdict(category) if category else None
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        form, inner = embedded
        category = _classify_ipv4(inner)
        if category:
            return Verdict(category, inner)
        # Mapped, 6to4 and NAT64 forms of a public IPv4 address are how
        # dual-stack and DNS64 networks reach it; the other two are obsolete
        # and routed nowhere.
        return None if form in ("mapped", "6to4", "nat64") else Verdict("reserved")
    for category, networks in _IPV6_CATEGORIES:
        if any(address in network for network in networks):
            return Verdict(category)
    if address not in _GLOBAL_UNICAST or not address.is_global:
        return Verdict("reserved")
    return None


def parse_ip(text: str) -> IPAddress | None:
    """An IP address written in any form the C library understands.

    ``inet_aton`` accepts the old shorthands (``127.1``, ``0x7f.1``,
    ``2130706433``, octal ``017700000001``); parsing them here means they are
    judged as the addresses they are whatever resolver is plugged in.
    """
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except (OSError, ValueError):
        return None


def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's lookup (hosts file, DNS), addresses in the order
    it prefers them (RFC 6724)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def normalise_host(host: str) -> str:
    """Lower-case ASCII (IDNA) form without a trailing dot, as compared with
    the allow-list."""
    return host.lower().rstrip(".")


@dataclass(frozen=True)
class AllowList:
    """Exact ``host:port`` pairs that may be reached although their address
    is refused by default: the tests' and the offline demo's own servers.

    An entry whose host is an IP address matches that checked address and
    port; an entry with a host name matches URLs naming that host and port
    (whatever it resolves to: the operator vouched for the name). There are no
    wildcards and no ranges on purpose: a benchmark on 127.0.0.2 … 127.0.0.9
    lists each pair.
    """

    addresses: frozenset[tuple[IPAddress, int]] = frozenset()
    names: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """Raises ValueError naming the first entry that is not host:port."""
        addresses: set[tuple[IPAddress, int]] = set()
        names: set[tuple[str, int]] = set()
        for entry in entries:
            host, port = _split_entry(entry)
            try:
                addresses.add((ipaddress.ip_address(host), port))
            except ValueError:
                names.add((host, port))
        return cls(addresses=frozenset(addresses), names=frozenset(names))

    def allows_name(self, host: str, port: int) -> bool:
        return (normalise_host(host), port) in self.names

    def allows_address(self, address: IPAddress, port: int) -> bool:
        return (address, port) in self.addresses


def _split_entry(entry: str) -> tuple[str, int]:
    text = str(entry).strip()
    problem = f"allow-list entry {entry!r} is not an exact host:port pair"
    if not text or any(char in text for char in "*/?#@ "):
        raise ValueError(problem)
    try:
        parts = urlsplit(f"//{text}")
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise ValueError(problem) from exc
    if not host or port is None or not 0 < port < 65536:
        raise ValueError(problem)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            host = httpx.URL(f"http://{host}/").raw_host.decode("ascii")
        except httpx.InvalidURL as exc:
            raise ValueError(problem) from exc
    return normalise_host(host), port
