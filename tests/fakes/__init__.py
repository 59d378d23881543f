"""Fakes of Slack, the Bot Framework connector and its token issuer, run on 127.0.0.1.

The real SDKs (slack_sdk, slack_bolt, botbuilder) make real HTTP calls to these servers;
each fake checks every call against the official spec vendored in ``tests/specs`` and
collects what fails in ``violations`` so a test can assert it is empty.
"""
