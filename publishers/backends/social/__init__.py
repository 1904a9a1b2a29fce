"""Social networks: X first (tweepy), and an in-memory twin for tests."""
