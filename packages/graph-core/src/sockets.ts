import { z } from 'zod';

/**
 * Socket types carried on edges. Every value crossing an edge has one of these types; the editor
 * colours handles by them and validation refuses edges whose types are not compatible.
 */
export const SOCKET_TYPES = [
  'MODEL', // a loaded model pack (text encoder, controllable UNet, VAE, tokenizer, scheduler)
  'PROMPT', // text plus its token ids and word -> token-index table
  'SOURCE', // a source generation or inverted real image: latents per step + attention maps
  'SCHEDULE', // per-step injection controls for one edit
  'BLEND', // local-blend specification
  'LATENT', // a latent tensor
  'IMAGE', // decoded RGB image(s)
  'ATTENTION', // cross-attention maps for viewing
  'METRICS', // numeric results
  'STRING',
  'NUMBER',
  'INT',
  'BOOLEAN',
  'ANY', // accepted by inputs that pass values through untouched (e.g. preview)
] as const;

export const SocketTypeSchema = z.enum(SOCKET_TYPES);
export type SocketType = z.infer<typeof SocketTypeSchema>;

/**
 * Explicit widening rules: an output of the key type may feed an input of each listed type.
 * Anything not listed here (or exact-equal, or into ANY) is a mismatch.
 */
export const SOCKET_COMPATIBILITY: Readonly<Partial<Record<SocketType, readonly SocketType[]>>> = {
  INT: ['NUMBER'], // integers are numbers
  SOURCE: ['LATENT'], // a source carries its final latent
};

export function canConnect(from: SocketType, to: SocketType): boolean {
  if (from === to || to === 'ANY') return true;
  return SOCKET_COMPATIBILITY[from]?.includes(to) ?? false;
}

/** Colours the editor uses for handles; kept here so every client agrees. */
export const SOCKET_COLORS: Readonly<Record<SocketType, string>> = {
  MODEL: '#b39ddb',
  PROMPT: '#ffd54f',
  SOURCE: '#4db6ac',
  SCHEDULE: '#ff8a65',
  BLEND: '#f06292',
  LATENT: '#ba68c8',
  IMAGE: '#64b5f6',
  ATTENTION: '#e57373',
  METRICS: '#aed581',
  STRING: '#e0e0e0',
  NUMBER: '#90a4ae',
  INT: '#78909c',
  BOOLEAN: '#a1887f',
  ANY: '#ffffff',
};
