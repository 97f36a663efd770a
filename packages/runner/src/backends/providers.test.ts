import { afterEach, describe, expect, it } from 'vitest';
import { slowProviderNotice, SWIFTSHADER_ICD } from './providers.js';

describe('slowProviderNotice', () => {
  const saved = process.env.VK_ICD_FILENAMES;
  afterEach(() => {
    if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
    else process.env.VK_ICD_FILENAMES = saved;
  });

  it('warns before WebGPU runs on the software Vulkan driver, and only then', () => {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    expect(slowProviderNotice('webgpu')).toMatch(/SwiftShader.*--provider cpu is the fast one/);
    expect(slowProviderNotice('cpu')).toBeUndefined();
    process.env.VK_ICD_FILENAMES = '/usr/share/vulkan/icd.d/nvidia_icd.json';
    expect(slowProviderNotice('webgpu')).toBeUndefined();
    delete process.env.VK_ICD_FILENAMES;
    expect(slowProviderNotice('webgpu')).toBeUndefined();
  });
});
