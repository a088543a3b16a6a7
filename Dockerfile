# The newsarchive image: the API (default command) and, with another command, the crawler or
# the one-shot migration. Settings come from the environment only; nothing secret is baked in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY src ./src
COPY migrations ./migrations
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --home /app archive
USER archive
EXPOSE 8000
CMD ["uvicorn", "--factory", "newsarchive.api.app:create_app", "--host", "0.0.0.0", "--port", "8000"]
