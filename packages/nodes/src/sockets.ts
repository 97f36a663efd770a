import type { CoreSocketType, SocketType, SocketTypeSpec } from '@ptp/graph-core';

/**
 * The studio's domain socket types with their editor colours and widenings. graph-core knows only
 * the generic ones (STRING, NUMBER, INT, BOOLEAN, ANY); these are declared here, beside the nodes
 * that produce them: the value each carries is typed in values.ts (the `SocketValues`
 * augmentation), and `createNodeRegistry` hands these specs to the registry, which puts them in the
 * catalogue. The `satisfies` clause fails to compile when a type of values.ts has no entry here.
 */
export const P2P_SOCKET_TYPES = {
  MODEL: { color: '#b39ddb' }, // a loaded model pack (text encoder, controllable UNet, VAE, tokenizer, scheduler)
  PROMPT: { color: '#ffd54f' }, // text plus its token ids and word -> token-index table
  SOURCE: { color: '#4db6ac', widensTo: ['LATENT'] }, // a source generation or inverted real image: latents per step + attention maps; it carries its final latent
  SCHEDULE: { color: '#ff8a65' }, // per-step injection controls for one edit
  BLEND: { color: '#f06292' }, // local-blend specification
  LATENT: { color: '#ba68c8' }, // a latent tensor
  IMAGE: { color: '#64b5f6' }, // decoded RGB image(s)
  ATTENTION: { color: '#e57373' }, // cross-attention maps for viewing
  METRICS: { color: '#aed581' }, // numeric results
} as const satisfies Record<Exclude<SocketType, CoreSocketType>, SocketTypeSpec>;
