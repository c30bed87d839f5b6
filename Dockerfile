# One image for every Vigie 15 role; the command picks the role (up, collector, ui, engine).
# docker-compose.yml and deploy/kubernetes/ (image name `vigie15`) use it.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY store store
COPY people people
COPY collector collector
COPY slo slo
COPY alerts alerts
COPY dashboards dashboards
COPY vigie vigie
COPY reports reports
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir .
# Runs as a non-root user; on OpenShift as an arbitrary UID in group 0, so /data belongs to
# group 0 and is group-writable. HOME points at /tmp: the root filesystem may be read-only
# (deploy/kubernetes mounts /data and /tmp as volumes).
RUN mkdir -p /data && chgrp -R 0 /data && chmod -R g=u /data
ENV VIGIE_HOST=0.0.0.0 VIGIE_DATA_DIR=/data HOME=/tmp CHDB_NO_TELEMETRY=1
USER 1001
VOLUME /data
EXPOSE 8000 4317 4318
ENTRYPOINT ["vigie"]
CMD ["up"]
