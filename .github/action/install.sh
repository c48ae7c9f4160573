#!/usr/bin/env bash
# The action's install step (action.yml): fanout-bench installed into a folder of its own, so the
# user's package.json and lockfile are left alone, with install scripts off (the package needs
# none). FB_PACKAGE is what to install (a version, tarball or git URL); empty, this action's own
# checkout (FB_ACTION_PATH) is packed as npm would publish it (`npm ci` for its build tools, then
# `npm pack`, whose prepack compiles it). Prints the CLI's path as the step output `bin`.
set -euo pipefail
tool=${FB_TOOL_DIR:-${RUNNER_TEMP:-/tmp}/fanout-bench-tool}
mkdir -p "$tool"
spec=${FB_PACKAGE:-}
if [[ -z $spec ]]; then
  action=${FB_ACTION_PATH:?FB_ACTION_PATH: the checkout of this action, when no package is given}
  (cd "$action" && npm ci --no-audit --no-fund && npm pack --pack-destination "$tool" --silent >/dev/null)
  spec=$(ls -t "$tool"/fanout-bench-*.tgz | head -n 1)
fi
[[ -f $tool/package.json ]] || printf '{ "private": true }\n' >"$tool/package.json"
(cd "$tool" && npm install --ignore-scripts --no-audit --no-fund "$spec")
bin=$tool/node_modules/.bin/fanout-bench
"$bin" --help >/dev/null
echo "bin=$bin" >>"${GITHUB_OUTPUT:-/dev/null}"
echo "fanout-bench installed: $bin"
