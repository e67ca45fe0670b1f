"""Helpers shared by the test suite: real servers and clients to test the adapters against."""
