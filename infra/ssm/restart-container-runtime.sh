#!/usr/bin/env bash
# shim-fix: restart the container runtime on this host (content of our "restart" SSM Command document).
#
# The fix for `unsupported shim version (3): not implemented` after a containerd 2.x package upgrade: the 1.7 daemon is
# still running and cannot start the new v3 shims. This script restarts containerd, waits (bounded) until its socket answers
# `ctr version`, restarts Docker only if Docker was active before, and verifies that the running containerd now is the
# installed one. Running it twice is harmless: the second run restarts again and verifies the same end state.
#
# Output: human-readable log lines for the SSM console, then as the LAST line on stdout exactly one line
#   SHIM_FIX_RESULT {"schema":1,"action":"restart",...}
# The JSON is a contract, documented in docs/ssm-result-line.md and parsed by lambda/core/remediation/result-line.ts.
# Exit status: 0 when containerd (and Docker, if it was active) came back and the versions match; 1 otherwise, with
# status "failed" and the reason in the message (also on stderr).
#
# Takes no arguments and no free-form input: this is one of the only two scripts the bot may run as root.
# Environment overrides exist for tests only (the SSM document passes none); see docs/ssm-result-line.md:
#   SHIM_FIX_ROOT                   prefix for every file path read (socket, /proc, /etc/docker/daemon.json, markers)
#   SHIM_FIX_SOCKET                 containerd socket path (default ${SHIM_FIX_ROOT}/run/containerd/containerd.sock)
#   SHIM_FIX_PATH                   PATH searched for binaries (default: systemd's default service PATH)
#   SHIM_FIX_SOCKET_WAIT_SECONDS    how long containerd may take to answer after the restart (default 60)
#   SHIM_FIX_DOCKER_WAIT_SECONDS    how long `systemctl restart docker` may take (default 120)
#   SHIM_FIX_POLL_INTERVAL_SECONDS  pause between socket probes (default 1, fractions allowed)
#
# SSM's aws:runShellScript writes the runCommand lines into a file and starts it with `sh -c <file>`, so the kernel honours
# the shebang above. Should a host's sh interpret the file itself, switch to bash before any bash syntax is parsed.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi

set -Eeuo pipefail
readonly ACTION=restart

