#!/usr/bin/env bash
# Builds and starts the real-host lab in the (fresh, empty) directory $1: a real containerd with private root, state and
# socket, a real dockerd on it, both run as "units" of the systemctl stand-in, and the SHIM_FIX_ROOT tree the SSM scripts
# read. See /work/shared/host-lab.md for the recipe and test/lab/real-host.test.ts for what is shown with it.
set -euo pipefail
LAB=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PATH=/usr/sbin:/usr/bin:/sbin:/bin

ls -d /run/containerd/s/* 2>/dev/null >"$LAB/shim-sockets-before" || true
mkdir -p "$LAB"/{sbin,usr/bin,usr/sbin,real,tools,units,root/proc,rootfs/bin,planted}
sed "1s|.*|#!$(type -P bash)|" "$HERE/systemctl-stand-in.sh" >"$LAB/sbin/systemctl"
chmod 755 "$LAB/sbin/systemctl"
# The tools the scripts use, and nothing else: no containerd of this machine leaks onto the scripts' PATH.
for tool in timeout readlink sleep ctr docker; do ln -s "$(type -P "$tool")" "$LAB/tools/$tool"; done
# "Installed" containerd, dockerd and shim: copies the lab may replace. The daemon's PATH finds the wrapper shim first.
cp "$(type -P containerd)" "$LAB/usr/bin/containerd"
cp "$(type -P dockerd)" "$LAB/usr/sbin/dockerd"
cp "$(type -P containerd-shim-runc-v2)" "$LAB/real/containerd-shim-runc-v2"
cat >"$LAB/usr/bin/containerd-shim-runc-v2" <<SHIM
#!/bin/bash
# Models a containerd-2.x shim: answers the start handshake with protocol-3 JSON, but only to the daemon that was
# running when the "upgrade" happened (pid in $LAB/upgraded-daemon-pid); any later daemon gets the real address.
real=$LAB/real/containerd-shim-runc-v2
if [[ " \$* " == *" start "* && -f $LAB/upgraded-daemon-pid && \$PPID == "\$(<$LAB/upgraded-daemon-pid)" ]]; then
  address=\$("\$real" "\$@") || exit
  printf '{"version":3,"address":"%s","protocol":"ttrpc"}' "\$address"
  exit 0
fi
exec "\$real" "\$@"
SHIM
chmod 755 "$LAB/usr/bin/containerd-shim-runc-v2"

cat >"$LAB/config.toml" <<TOML
version = 2
root = "$LAB/croot"
state = "$LAB/cstate"
[grpc]
  address = "$LAB/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$LAB/opt"
TOML

unit() {
  local name=$1 exec_start=$2 start=$3
  mkdir -p "$LAB/units/$name"
  printf '%s\n' "$exec_start" >"$LAB/units/$name/ExecStart"
  printf 'process\n' >"$LAB/units/$name/KillMode"
  printf 'no\n' >"$LAB/units/$name/NeedDaemonReload"
  : >"$LAB/units/$name/BindsTo"
  : >"$LAB/units/$name/Requires"
  printf '%s\n' "$start" >"$LAB/units/$name/start"
}
# dockerd reads its own daemon.json (no host settings). dockerd 20.10 still writes its trust key to /etc/docker/key.json
# (no flag moves it): lab-down.sh removes it if the lab created it.
printf "{}\n" >"$LAB/daemon.json"
[[ -e /etc/docker/key.json ]] || : >"$LAB/remove-docker-key"
argv="$LAB/usr/bin/containerd --config $LAB/config.toml"
unit containerd.service \
  "{ path=$LAB/usr/bin/containerd ; argv[]=$argv ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }" \
  "PATH=$LAB/usr/bin:/usr/sbin:/usr/bin:/sbin:/bin exec $argv"
dockerd_argv="$LAB/usr/sbin/dockerd --containerd $LAB/containerd.sock --bridge=none --iptables=false --ip6tables=false --data-root $LAB/docker --exec-root $LAB/docker-exec -H unix://$LAB/docker.sock --pidfile $LAB/docker.pid --config-file $LAB/daemon.json"
unit docker.service \
  "{ path=$LAB/usr/sbin/dockerd ; argv[]=$dockerd_argv ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }" \
  "PATH=/usr/sbin:/usr/bin:/sbin:/bin exec $dockerd_argv"

# The scripts read /proc under SHIM_FIX_ROOT. This sandbox forbids stat on the real PID 1's namespace links, so the
# lab's "PID 1" is the test process ($2), in the same mount namespace as the lab's daemons; every process the lab starts
# appears as a link to its real /proc entry (the stand-in adds them).
ln -s "/proc/$2" "$LAB/root/proc/1"
ln -s /proc/self "$LAB/root/proc/self"

wait_for() {
  local i
  for ((i = 0; i < 150; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "lab: gave up waiting for: $*" >&2
  return 1
}
"$LAB/sbin/systemctl" start containerd.service
wait_for ctr --address "$LAB/containerd.sock" version
"$LAB/sbin/systemctl" start docker.service
wait_for docker -H "unix://$LAB/docker.sock" info

cp "$(type -P busybox)" "$LAB/rootfs/bin/busybox"
tar -C "$LAB/rootfs" -c . | docker -H "unix://$LAB/docker.sock" import - busybox:lab >/dev/null

# A process named containerd that is not the host's daemon (as a container running its own containerd would be). Its
# binary writes a marker whenever it is executed other than by the lab, and prints a version no real daemon has.
cat >"$LAB/planted/planted.c" <<C
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--lab-plant") == 0) { for (;;) sleep(600); }
  FILE *marker = fopen("$LAB/planted-executed", "a");
  if (marker) { for (int i = 0; i < argc; i++) fprintf(marker, "%s ", argv[i]); fputs("\n", marker); fclose(marker); }
  puts("containerd github.com/containerd/containerd v9.9.9 planted");
  return 0;
}
C
cc -O -o "$LAB/planted/containerd" "$LAB/planted/planted.c"
setsid "$LAB/planted/containerd" --lab-plant </dev/null >/dev/null 2>&1 &
planted=$!
printf '%s' "$planted" >"$LAB/planted.pid"
ln -s "/proc/$planted" "$LAB/root/proc/$planted"
