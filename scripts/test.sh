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
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 -timeout 25m ./...

echo "== go test -race (where concurrency lives)"
go test -count=1 -race -timeout 25m \
  ./internal/awsapi/... ./internal/backbone/... ./internal/functions/... \
  ./internal/gateway/... ./internal/iam/... ./internal/stacks/ ./internal/parameters/

echo "== fuzz smoke"
# A count, not a duration: with a duration Go 1.26's fuzz coordinator can
# fail at the deadline with "context deadline exceeded" and no crasher
# (golang/go#75804, fixed in Go 1.27).
fuzz() { go test -run '^$' -fuzz "^$1\$" -fuzztime "${FUZZTIME:-20000x}" "$2"; }
fuzz FuzzParseSigV4 ./internal/awsapi/
fuzz FuzzRuntimeAPI ./internal/functions/
fuzz FuzzRouter ./internal/gateway/
fuzz FuzzBody ./internal/gateway/
fuzz FuzzShorthandObject ./internal/gateway/
fuzz FuzzAppendRequestV2 ./internal/gateway/
fuzz FuzzDecodeRawResponse ./internal/gateway/
fuzz FuzzParse ./internal/iam/policy/
fuzz FuzzParseTemplate ./internal/stacks/
fuzz FuzzEvaluate ./internal/stacks/
fuzz FuzzRoleProps ./internal/iam/
