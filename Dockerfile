# Forecast Lab: `docker build -t forecast-lab .` then
# `docker run -p 8501:8501 -v forecast-lab-data:/data forecast-lab`.
# TORCH_INDEX picks the torch build: PyTorch's CPU wheels by default; for a GPU host,
# --build-arg TORCH_INDEX=https://pypi.org/simple gives PyPI's torch, the CUDA build on Linux.
FROM python:3.11-slim

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 lab
WORKDIR /app

COPY requirements.txt .
RUN pip install --extra-index-url "${TORCH_INDEX}" -r requirements.txt

# The app's files belong to root, read-only for the user the app runs as; what visitors make
# (studies, checkpoints) goes to the one writable folder, a volume.
COPY . .
RUN mkdir /data && chown lab:lab /data
ENV FORECAST_LAB_DATA_DIR=/data
VOLUME /data
USER 1000

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
