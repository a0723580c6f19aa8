"""End-to-end encrypted sync with an Aris sync server: clock, crypto, HTTP client, secrets and the engine."""
