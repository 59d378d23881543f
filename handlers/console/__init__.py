"""The local web console: a chat page at ``/console`` for trying Tandem without Slack or Teams.

Loopback binds only: anyone who can open the page may act as anyone.
"""

from handlers.console.config import ConsoleConfig
from handlers.console.routes import ConsoleChannel, mount

__all__ = ["ConsoleChannel", "ConsoleConfig", "mount"]
