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

# --- BEGIN shared helpers: identical in check-container-runtime.sh and restart-container-runtime.sh --------------------
# (Each SSM document embeds one file, so nothing can be sourced; test/unit/infra/ssm-scripts.test.ts keeps the copies equal.)

# Byte-wise string handling and stable command output whatever locale the SSM agent runs with.
export LC_ALL=C
# The containerd unit resolves shims on systemd's default PATH; searching the same PATH shows what the daemon would find,
# and a fixed PATH keeps the agent's environment from choosing which binaries run as root.
PATH="${SHIM_FIX_PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}"
export PATH

readonly SCHEMA_VERSION=1
readonly RESULT_PREFIX=SHIM_FIX_RESULT
# Bound for every single probe command (ctr, docker info, --version): a wedged daemon must not hang the document.
readonly PROBE_TIMEOUT_SECONDS=10
readonly ROOT="${SHIM_FIX_ROOT:-}"
readonly SOCKET="${SHIM_FIX_SOCKET:-${ROOT}/run/containerd/containerd.sock}"
readonly PROC_DIR="${ROOT}/proc"
readonly DOCKER_DAEMON_JSON="${ROOT}/etc/docker/daemon.json"

# Facts, with the values reported when they could not be determined. Booleans hold JSON literals (true/false/null).
INSTALLED_VERSION=''
INSTALLED_PATH=''
RUNNING_VERSION=''
RUNNING_BEFORE=''
CONTAINERD_BINARIES=()
SHIM_BINARIES=()
SHIM_VERSION=''
SHIM_PROTOCOL_MISMATCH=null
SOCKET_UP=false
DOCKER_ACTIVE=false
DOCKER_RESTARTED=false
LIVE_RESTORE=null
NESTED=false
NESTED_HINTS=()
RESULT_EMITTED=false
FAILED_LINE=''
FAILED_COMMAND=''

# Log lines go to fd 3, a copy of the original stdout, so helpers can log even while their stdout is being captured.
exec 3>&1
log() { printf '%s\n' "$*" >&3; }
# Problems go to stderr as well: the Slack status handler shows the stderr tail of a failed command.
log_error() {
  printf 'ERROR: %s\n' "$*" >&3
  printf 'ERROR: %s\n' "$*" >&2
}
have() { command -v "$1" >/dev/null 2>&1; }
first_line() { printf '%s' "${1%%$'\n'*}"; }

