#!/usr/bin/env bash
# A `systemctl` stand-in for the real-host lab (test/lab): these machines have no systemd, so this script plays it for
# the lab's units, driving the REAL containerd and dockerd processes the lab starts. It answers the way systemd does
# for what the SSM scripts ask (`show --property=X --value UNIT`, `is-active`, `restart`, `start`, `daemon-reload`) and
# restarts with KillMode=process semantics: only the unit's main PID is signalled, so shims and containers survive.
#
# State lives next to it: <lab>/units/<unit>/ holds ExecStart, KillMode, BindsTo, Requires, NeedDaemonReload (one value
# per file), `start` (a script that execs the daemon) and `pid`. Every call is appended to <lab>/calls.log.
set -euo pipefail
PATH=/usr/sbin:/usr/bin:/sbin:/bin
LAB=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
UNITS=$LAB/units
printf 'systemctl %s\n' "$*" >>"$LAB/calls.log"

unit_dir() {
  local name=$1
  [[ $name == *.* ]] || name=$name.service
  printf '%s/%s' "$UNITS" "$name"
}
main_pid() {
  local dir=$1 pid
  [[ -f $dir/pid ]] || return 1
  pid=$(<"$dir/pid")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  # A zombie is not a running daemon.
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  printf '%s' "$pid"
}
start_unit() {
  local dir=$1 pid
  if main_pid "$dir" >/dev/null; then return 0; fi
  # No job control here, so the background job is not a group leader and setsid execs in place: $! is the daemon.
  # Nothing of the caller is inherited but the log: a daemon holding the caller's stdout would keep it open forever.
  setsid bash "$dir/start" </dev/null >>"$dir/log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  pid=$!
  printf '%s' "$pid" >"$dir/pid"
  # The lab's $SHIM_FIX_ROOT/proc shows the real /proc entry of every process the lab starts.
  ln -sfn "/proc/$pid" "$LAB/root/proc/$pid"
}
stop_main_pid() {
  local dir=$1 pid i
  pid=$(main_pid "$dir") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    main_pid "$dir" >/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

if [[ ${1:-} == show ]]; then
  shift
  property='' unit=''
  while (($#)); do
    case $1 in
      --property=*) property=${1#--property=} ;;
      -p) property=$2; shift ;;
      --value) ;;
      *) unit=$1 ;;
    esac
    shift
  done
  if [[ -z $unit ]]; then
    [[ $property == Version ]] && echo '252 (shim-fix lab stand-in)'
    exit 0
  fi
  dir=$(unit_dir "$unit")
  case $property in
    LoadState) if [[ -d $dir ]]; then echo loaded; else echo not-found; fi ;;
    MainPID) pid=$(main_pid "$dir") || pid=0; echo "$pid" ;;
    ActiveState) if main_pid "$dir" >/dev/null; then echo active; else echo inactive; fi ;;
    *) if [[ -f $dir/$property ]]; then cat "$dir/$property"; else echo; fi ;;
  esac
  exit 0
fi

case ${1:-} in
  is-active)
    dir=$(unit_dir "$2")
    if [[ ! -d $dir ]]; then echo inactive; exit 4; fi
    if main_pid "$dir" >/dev/null; then echo active; else echo inactive; exit 3; fi ;;
  start) start_unit "$(unit_dir "$2")" ;;
  stop) stop_main_pid "$(unit_dir "$2")" ;;
  restart)
    dir=$(unit_dir "$2")
    [[ -d $dir ]] || { echo "Failed to restart $2: Unit $2 not found." >&2; exit 5; }
    kill_mode=$(cat "$dir/KillMode" 2>/dev/null || echo control-group)
    [[ $kill_mode == process ]] || { echo "lab stand-in: only KillMode=process is modelled" >&2; exit 1; }
    stop_main_pid "$dir"
    start_unit "$dir" ;;
  daemon-reload)
    for file in "$UNITS"/*/NeedDaemonReload; do [[ -f $file ]] && echo no >"$file"; done ;;
  *) echo "lab stand-in: unsupported: $*" >&2; exit 1 ;;
esac
