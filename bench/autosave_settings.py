"""Settings of bench/bench_autosave.py's server: the project's own, plus one bare JSON view
(autosave_urls) for the baseline. Nothing else differs, so the ratio measures autosave's work."""

from hiring.settings import *  # noqa: F403 (the project's settings, unchanged)

ROOT_URLCONF = "autosave_urls"
