#!/usr/bin/env bash
# The action's run step (action.yml): one `fanout-bench run` from the inputs (FB_* variables), its
# exit code passed through, so the job fails on 99 (a check or threshold failed) as on 1 or 2. The
# job summary gets what the code means and the summary.md of every run directory written; the
# step outputs are exit-code and report-dir. A baseline file that does not exist yet (the first
# run, before one is committed) leaves out the thresholds that name it, with a warning.
#
#   FANOUT_BENCH_BIN=<the CLI> FB_SCENARIO=fanout FB_THRESHOLDS=$'a\nb' … .github/action/run.sh
set -uo pipefail
bin=${FANOUT_BENCH_BIN:?FANOUT_BENCH_BIN: the fanout-bench CLI to run}
out=${FB_OUT:-reports/fanout-bench}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
outputs=${GITHUB_OUTPUT:-/dev/null}

args=(run "${FB_SCENARIO:-default}" --out "$out" --no-progress)
if [[ -n ${FB_TARGET:-} ]]; then args+=(--target "$FB_TARGET"); fi
if [[ -n ${FB_TEMPLATE:-} ]]; then args+=(--template "$FB_TEMPLATE"); fi
with_baseline=0
if [[ -n ${FB_BASELINE:-} ]]; then
  if [[ -f $FB_BASELINE ]]; then
    args+=(--baseline "$FB_BASELINE")
    with_baseline=1
  else
    echo "::warning::no baseline at $FB_BASELINE: the thresholds against a baseline are left out (commit a run's results.json there)"
  fi
fi
while IFS= read -r line; do
  threshold=$(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' <<<"$line")
  [[ -z $threshold ]] && continue
  if [[ $with_baseline -eq 0 && $threshold == *baseline* ]]; then continue; fi
  args+=(--threshold "$threshold")
done <<<"${FB_THRESHOLDS:-}"
if [[ -n ${FB_ARGS:-} ]]; then
  read -r -a extra <<<"$FB_ARGS"
  args+=("${extra[@]}")
fi

# the run directories this run writes are the summary.md files newer than this mark
mark=$(mktemp)
echo "fanout-bench ${args[*]}"
"$bin" "${args[@]}"
code=$?

{
  case $code in
    0) echo '**fanout-bench: passed.**' ;;
    99) echo '**fanout-bench: a check or threshold failed (exit 99):** a regression against the baseline or an absolute threshold; see below.' ;;
    1) echo '**fanout-bench: the run failed (exit 1):** the target stopped answering; what was measured is below.' ;;
    2) echo '**fanout-bench: bad input (exit 2):** see the step log (a flag, the scenario, a threshold, the baseline file or the target).' ;;
    130 | 143) echo "**fanout-bench: interrupted (exit $code).**" ;;
    *) echo "**fanout-bench ended with exit code $code.**" ;;
  esac
  echo
  found=0
  while IFS= read -r file; do
    found=1
    cat "$file"
    echo
  done < <(if [[ -d $out ]]; then find "$out" -name summary.md -newer "$mark" | sort; fi)
  if [[ $found -eq 0 ]]; then echo "No run directory under \`$out\`: nothing was measured."; fi
} >>"$summary"
rm -f "$mark"
{
  echo "exit-code=$code"
  echo "report-dir=$out"
} >>"$outputs"
exit "$code"
