#!/usr/bin/env bash
# The Bun and Deno lane: the built package (dist/) under each runtime, against the emulator (the
# CLI's `emulator`, real processes) and the cutting proxy, both in Node on 127.0.0.1 ephemeral ports.
# The client's smoke suite (test/runtimes/smoke.mjs: exec, stdin, a cut drained, a cut followed),
# once with the client's default WebSocket (Bun: its built-in `ws`; Deno: the `ws` package through
# its Node compatibility) and once with the runtime's own (the `WebSocket` option), then the CLI's
# `exec` (stdin, stderr, exit code; a cut and its drain), all checked byte for byte and exit code.
# Bun and Deno are the binaries of the `bun` and `deno` npm packages, installed here into a scratch
# folder. Prints each runtime's version and the counts, the last line also on file descriptor 3
# when open (.ci/run's summary); exits 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=1.4.5
DENO_VERSION=2.9.6
# Bound of one run of the client suite (four checks of at most 15 s each) or of one CLI run.
RUN_BUDGET=120s

scratch=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

timeout 5m npm install --prefix "$scratch/runtimes" --no-audit --no-fund --no-save "bun@$BUN_VERSION" "deno@$DENO_VERSION" >/dev/null
bun="$scratch/runtimes/node_modules/.bin/bun"
deno="$scratch/runtimes/node_modules/.bin/deno"
timeout 2m npm run build >/dev/null

# start NAME VARIABLE SED COMMAND...: starts a Node server in the background (its pid kept for the
# cleanup, so this runs in the lane's own shell, never in a $(…)) and sets VARIABLE to the first
# part of its output that SED (a sed expression) prints, waiting at most 10 s for it.
start() {
  local name=$1 variable=$2 sed=$3 value=""
  shift 3
  "$@" >"$scratch/$name.out" 2>&1 3>&- &
  pids+=($!)
  for _ in $(seq 100); do
    value=$(sed -n "$sed" "$scratch/$name.out" | head -n 1)
    [ -n "$value" ] && break
    sleep 0.1
  done
  [ -n "$value" ] || { echo ".ci/bun-deno.sh: $name did not start:" >&2; cat "$scratch/$name.out" >&2; exit 1; }
  printf -v "$variable" '%s' "$value"
}
start emulator BOXLITE_REST_URL 's/^export BOXLITE_REST_URL=//p' node dist/cli.js emulator --port 0 --allow-exec
BOXLITE_API_KEY=$(sed -n 's/^export BOXLITE_API_KEY=//p' "$scratch/emulator.out")
start proxy SMOKE_PROXY_URL 's/^\(http:.*\)/\1/p' node test/runtimes/proxy.mjs "$BOXLITE_REST_URL"
export BOXLITE_REST_URL BOXLITE_API_KEY SMOKE_PROXY_URL

# Deno's permissions, the narrowest that work (docs/runtimes.md): the loopback network and the
# variables read (the client's, the CLI's, and the two that the `ws` package reads); no file access.
DENO_CLIENT=("$deno" run --allow-net=127.0.0.1 "--allow-env=BOXLITE_REST_URL,BOXLITE_API_KEY,SMOKE_PROXY_URL,SMOKE_WEBSOCKET,WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE")
DENO_CLI=("$deno" run --allow-net=127.0.0.1 "--allow-env=BOXLITE_REST_URL,BOXLITE_API_KEY,BOXLITE_REST_PATH_PREFIX,WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE")

passed=0
failed=0
summary=()
pass() { passed=$((passed + 1)); echo "ok $1"; }
fail() { failed=$((failed + 1)); echo "not ok $1"; }

