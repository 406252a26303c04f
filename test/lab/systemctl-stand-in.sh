#!/usr/bin/env bash
# A `systemctl` stand-in for the real-host lab (test/lab): these machines have no systemd, so this script plays it for
# the lab's units, driving the REAL containerd and dockerd processes the lab starts. It answers the way systemd does
# for what the SSM scripts ask (`show --property=X --value UNIT`, `is-active`, `restart`, `start`, `daemon-reload`) and
# restarts with the unit's KillMode: `process` signals only the main PID, so shims and containers survive (as with the
# upstream unit); `control-group` and `mixed` signal every process of the unit's cgroup, as systemd does. The cgroup is
# real: each unit gets a directory in the hierarchy systemd itself tracks services in (name=systemd on a cgroup-v1 host),
# so the shims a daemon forks are its unit's processes and the containers runc moves into their own cgroups are not.
# Where no hierarchy can be written, only KillMode=process is modelled (the others fail loudly).
#
# State lives next to it: <lab>/units/<unit>/ holds ExecStart, KillMode, BindsTo, Requires, NeedDaemonReload (one value
# per file; a test may change any of them), `start` (a script that execs the daemon), `pid` and `cgroup` (the unit's
# cgroup directory). NeedDaemonReload=yes stands for "the unit file changed on disk", and <unit>/pending/<Property>
# for what changed: `daemon-reload` makes the pending values current and sets NeedDaemonReload back to no. Every call
# is appended to <lab>/calls.log.
set -euo pipefail
PATH=/usr/sbin:/usr/bin:/sbin:/bin
LAB=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
UNITS=$LAB/units
# The hierarchy systemd tracks services in: name=systemd on a cgroup-v1 host, else the cgroup-v2 tree (hybrid or unified).
CGROUP_ROOT=''
for root in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
  if [[ -f $root/cgroup.procs ]]; then CGROUP_ROOT=$root; break; fi
done
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
# The unit's cgroup directory (created on first use), or nothing where no cgroup hierarchy is writable.
unit_cgroup() {
  local dir=$1 cgroup
  if [[ ! -f $dir/cgroup ]]; then
    cgroup=$CGROUP_ROOT/${LAB##*/}/${dir##*/}
    if [[ -n $CGROUP_ROOT ]] && mkdir -p "$cgroup" 2>/dev/null && [[ -w $cgroup/cgroup.procs ]]; then
      printf '%s' "$cgroup" >"$dir/cgroup"
    else
      : >"$dir/cgroup"
    fi
  fi
  cat "$dir/cgroup"
}
start_unit() {
  local dir=$1 pid cgroup
  if main_pid "$dir" >/dev/null; then return 0; fi
  cgroup=$(unit_cgroup "$dir")
  # No job control here, so the background job is not a group leader and setsid execs in place: $! is the daemon.
  # Nothing of the caller is inherited but the log: a daemon holding the caller's stdout would keep it open forever.
  # The daemon joins its unit's cgroup before it execs, so everything it forks is in the unit, as under systemd.
  # shellcheck disable=SC2016 # $$ and $1 belong to the inner bash
  setsid bash -c 'if [[ -n $1 ]]; then echo "$$" >"$1/cgroup.procs"; fi; exec bash "$2"' unit "$cgroup" "$dir/start" \
    </dev/null >>"$dir/log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
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
unit_pids() {
  local cgroup
  cgroup=$(unit_cgroup "$1")
  [[ -n $cgroup && -f $cgroup/cgroup.procs ]] && cat "$cgroup/cgroup.procs"
}
# Signals every process left in the unit's cgroup, then waits (bounded) until it is empty.
signal_unit() {
  local dir=$1 signal=$2 pids i
  pids=$(unit_pids "$dir") || return 0
  [[ -n $pids ]] || return 0
  # shellcheck disable=SC2086 # one pid per word
  kill -s "$signal" $pids 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    [[ -n $(unit_pids "$dir") ]] || return 0
    sleep 0.1
  done
}
# systemd's stop for each KillMode: process = main PID only; mixed = SIGTERM to the main PID, then SIGKILL to what is
# left of the unit; control-group = SIGTERM to the whole unit, then SIGKILL to what is left. systemd sends that SIGKILL
# after TimeoutStopSec (90 s by default); the stand-in waits at most 10 s (control-group) or not at all once the main
# PID is gone (mixed): the end state, every shim of the unit dead, is the same.
stop_unit() {
  local dir=$1 kill_mode
  kill_mode=$(cat "$dir/KillMode" 2>/dev/null || echo control-group)
  case $kill_mode in
    process) stop_main_pid "$dir" ;;
    mixed | control-group)
      [[ -n $(unit_cgroup "$dir") ]] || { echo "lab stand-in: KillMode=$kill_mode needs a writable cgroup hierarchy" >&2; exit 1; }
      if [[ $kill_mode == mixed ]]; then stop_main_pid "$dir"; else signal_unit "$dir" TERM; fi
      signal_unit "$dir" KILL ;;
    *) echo "lab stand-in: unknown KillMode=$kill_mode" >&2; exit 1 ;;
  esac
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
  stop) stop_unit "$(unit_dir "$2")" ;;
  restart)
    dir=$(unit_dir "$2")
    [[ -d $dir ]] || { echo "Failed to restart $2: Unit $2 not found." >&2; exit 5; }
    stop_unit "$dir"
    start_unit "$dir" ;;
  daemon-reload)
    # What changed on disk (<unit>/pending/<Property>) becomes what systemd has loaded.
    for dir in "$UNITS"/*/; do
      if [[ -d $dir/pending ]]; then
        for file in "$dir"/pending/*; do [[ -f $file ]] && mv "$file" "$dir/${file##*/}"; done
      fi
      echo no >"$dir/NeedDaemonReload"
    done ;;
  *) echo "lab stand-in: unsupported: $*" >&2; exit 1 ;;
esac
