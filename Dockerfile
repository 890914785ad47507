# The discovery endpoint's image: `mesh serve` and nothing else (docs/deploying.md).
#   docker build -t ghcr.io/<org>/mesh-discovery:<version> .
# Two stages: the builder turns this repository into a wheel; the final stage installs that wheel
# with its `serve` extra into a slim Python and carries no compiler, no pip cache, no sources.

FROM python:3.12-slim-bookworm AS builder
WORKDIR /src
COPY pyproject.toml README.md ./
COPY datamesh ./datamesh
COPY components ./components
RUN pip install --no-cache-dir build==1.2.2.post1 \
    && python -m build --wheel --outdir /wheels .

FROM python:3.12-slim-bookworm
# The Deployment runs as this numeric user and group (runAsUser/runAsGroup/fsGroup 10001 in
# datamesh/plan/discovery.py): numeric, so Kubernetes' runAsNonRoot can check it.
# Graphviz draws the lineage SVG on the server (/ui/lineage); without it the page lists the edges as
# text. Pinned to bookworm's version (a Debian point release that replaces it fails the build in
# the open); no recommends, no package lists left behind.
RUN apt-get update \
    && apt-get install -y --no-install-recommends graphviz=2.42.2-7+deb12u1 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 mesh \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin mesh
COPY --from=builder /wheels /wheels
# /wheels holds exactly the wheel the builder made: the glob names it without repeating the version
# (its dependencies come from the index within the ranges pyproject.toml states).
RUN pip install --no-cache-dir "$(echo /wheels/*.whl)[serve]" \
    && rm -rf /wheels
# The root filesystem is read-only in the pod: no bytecode written at run time, logs unbuffered.
# Fontconfig (under Graphviz) writes its cache below XDG_CACHE_HOME: /tmp is the pod's only writable place.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    XDG_CACHE_HOME=/tmp
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["mesh"]
CMD ["serve", "--help"]
