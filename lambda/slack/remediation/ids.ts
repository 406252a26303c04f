/** Action and callback ids of the remediation flow (the Slack app's `IDS.remediationCheckOpen` opens the modal). */
export const REMEDIATION_IDS = {
  confirm: 'remediation_confirm',
  /** "Restart containerd and Docker — stops N containers": the explicit consent a check-first card may offer. */
  confirmWithDocker: 'remediation_confirm_docker',
  cancel: 'remediation_cancel',
  /** The Restart button under a check result whose verdict is needs-restart; value = instance id. */
  restartFromCheck: 'remediation_restart',
  /** The modal opened by "Check an instance…" on a diagnosis card. */
  checkModal: 'remediation_check_modal',
  checkModalBlock: 'remediation_target_block',
  checkModalInput: 'remediation_target_input',
} as const;
