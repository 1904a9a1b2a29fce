"""The delivery outbox arrives with the publishers issue."""
