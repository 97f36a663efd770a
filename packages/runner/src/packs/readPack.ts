import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePack, type ParsedPack } from '@ptp/nodes/diffusion';

export interface PackFiles extends ParsedPack {
  dir: string;
}

/** Reads everything of a pack except the ONNX models (those go to the backend's sessions). */
export async function readPack(dir: string): Promise<PackFiles> {
  const parsed = await parsePack((rel) => readFile(path.join(dir, ...rel.split('/')), 'utf8'), dir);
  return { dir, ...parsed };
}
