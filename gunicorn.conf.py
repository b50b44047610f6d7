"""Gunicorn settings for the web process (docker-compose and the image's default command).

Gunicorn also reads this file by itself when started from the project folder.
"""

accesslog = "-"
# Candidate, LER sign-in and share links carry tokens: no log line may keep them.
logger_class = "hiring.logging.GunicornLogger"
