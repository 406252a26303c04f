import type { Discriminator } from './types';

/**
 * Runbooks that one error line fits equally, and the one command that tells them apart. Keyed by the two
 * runbook ids in alphabetical order. The command must be read-only.
 */
// The CRI gRPC service's row (TYPE and ID are separate columns), as the cri-plugin-disabled runbook checks it.
const PLUGIN_ROW = `sudo ctr plugins ls | awk '$1=="io.containerd.grpc.v1" && $2=="cri"'`;

const DISCRIMINATORS: Record<string, Discriminator> = {
  'cri-plugin-disabled|cri-v1alpha2-removed': {
    command: PLUGIN_ROW,
    explain:
      'A row ending in `ok` means the CRI plugin is running: the client (kubelet, crictl) still speaks the v1alpha2 API that containerd 2.x removed. No row, or `skip`/`error`, means the CRI plugin is disabled or failed to load.',
    explainZh:
      '输出一行且状态为 `ok`：CRI 插件在运行，是客户端（kubelet、crictl）还在用 containerd 2.x 已删除的 v1alpha2 API。没有这一行，或状态为 `skip`/`error`：CRI 插件被禁用或加载失败。',
  },
  'cri-plugin-disabled|cri-plugin-failed-to-load': {
    command: PLUGIN_ROW,
    explain:
      'No row means the CRI plugin is disabled (`disabled_plugins` in the config). A row with `error` or `skip` means it tried to load and failed: `journalctl -u containerd | grep \'failed to load plugin\'` says why.',
    explainZh:
      '没有这一行：CRI 插件被禁用了（配置里的 `disabled_plugins`）。有这一行但状态为 `error` 或 `skip`：插件尝试加载但失败了，`journalctl -u containerd | grep \'failed to load plugin\'` 会给出原因。',
  },
  'cri-plugin-disabled|cri-v1-unsupported': {
    command: PLUGIN_ROW,
    explain:
      'A row ending in `ok` means the CRI plugin is running but too old for the CRI v1 API (containerd before 1.6, cri-dockerd before 0.3): upgrade it. No row, or `skip`/`error`, means the CRI plugin is disabled or failed to load.',
    explainZh:
      '输出一行且状态为 `ok`：CRI 插件在运行，但版本太旧，不支持 CRI v1 API（containerd 1.6 之前、cri-dockerd 0.3 之前），需要升级。没有这一行，或状态为 `skip`/`error`：CRI 插件被禁用或加载失败。',
  },
};

export function discriminatorFor(a: string, b: string): Discriminator | null {
  const key = [a, b].sort().join('|');
  return DISCRIMINATORS[key] ?? null;
}
