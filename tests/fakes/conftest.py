"""The fakes' fixtures, for the fakes' own tests."""

from tests.fakes.fixtures import fake_connector, fake_slack, openid_issuer

__all__ = ["fake_connector", "fake_slack", "openid_issuer"]
