# shim-fix: probes and verdict shared by check-container-runtime.sh and restart-container-runtime.sh.
#
# Not a script of its own: each SSM document must be one self-contained file, so `infra/ssm-script-assembly.ts` inlines
# this file in place of the include stanza when the documents are built (and when the tests run the scripts). Run from
# the repository, the scripts source it instead. It expects ACTION to be set and `set -Eeuo pipefail` in force.
#
# Evidence rules (issue 9 point 4): nothing here executes a binary found through a process list or /proc/<pid>/exe.
# The running daemon is the containerd unit's MainPID; its /proc entry is only READ (readlink, -ef). Versions come from
# `ctr version` (Server) and from the installed binary at the unit's ExecStart path. Bash 4.2 (Amazon Linux 2) syntax.
# shellcheck shell=bash

# Byte-wise string handling and stable command output whatever locale the SSM agent runs with.
export LC_ALL=C
# The containerd unit resolves shims on systemd's default PATH; searching the same PATH shows what the daemon would find,
# and a fixed PATH keeps the agent's environment from choosing which binaries run as root.
PATH="${SHIM_FIX_PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}"
export PATH

readonly SCHEMA_VERSION=2
readonly RESULT_PREFIX=SHIM_FIX_RESULT
# Bound for every single probe command (ctr, docker info, --version): a wedged daemon must not hang the document.
readonly PROBE_TIMEOUT_SECONDS=10
readonly ROOT="${SHIM_FIX_ROOT:-}"
readonly SOCKET="${SHIM_FIX_SOCKET:-${ROOT}/run/containerd/containerd.sock}"
readonly PROC_DIR="${ROOT}/proc"
readonly DOCKER_DAEMON_JSON="${ROOT}/etc/docker/daemon.json"
readonly CONTAINERD_UNIT_NAME=containerd.service
readonly DOCKER_UNIT_NAME=docker.service
readonly MAX_LISTED_BINARIES=16

