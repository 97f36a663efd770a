import { describe, expect, it } from 'vitest';
import { CUDA_SWITCH as RUNNER_CUDA_SWITCH } from '@ptp/runner/backends/providers';
import { CUDA_SWITCH, explainInstallFailure, planCudaInstall } from '../scripts/cudaSetup.mjs';

const linux = { platform: 'linux', arch: 'x64', installed: false };

describe('planCudaInstall (which switch -> which onnxruntime-node install mode)', () => {
  it('does nothing without the switch, or with it off', () => {
    for (const PTP_CUDA of [undefined, '', '0', 'false', 'off', 'NO'])
      expect(planCudaInstall({ ...linux, env: { PTP_CUDA }, args: [] })).toEqual({ action: 'off' });
  });

  it('installs the cuda12 manifest for PTP_CUDA=1 or --cuda, overriding the setup-wide skip', () => {
    for (const input of [
      { env: { PTP_CUDA: '1', ONNXRUNTIME_NODE_INSTALL: 'skip' }, args: [] },
      { env: { PTP_CUDA: 'true' }, args: [] },
      { env: {}, args: ['--browser', '--cuda'] },
    ]) {
      const plan = planCudaInstall({ ...linux, ...input });
      expect(plan).toMatchObject({ action: 'install', env: { ONNXRUNTIME_NODE_INSTALL: 'cuda12' } });
    }
  });

  it('leaves an installed provider alone unless --force', () => {
    expect(planCudaInstall({ ...linux, installed: true, env: { PTP_CUDA: '1' }, args: [] })).toEqual({
      action: 'present',
    });
    expect(planCudaInstall({ ...linux, installed: true, env: {}, args: ['--cuda', '--force'] }).action).toBe('install');
  });

  it('refuses other platforms and unknown switch values with a code', () => {
    expect(planCudaInstall({ ...linux, platform: 'darwin', arch: 'arm64', env: {}, args: ['--cuda'] })).toMatchObject({
      action: 'refuse',
      code: 'CUDA_UNSUPPORTED_PLATFORM',
    });
    expect(planCudaInstall({ ...linux, env: { PTP_CUDA: 'maybe' }, args: [] })).toMatchObject({
      action: 'refuse',
      code: 'CUDA_SWITCH_INVALID',
    });
  });
});

describe('explainInstallFailure', () => {
  it('says the download failed, that nothing changed, and how to fix it', () => {
    const msg = explainInstallFailure('Error: getaddrinfo ENOTFOUND api.nuget.org\n    at ...', 1);
    expect(msg).toContain('CUDA_DOWNLOAD_FAILED');
    expect(msg).toContain('ENOTFOUND api.nuget.org');
    expect(msg).toContain('cannot reach api.nuget.org');
    expect(msg).toContain('nothing was changed');
    expect(msg).toContain('bootstrap.sh --cuda');
  });
});

it("the runner's --provider cuda error names the same switch the setup implements", () => {
  expect(RUNNER_CUDA_SWITCH).toBe(CUDA_SWITCH);
});