# Prints $1 as a JSON string literal. Bytes >= 0x80 pass through untouched (LC_ALL=C); control characters are escaped.
json_string() {
  local s=$1 code octal char escaped
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  if [[ $s == *[[:cntrl:]]* ]]; then
    for ((code = 1; code < 32; code++)); do
      printf -v octal '%03o' "$code"
      printf -v char '%b' "\\0${octal}"
      printf -v escaped '\\u%04x' "$code"
      s=${s//"$char"/$escaped}
    done
  fi
  printf '"%s"' "$s"
}
json_string_or_null() {
  if [[ -n $1 ]]; then json_string "$1"; else printf 'null'; fi
}
json_array() {
  local item separator=''
  printf '['
  for item in "$@"; do
    printf '%s' "$separator"
    json_string "$item"
    separator=,
  done
  printf ']'
}
join_by_comma() {
  local joined='' item
  for item in "$@"; do joined+="${joined:+, }$item"; done
  printf '%s' "$joined"
}

# First version-looking token of $1 without the leading "v": 2.0.0, 1.7.23, 1.7.12-0ubuntu4, 1.6.20~ds1.
parse_version() {
  local re='(^|[^0-9A-Za-z.])v?([0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+~-]*)'
  if [[ $1 =~ $re ]]; then
    printf '%s' "${BASH_REMATCH[2]}"
  else
    return 1
  fi
}
version_major() { printf '%s' "${1%%.*}"; }

# Distinct executables named $1 on PATH, in PATH order, one per line. Symlinks, hard links and merged-/usr aliases of one
# file count once ([[ -ef ]] compares device and inode), so /bin/containerd and /usr/bin/containerd on a merged-/usr host
# are not reported as duplicates.
find_binaries() {
  local candidate known duplicate
  local -a found=()
  while IFS= read -r candidate; do
    duplicate=false
    for known in ${found[@]+"${found[@]}"}; do
      if [[ $candidate -ef $known ]]; then
        duplicate=true
        break
      fi
    done
    if [[ $duplicate == false ]]; then found+=("$candidate"); fi
  done < <(type -aP "$1" || true)
  if ((${#found[@]} > 0)); then printf '%s\n' "${found[@]}"; fi
}

# The binary the containerd unit starts (ExecStart path), else the first containerd on PATH. Its version is "installed".
installed_containerd_path() {
  local exec_start re='path=([^;]+) ; argv'
  if have systemctl; then
    exec_start=$(systemctl show --property=ExecStart --value containerd 2>/dev/null) || exec_start=''
    if [[ $exec_start =~ $re && -x ${BASH_REMATCH[1]} ]]; then
      printf '%s' "${BASH_REMATCH[1]}"
      return 0
    fi
  fi
  if ((${#CONTAINERD_BINARIES[@]} > 0)); then printf '%s' "${CONTAINERD_BINARIES[0]}"; else return 1; fi
}

# Server version reported by the daemon through its socket: the daemon that starts shims for new containers.
# $1 is "log" or "quiet": polling is quiet, so a wait does not fill the SSM output with one complaint per attempt.
running_version_from_ctr() {
  local out
  [[ -S $SOCKET ]] || return 1
  have ctr || return 1
  if ! out=$(timeout "$PROBE_TIMEOUT_SECONDS" ctr --address "$SOCKET" version 2>&1); then
    if [[ $1 == log ]]; then log "ctr version did not answer: $(first_line "${out##*ctr: }")"; fi
    return 1
  fi
  [[ $out == *Server:* ]] || return 1
  parse_version "${out#*Server:}"
}

# PID of the containerd daemon: the unit's MainPID, else the first process named containerd.
containerd_pid() {
  local pid comm_file comm
  if have systemctl; then
    pid=$(systemctl show --property=MainPID --value containerd 2>/dev/null) || pid=''
    if [[ $pid =~ ^[1-9][0-9]*$ && -e $PROC_DIR/$pid/exe ]]; then
      printf '%s' "$pid"
      return 0
    fi
  fi
  for comm_file in "$PROC_DIR"/[0-9]*/comm; do
    [[ -r $comm_file ]] || continue
    read -r comm 2>/dev/null <"$comm_file" || continue
    if [[ $comm == containerd ]]; then
      pid=${comm_file%/comm}
      printf '%s' "${pid##*/}"
      return 0
    fi
  done
  return 1
}

# Fallback when ctr cannot ask the socket: /proc/<pid>/exe still opens the binary the process was started from, even
# after a package upgrade replaced (unlinked) the file on disk, so its --version is the running version.
running_version_from_process() {
  local pid exe target out
  pid=$(containerd_pid) || return 1
  exe="$PROC_DIR/$pid/exe"
  if target=$(readlink "$exe" 2>/dev/null) && [[ $target == *' (deleted)' ]]; then
    log "The running containerd (pid $pid) was started from $target: its binary was replaced on disk since it started."
  fi
  out=$(timeout "$PROBE_TIMEOUT_SECONDS" "$exe" --version 2>/dev/null) || return 1
  parse_version "$out"
}

running_containerd_version() {
  running_version_from_ctr log || running_version_from_process
}

shim_version() {
  local out
  ((${#SHIM_BINARIES[@]} > 0)) || return 1
  out=$(timeout "$PROBE_TIMEOUT_SECONDS" "${SHIM_BINARIES[0]}" -v 2>/dev/null) || return 1
  parse_version "$out"
}

# containerd 2.x shims answer the start handshake with protocol version 3; a 1.x daemon accepts at most 2 and fails every
# new container with "unsupported shim version (3)". Prints true/false, or null when a version is unknown.
shim_protocol_mismatch() {
  local shim=${SHIM_VERSION:-$INSTALLED_VERSION}
  if [[ -z $RUNNING_VERSION || -z $shim ]]; then
    printf 'null'
  elif (($(version_major "$RUNNING_VERSION") < 2 && $(version_major "$shim") >= 2)); then
    printf 'true'
  else
    printf 'false'
  fi
}

unit_active() {
  local state
  have systemctl || return 1
  state=$(systemctl is-active "$1" 2>/dev/null) || true
  [[ $state == active ]]
}

# true/false from the running daemon, else from daemon.json (absent key = Docker's default, off), else null.
docker_live_restore() {
  local value format json open='{' close='}' re='"live-restore"[[:space:]]*:[[:space:]]*(true|false)'
  if [[ $DOCKER_ACTIVE == true ]] && have docker; then
    # Assembled from single braces: SSM documents read a double brace as a parameter reference.
    format="${open}${open}.LiveRestoreEnabled${close}${close}"
    value=$(timeout "$PROBE_TIMEOUT_SECONDS" docker info --format "$format" 2>/dev/null) || value=''
    if [[ $value == true || $value == false ]]; then
      printf '%s' "$value"
      return 0
    fi
  fi
  if [[ -r $DOCKER_DAEMON_JSON ]]; then
    json=$(<"$DOCKER_DAEMON_JSON")
    if [[ $json =~ $re ]]; then printf '%s' "${BASH_REMATCH[1]}"; else printf 'false'; fi
    return 0
  fi
  if have dockerd || have docker; then printf 'false'; else printf 'null'; fi
}

collect_nested_hints() {
  local virt mountinfo
  NESTED_HINTS=()
  if [[ -e $ROOT/.dockerenv ]]; then NESTED_HINTS+=('/.dockerenv exists'); fi
  if [[ -e $ROOT/run/.containerenv ]]; then NESTED_HINTS+=('/run/.containerenv exists'); fi
  if have systemd-detect-virt; then
    virt=$(timeout "$PROBE_TIMEOUT_SECONDS" systemd-detect-virt --container 2>/dev/null) || true
    if [[ -n $virt && $virt != none ]]; then NESTED_HINTS+=("systemd-detect-virt --container: $virt"); fi
  fi
  if [[ -r $PROC_DIR/self/mountinfo ]]; then
    mountinfo=$(<"$PROC_DIR/self/mountinfo")
    if [[ $mountinfo == *sysboxfs* ]]; then NESTED_HINTS+=('sysbox-fs mounts in /proc/self/mountinfo'); fi
  fi
  if ((${#NESTED_HINTS[@]} > 0)); then NESTED=true; else NESTED=false; fi
}

# Re-reads everything the verdicts depend on. Safe to call again after a restart.
collect_containerd_facts() {
  local binaries shims
  binaries=$(find_binaries containerd)
  shims=$(find_binaries containerd-shim-runc-v2)
  CONTAINERD_BINARIES=()
  SHIM_BINARIES=()
  if [[ -n $binaries ]]; then mapfile -t CONTAINERD_BINARIES <<<"$binaries"; fi
  if [[ -n $shims ]]; then mapfile -t SHIM_BINARIES <<<"$shims"; fi
  INSTALLED_PATH=$(installed_containerd_path) || INSTALLED_PATH=''
  INSTALLED_VERSION=''
  if [[ -n $INSTALLED_PATH ]]; then
    INSTALLED_VERSION=$(parse_version "$(timeout "$PROBE_TIMEOUT_SECONDS" "$INSTALLED_PATH" --version 2>/dev/null)") ||
      INSTALLED_VERSION=''
  fi
  if [[ -S $SOCKET ]]; then SOCKET_UP=true; else SOCKET_UP=false; fi
  RUNNING_VERSION=$(running_containerd_version) || RUNNING_VERSION=''
  SHIM_VERSION=$(shim_version) || SHIM_VERSION=''
  SHIM_PROTOCOL_MISMATCH=$(shim_protocol_mismatch)
}

collect_docker_facts() {
  if unit_active docker; then DOCKER_ACTIVE=true; else DOCKER_ACTIVE=false; fi
  LIVE_RESTORE=$(docker_live_restore)
}

log_facts() {
  log "containerd installed: ${INSTALLED_VERSION:-none}${INSTALLED_PATH:+ ($INSTALLED_PATH)}"
  log "containerd running:   ${RUNNING_VERSION:-none} (socket $SOCKET $([[ $SOCKET_UP == true ]] && printf 'present' || printf 'absent'))"
  local binaries shims
  binaries=$(join_by_comma ${CONTAINERD_BINARIES[@]+"${CONTAINERD_BINARIES[@]}"})
  shims=$(join_by_comma ${SHIM_BINARIES[@]+"${SHIM_BINARIES[@]}"})
  log "containerd on PATH:   ${binaries:-none}"
  log "runc shim on PATH:    ${shims:-none}${SHIM_VERSION:+ (version $SHIM_VERSION)}"
  if [[ $SHIM_PROTOCOL_MISMATCH == true ]]; then
    log "shim protocol:        MISMATCH: the ${SHIM_VERSION:-$INSTALLED_VERSION} shim speaks v3, the running $RUNNING_VERSION daemon only v2"
  fi
  log "docker:               $([[ $DOCKER_ACTIVE == true ]] && printf 'active' || printf 'not active'), live-restore $LIVE_RESTORE"
  if [[ $NESTED == true ]]; then
    log "nested container:     yes ($(join_by_comma "${NESTED_HINTS[@]}"))"
  else
    log 'nested container:     no hints'
  fi
}

# "2 containerd binaries on PATH (/usr/bin/containerd, /usr/local/bin/containerd)", or empty when there are none.
duplicates_summary() {
  local -a parts=()
  if ((${#CONTAINERD_BINARIES[@]} > 1)); then
    parts+=("${#CONTAINERD_BINARIES[@]} containerd binaries on PATH ($(join_by_comma "${CONTAINERD_BINARIES[@]}"))")
  fi
  if ((${#SHIM_BINARIES[@]} > 1)); then
    parts+=("${#SHIM_BINARIES[@]} containerd-shim-runc-v2 binaries on PATH ($(join_by_comma "${SHIM_BINARIES[@]}"))")
  fi
  if ((${#parts[@]} == 2)); then
    printf '%s and %s' "${parts[0]}" "${parts[1]}"
  elif ((${#parts[@]} == 1)); then
    printf '%s' "${parts[0]}"
  fi
}

result_json() {
  local status=$1 message=$2 containerd docker
  containerd="\"installed\":$(json_string_or_null "$INSTALLED_VERSION")"
  containerd+=",\"installedPath\":$(json_string_or_null "$INSTALLED_PATH")"
  containerd+=",\"running\":$(json_string_or_null "$RUNNING_VERSION")"
  if [[ $ACTION == restart ]]; then containerd+=",\"runningBefore\":$(json_string_or_null "$RUNNING_BEFORE")"; fi
  containerd+=",\"binaries\":$(json_array ${CONTAINERD_BINARIES[@]+"${CONTAINERD_BINARIES[@]}"})"
  containerd+=",\"shims\":$(json_array ${SHIM_BINARIES[@]+"${SHIM_BINARIES[@]}"})"
  containerd+=",\"shimVersion\":$(json_string_or_null "$SHIM_VERSION")"
  containerd+=",\"shimProtocolMismatch\":$SHIM_PROTOCOL_MISMATCH"
  containerd+=",\"socket\":$SOCKET_UP"
  docker="\"active\":$DOCKER_ACTIVE"
  if [[ $ACTION == restart ]]; then docker+=",\"restarted\":$DOCKER_RESTARTED"; fi
  docker+=",\"liveRestore\":$LIVE_RESTORE"
  printf '{"schema":%d,"action":%s,"status":%s,"message":%s,"containerd":{%s},"docker":{%s},"nested":%s,"nestedHints":%s,"durationSeconds":%d}' \
    "$SCHEMA_VERSION" "$(json_string "$ACTION")" "$(json_string "$status")" "$(json_string "$message")" \
    "$containerd" "$docker" "$NESTED" "$(json_array ${NESTED_HINTS[@]+"${NESTED_HINTS[@]}"})" "$SECONDS"
}

# The contract: one line, fixed prefix, compact JSON, and nothing on stdout after it.
emit_result() {
  local json
  json=$(result_json "$1" "$2")
  RESULT_EMITTED=true
  printf '%s %s\n' "$RESULT_PREFIX" "$json"
}

# set -e may stop the script anywhere; the caller still gets its result line, with where it stopped.
# Called only by the EXIT trap, which shellcheck cannot see when the main path always ends in `exit`.
# shellcheck disable=SC2317
on_exit() {
  local code=$?
  if [[ $RESULT_EMITTED == false ]]; then
    ((code != 0)) || code=1
    log_error "the $ACTION script stopped unexpectedly (exit $code) at line ${FAILED_LINE:-?}: ${FAILED_COMMAND:-unknown command}"
    emit_result failed "the $ACTION script stopped unexpectedly (exit $code) at line ${FAILED_LINE:-?}: ${FAILED_COMMAND:-unknown command}"
    exit "$code"
  fi
}
trap on_exit EXIT
trap 'FAILED_LINE=$LINENO; FAILED_COMMAND=$BASH_COMMAND' ERR

if (($# > 0)); then
  log_error "this script takes no arguments (got $#)"
  emit_result failed "the $ACTION script takes no arguments"
  exit 2
fi
# Every probe is bounded by coreutils timeout; without it a wedged daemon could hang the document until SSM kills it.
if ! have timeout; then
  log_error "timeout (coreutils) is not on PATH ($PATH)"
  emit_result failed "the $ACTION script needs timeout (coreutils), which is not on PATH"
  exit 1
fi
# --- END shared helpers -------------------------------------------------------------------------------------------------

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
