"""Slack channel: slack-bolt behind a guarding middleware, Block Kit rendering, delivery."""
