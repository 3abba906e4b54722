#!/usr/bin/env bash
# meshkb in CI: gate review reports, write JUnit for each, scan manifests to SARIF.
#
# One script for the GitHub Action (action.yml) and the GitLab template
# (ci/meshkb.gitlab-ci.yml); see docs/run-meshkb.md#ci. Inputs, all from the environment:
#
#   MESHKB_REPORTS     report files to gate, separated by spaces or newlines; glob
#                      patterns (reviews/*.md) are expanded. Paths must not contain spaces.
#   MESHKB_MANIFESTS   Kubernetes manifest files or folders to scan into meshkb.sarif
#   MESHKB_CHECKLISTS  a team's checklists folder, beside the ones meshkb ships (read by meshkb)
#   MESHKB_SITE_URL    base URL of the links in the outputs (read by meshkb itself)
#   MESHKB_OUT         where meshkb-junit/ and meshkb.sarif go (default: .)
#
# Every report is gated and written as JUnit, and the scan runs, before the exit status
# is decided: 0 when every gate holds, 1 when a gate fails, 2 on bad input or usage
# (an unreadable report, no manifest readable, nothing to do).
set -euo pipefail

reports="${MESHKB_REPORTS:-}"
manifests="${MESHKB_MANIFESTS:-}"
out="${MESHKB_OUT:-.}"
# meshkb treats an empty variable as unset, but an exported empty one helps nobody.
[ -n "${MESHKB_CHECKLISTS:-}" ] && export MESHKB_CHECKLISTS || unset MESHKB_CHECKLISTS
[ -n "${MESHKB_SITE_URL:-}" ] && export MESHKB_SITE_URL || unset MESHKB_SITE_URL

say() { printf 'meshkb-ci: %s\n' "$*" >&2; }

if [ -z "${reports//[[:space:]]/}" ] && [ -z "${manifests//[[:space:]]/}" ]; then
  say "nothing to do: set MESHKB_REPORTS and/or MESHKB_MANIFESTS"
  exit 2
fi

junit_dir="$out/meshkb-junit"
mkdir -p "$junit_dir"
gate_failed=()
bad_input=()

# Word splitting and globbing on purpose: the inputs are lists of paths and patterns.
# shellcheck disable=SC2086
set -- $reports
for report in "$@"; do
  if [ ! -f "$report" ]; then
    say "$report: no such report (or a pattern that matched no file)"
    bad_input+=("$report")
    continue
  fi
  say "gate: $report"
  set +e
  meshkb report check "$report" --gate
  status=$?
  set -e
  case "$status" in
    0) ;;
    1) gate_failed+=("$report") ;;
    *) bad_input+=("$report"); continue ;;
  esac
  name="${report%.*}"
  name="${name#./}"
  name="$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_')"
  junit="$junit_dir/$name.xml"
  if meshkb report check "$report" --format junit >"$junit.tmp"; then
    mv "$junit.tmp" "$junit"
    say "junit: $junit"
  else
    rm -f "$junit.tmp"
    bad_input+=("$report")
  fi
done

# shellcheck disable=SC2086
set -- $manifests
if [ "$#" -gt 0 ]; then
  sarif="$out/meshkb.sarif"
  say "scan: $* -> $sarif"
  if meshkb scan "$@" --format sarif >"$sarif.tmp"; then
    mv "$sarif.tmp" "$sarif"
  else
    rm -f "$sarif.tmp"
    bad_input+=("scan: $*")
  fi
fi

for report in "${gate_failed[@]}"; do
  say "gate NOT passed: $report"
done
for what in "${bad_input[@]}"; do
  say "error: $what (see above)"
done
if [ "${#bad_input[@]}" -gt 0 ]; then
  exit 2
elif [ "${#gate_failed[@]}" -gt 0 ]; then
  exit 1
fi
say "done: every gate passed"
