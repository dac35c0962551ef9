#!/usr/bin/env bash
# Serve the site and run the background task worker beside it; Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}
.venv/bin/commonground db_worker --queue-name "*" >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "Background tasks: var/worker.log"
.venv/bin/commonground runserver "127.0.0.1:${PORT}" --noreload
