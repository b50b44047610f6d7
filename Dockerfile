FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hiring hiring
COPY assessments assessments
COPY scoring scoring
COPY credentials credentials
COPY compliance compliance
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs a key and hosts but never serves a request here.
RUN DEBUG=0 SECRET_KEY=build-only-$(python -c "import secrets; print(secrets.token_urlsafe(50))") \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
RUN useradd --create-home skillproof && mkdir -p /var/lib/skillproof && chown skillproof /var/lib/skillproof
USER skillproof
EXPOSE 8000
