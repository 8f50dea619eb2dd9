# syntax=docker/dockerfile:1
# Tidewire's image: the locked dependencies, static files collected, run as a non-root
# user. Built and run by compose.yaml (docs/deployment.md); any container runtime will do.

# Front-end libraries from the npm registry (Bootstrap, Chart.js): only to collect them.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Python dependencies at the exact versions and hashes of the lock file, in a venv.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements/base.txt /tmp/base.txt
RUN /venv/bin/pip install --require-hashes -r /tmp/base.txt
WORKDIR /app
COPY manage.py pyproject.toml ./
COPY config config
COPY tidewire tidewire
COPY apps apps
COPY --from=assets /build/node_modules node_modules
# Collected into /app/staticfiles, which WhiteNoise serves compressed (config/settings/prod.py).
RUN DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY=collectstatic-only \
    /venv/bin/python manage.py collectstatic --noinput \
    && rm -rf node_modules

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.prod
RUN groupadd --system --gid 10001 tidewire \
    && useradd --system --uid 10001 --gid tidewire --home-dir /app --no-create-home tidewire
COPY --from=build /venv /venv
COPY --from=build --chown=root:root /app /app
# Chat photos (MEDIA_ROOT): the one folder the app writes; a volume in compose.yaml
# starts with this owner, so the unprivileged user can write there.
RUN mkdir /app/media && chown 10001:10001 /app/media
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# /health/live answers while the process serves (docs/deployment.md#health).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"]
CMD ["python", "-m", "config.serve", "--host", "0.0.0.0", "--port", "8000"]