# cli_exec NAME EXPECTED_EXIT STDIN_FILE RUNTIME... -- EXEC_ARGS...: runs the CLI's exec and checks
# its exit code, and its stdout and stderr against $scratch/expected.out and .err, byte for byte.
cli_exec() {
  local name=$1 want=$2 stdin=$3
  shift 3
  local status=0
  timeout "$RUN_BUDGET" "$@" <"$stdin" >"$scratch/actual.out" 2>"$scratch/actual.err" || status=$?
  if [ "$status" -eq "$want" ] && cmp -s "$scratch/actual.out" "$scratch/expected.out" && cmp -s "$scratch/actual.err" "$scratch/expected.err"; then
    pass "$name"
  else
    fail "$name: exit $status (expected $want), stdout $(wc -c <"$scratch/actual.out") bytes (expected $(wc -c <"$scratch/expected.out")), stderr: $(head -c 300 "$scratch/actual.err")"
  fi
}

# client LABEL RUNTIME...: the client's smoke suite under one runtime, its counts added.
client() {
  local label=$1
  shift
  local status=0 counts before=$failed
  timeout "$RUN_BUDGET" "$@" test/runtimes/smoke.mjs | tee "$scratch/client.log" || status=$?
  counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$scratch/client.log" | tail -n 1 || true)
  if [ -z "$counts" ]; then
    fail "$label client suite: no count, exit $status"
    return
  fi
  passed=$((passed + $(echo "$counts" | sed -E 's/^([0-9]+) passed.*/\1/')))
  failed=$((failed + $(echo "$counts" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed$/\1/')))
  if [ "$status" -ne 0 ] && [ "$failed" -eq "$before" ]; then fail "$label client suite: exit $status"; fi
}

# The CLI's checks: stdin forwarded (text, UTF-8, every byte value) and EOF sent, stderr apart, the
# command's exit code; then through the proxy, whose cut of the first attach is drained.
cli() {
  local label=$1
  shift
  printf 'line 1\nhéllo ✓\n' >"$scratch/stdin"
  head -c 4096 /dev/urandom >>"$scratch/stdin"
  cp "$scratch/stdin" "$scratch/expected.out"
  printf 'warn: ✓\n' >"$scratch/expected.err"
  cli_exec "$label CLI exec: stdin and stderr exactly, exit 5" 5 "$scratch/stdin" "$@" dist/cli.js exec box-1 -- sh -c 'cat; printf "warn: ✓\n" >&2; exit 5'
  seq 1 3000 | sed 's/$/ worker ok: request handled, status=ok/' >"$scratch/expected.out"
  : >"$scratch/expected.err"
  cli_exec "$label CLI exec: a cut after the 101 drained exactly, exit 4" 4 /dev/null "$@" dist/cli.js exec --url "$SMOKE_PROXY_URL" box-1 -- sh -c 'seq 1 3000 | sed "s/\$/ worker ok: request handled, status=ok/"; exit 4'
}

# lane LABEL CLIENT_COMMAND CLI_COMMAND: both under one runtime (each command an array's name).
lane() {
  local label=$1 start=$SECONDS p=$passed f=$failed
  local -n client_command=$2 cli_command=$3
  echo "=== .ci/bun-deno.sh: $label"
  client "$label" "${client_command[@]}"
  SMOKE_WEBSOCKET=global client "$label" "${client_command[@]}"
  cli "$label" "${cli_command[@]}"
  summary+=("$label: $((passed - p)) passed, $((failed - f)) failed in $((SECONDS - start)) s")
}

BUN=("$bun")
lane "Bun $("$bun" --version)" BUN BUN
lane "$("$deno" --version | head -n 1 | cut -d' ' -f1,2 | sed 's/^deno/Deno/')" DENO_CLIENT DENO_CLI

echo "=== .ci/bun-deno.sh: runtimes"
printf '%s\n' "${summary[@]}"
echo "bun-deno: $passed passed, $failed failed"
{ true >&3; } 2>/dev/null || exec 3>/dev/null
echo "Bun and Deno smoke: $passed passed, $failed failed in $SECONDS s" >&3
[ "$failed" -eq 0 ]
