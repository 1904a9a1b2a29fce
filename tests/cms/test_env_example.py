import re

from tests.conftest import PROJECT_DIR

ENV_READ = re.compile(
    r"env\.(?:str|bool|int|float|list|db_url|cache_url)\(\s*\"([A-Z][A-Z0-9_]+)\"", re.S
)


def test_every_environment_variable_the_code_reads_is_in_env_example():
    read = set()
    for path in [*PROJECT_DIR.glob("cms/**/*.py"), PROJECT_DIR / "manage.py"]:
        read |= set(ENV_READ.findall(path.read_text()))
    listed = set(
        re.findall(
            r"^(?:# )?([A-Z][A-Z0-9_]+)=",
            (PROJECT_DIR / ".env.example").read_text(),
            re.M,
        )
    )
    assert read, "the pattern found no variables at all"
    assert read <= listed, f"missing from .env.example: {sorted(read - listed)}"
