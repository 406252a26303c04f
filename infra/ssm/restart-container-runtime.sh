#!/usr/bin/env bash
# shim-fix: restart containerd on this host, only when the evidence says that fixes it (our "restart" SSM document).
#
# The fix for `unsupported shim version (3)` after a containerd package upgrade: the old daemon still runs and cannot
# start the new shims. This script is the last line of defence, also against a stale Slack card: it re-runs every probe
# of the check first and refuses, touching nothing, unless the verdict is `stale-daemon` (running daemon older than the
# installed one or its binary replaced on disk, config accepted by the installed binary, KillMode=process, containerd
# run by its own systemd unit). Then it runs `systemctl daemon-reload` if the unit needs it, restarts containerd only,
# waits (bounded) until `ctr version` answers, and verifies: the installed version runs, its binary is the installed
# file, and the CRI plugin, where listed, loaded. Docker is left alone (dockerd reconnects to a restarted containerd)
# unless dockerd itself is stale or does not recover; when a Docker restart would stop containers (live-restore off),
# or docker.service BindsTo=/Requires= containerd so systemd would restart Docker too, it refuses unless the document
# parameter AllowStoppingContainers is yes. Run twice, the second run finds the host healthy and refuses.
#
# Output: human-readable log lines for the SSM console, then as the LAST line on stdout exactly one line
#   SHIM_FIX_RESULT {"schema":2,"action":"restart","verdict":"stale-daemon","status":"restarted",...}
# The JSON is a contract, documented in docs/ssm-result-line.md and parsed by lambda/core/remediation/result-line.ts.
# Exit status: 0 when containerd was restarted and verified, and when the script refused (nothing was touched: the
# refusal is data); 1 when it could not do its job (the message says what state the host is in); 2 for arguments.
#
# Takes no arguments and no free-form input: this is one of the only two scripts the bot may run as root. The one
# document parameter, AllowStoppingContainers (allowedValues no/yes), arrives as SHIM_FIX_ALLOW_STOPPING_CONTAINERS.
# Environment overrides exist for tests only (the SSM document passes none); see docs/ssm-result-line.md:
#   SHIM_FIX_ROOT                   prefix for every file path read (/proc, /etc, /run, /var, markers)
#   SHIM_FIX_SOCKET                 containerd socket path (default ${SHIM_FIX_ROOT}/run/containerd/containerd.sock)
#   SHIM_FIX_PATH                   PATH searched for systemctl, ctr, containerd, docker and shims
#   SHIM_FIX_SOCKET_WAIT_SECONDS    how long containerd may take to answer after the restart (default 60)
#   SHIM_FIX_DOCKER_WAIT_SECONDS    how long Docker may take to answer again (default 120)
#   SHIM_FIX_POLL_INTERVAL_SECONDS  pause between probes while waiting (default 1, fractions allowed)
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

