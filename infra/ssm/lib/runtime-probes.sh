# shim-fix: helpers shared by check-container-runtime.sh and restart-container-runtime.sh.
#
# Not a script of its own: each SSM document must be one self-contained file, so `infra/ssm-script-assembly.ts` inlines
# this file in place of the include stanza when the documents are built (and when the tests run the scripts). Run from
# the repository, the scripts source it instead. It expects ACTION to be set and `set -Eeuo pipefail` in force.
# shellcheck shell=bash

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
