"""Loopback addresses: what only this machine can reach.

The local console (it lets anyone act as anyone) and an unauthenticated Teams endpoint (the
Bot Framework Emulator) are served on loopback binds only.
"""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
