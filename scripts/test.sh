#!/usr/bin/env bash
# The project's test command (README.md). Safe to run on a fresh machine:
# it installs Python 3 and Node.js from Debian if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v node >/dev/null 2>&1 || need+=(nodejs)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}"; else sudo apt-get update -qq && sudo apt-get install -y -qq "${need[@]}"; fi
fi

echo "== go vet"
go vet ./...
echo "== go test"
go test -count=1 -timeout 20m ./...
echo "== go test -race (concurrent packages)"
go test -count=1 -race -timeout 20m ./internal/awsapi/... ./internal/backbone/... ./internal/platform/...
echo "== fuzz smoke"
go test -run '^$' -fuzz FuzzParseSigV4 -fuzztime 5s ./internal/awsapi/