# Facts. Strings are empty when unknown; "booleans" hold JSON literals (true/false/null).
SYSTEMD_OK=false
SYSTEMD_PROBLEM=''
UNIT=''
EXEC_START=''
INSTALLED_PATH=''
INSTALLED_VERSION=''
RUNNING_VERSION=''
RUNNING_BEFORE=''
MAIN_PID=''
MAIN_PID_PROBLEM=''
PROCESS_PID=''
PROCESS_PROBLEM=''
RUNNING_EXE=''
BINARY_REPLACED=null
KILL_MODE=''
NEEDS_RELOAD=null
CONFIG_PATH=''
CONFIG_ACCEPTED=null
CONFIG_ERROR=''
MANAGER=unknown
MANAGER_UNIT=''
CONTAINERD_BINARIES=()
CONTAINERD_BINARY_VERSIONS=()
SHIM_BINARIES=()
SHIM_BINARY_VERSIONS=()
SHIM_VERSION=''
SHIM_PROTOCOL_MISMATCH=null
SOCKET_UP=false
CRI_LOADED=null
CTR_PROBLEM=''
DOCKER_INSTALLED=false
DOCKER_ACTIVE=false
DOCKER_PATH=''
DOCKER_MAIN_PID=''
LIVE_RESTORE=null
RUNNING_CONTAINERS=''
DOCKER_BINARY_REPLACED=null
DOCKER_BINDS_TO=null
DOCKER_REQUIRES=null
DOCKER_RESTARTED=false
DOCKER_RECOVERED=null
NESTED=false
NESTED_HINTS=()
VERDICT=unknown
VERDICT_MESSAGE=''
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
json_number_or_null() {
  if [[ $1 =~ ^[0-9]+$ ]]; then printf '%d' "$((10#$1))"; else printf 'null'; fi
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
# [{"path":…,"version":…}] from two parallel arrays given by name.
json_binaries() {
  local paths_name=$1 versions_name=$2 count index separator='' path version
  eval "count=\${#${paths_name}[@]}"
  printf '['
  for ((index = 0; index < count; index++)); do
    eval "path=\${${paths_name}[index]}"
    eval "version=\${${versions_name}[index]:-}"
    printf '%s{"path":%s,"version":%s}' "$separator" "$(json_string "$path")" "$(json_string_or_null "$version")"
    separator=,
  done
  printf ']'
}
join_by_comma() {
  local joined='' item
  for item in "$@"; do joined+="${joined:+, }$item"; done
  printf '%s' "$joined"
}
cap() { printf '%s' "${1:0:$2}"; }

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
# Succeeds when version $1 is older than $2, comparing major.minor.patch numerically (suffixes ignored).
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

# ---- systemd ------------------------------------------------------------------------------------------------------

# `systemctl show --property=X --value UNIT`, bounded; empty when systemctl cannot say.
unit_property() {
  timeout "$PROBE_TIMEOUT_SECONDS" systemctl show --property="$2" --value "$1" 2>/dev/null || true
}
unit_loaded() { [[ $SYSTEMD_OK == true && $(unit_property "$1" LoadState) == loaded ]]; }
unit_active() {
  local state
  [[ $SYSTEMD_OK == true ]] || return 1
  state=$(timeout "$PROBE_TIMEOUT_SECONDS" systemctl is-active "$1" 2>/dev/null) || true
  [[ $state == active ]]
}
unit_state() {
  local state
  state=$(timeout "$PROBE_TIMEOUT_SECONDS" systemctl is-active "$1" 2>/dev/null) || true
  printf '%s' "${state:-unknown}"
}

# Ask systemctl itself whether a service manager answers (so a test's stand-in on SHIM_FIX_PATH can answer too): on a
# host or container without systemd as PID 1, `systemctl show` fails with "System has not been booted with systemd".
probe_systemd() {
  local out
  if ! have systemctl; then
    SYSTEMD_OK=false
    SYSTEMD_PROBLEM='systemctl is not installed'
    return 0
  fi
  if out=$(timeout "$PROBE_TIMEOUT_SECONDS" systemctl show --property=Version --value 2>&1) && [[ -n $out ]]; then
    SYSTEMD_OK=true
  else
    SYSTEMD_OK=false
    SYSTEMD_PROBLEM="systemctl does not work here ($(cap "$(first_line "${out:-no answer}")" 200))"
  fi
}

# The program an ExecStart= line starts. systemd prints `{ path=/usr/bin/containerd ; argv[]=/usr/bin/containerd --config
# /x ; … }`. A wrapper such as `/usr/bin/env PATH=… containerd` is not the daemon: then the first argv word whose name is
# $2 is taken (absolute, or resolved on PATH).
exec_start_program() {
  local exec_start=$1 name=$2 re='path=([^;]+) ; argv\[\]=([^;]*)' path word
  local -a argv
  [[ $exec_start =~ $re ]] || return 1
  path=${BASH_REMATCH[1]% }
  read -r -a argv <<<"${BASH_REMATCH[2]}"
  if [[ ${path##*/} == "$name" ]]; then
    printf '%s' "$path"
    return 0
  fi
  for word in ${argv[@]+"${argv[@]}"}; do
    if [[ ${word##*/} == "$name" ]]; then
      if [[ $word == /* ]]; then printf '%s' "$word"; else type -P "$word" || return 1; fi
      return 0
    fi
  done
  printf '%s' "$path"
}

# The --config (-c) argument of the containerd ExecStart line, else containerd's default.
exec_start_config() {
  local re='argv\[\]=([^;]*)' word take=false
  local -a argv
  if [[ $1 =~ $re ]]; then
    read -r -a argv <<<"${BASH_REMATCH[1]}"
    for word in ${argv[@]+"${argv[@]}"}; do
      if [[ $take == true ]]; then
        printf '%s' "$word"
        return 0
      fi
      case $word in
        --config=*) printf '%s' "${word#--config=}"; return 0 ;;
        --config | -c) take=true ;;
      esac
    done
  fi
  printf '%s' "${ROOT}/etc/containerd/config.toml"
}

# The unit's main process, when it lives in PID 1's mount namespace: a process inside a container (kind, DinD) is
# never "the daemon". Sets PROCESS_PID, or PROCESS_PROBLEM when the unit's PID is refused.
read_main_process() {
  local unit=$1 pid
  PROCESS_PID=''
  PROCESS_PROBLEM=''
  pid=$(unit_property "$unit" MainPID)
  [[ $pid =~ ^[1-9][0-9]*$ ]] || return 0
  if [[ ! -e $PROC_DIR/$pid/ns/mnt || ! $PROC_DIR/$pid/ns/mnt -ef $PROC_DIR/1/ns/mnt ]]; then
    PROCESS_PROBLEM="the $unit main process (pid $pid) is not in PID 1's mount namespace"
    return 0
  fi
  PROCESS_PID=$pid
}

# true when the process's binary was replaced on disk since it started: exe reads `… (deleted)`, or is another file
# than the installed one. Only stats and readlinks; never runs it.
binary_replaced() {
  local pid=$1 installed=$2 target
  target=$(readlink "$PROC_DIR/$pid/exe" 2>/dev/null) || {
    printf 'null'
    return 0
  }
  if [[ $target == *' (deleted)' ]]; then
    printf 'true'
  elif [[ -n $installed && $PROC_DIR/$pid/exe -ef $installed ]]; then
    printf 'false'
  elif [[ -n $installed ]]; then
    printf 'true'
  else
    printf 'null'
  fi
}

# ---- containerd ---------------------------------------------------------------------------------------------------

# Distinct executables named $1 on PATH, in PATH order, one per line. Symlinks, hard links and merged-/usr aliases of one
# file count once ([[ -ef ]] compares device and inode).
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
  if ((${#found[@]} > 0)); then printf '%s\n' "${found[@]:0:MAX_LISTED_BINARIES}"; fi
}

# Version printed by an installed binary (on PATH or at the unit's ExecStart path), bounded.
binary_version() {
  local out
  out=$(timeout "$PROBE_TIMEOUT_SECONDS" "$1" "$2" 2>/dev/null) || return 1
  parse_version "$out"
}

# Server version reported by the daemon through its socket: the daemon that starts shims for new containers.
# $1 is "log" or "quiet": polling is quiet, so a wait does not fill the SSM output with one complaint per attempt.
running_version_from_ctr() {
  local out
  [[ -S $SOCKET ]] || return 1
  have ctr || return 1
  if ! out=$(timeout "$PROBE_TIMEOUT_SECONDS" ctr --address "$SOCKET" version 2>&1); then
    CTR_PROBLEM=$(cap "$(first_line "${out##*ctr: }")" 300)
    if [[ $1 == log ]]; then log "ctr version did not answer: $CTR_PROBLEM"; fi
    return 1
  fi
  [[ $out == *Server:* ]] || return 1
  parse_version "${out#*Server:}"
}

# `ctr plugins ls` prints TYPE ID PLATFORMS STATUS columns; the CRI plugin is TYPE io.containerd.grpc.v1, ID cri.
# true when its STATUS is ok, false when it is listed otherwise (error, skip), null when it is not listed.
cri_loaded() {
  local out type id rest status
  out=$(timeout "$PROBE_TIMEOUT_SECONDS" ctr --address "$SOCKET" plugins ls 2>/dev/null) || {
    printf 'null'
    return 0
  }
  while read -r type id rest; do
    if [[ $type == io.containerd.grpc.v1 && $id == cri ]]; then
      status=${rest##* }
      if [[ $status == ok ]]; then printf 'true'; else printf 'false'; fi
      return 0
    fi
  done <<<"$out"
  printf 'null'
}

# Whether the installed binary accepts the unit's config: `containerd --config <file> config dump` loads and decodes it
# the way the daemon does at start (on 1.6.20 both reject a TOML or type error and both accept an unknown version).
# Plugin start-up errors are not caught: this is a partial check. A missing file is what the daemon accepts (defaults).
validate_config() {
  local out code=0
  CONFIG_ACCEPTED=null
  CONFIG_ERROR=''
  [[ -n $INSTALLED_PATH && -n $INSTALLED_VERSION ]] || return 0
  if [[ ! -e $CONFIG_PATH ]]; then
    CONFIG_ACCEPTED=true
    log "config:               $CONFIG_PATH does not exist: containerd starts with its defaults"
    return 0
  fi
  out=$(timeout "$PROBE_TIMEOUT_SECONDS" "$INSTALLED_PATH" --config "$CONFIG_PATH" config dump 2>&1 >/dev/null) || code=$?
  if ((code == 0)); then
    CONFIG_ACCEPTED=true
  elif ((code == 124)); then
    CONFIG_ERROR="$INSTALLED_PATH config dump did not answer within ${PROBE_TIMEOUT_SECONDS}s"
  else
    CONFIG_ACCEPTED=false
    CONFIG_ERROR=$(cap "$(first_line "${out:-exit $code}")" 300)
  fi
}

# containerd run by something other than its own systemd unit: k3s, rke2, snap (microk8s) or dockerd's embedded one.
# Sets MANAGER and MANAGER_UNIT. A loaded, active containerd.service wins: that is the daemon the restart would act on.
detect_manager() {
  local unit
  MANAGER_UNIT=''
  if [[ -n $UNIT && -n $MAIN_PID ]]; then
    MANAGER=systemd
    return 0
  fi
  for unit in rke2-server.service rke2-agent.service; do
    if unit_loaded "$unit"; then
      MANAGER=rke2
      MANAGER_UNIT=$unit
      return 0
    fi
  done
  if [[ -x $ROOT/var/lib/rancher/rke2/bin/containerd ]]; then
    MANAGER=rke2
    return 0
  fi
  for unit in k3s.service k3s-agent.service; do
    if unit_loaded "$unit"; then
      MANAGER=k3s
      MANAGER_UNIT=$unit
      return 0
    fi
  done
  if [[ -S $ROOT/run/k3s/containerd/containerd.sock ]]; then
    MANAGER=k3s
    return 0
  fi
  if unit_loaded snap.microk8s.daemon-containerd.service || [[ -S $ROOT/var/snap/microk8s/common/run/containerd.sock ]]; then
    MANAGER=snap
    MANAGER_UNIT=snap.microk8s.daemon-containerd.service
    return 0
  fi
  if [[ -e $ROOT/var/run/docker/containerd/containerd.toml ]]; then
    # dockerd without --containerd starts its own containerd with this config.
    MANAGER=dockerd
    MANAGER_UNIT=$DOCKER_UNIT_NAME
    return 0
  fi
  if [[ -n $UNIT ]]; then MANAGER=systemd; else MANAGER=none; fi
}

# containerd 2.x shims answer the start handshake with protocol version 3; a 1.x daemon accepts at most 2.
shim_protocol_mismatch() {
  local daemon=${RUNNING_VERSION:-$INSTALLED_VERSION}
  if [[ -z $daemon || -z $SHIM_VERSION ]]; then
    printf 'null'
  elif (($(version_major "$daemon") < 2 && $(version_major "$SHIM_VERSION") >= 2)); then
    printf 'true'
  else
    printf 'false'
  fi
}

collect_binaries() {
  local listed path
  CONTAINERD_BINARIES=()
  CONTAINERD_BINARY_VERSIONS=()
  SHIM_BINARIES=()
  SHIM_BINARY_VERSIONS=()
  listed=$(find_binaries containerd)
  if [[ -n $listed ]]; then
    while IFS= read -r path; do
      CONTAINERD_BINARIES+=("$path")
      CONTAINERD_BINARY_VERSIONS+=("$(binary_version "$path" --version || true)")
    done <<<"$listed"
  fi
  listed=$(find_binaries containerd-shim-runc-v2)
  if [[ -n $listed ]]; then
    while IFS= read -r path; do
      SHIM_BINARIES+=("$path")
      SHIM_BINARY_VERSIONS+=("$(binary_version "$path" -v || true)")
    done <<<"$listed"
  fi
  SHIM_VERSION=${SHIM_BINARY_VERSIONS[0]:-}
}

# Re-reads everything the verdict depends on. Safe to call again after a restart.
collect_containerd_facts() {
  UNIT=''
  EXEC_START=''
  MAIN_PID=''
  MAIN_PID_PROBLEM=''
  RUNNING_EXE=''
  BINARY_REPLACED=null
  KILL_MODE=''
  NEEDS_RELOAD=null
  INSTALLED_PATH=''
  INSTALLED_VERSION=''
  CTR_PROBLEM=''
  collect_binaries
  if unit_loaded "$CONTAINERD_UNIT_NAME"; then
    UNIT=$CONTAINERD_UNIT_NAME
    EXEC_START=$(unit_property "$UNIT" ExecStart)
    INSTALLED_PATH=$(exec_start_program "$EXEC_START" containerd) || INSTALLED_PATH=''
    KILL_MODE=$(unit_property "$UNIT" KillMode)
    case $(unit_property "$UNIT" NeedDaemonReload) in
      yes) NEEDS_RELOAD=true ;;
      no) NEEDS_RELOAD=false ;;
    esac
    read_main_process "$UNIT"
    MAIN_PID=$PROCESS_PID
    MAIN_PID_PROBLEM=$PROCESS_PROBLEM
  fi
  CONFIG_PATH=$(exec_start_config "$EXEC_START")
  if [[ -n $INSTALLED_PATH && -x $INSTALLED_PATH ]]; then
    INSTALLED_VERSION=$(binary_version "$INSTALLED_PATH" --version) || INSTALLED_VERSION=''
  fi
  if [[ -n $MAIN_PID ]]; then
    RUNNING_EXE=$(readlink "$PROC_DIR/$MAIN_PID/exe" 2>/dev/null) || RUNNING_EXE=''
    BINARY_REPLACED=$(binary_replaced "$MAIN_PID" "$INSTALLED_PATH")
  fi
  if RUNNING_VERSION=$(running_version_from_ctr log); then
    SOCKET_UP=true
    CRI_LOADED=$(cri_loaded)
  else
    RUNNING_VERSION=''
    SOCKET_UP=false
    CRI_LOADED=null
  fi
  SHIM_PROTOCOL_MISMATCH=$(shim_protocol_mismatch)
  detect_manager
  validate_config
}

# ---- Docker -------------------------------------------------------------------------------------------------------

docker_info() {
  local open='{' close='}'
  # Assembled from single braces: SSM documents read a double brace as a parameter reference.
  timeout "$PROBE_TIMEOUT_SECONDS" docker info --format "${open}${open}$1${close}${close}" 2>/dev/null
}

# true/false from the running daemon, else from daemon.json or a --live-restore flag (absent = Docker's default, off).
docker_live_restore() {
  local value json re='"live-restore"[[:space:]]*:[[:space:]]*(true|false)'
  if [[ $DOCKER_ACTIVE == true ]] && have docker && value=$(docker_info .LiveRestoreEnabled) &&
    [[ $value == true || $value == false ]]; then
    printf '%s' "$value"
    return 0
  fi
  if [[ $2 == *--live-restore* ]]; then
    printf 'true'
  elif [[ -r $DOCKER_DAEMON_JSON ]]; then
    json=$(<"$DOCKER_DAEMON_JSON")
    if [[ $json =~ $re ]]; then printf '%s' "${BASH_REMATCH[1]}"; else printf 'false'; fi
  elif [[ $1 == true ]]; then
    printf 'false'
  else
    printf 'null'
  fi
}

collect_docker_facts() {
  local exec_start relation
  DOCKER_INSTALLED=false
  DOCKER_ACTIVE=false
  DOCKER_PATH=''
  DOCKER_MAIN_PID=''
  RUNNING_CONTAINERS=''
  DOCKER_BINARY_REPLACED=null
  DOCKER_BINDS_TO=null
  DOCKER_REQUIRES=null
  exec_start=''
  if unit_loaded "$DOCKER_UNIT_NAME"; then
    DOCKER_INSTALLED=true
    exec_start=$(unit_property "$DOCKER_UNIT_NAME" ExecStart)
    DOCKER_PATH=$(exec_start_program "$exec_start" dockerd) || DOCKER_PATH=''
    relation=$(unit_property "$DOCKER_UNIT_NAME" BindsTo)
    if [[ " $relation " == *" $CONTAINERD_UNIT_NAME "* ]]; then DOCKER_BINDS_TO=true; else DOCKER_BINDS_TO=false; fi
    relation=$(unit_property "$DOCKER_UNIT_NAME" Requires)
    if [[ " $relation " == *" $CONTAINERD_UNIT_NAME "* ]]; then DOCKER_REQUIRES=true; else DOCKER_REQUIRES=false; fi
    if unit_active "$DOCKER_UNIT_NAME"; then DOCKER_ACTIVE=true; fi
    read_main_process "$DOCKER_UNIT_NAME"
    DOCKER_MAIN_PID=$PROCESS_PID
    if [[ -n $DOCKER_MAIN_PID ]]; then DOCKER_BINARY_REPLACED=$(binary_replaced "$DOCKER_MAIN_PID" "$DOCKER_PATH"); fi
  elif have dockerd; then
    DOCKER_INSTALLED=true
  fi
  if [[ $DOCKER_ACTIVE == true ]] && have docker; then
    RUNNING_CONTAINERS=$(docker_info .ContainersRunning) || RUNNING_CONTAINERS=''
    [[ $RUNNING_CONTAINERS =~ ^[0-9]+$ ]] || RUNNING_CONTAINERS=''
  fi
  LIVE_RESTORE=$(docker_live_restore "$DOCKER_INSTALLED" "$exec_start")
}

# ---- nested containers --------------------------------------------------------------------------------------------

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

# ---- verdict ------------------------------------------------------------------------------------------------------

# "2 containerd binaries on PATH with different versions (/usr/local/bin/containerd 1.7.23, /usr/bin/containerd 2.0.0)",
# or empty when every listed binary reports the same version.
duplicates_summary() {
  local -a parts=()
  local listing
  if listing=$(differing_versions CONTAINERD_BINARIES CONTAINERD_BINARY_VERSIONS); then
    parts+=("${#CONTAINERD_BINARIES[@]} containerd binaries on PATH with different versions ($listing)")
  fi
  if listing=$(differing_versions SHIM_BINARIES SHIM_BINARY_VERSIONS); then
    parts+=("${#SHIM_BINARIES[@]} containerd-shim-runc-v2 binaries on PATH with different versions ($listing)")
  fi
  if ((${#parts[@]} == 2)); then
    printf '%s and %s' "${parts[0]}" "${parts[1]}"
  elif ((${#parts[@]} == 1)); then
    printf '%s' "${parts[0]}"
  fi
}
differing_versions() {
  local paths_name=$1 versions_name=$2 count index first='' version path differ=false listing=''
  eval "count=\${#${paths_name}[@]}"
  ((count > 1)) || return 1
  for ((index = 0; index < count; index++)); do
    eval "path=\${${paths_name}[index]}"
    eval "version=\${${versions_name}[index]:-}"
    if ((index == 0)); then first=$version; elif [[ $version != "$first" ]]; then differ=true; fi
    listing+="${listing:+, }$path ${version:-?}"
  done
  [[ $differ == true ]] || return 1
  printf '%s' "$listing"
}

# Sets VERDICT and VERDICT_MESSAGE from the facts. Precedence: whether systemd and the unit can be trusted at all, then
# the version situation; a stale daemon is a verdict only when a restart is safe (config accepted, KillMode=process).
decide_verdict() {
  local duplicates
  duplicates=$(duplicates_summary)
  if [[ -e $ROOT/.bottlerocket || -e $ROOT/etc/bottlerocket-release ]] || have apiclient; then
    verdict unknown "this is Bottlerocket's control container, where containerd is not visible: run the check from the admin container (apiclient exec admin sheltie)"
  elif [[ $SYSTEMD_OK != true ]]; then
    verdict no-systemd "$SYSTEMD_PROBLEM: restart containerd the way it was started${NESTED_HINTS[0]:+ (this looks like a nested container: ${NESTED_HINTS[0]})}"
  elif [[ $MANAGER != systemd && $MANAGER != none ]]; then
    verdict managed-elsewhere "containerd is run by $MANAGER, not by its own unit${MANAGER_UNIT:+: restart $MANAGER_UNIT instead}"
  elif [[ -z $UNIT || -z $INSTALLED_VERSION ]]; then
    if [[ -z $UNIT ]]; then
      verdict not-installed "no $CONTAINERD_UNIT_NAME unit is loaded${CONTAINERD_BINARIES[0]:+ (a containerd binary is on PATH: ${CONTAINERD_BINARIES[0]})}"
    else
      verdict not-installed "$UNIT starts ${INSTALLED_PATH:-an unknown program}, which does not report a containerd version"
    fi
  elif [[ -n $MAIN_PID_PROBLEM ]]; then
    verdict unknown "$MAIN_PID_PROBLEM: it is not the host's containerd, so nothing is decided from it"
  elif [[ -z $MAIN_PID && -z $RUNNING_VERSION ]]; then
    verdict not-running "containerd $INSTALLED_VERSION is installed but not running: $UNIT has no main process ($(unit_state "$UNIT"))"
  elif [[ -z $MAIN_PID ]]; then
    verdict unknown "a containerd $RUNNING_VERSION answers on $SOCKET, but $UNIT has no main process: it was not started by that unit"
  elif [[ -z $RUNNING_VERSION ]]; then
    verdict unknown "$UNIT runs pid $MAIN_PID, but it does not answer ctr version on $SOCKET${CTR_PROBLEM:+ ($CTR_PROBLEM)}"
  elif version_older "$INSTALLED_VERSION" "$RUNNING_VERSION"; then
    verdict downgrade "running $RUNNING_VERSION, installed $INSTALLED_VERSION: the installed containerd is older, and a restart into it cannot talk to shims started by the newer daemon"
  elif [[ -n $SHIM_VERSION ]] && (($(version_major "$INSTALLED_VERSION") < 2 && $(version_major "$SHIM_VERSION") >= 2)); then
    verdict shim-newer-than-daemon "containerd $INSTALLED_VERSION is installed, but the shim first on PATH (${SHIM_BINARIES[0]}) is $SHIM_VERSION: 2.x shims speak protocol v3, which a 1.x daemon cannot start; a restart does not fix this, install the shim that matches the daemon"
  elif version_older "$RUNNING_VERSION" "$INSTALLED_VERSION" || [[ $BINARY_REPLACED == true ]]; then
    if [[ $CONFIG_ACCEPTED == false ]]; then
      verdict config-rejected "the installed containerd $INSTALLED_VERSION rejects $CONFIG_PATH ($CONFIG_ERROR): a restart would leave the host without a container runtime"
    elif [[ $KILL_MODE != process ]]; then
      verdict unsafe-kill-mode "$UNIT has KillMode=${KILL_MODE:-unknown}: a restart would kill every shim and the containers they run"
    elif version_older "$RUNNING_VERSION" "$INSTALLED_VERSION"; then
      verdict stale-daemon "running $RUNNING_VERSION, installed $INSTALLED_VERSION: the daemon was not restarted after the upgrade"
    else
      verdict stale-daemon "containerd $INSTALLED_VERSION is installed, but the running daemon's binary ($RUNNING_EXE) was replaced on disk since it started: it was not restarted after the upgrade"
    fi
    if [[ -n $duplicates ]]; then VERDICT_MESSAGE+="; also $duplicates"; fi
  elif [[ -n $duplicates ]]; then
    verdict duplicate-binaries "containerd $RUNNING_VERSION is running, but there are $duplicates: the daemon may start a different one than the package installed"
  else
    verdict healthy "containerd $RUNNING_VERSION is running and matches the installed version"
  fi
}
verdict() {
  VERDICT=$1
  VERDICT_MESSAGE=$2
}

# ---- output -------------------------------------------------------------------------------------------------------

log_facts() {
  log "systemd:              $([[ $SYSTEMD_OK == true ]] && printf 'answers' || printf '%s' "$SYSTEMD_PROBLEM")"
  log "containerd unit:      ${UNIT:-none}${INSTALLED_PATH:+ (ExecStart $INSTALLED_PATH)}, manager $MANAGER${MANAGER_UNIT:+ ($MANAGER_UNIT)}"
  log "containerd installed: ${INSTALLED_VERSION:-none}"
  log "containerd running:   ${RUNNING_VERSION:-none} (ctr on $SOCKET $([[ $SOCKET_UP == true ]] && printf 'answers' || printf 'does not answer'))"
  log "main process:         ${MAIN_PID:-none}${RUNNING_EXE:+ ($RUNNING_EXE)}${MAIN_PID_PROBLEM:+ ($MAIN_PID_PROBLEM)}, binary replaced: $BINARY_REPLACED"
  log "unit settings:        KillMode=${KILL_MODE:-unknown}, needs daemon-reload: $NEEDS_RELOAD"
  log "config:               $CONFIG_PATH accepted: $CONFIG_ACCEPTED${CONFIG_ERROR:+ ($CONFIG_ERROR)}"
  log "CRI plugin loaded:    $CRI_LOADED"
  log "containerd on PATH:   $(listing CONTAINERD_BINARIES CONTAINERD_BINARY_VERSIONS)"
  log "runc shim on PATH:    $(listing SHIM_BINARIES SHIM_BINARY_VERSIONS)"
  if [[ $SHIM_PROTOCOL_MISMATCH == true ]]; then
    log "shim protocol:        MISMATCH: the $SHIM_VERSION shim speaks v3, a ${RUNNING_VERSION:-$INSTALLED_VERSION} daemon only v2"
  fi
  log "docker:               installed $DOCKER_INSTALLED, active $DOCKER_ACTIVE, live-restore $LIVE_RESTORE, running containers ${RUNNING_CONTAINERS:-unknown}, dockerd replaced $DOCKER_BINARY_REPLACED, BindsTo containerd $DOCKER_BINDS_TO, Requires containerd $DOCKER_REQUIRES"
  if [[ $NESTED == true ]]; then
    log "nested container:     yes ($(join_by_comma "${NESTED_HINTS[@]}"))"
  else
    log 'nested container:     no hints'
  fi
}
listing() {
  local paths_name=$1 versions_name=$2 count index path version out=''
  eval "count=\${#${paths_name}[@]}"
  for ((index = 0; index < count; index++)); do
    eval "path=\${${paths_name}[index]}"
    eval "version=\${${versions_name}[index]:-}"
    out+="${out:+, }$path (${version:-no version})"
  done
  printf '%s' "${out:-none}"
}

result_json() {
  local status=$1 refusal=$2 message=$3 containerd docker
  containerd="\"installed\":$(json_string_or_null "$INSTALLED_VERSION")"
  containerd+=",\"installedPath\":$(json_string_or_null "$INSTALLED_PATH")"
  containerd+=",\"running\":$(json_string_or_null "$RUNNING_VERSION")"
  containerd+=",\"runningBefore\":$(json_string_or_null "$RUNNING_BEFORE")"
  containerd+=",\"mainPid\":$(json_number_or_null "$MAIN_PID")"
  containerd+=",\"runningExe\":$(json_string_or_null "$RUNNING_EXE")"
  containerd+=",\"binaryReplaced\":$BINARY_REPLACED"
  containerd+=",\"unit\":$(json_string_or_null "$UNIT")"
  case $KILL_MODE in
    process | control-group | mixed | none) containerd+=",\"killMode\":\"$KILL_MODE\"" ;;
    *) containerd+=',"killMode":null' ;;
  esac
  containerd+=",\"needsDaemonReload\":$NEEDS_RELOAD"
  containerd+=",\"configPath\":$(json_string_or_null "$CONFIG_PATH")"
  containerd+=",\"configAccepted\":$CONFIG_ACCEPTED"
  containerd+=",\"configError\":$(json_string_or_null "$CONFIG_ERROR")"
  containerd+=",\"manager\":\"$MANAGER\""
  containerd+=",\"managerUnit\":$(json_string_or_null "$MANAGER_UNIT")"
  containerd+=",\"binaries\":$(json_binaries CONTAINERD_BINARIES CONTAINERD_BINARY_VERSIONS)"
  containerd+=",\"shims\":$(json_binaries SHIM_BINARIES SHIM_BINARY_VERSIONS)"
  containerd+=",\"shimVersion\":$(json_string_or_null "$SHIM_VERSION")"
  containerd+=",\"shimProtocolMismatch\":$SHIM_PROTOCOL_MISMATCH"
  containerd+=",\"socket\":$SOCKET_UP"
  containerd+=",\"criLoaded\":$CRI_LOADED"
  docker="\"installed\":$DOCKER_INSTALLED"
  docker+=",\"active\":$DOCKER_ACTIVE"
  docker+=",\"liveRestore\":$LIVE_RESTORE"
  docker+=",\"runningContainers\":$(json_number_or_null "$RUNNING_CONTAINERS")"
  docker+=",\"binaryReplaced\":$DOCKER_BINARY_REPLACED"
  docker+=",\"bindsToContainerd\":$DOCKER_BINDS_TO"
  docker+=",\"requiresContainerd\":$DOCKER_REQUIRES"
  docker+=",\"restarted\":$DOCKER_RESTARTED"
  docker+=",\"recovered\":$DOCKER_RECOVERED"
  printf '{"schema":%d,"action":%s,"verdict":%s,"status":%s,"refusal":%s,"message":%s,"containerd":{%s},"docker":{%s},"nested":%s,"nestedHints":%s,"durationSeconds":%d}' \
    "$SCHEMA_VERSION" "$(json_string "$ACTION")" "$(json_string "$VERDICT")" "$(json_string "$status")" \
    "$(json_string_or_null "$refusal")" "$(json_string "$(cap "$message" 2000)")" \
    "$containerd" "$docker" "$NESTED" "$(json_array ${NESTED_HINTS[@]+"${NESTED_HINTS[@]}"})" "$SECONDS"
}

# The contract: one line, fixed prefix, compact JSON, and nothing on stdout after it. $1 status, $2 refusal, $3 message.
emit_result() {
  local json
  json=$(result_json "$1" "$2" "$3")
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
    emit_result failed '' "the $ACTION script stopped unexpectedly (exit $code) at line ${FAILED_LINE:-?}: ${FAILED_COMMAND:-unknown command}"
    exit "$code"
  fi
}
trap on_exit EXIT
trap 'FAILED_LINE=$LINENO; FAILED_COMMAND=$BASH_COMMAND' ERR

if (($# > 0)); then
  log_error "this script takes no arguments (got $#)"
  emit_result failed '' "the $ACTION script takes no arguments"
  exit 2
fi
# Every probe is bounded by coreutils timeout; without it a wedged daemon could hang the document until SSM kills it.
if ! have timeout; then
  log_error "timeout (coreutils) is not on PATH ($PATH)"
  emit_result failed '' "the $ACTION script needs timeout (coreutils), which is not on PATH"
  exit 1
fi

# Everything both scripts look at, then the verdict; the restart calls it again before it touches anything.
collect_all() {
  probe_systemd
  collect_containerd_facts
  collect_docker_facts
  collect_nested_hints
  decide_verdict
  log_facts
}
