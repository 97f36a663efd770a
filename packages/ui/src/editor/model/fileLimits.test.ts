import { describe, expect, it } from 'vitest';
import { MAX_OPENED_FILE_BYTES, tooBig } from './fileLimits';

describe('tooBig', () => {
  it('refuses a file over the bound by its size alone, and says both sizes', () => {
    expect(MAX_OPENED_FILE_BYTES).toBe(16 * 1024 * 1024);
    expect(tooBig({ name: 'ok.png', size: MAX_OPENED_FILE_BYTES }, MAX_OPENED_FILE_BYTES)).toBeUndefined();
    expect(tooBig({ name: 'huge.png', size: 2 * 1024 ** 3 }, MAX_OPENED_FILE_BYTES)).toBe(
      'huge.png is 2048.0 MiB, over the 16.0 MiB this takes',
    );
  });
});
