"""slack_sdk and bolt loggers get a level (they format debug lines whenever their own level
is unset), and an operator's logging configuration still decides what is logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from handlers.slack.web_client import leveled_logger


@pytest.fixture
def fresh_logger() -> Iterator[str]:
    name = "slack_sdk.tandem_test_only"
    parent = logging.getLogger("slack_sdk")
    before = parent.level
    yield name
    parent.setLevel(before)
    logging.getLogger(name).setLevel(logging.NOTSET)


def test_an_unset_level_takes_the_configured_one(fresh_logger: str) -> None:
    logging.getLogger("slack_sdk").setLevel(logging.INFO)
    logger = leveled_logger(fresh_logger)
    assert logger.level == logging.INFO
    assert not logger.level <= logging.DEBUG  # slack_sdk's own test before formatting


def test_debug_logging_asked_for_still_logs(
    fresh_logger: str, caplog: pytest.LogCaptureFixture
) -> None:
    logging.getLogger("slack_sdk").setLevel(logging.DEBUG)
    logger = leveled_logger(fresh_logger)
    with caplog.at_level(logging.DEBUG, logger=fresh_logger):
        logger.debug("Sending a request - url: POST chat.postMessage")
    assert "Sending a request" in caplog.text


def test_a_level_set_by_the_operator_is_kept(fresh_logger: str) -> None:
    logging.getLogger(fresh_logger).setLevel(logging.WARNING)
    logging.getLogger("slack_sdk").setLevel(logging.DEBUG)
    assert leveled_logger(fresh_logger).level == logging.WARNING
