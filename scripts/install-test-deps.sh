#!/usr/bin/env bash
# Installs what the test suite drives for real: redis-server (the reference, and the client tests'
# second server), redis-cli and redis-benchmark (redis-tools), redis-py (python3-redis), ioredis
# (npm) and Prometheus (for the real scrape of /metrics).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v redis-cli >/dev/null || need_apt+=(redis-tools)
/usr/bin/python3 -c 'import redis' 2>/dev/null || need_apt+=(python3-redis)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
command -v prometheus >/dev/null || need_apt+=(prometheus)
# redis_exporter, scraping a node in tests/Magpie.Ecosystem.Tests (RedisExporterTests).
[ -x /usr/bin/prometheus-redis-exporter ] || need_apt+=(prometheus-redis-exporter)
# PyYAML for the Helm chart check (tests/Magpie.Ecosystem.Tests/scripts/check_chart.py).
/usr/bin/python3 -c 'import yaml' 2>/dev/null || need_apt+=(python3-yaml)
# openssl makes the certificates of the TLS tests (tests/Magpie.IntegrationTests/Security/TlsTests.cs).
command -v openssl >/dev/null || need_apt+=(openssl)
# Headless Chromium for the dashboard test (tests/Magpie.Dashboard.Tests, driven by Playwright with
# this executable: Playwright's own browser download is never used).
command -v chromium >/dev/null || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# ioredis for the Node.js client test.
if [ -f tests/Magpie.IntegrationTests/node/package.json ] && { [ ! -d tests/Magpie.IntegrationTests/node/node_modules/ioredis ] || [ ! -d tests/Magpie.IntegrationTests/node/node_modules/redis ]; }; then
  (cd tests/Magpie.IntegrationTests/node && npm install --no-audit --no-fund --silent)
fi
