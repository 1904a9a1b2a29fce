"""Settings of the benchmark's own processes: production's, with the
politeness delay and thread count the benchmark chooses (bench/ingest.py sets
the environment: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, SAFEHTTP_ALLOW)."""

from cms.settings.production import *  # noqa: F403

TSUNAGU_SCRAPERS = {
    "HOST_DELAY_SECONDS": env.float("BENCH_HOST_DELAY_SECONDS"),  # noqa: F405
    "THREADS": env.int("BENCH_THREADS"),  # noqa: F405
    "BATCH_SIZE": env.int("BENCH_BATCH_SIZE"),  # noqa: F405
    "PARSE_PROCESSES": env.int("BENCH_PARSE_PROCESSES"),  # noqa: F405
}
