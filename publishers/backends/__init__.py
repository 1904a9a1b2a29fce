"""The publishers' external services, one small class each, chosen in
settings (``TSUNAGU_SOCIAL``: named aliases, one per social account;
``TSUNAGU_NEWSLETTER``: one)."""
