# The corosim image the Kubernetes campaign (deploy/k8s) and anyone else uses: corosim built
# from this checkout on Debian 12, at /src/build/cli/corosim and on PATH, with the campaign
# scripts of ci/ on PATH too. Build it from the repository root:
#   docker build -t corosim:latest .
# tests/ci/test_ci_image.py runs this file's RUN commands in a clean copy of the build context.
FROM debian:12
WORKDIR /src
COPY . /src
# Only what the CLI needs: the test suite and benchmarks stay out of the image (and their
# packages: scripts/setup-deps.sh --cli).
RUN scripts/setup-deps.sh --cli && scripts/build.sh -DCOROSIM_TESTS=OFF -DCOROSIM_BENCH=OFF
ENV PATH=/src/build/cli:/src/ci:$PATH
CMD ["corosim", "--help"]
