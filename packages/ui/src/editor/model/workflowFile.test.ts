import { encodePng } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { exportFileName, exportJson, isPng, plainImageType, readWorkflowFile } from './workflowFile';
import { templateDocument } from './templates';
import { testRegistry } from './testSupport';

const image = { width: 2, height: 2, rgba: new Uint8Array(16).fill(200) };

describe('reading dropped files', () => {
  it('restores the graph embedded in a studio PNG', () => {
    const doc = templateDocument('word-swap')!;
    const png = encodePng(image, { workflow: JSON.stringify(doc) });
    expect(isPng(png)).toBe(true);
    const r = readWorkflowFile(png, testRegistry());
    expect(r.ok && r.value).toEqual(doc);
  });

  it('reads workflow JSON, migrating old versions', () => {
    const r = readWorkflowFile(new TextEncoder().encode(exportJson(templateDocument('generate')!)));
    expect(r.ok).toBe(true);
  });

  it('answers structured errors for PNGs without a workflow and for junk', () => {
    const plain = readWorkflowFile(encodePng(image, {}));
    expect(plain.ok).toBe(false);
    expect(!plain.ok && plain.errors[0]!.message).toMatch(/no workflow/);
    const junk = readWorkflowFile(new Uint8Array([0xff, 0xfe, 0x00, 0x80]));
    expect(junk.ok).toBe(false);
    const notJson = readWorkflowFile(new TextEncoder().encode('hello'));
    expect(!notJson.ok && notJson.errors[0]!.code).toBe('INVALID_JSON');
    const truncated = encodePng(image, { workflow: '{}' }).slice(0, 40);
    expect(readWorkflowFile(truncated).ok).toBe(false);
  });

  it('tells a picture to load (no workflow in it) from a workflow to open', () => {
    expect(plainImageType(encodePng(image, {}))).toBe('image/png');
    expect(
      plainImageType(encodePng(image, { workflow: JSON.stringify(templateDocument('generate')) })),
    ).toBeUndefined();
    // A studio PNG with a broken workflow is a workflow to report, not a picture.
    expect(plainImageType(encodePng(image, { workflow: '{' }))).toBeUndefined();
    expect(plainImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(plainImageType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(plainImageType(new TextEncoder().encode(exportJson(templateDocument('generate')!)))).toBeUndefined();
    expect(plainImageType(new Uint8Array())).toBeUndefined();
  });

  it('makes safe export names', () => {
    expect(exportFileName('Word swap (reference defaults)')).toBe('word-swap-reference-defaults.json');
    expect(exportFileName('///')).toBe('workflow.json');
  });
});
