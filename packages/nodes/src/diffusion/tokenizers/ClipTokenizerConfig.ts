import { z } from 'zod';

/** An HF special token is either a string or a serialized AddedToken `{ content, ... }`. */
const specialToken = z.union([z.string(), z.object({ content: z.string() }).transform((t) => t.content)]);

/** The fields of a pack's `tokenizer/tokenizer_config.json` that we read; others are ignored. */
export const clipTokenizerConfigSchema = z.object({
  model_max_length: z.number().optional(),
  bos_token: specialToken.nullish(),
  eos_token: specialToken.nullish(),
  pad_token: specialToken.nullish(),
  unk_token: specialToken.nullish(),
  do_lower_case: z.boolean().optional(),
});

/** A parsed `tokenizer_config.json` (snake_case, as HF writes it). */
export type ClipTokenizerConfig = z.input<typeof clipTokenizerConfigSchema>;

/** SD uses 77; HF writes a huge sentinel (1e30) when a tokenizer has no limit. */
const DEFAULT_MAX_LENGTH = 77;

export interface ResolvedClipTokenizerConfig {
  modelMaxLength: number;
  doLowerCase: boolean;
  bosToken: string;
  eosToken: string;
  padToken: string;
  unkToken: string | undefined;
}

/** Validates a config and fills CLIP's defaults (pad defaults to EOS, as SD 1.x packs use). */
export function resolveClipTokenizerConfig(config: ClipTokenizerConfig = {}): ResolvedClipTokenizerConfig {
  const cfg = clipTokenizerConfigSchema.parse(config);
  const max = cfg.model_max_length;
  const eosToken = cfg.eos_token ?? '<|endoftext|>';
  return {
    modelMaxLength: max !== undefined && Number.isInteger(max) && max >= 2 && max <= 1e6 ? max : DEFAULT_MAX_LENGTH,
    doLowerCase: cfg.do_lower_case ?? true,
    bosToken: cfg.bos_token ?? '<|startoftext|>',
    eosToken,
    padToken: cfg.pad_token ?? eosToken,
    unkToken: cfg.unk_token ?? undefined,
  };
}
