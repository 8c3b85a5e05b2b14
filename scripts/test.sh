#!/usr/bin/env bash
# The project's test command (README.md). Safe to run on a fresh machine:
# it installs Python 3 (with pip), Node.js (with npm), a JDK, make and the
# AWS CLI v2 from Debian if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)                  # builds, the Node.js SDK, esbuild
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip) # requirements.txt builds
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless) # the Java runtime's tests
command -v make >/dev/null 2>&1 || need+=(make)                 # BuildMethod makefile
[ -x /usr/bin/aws ] || need+=(awscli)                          # AWS CLI v2: aws cloudformation deploy's test
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
  ./internal/gateway/... ./internal/iam/... ./internal/stacks/ ./internal/parameters/ \
  ./internal/runtimes/ ./internal/logs/ ./internal/queues/ ./internal/topics/ \
  ./internal/events/ ./internal/schedules/ ./internal/tables/

echo "== fuzz smoke"
# A count, not a duration: with a duration Go 1.26's fuzz coordinator can
# fail at the deadline with "context deadline exceeded" and no crasher
# (golang/go#75804, fixed in Go 1.27).
# A third argument sets a smaller count for a fuzzer whose executions are slow
# (each one unpacks a zip or starts a request).
fuzz() { go test -run '^$' -fuzz "^$1\$" -fuzztime "${FUZZTIME:-${3:-20000x}}" "$2"; }
fuzz FuzzParseSigV4 ./internal/awsapi/
fuzz FuzzDecodeQuery ./internal/awsapi/
fuzz FuzzQueryAPI ./internal/iam/ 5000x
fuzz FuzzCloudFormationAPI ./internal/stacks/ 5000x
fuzz FuzzAPI ./internal/parameters/ 5000x
fuzz FuzzMatchFilter ./internal/logs/
fuzz FuzzDecode ./internal/stacks/
fuzz FuzzRuntimeAPI ./internal/functions/
fuzz FuzzPackageLinks ./internal/functions/ 3000x
fuzz FuzzTagsAPI ./internal/functions/ 5000x
fuzz FuzzParseTCPLine ./internal/functions/
fuzz FuzzBodyConditionKeys ./internal/functions/
fuzz FuzzClassifyQualifier ./internal/functions/
fuzz FuzzJavaHandler ./internal/runtimes/
fuzz FuzzJavaProperties ./internal/runtimes/
fuzz FuzzInvalidUnicodeField ./internal/parameters/ 5000x
fuzz FuzzRouter ./internal/gateway/
fuzz FuzzBody ./internal/gateway/
fuzz FuzzShorthandObject ./internal/gateway/
fuzz FuzzAppendRequestV2 ./internal/gateway/
fuzz FuzzDecodeRawResponse ./internal/gateway/
fuzz FuzzSelectionExpression ./internal/gateway/
fuzz FuzzConnectionPath ./internal/gateway/
fuzz FuzzParse ./internal/iam/policy/
fuzz FuzzParseTemplate ./internal/stacks/
fuzz FuzzEvaluate ./internal/stacks/
fuzz FuzzRoleProps ./internal/iam/
