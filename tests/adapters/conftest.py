"""Fixtures for the adapter tests: the fake Discord and the real Synapse (started lazily, once per session)."""

from tests.fakes.discord_server import fake_discord  # noqa: F401
from tests.support.matrix_nio import matrix_client  # noqa: F401
from tests.support.synapse import matrix_user, synapse  # noqa: F401
