#!/usr/bin/env bash
# shim-fix: read-only check of the container runtime on this host (content of our "check" SSM Command document).
#
# Gathers the evidence a restart decision needs and states a verdict (docs/ssm-result-line.md): installed containerd
# (the unit's ExecStart binary) vs the running one (`ctr version` Server), whether the running binary was replaced on
# disk since it started (the unit's MainPID exe reads "(deleted)" or is another file), the shims and other containerd
# binaries on PATH, whether the installed binary accepts the unit's config, KillMode, who manages containerd
# (systemd, k3s, rke2, snap, dockerd), Docker (live-restore, running containers, BindsTo/Requires on containerd, dockerd
# replaced) and nested-container hints. It changes nothing and executes no binary taken from a process list.
#
# Output: human-readable log lines for the SSM console, then as the LAST line on stdout exactly one line
#   SHIM_FIX_RESULT {"schema":2,"action":"check","verdict":"stale-daemon","status":"checked",...}
# The JSON is a contract, documented in docs/ssm-result-line.md and parsed by lambda/core/remediation/result-line.ts.
# Exit status: 0 whenever the check ran (a verdict such as stale-daemon is data, not an error); non-zero only when the
# script itself could not run, and even then the result line (status "failed") is printed.
#
# Takes no arguments and no free-form input: this is one of the only two scripts the bot may run as root.
# Environment overrides exist for tests only (the SSM document passes none); see docs/ssm-result-line.md:
#   SHIM_FIX_ROOT    prefix for every file path read (/proc, /etc, /run, /var, nested-container markers)
#   SHIM_FIX_SOCKET  containerd socket path (default ${SHIM_FIX_ROOT}/run/containerd/containerd.sock)
#   SHIM_FIX_PATH    PATH searched for systemctl, ctr, containerd, docker and shims (default: systemd's service PATH)
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

main() {
  log "shim-fix check: read-only, nothing on this host is changed"
  collect_all
  log "verdict: $VERDICT: $VERDICT_MESSAGE"
  emit_result checked '' "$VERDICT_MESSAGE"
  exit 0
}

main
