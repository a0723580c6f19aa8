"""The self-hostable Aris sync server: accounts, devices and an end-to-end encrypted change feed."""
