FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY pyproject.toml README.md ./
# Every package pyproject.toml's [tool.setuptools.packages.find] includes, so `pip install .`
# installs them all (a folder missing here would only be importable from /app by accident).
COPY hiring hiring
COPY audit audit
COPY flow flow
COPY phrasings phrasings
COPY staff staff
COPY assessments assessments
COPY scoring scoring
COPY credentials credentials
COPY compliance compliance
COPY results results
COPY web web
COPY reports reports
COPY outbox outbox
COPY apikeys apikeys
COPY webhooks webhooks
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs a key, hosts and a mail backend but never serves a request or sends mail here.
RUN DEBUG=0 SECRET_KEY=build-only-$(python -c "import secrets; print(secrets.token_urlsafe(50))") \
    ALLOWED_HOSTS=localhost EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
    python manage.py collectstatic --noinput
RUN useradd --create-home skillproof && mkdir -p /var/lib/skillproof && chown skillproof /var/lib/skillproof
USER skillproof
EXPOSE 8000
# The web process; gunicorn.conf.py redacts the tokens in candidate, LER and share links from its logs.
CMD ["gunicorn", "hiring.wsgi", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