# Ends the run: result line last. $1 status, $2 refusal, $3 message.
finish() {
  local status=$1 refusal=$2 message=$3
  if [[ $status == failed ]]; then log_error "$message"; else log "result: $status: $message"; fi
  emit_result "$status" "$refusal" "$message"
  if [[ $status == failed ]]; then exit 1; else exit 0; fi
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

# Equal major.minor.patch (distribution suffixes aside).
same_version() { ! version_older "$1" "$2" && ! version_older "$2" "$1"; }

# Whether restarting Docker (or a containerd restart that takes Docker with it) would stop containers.
docker_restart_stops_containers() {
  [[ $DOCKER_ACTIVE == true && $LIVE_RESTORE != true ]] || return 1
  # An unknown count is treated as "some": the script cannot prove there are none.
  [[ $RUNNING_CONTAINERS != 0 ]]
}
containerd_restart_takes_docker() {
  [[ $DOCKER_ACTIVE == true && ($DOCKER_BINDS_TO == true || $DOCKER_REQUIRES == true) ]]
}

# The operator's explicit consent to stop containers: only the literal "yes" (the document allows no and yes only).
allow_stopping_containers() {
  local value=${SHIM_FIX_ALLOW_STOPPING_CONTAINERS:-no}
  if [[ $value != yes && $value != no ]]; then log "ignoring AllowStoppingContainers=$value: only yes allows it"; fi
  [[ $value == yes ]]
}

# Polls until the daemon answers `ctr version`, for at most SOCKET_WAIT_SECONDS. A socket file alone is not enough: it
# can be left over from the old process, or exist before the daemon serves requests.
wait_for_containerd() {
  local deadline=$((SECONDS + SOCKET_WAIT_SECONDS))
  while :; do
    if running_version_from_ctr quiet >/dev/null; then return 0; fi
    if ((SECONDS > deadline)); then
      running_version_from_ctr log >/dev/null || true
      return 1
    fi
    sleep "$POLL_INTERVAL_SECONDS"
  done
}

docker_answers() { have docker && docker_info .ServerVersion >/dev/null; }
wait_for_docker() {
  local deadline=$((SECONDS + DOCKER_WAIT_SECONDS))
  while :; do
    if docker_answers; then return 0; fi
    if ((SECONDS > deadline)); then return 1; fi
    sleep "$POLL_INTERVAL_SECONDS"
  done
}

restart_unit() {
  local unit=$1 code=0 output
  log "systemctl restart $unit (up to ${SOCKET_WAIT_SECONDS}s)"
  # fd 3 (the log copy of stdout) is closed for systemctl: nothing it starts may hold the SSM output pipe open.
  output=$(timeout "$SOCKET_WAIT_SECONDS" systemctl restart "$unit" 2>&1 3>&-) || code=$?
  if ((code != 0)); then
    RESTART_PROBLEM="systemctl restart $unit $(describe_failure "$code" "$output" "$SOCKET_WAIT_SECONDS")"
    log "$RESTART_PROBLEM"
    return 1
  fi
}

# After containerd is back: leave Docker alone unless dockerd itself is stale or does not answer. Sets DOCKER_RESTARTED
# and DOCKER_RECOVERED; prints nothing; returns 1 with DOCKER_PROBLEM set when Docker is not back.
settle_docker() {
  DOCKER_PROBLEM=''
  [[ $DOCKER_ACTIVE_BEFORE == true ]] || return 0
  if containerd_restart_takes_docker; then
    # systemd restarted (BindsTo: possibly only stopped) docker.service with containerd.
    DOCKER_RESTARTED=true
    if ! unit_active "$DOCKER_UNIT_NAME"; then
      log "docker.service is $(unit_state "$DOCKER_UNIT_NAME") after the containerd restart: starting it"
      timeout "$DOCKER_WAIT_SECONDS" systemctl start "$DOCKER_UNIT_NAME" >/dev/null 2>&1 3>&- || true
    fi
  elif [[ $DOCKER_STALE == true ]]; then
    log "dockerd's own binary was replaced on disk since it started: restarting Docker"
    DOCKER_RESTARTED=true
    restart_unit "$DOCKER_UNIT_NAME" || true
  fi
  if wait_for_docker; then
    DOCKER_RECOVERED=true
    return 0
  fi
  if [[ $DOCKER_RESTARTED == false ]]; then
    if docker_restart_stops_containers && ! allow_stopping_containers; then
      DOCKER_RECOVERED=false
      DOCKER_PROBLEM="Docker does not answer docker info after the containerd restart, and restarting it would stop ${RUNNING_CONTAINERS:-its} running containers (live-restore off): restart docker.service yourself, or send the restart again with AllowStoppingContainers=yes"
      return 1
    fi
    log "Docker does not answer docker info after the containerd restart: restarting Docker"
    DOCKER_RESTARTED=true
    restart_unit "$DOCKER_UNIT_NAME" || true
    if wait_for_docker; then
      DOCKER_RECOVERED=true
      return 0
    fi
  fi
  DOCKER_RECOVERED=false
  DOCKER_PROBLEM="Docker does not answer docker info (docker.service $(unit_state "$DOCKER_UNIT_NAME")); see journalctl -u docker -n 50"
  return 1
}

# What the Docker restart cost, for the result: how many containers ran before it (measured by the probes) and after.
# Without live-restore dockerd stops every container when it stops; with it they are meant to keep running.
docker_restart_cost() {
  local now
  now=$(docker_info .ContainersRunning) || now=''
  [[ $now =~ ^[0-9]+$ ]] || now='an unknown number'
  if [[ $LIVE_RESTORE == true ]]; then
    printf 'Docker restarted and answers (live-restore on: %s containers ran before, %s run now)' "${RUNNING_CONTAINERS:-unknown}" "$now"
  else
    printf 'Docker restarted and answers; with live-restore off that stopped its %srunning containers (%s run now)' "${RUNNING_CONTAINERS:+$RUNNING_CONTAINERS }" "$now"
  fi
}

main() {
  local code output docker_clause
  RESTART_PROBLEM=''
  log "shim-fix restart: re-check the evidence, then restart containerd only if that is the fix"
  collect_all
  RUNNING_BEFORE=$RUNNING_VERSION
  DOCKER_ACTIVE_BEFORE=$DOCKER_ACTIVE
  DOCKER_STALE=false
  if [[ $DOCKER_ACTIVE == true && $DOCKER_BINARY_REPLACED == true ]]; then DOCKER_STALE=true; fi

  if [[ $VERDICT != stale-daemon ]]; then
    finish refused "$VERDICT" "restart refused, nothing was touched: $VERDICT_MESSAGE"
  fi
  if [[ $DOCKER_STALE == true ]] || containerd_restart_takes_docker; then
    if docker_restart_stops_containers && ! allow_stopping_containers; then
      local why='dockerd itself is stale and must be restarted'
      if containerd_restart_takes_docker; then why="docker.service $([[ $DOCKER_BINDS_TO == true ]] && printf 'BindsTo' || printf 'Requires') containerd.service, so systemd restarts Docker with containerd"; fi
      finish refused docker-would-stop-containers "restart refused, nothing was touched: $why, and with live-restore off that stops ${RUNNING_CONTAINERS:-its} running containers; send the restart with AllowStoppingContainers=yes to accept that"
    fi
  fi

  if [[ $NEEDS_RELOAD == true ]]; then
    log "$UNIT changed on disk since systemd loaded it: systemctl daemon-reload"
    code=0
    output=$(timeout "$PROBE_TIMEOUT_SECONDS" systemctl daemon-reload 2>&1) || code=$?
    if ((code != 0)); then
      finish failed '' "systemctl daemon-reload $(describe_failure "$code" "$output" "$PROBE_TIMEOUT_SECONDS"): nothing was restarted"
    fi
    # The reloaded unit may start another binary, with another config or KillMode: decide again on what systemd now has.
    collect_containerd_facts
    decide_verdict
    if [[ $VERDICT != stale-daemon ]]; then
      finish refused "$VERDICT" "restart refused after systemctl daemon-reload, no process was touched: $VERDICT_MESSAGE"
    fi
  fi

  restart_unit "$UNIT" || true
  log "waiting up to ${SOCKET_WAIT_SECONDS}s for containerd to answer ctr version on $SOCKET"
  if ! wait_for_containerd; then
    collect_containerd_facts
    finish failed '' "containerd did not come back within ${SOCKET_WAIT_SECONDS}s after the restart ($UNIT $(unit_state "$UNIT"))${RESTART_PROBLEM:+: $RESTART_PROBLEM}; the host has no working containerd now, Docker was not touched; see journalctl -u containerd -n 50"
  fi

  # The end state, measured again: versions, which file runs, CRI.
  collect_containerd_facts
  log_facts
  if [[ -z $RUNNING_VERSION ]] || ! same_version "$RUNNING_VERSION" "$INSTALLED_VERSION"; then
    finish failed '' "containerd restarted but runs ${RUNNING_VERSION:-an unknown version} while $INSTALLED_VERSION is installed at $INSTALLED_PATH; Docker was not touched"
  fi
  if [[ $BINARY_REPLACED == true ]]; then
    finish failed '' "containerd restarted but its main process runs ${RUNNING_EXE:-an unknown file}, not $INSTALLED_PATH; Docker was not touched"
  fi
  if [[ $CRI_LOADED == false ]]; then
    finish failed '' "containerd $RUNNING_VERSION restarted and answers, but its CRI plugin did not load (ctr plugins ls): kubelet cannot use it; see journalctl -u containerd -n 50; Docker was not touched"
  fi

  if ! settle_docker; then
    finish failed '' "containerd restarted: running $RUNNING_VERSION${RUNNING_BEFORE:+ (was $RUNNING_BEFORE)}; but $DOCKER_PROBLEM"
  fi
  if [[ $DOCKER_RESTARTED == true ]]; then
    docker_clause=$(docker_restart_cost)
  elif [[ $DOCKER_ACTIVE_BEFORE == true ]]; then
    docker_clause='Docker was left running and answers'
  else
    docker_clause='Docker was not active, so it was left alone'
  fi
  local message="containerd restarted: running $RUNNING_VERSION"
  if [[ -n $RUNNING_BEFORE && $RUNNING_BEFORE != "$RUNNING_VERSION" ]]; then message+=" (was $RUNNING_BEFORE)"; fi
  message+=", matching the installed version; $docker_clause"
  finish restarted '' "$message"
}

main
