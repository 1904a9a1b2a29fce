#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    from cms.env import env, read_dot_env

    # Development reads .env; production sets DJANGO_READ_DOT_ENV_FILE=0.
    if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True):
        read_dot_env()

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
