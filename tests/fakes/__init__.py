"""Local stand-ins for the services Tsunagu talks to, following their published
APIs, so that the real client libraries are tested over real HTTP."""
