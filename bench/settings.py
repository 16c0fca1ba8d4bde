"""Pronto's settings plus the benchmark's reference views (bench/urls.py); used by bench/api_load.py only."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
