#!/usr/bin/env bash
# CI for the gateway (resilient-client serve), in a venv of its own: the gateway and otel extras, langchain-openai, the pinned
# openai package for Node.js (npm ci, into tests/gateway/node/node_modules, never committed), then
# types with the extra installed and the gateway tests on the newest and the lowest supported
# openai; here they fail instead of skipping when anything they need is missing.
# Called by .ci/run; runs on its own too: bash .ci/gateway.sh
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

rm -rf .venv-gateway  # fresh each time: the last step leaves the lowest openai installed
python3 -m venv .venv-gateway
# shellcheck disable=SC1091
. .venv-gateway/bin/activate
python -m pip install -q --upgrade pip

echo "== the gateway and otel extras, OpenTelemetry's SDK, and LangChain's OpenAI package (a client the tests point at the gateway)"
pip install -q -e '.[test,gateway,otel]' opentelemetry-sdk langchain-openai
python -c "from importlib.metadata import version as v; print('starlette', v('starlette'), 'uvicorn', v('uvicorn'), 'openai', v('openai'), 'langchain-openai', v('langchain-openai'))"

echo "== the openai package for Node.js (pinned in tests/gateway/node/package-lock.json)"
node --version
npm ci --prefix tests/gateway/node --no-audit --no-fund --loglevel=error

echo "== mypy --strict on the package, with the gateway extra installed"
python -m mypy --strict -p resilient_client

echo "== gateway tests, newest openai"
export RESILIENT_REQUIRE_GATEWAY=1 RESILIENT_REQUIRE_INTEGRATIONS=1  # the OpenTelemetry SDK, too
python -m pytest tests/gateway -q

echo "== gateway tests on the lowest supported openai (3.3.0)"
python -m pip install -q 'openai==3.3.0'
python -m pytest tests/gateway -q --deselect tests/gateway/test_gateway_benchmark.py

deactivate
echo "gateway CI passed in $((SECONDS - started)) s"
