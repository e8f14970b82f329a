# PrivacyOps production image: gunicorn (web), Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=privacyops.settings.production \
    PRIVACYOPS_VAR_DIR=/app/var

# pango for WeasyPrint (PDF letters), Japanese fonts embedded in the PDF, gettext for messages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-ipaexfont-mincho fonts-ipaexfont-gothic fonts-noto-cjk \
      gettext curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs some key; this build-time one is never used at run time.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input \
 && SECRET_KEY=compilemessages-only python manage.py compilemessages -l ja \
 && useradd --system --uid 10001 --home /app privacyops \
 && mkdir -p /app/var/media \
 && chown -R privacyops /app/var

USER privacyops
EXPOSE 8000
# Workers, threads and the access log (the page, never its query string): privacyops/gunicorn_conf.py.
CMD ["gunicorn", "privacyops.wsgi:application", "-c", "python:privacyops.gunicorn_conf"]
