#!/usr/bin/env bash
# Tears the lab in $1 down, whatever state a test left it in: containers first (so their shims exit and remove their
# sockets), then every process the lab started (found by the lab path in its command line, or a root directory
# inside the lab: the containers), then the lab's mounts, then the directory. Only processes of this lab are signalled.
set -uo pipefail
LAB=$1
PATH=/usr/sbin:/usr/bin:/sbin:/bin
[[ -n $LAB && -d $LAB && $LAB == /tmp/* ]] || exit 0

if [[ -S $LAB/docker.sock ]]; then
  ids=$(timeout 10 docker -H "unix://$LAB/docker.sock" ps -aq 2>/dev/null) || ids=''
  if [[ -n $ids ]]; then
    # shellcheck disable=SC2086
    timeout 20 docker -H "unix://$LAB/docker.sock" rm -f $ids >/dev/null 2>&1 || true
  fi
fi
# One grep and one find over /proc: the lab path in the command line (daemons, shims) or as root (containers).
lab_pids() {
  {
    grep -lsF -- "$LAB" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3
    find /proc/[0-9]*/root -maxdepth 0 -lname "$LAB/*" 2>/dev/null | cut -d/ -f3
  } | grep -vx "$$" | sort -u
}
for signal in TERM KILL; do
  pids=$(lab_pids)
  [[ -n $pids ]] || break
  # shellcheck disable=SC2086
  kill -s "$signal" $pids 2>/dev/null || true
  for ((i = 0; i < 10; i++)); do
    [[ -n $(lab_pids) ]] || break
    sleep 0.1
  done
done
# Shim sockets of containers killed above (containerd 1.6 keeps them in /run/containerd/s whatever its state dir).
if [[ -f $LAB/shim-sockets-before ]]; then
  for socket in /run/containerd/s/*; do
    [[ -e $socket ]] || continue
    grep -qxF "$socket" "$LAB/shim-sockets-before" || rm -f "$socket"
  done
fi
# The units' cgroups (systemctl-stand-in.sh), empty now, and the lab's directory above them.
for file in "$LAB"/units/*/cgroup; do
  [[ -s $file ]] || continue
  cgroup=$(<"$file")
  rmdir "$cgroup" "${cgroup%/*}" 2>/dev/null || true
done
grep -F " $LAB/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r mount; do
  umount -l "$mount" 2>/dev/null || true
done
if [[ -e $LAB/remove-docker-key ]]; then rm -f /etc/docker/key.json; fi
rm -rf "$LAB"