# shim-fix:include lib/runtime-probes.sh
# (inlined here when the SSM document is built; sourced when the script is run from the repository)
SHIM_FIX_HERE=${BASH_SOURCE[0]%/*}; [[ $SHIM_FIX_HERE != "${BASH_SOURCE[0]}" ]] || SHIM_FIX_HERE=.
# shellcheck source-path=SCRIPTDIR source=lib/runtime-probes.sh
source "$SHIM_FIX_HERE/lib/runtime-probes.sh"

readonly DEFAULT_SOCKET_WAIT_SECONDS=60
readonly DEFAULT_DOCKER_WAIT_SECONDS=120
readonly DEFAULT_POLL_INTERVAL_SECONDS=1

# Whole seconds (1-3600) from the environment, or the default when unset or malformed (logged, never executed).
# Zero is refused because `timeout 0` means no bound at all.
seconds_setting() {
  local name=$1 default=$2 value=${!1:-}
  if [[ -z $value ]]; then
    printf '%s' "$default"
  elif [[ $value =~ ^[0-9]{1,4}$ ]] && ((10#$value >= 1 && 10#$value <= 3600)); then
    printf '%s' "$((10#$value))"
  else
    log "ignoring $name=$value: expected whole seconds from 1 to 3600, using $default"
    printf '%s' "$default"
  fi
}
poll_interval_setting() {
  local value=${SHIM_FIX_POLL_INTERVAL_SECONDS:-}
  if [[ -z $value ]]; then
    printf '%s' "$DEFAULT_POLL_INTERVAL_SECONDS"
  elif [[ $value =~ ^[0-9]{1,2}(\.[0-9]{1,3})?$ ]]; then
    printf '%s' "$value"
  else
    log "ignoring SHIM_FIX_POLL_INTERVAL_SECONDS=$value: expected seconds such as 1 or 0.2, using $DEFAULT_POLL_INTERVAL_SECONDS"
    printf '%s' "$DEFAULT_POLL_INTERVAL_SECONDS"
  fi
}

SOCKET_WAIT_SECONDS=$(seconds_setting SHIM_FIX_SOCKET_WAIT_SECONDS "$DEFAULT_SOCKET_WAIT_SECONDS")
DOCKER_WAIT_SECONDS=$(seconds_setting SHIM_FIX_DOCKER_WAIT_SECONDS "$DEFAULT_DOCKER_WAIT_SECONDS")
POLL_INTERVAL_SECONDS=$(poll_interval_setting)
readonly SOCKET_WAIT_SECONDS DOCKER_WAIT_SECONDS POLL_INTERVAL_SECONDS

# Ends the run: result line last, exit 0 only for "restarted".
finish() {
  local status=$1 message=$2
  if [[ $status == restarted ]]; then
    log "result: $message"
  else
    log_error "$message"
  fi
  emit_result "$status" "$message"
  if [[ $status == restarted ]]; then exit 0; else exit 1; fi
}

# The first line of systemctl's complaint, for the message (systemctl already points at journalctl in it).
describe_failure() {
  local code=$1 output=$2 bound=$3
  if ((code == 0)); then
    printf 'returned'
  elif ((code == 124)); then
    printf 'did not return within %ss' "$bound"
  elif [[ -n $output ]]; then
    printf 'failed (exit %s: %s)' "$code" "$(first_line "$output")"
  else
    printf 'failed (exit %s)' "$code"
  fi
}

# Polls until the socket exists AND the daemon answers `ctr version`, for at least SOCKET_WAIT_SECONDS. A socket file alone
# is not enough: it can be left over from the old process, or exist before the daemon serves requests.
wait_for_containerd() {
  local deadline=$((SECONDS + SOCKET_WAIT_SECONDS)) version
  while :; do
    if [[ -S $SOCKET ]] && version=$(running_version_from_ctr quiet); then
      SOCKET_UP=true
      RUNNING_VERSION=$version
      return 0
    fi
    if ((SECONDS > deadline)); then
      # One last, logged attempt says why; the process fallback tells whether some daemon runs at all.
      if [[ -S $SOCKET ]]; then SOCKET_UP=true; else SOCKET_UP=false; fi
      RUNNING_VERSION=$(running_containerd_version) || RUNNING_VERSION=''
      [[ -z $RUNNING_VERSION ]] || log "a containerd $RUNNING_VERSION process exists, but its socket does not answer"
      return 1
    fi
    sleep "$POLL_INTERVAL_SECONDS"
  done
}

unit_state() {
  local state
  state=$(systemctl is-active "$1" 2>/dev/null) || true
  printf '%s' "${state:-unknown}"
}

main() {
  local output code duplicates restart_problem=''
  log "shim-fix restart: restart containerd, then Docker if it is active, and verify the running version"
  collect_containerd_facts
  collect_docker_facts
  collect_nested_hints
  RUNNING_BEFORE=$RUNNING_VERSION
  log_facts

  if [[ -z $INSTALLED_VERSION ]]; then
    finish failed 'containerd is not installed (no containerd binary on PATH reports a version): nothing to restart'
  fi
  if ! have systemctl; then
    finish failed 'systemctl is not available (no systemd here, perhaps a nested container): restart containerd the way it was started'
  fi
  if [[ $NESTED == true ]]; then
    log "warning: this looks like a nested container; the restart only affects the containerd of this container"
  fi
  if [[ $DOCKER_ACTIVE == true && $LIVE_RESTORE != true ]]; then
    log "warning: Docker live-restore is off, so restarting Docker stops the containers it runs"
  fi

  log "restarting containerd (systemctl restart containerd, up to ${SOCKET_WAIT_SECONDS}s)"
  code=0
  output=$(timeout "$SOCKET_WAIT_SECONDS" systemctl restart containerd 2>&1) || code=$?
  if ((code != 0)); then
    restart_problem="systemctl restart containerd $(describe_failure "$code" "$output" "$SOCKET_WAIT_SECONDS")"
    log "$restart_problem"
  fi

  log "waiting up to ${SOCKET_WAIT_SECONDS}s for $SOCKET to answer ctr version"
  if ! wait_for_containerd; then
    finish failed "containerd did not come back within ${SOCKET_WAIT_SECONDS}s after the restart (unit $(unit_state containerd), socket $([[ $SOCKET_UP == true ]] && printf 'present' || printf 'absent'))${restart_problem:+: $restart_problem}; Docker was not touched; see journalctl -u containerd -n 50"
  fi
  log "containerd answers: running $RUNNING_VERSION"

  # Re-read what is installed: binaries may have changed while we waited, and the verdict must describe the end state.
  local running=$RUNNING_VERSION
  collect_containerd_facts
  RUNNING_VERSION=${RUNNING_VERSION:-$running}
  duplicates=$(duplicates_summary)
  if [[ $RUNNING_VERSION != "$INSTALLED_VERSION" ]]; then
    finish failed "containerd restarted but runs $RUNNING_VERSION while $INSTALLED_VERSION is installed${INSTALLED_PATH:+ at $INSTALLED_PATH}: the unit starts a different binary${duplicates:+ ($duplicates)}; Docker was not touched"
  fi

  if [[ $DOCKER_ACTIVE == true ]]; then
    log "restarting Docker (systemctl restart docker, up to ${DOCKER_WAIT_SECONDS}s): it was active before"
    code=0
    output=$(timeout "$DOCKER_WAIT_SECONDS" systemctl restart docker 2>&1) || code=$?
    DOCKER_RESTARTED=true
    if ((code != 0)) || ! unit_active docker; then
      finish failed "containerd $RUNNING_VERSION is running, but Docker did not come back: systemctl restart docker $(describe_failure "$code" "$output" "$DOCKER_WAIT_SECONDS"), unit $(unit_state docker); see journalctl -u docker -n 50"
    fi
    log "Docker is active again"
  else
    log "Docker was not active before, so it is left alone"
  fi

  local message="containerd restarted: running $RUNNING_VERSION"
  if [[ -n $RUNNING_BEFORE && $RUNNING_BEFORE != "$RUNNING_VERSION" ]]; then message+=" (was $RUNNING_BEFORE)"; fi
  message+=", matching the installed version"
  if [[ $DOCKER_RESTARTED == true ]]; then message+='; Docker restarted'; else message+='; Docker was not active, so it was left alone'; fi
  if [[ $SHIM_PROTOCOL_MISMATCH == true ]]; then
    message+="; warning: the shim first on PATH is $SHIM_VERSION (protocol v3), which this 1.x daemon cannot start"
  fi
  if [[ -n $duplicates ]]; then message+="; note: $duplicates"; fi
  finish restarted "$message"
}

main
