"""Newsletter services: Mailchimp, and an in-memory twin for tests."""
