#!/usr/bin/env bash
# shim-fix: read-only check of the container runtime on this host (content of our "check" SSM Command document).
#
# Answers the questions behind `unsupported shim version (3): not implemented`: which containerd is installed, which one
# is actually running, whether several containerd / shim binaries are on PATH, whether Docker is active (and would stop its
# containers on restart), and whether we are inside a nested container. It changes nothing.
#
# Output: human-readable log lines for the SSM console, then as the LAST line on stdout exactly one line
#   SHIM_FIX_RESULT {"schema":1,"action":"check",...}
# The JSON is a contract, documented in docs/ssm-result-line.md and parsed by lambda/core/remediation/result-line.ts.
# Exit status: 0 whenever the check ran (a finding such as needs-restart is data, not an error); non-zero only when the
# script itself could not run, and even then the result line (status "failed") is printed.
#
# Takes no arguments and no free-form input: this is one of the only two scripts the bot may run as root.
# Environment overrides exist for tests only (the SSM document passes none); see docs/ssm-result-line.md:
#   SHIM_FIX_ROOT    prefix for every file path read (socket, /proc, /etc/docker/daemon.json, nested-container markers)
#   SHIM_FIX_SOCKET  containerd socket path (default ${SHIM_FIX_ROOT}/run/containerd/containerd.sock)
#   SHIM_FIX_PATH    PATH searched for binaries (default: systemd's default service PATH, the one containerd itself uses)
#
# SSM's aws:runShellScript writes the runCommand lines into a file and starts it with `sh -c <file>`, so the kernel honours
# the shebang above. Should a host's sh interpret the file itself, switch to bash before any bash syntax is parsed.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi

set -Eeuo pipefail
readonly ACTION=check

# shim-fix:include lib/runtime-probes.sh
# (inlined here when the SSM document is built; sourced when the script is run from the repository)
SHIM_FIX_HERE=${BASH_SOURCE[0]%/*}; [[ $SHIM_FIX_HERE != "${BASH_SOURCE[0]}" ]] || SHIM_FIX_HERE=.
# shellcheck source-path=SCRIPTDIR source=lib/runtime-probes.sh
source "$SHIM_FIX_HERE/lib/runtime-probes.sh"

# Succeeds when version $1 is older than $2, comparing major.minor.patch numerically.
version_older() {
  local -a a b
  local i
  IFS=. read -r -a a <<<"${1%%[!0-9.]*}"
  IFS=. read -r -a b <<<"${2%%[!0-9.]*}"
  for i in 0 1 2; do
    if ((10#${a[i]:-0} < 10#${b[i]:-0})); then return 0; fi
    if ((10#${a[i]:-0} > 10#${b[i]:-0})); then return 1; fi
  done
  return 1
}

# Why the running daemon differs from the installed one, in the words the Slack summary uses.
version_mismatch_sentence() {
  local change=upgrade
  if version_older "$INSTALLED_VERSION" "$RUNNING_VERSION"; then change=downgrade; fi
  printf 'running %s, installed %s: the daemon was not restarted after the %s' \
    "$RUNNING_VERSION" "$INSTALLED_VERSION" "$change"
}

main() {
  local status message duplicates
  log "shim-fix check: read-only, nothing on this host is changed"
  collect_containerd_facts
  collect_docker_facts
  collect_nested_hints
  log_facts

  duplicates=$(duplicates_summary)
  if [[ -z $INSTALLED_VERSION ]]; then
    status='not-installed'
    if [[ -n $INSTALLED_PATH ]]; then
      message="containerd at $INSTALLED_PATH did not report a version"
    else
      message='containerd is not installed: no containerd binary on PATH'
    fi
    if [[ -n $RUNNING_VERSION ]]; then message+=", yet containerd $RUNNING_VERSION is running"; fi
  elif [[ -z $RUNNING_VERSION ]]; then
    status='not-running'
    message="containerd $INSTALLED_VERSION is installed but not running: its socket $SOCKET does not answer"
  elif [[ $RUNNING_VERSION != "$INSTALLED_VERSION" ]]; then
    status='needs-restart'
    message=$(version_mismatch_sentence)
    if [[ -n $duplicates ]]; then message+="; also $duplicates"; fi
  elif [[ $SHIM_PROTOCOL_MISMATCH == true ]]; then
    # Daemon and package agree, but the shim does not (e.g. a 2.x shim package next to an embedded 1.7 containerd).
    status='shim-mismatch'
    message="containerd $RUNNING_VERSION is running, but the shim first on PATH (${SHIM_BINARIES[0]}) is $SHIM_VERSION: 2.x shims speak protocol v3, which a 1.x daemon cannot start; a restart does not fix this, install the shim that matches the daemon"
    if [[ -n $duplicates ]]; then message+="; also $duplicates"; fi
  elif [[ -n $duplicates ]]; then
    status='duplicate-binaries'
    message="containerd $RUNNING_VERSION is running, but there are $duplicates: the daemon may start a different one than the package installed"
  else
    status=ok
    message="containerd $RUNNING_VERSION is running and matches the installed version"
  fi

  log "verdict: $status: $message"
  emit_result "$status" "$message"
}

main
