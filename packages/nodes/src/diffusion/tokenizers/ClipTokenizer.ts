import { bytePairEncode, END_OF_WORD } from './bytePairEncode.js';
import { bytesToUnicode } from './bytesToUnicode.js';
import { resolveClipTokenizerConfig, type ClipTokenizerConfig } from './ClipTokenizerConfig.js';

/**
 * CLIP byte-level BPE tokenizer, a faithful port of openai/CLIP `simple_tokenizer` (what Stable
 * Diffusion packs use). Pure TypeScript with no `node:*` imports so it also runs in a browser or
 * Web Worker. Nothing assumes the 49,408-entry vocab: special ids come from the vocab through the
 * token strings in `tokenizer_config.json`, so reduced vocabs (buildReducedClipVocab) work too.
 *
 * Not reproduced: ftfy text repair and `html.unescape` (the reference applies them; neither HF
 * tokenizer does the latter). NFC normalisation, which ftfy and HF's fast tokenizer both apply,
 * is done.
 */

export interface ClipTokenizerFiles {
  /** Text of `tokenizer/vocab.json` (symbol -> id). */
  vocabJson: string;
  /** Text of `tokenizer/merges.txt` (a `#version` header line, then one "left right" per line). */
  mergesTxt: string;
  /** Text of `tokenizer/tokenizer_config.json`, if the pack has one. */
  configJson?: string;
}

export interface WordTokens {
  /** The word as written in the prompt (whitespace-separated; may carry punctuation). */
  word: string;
  /** Positions of its tokens in the padded sequence (0 is BOS). */
  tokenIndices: number[];
}

export interface DecodeOptions {
  /** Drop BOS/EOS everywhere and the pad run at the end. */
  skipSpecialTokens?: boolean;
}

/** `\s` of Python's `regex` module (Unicode White_Space), which CLIP folds and splits on; JS
 * `\s` differs (it has U+FEFF, lacks U+0085). `str.strip()` also drops U+001C..U+001F at the ends. */
const WS = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WS_RUN = new RegExp(`[${WS}]+`, 'gu');
const PY_STRIP = new RegExp(`^[${WS}\\x1c-\\x1f]+|[${WS}\\x1c-\\x1f]+$`, 'gu');
const HAS_LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
/** Bounds the per-instance BPE cache so a long-lived worker does not grow without limit. */
const CACHE_LIMIT = 50_000;

const utf8 = new TextEncoder();
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One regex pre-token of a word, with its ids; `punct` = no letter or number in it. */
interface Piece {
  text: string;
  ids: readonly number[];
  punct: boolean;
}

interface WordPieces {
  word: string;
  pieces: Piece[];
  /** Position of the word's first token in the padded sequence. */
  start: number;
}

export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly unkId: number | undefined;
  readonly modelMaxLength: number;
  readonly vocabSize: number;
  readonly doLowerCase: boolean;

  private readonly encoder: ReadonlyMap<string, number>;
  private readonly decoder: ReadonlyMap<number, string>;
  private readonly ranks: ReadonlyMap<string, number>;
  private readonly byteEncoder: readonly string[];
  private readonly byteDecoder: ReadonlyMap<string, number>;
  private readonly specials: ReadonlyMap<string, number>;
  private readonly pattern: RegExp;
  private readonly cache = new Map<string, readonly number[]>();

  /** vocab: parsed vocab.json; merges: "left right" lines in rank order, no header. */
  constructor(
    vocab: Readonly<Record<string, number>> | ReadonlyMap<string, number>,
    merges: readonly string[],
    config: ClipTokenizerConfig = {},
  ) {
    const entries = vocab instanceof Map ? [...vocab] : Object.entries(vocab);
    const encoder = new Map<string, number>();
    const decoder = new Map<number, string>();
    for (const [symbol, id] of entries) {
      if (!Number.isInteger(id) || id < 0)
        throw new Error(`vocab: id of ${JSON.stringify(symbol)} is not a non-negative integer`);
      encoder.set(symbol, id);
      decoder.set(id, symbol);
    }
    this.encoder = encoder;
    this.decoder = decoder;
    this.vocabSize = encoder.size;

    // Later duplicates win, as in Python's dict(zip(merges, range(len(merges)))).
    const ranks = new Map<string, number>();
    merges.forEach((line, rank) => {
      const parts = line.trim().split(/\s+/);
      if (parts.length !== 2) throw new Error(`merges: line ${rank + 1} is not "left right": ${JSON.stringify(line)}`);
      ranks.set(`${parts[0]!} ${parts[1]!}`, rank);
    });
    this.ranks = ranks;

    const cfg = resolveClipTokenizerConfig(config);
    this.modelMaxLength = cfg.modelMaxLength;
    this.doLowerCase = cfg.doLowerCase;
    const { bosToken: bos, eosToken: eos } = cfg;
    const idOf = (token: string, role: string) => {
      const id = encoder.get(token);
      if (id === undefined) throw new Error(`${role} token ${JSON.stringify(token)} is not in the vocab`);
      return id;
    };
    this.bosId = idOf(bos, 'bos');
    this.eosId = idOf(eos, 'eos');
    this.padId = idOf(cfg.padToken, 'pad');
    this.unkId = cfg.unkToken === undefined ? undefined : encoder.get(cfg.unkToken);

    // The reference matches its two special strings as whole pre-tokens (case-insensitively),
    // and its BPE cache is seeded so they map straight to their ids.
    this.specials = new Map([
      [bos.toLowerCase(), this.bosId],
      [eos.toLowerCase(), this.eosId],
    ]);
    const specialAlternatives = [...new Set([bos, eos])].map(escapeRegExp).join('|');
    const rest = `'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^${WS}\\p{L}\\p{N}]+`;
    this.pattern = new RegExp(`${specialAlternatives}|${rest}`, 'giu');

    const table = bytesToUnicode();
    this.byteEncoder = Array.from({ length: 256 }, (_, b) => table.get(b)!);
    this.byteDecoder = new Map([...table].map(([b, ch]) => [ch, b]));
  }

  /** Builds a tokenizer from the texts of a pack's tokenizer folder. */
  static fromFiles(files: ClipTokenizerFiles): ClipTokenizer {
    const vocab: unknown = JSON.parse(files.vocabJson);
    if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab))
      throw new Error('vocab.json must be an object');
    const lines = files.mergesTxt.split(/\r?\n/);
    if (lines[0]?.startsWith('#version')) lines.shift();
    const merges = lines.filter((l) => l.trim() !== '');
    const config: unknown = files.configJson === undefined ? {} : JSON.parse(files.configJson);
    return new ClipTokenizer(vocab as Record<string, number>, merges, config as ClipTokenizerConfig);
  }

  /** Token ids without BOS/EOS. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const piece of this.pieces(this.normalize(text))) out.push(...piece.ids);
    return out;
  }

  /** BOS + ids + EOS, unpadded and untruncated. */
  encodeWithSpecial(text: string): number[] {
    return [this.bosId, ...this.encode(text), this.eosId];
  }

  /** BOS + ids + EOS padded with `padId` to `length`; too-long prompts are cut, EOS stays last. */
  encodePadded(text: string, length: number = this.modelMaxLength): number[] {
    if (!Number.isInteger(length) || length < 2) throw new RangeError(`length must be an integer >= 2, got ${length}`);
    const ids = this.encode(text).slice(0, length - 2);
    const out = [this.bosId, ...ids, this.eosId];
    while (out.length < length) out.push(this.padId);
    return out;
  }

  /** Text of the ids; word ends become spaces, the result is trimmed (as HF does). */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    let list = Array.from(ids);
    if (options.skipSpecialTokens) {
      let end = list.length;
      while (end > 0 && list[end - 1] === this.padId) end--;
      list = list.slice(0, end).filter((id) => id !== this.bosId && id !== this.eosId);
    }
    const bytes: number[] = [];
    for (const id of list) {
      const symbol = this.decoder.get(id);
      if (symbol === undefined) throw new RangeError(`token id ${id} is not in the vocab`);
      for (const ch of symbol.replaceAll(END_OF_WORD, ' ')) {
        // Spaces only come from `</w>`; special tokens are plain ASCII that byteDecoder knows.
        bytes.push(ch === ' ' ? 0x20 : (this.byteDecoder.get(ch) ?? 0x3f));
      }
    }
    // Invalid UTF-8 (a split multi-byte character) becomes U+FFFD, like errors="replace".
    return new TextDecoder('utf-8').decode(new Uint8Array(bytes)).trim();
  }

  /**
   * The byte-level pre-tokens BPE sees for `text` (clean + lower-case + word regex, each piece's
   * UTF-8 bytes mapped through bytes_to_unicode, without `</w>`).
   */
  preTokenize(text: string): string[] {
    return [...this.normalize(text).matchAll(this.pattern)].map((m) => this.toByteLevel(m[0]));
  }

  /**
   * Every whitespace-separated word of `text` with the padded-sequence positions of its tokens,
   * as Prompt-to-Prompt's `ptp_utils.get_word_inds` counts them (first word starts at 1).
   * Positions cut off by truncation to `modelMaxLength` are left out.
   */
  tokenizeWords(text: string): WordTokens[] {
    return this.words(text).map((w) => ({ word: w.word, tokenIndices: this.positions(w, w.pieces) }));
  }

  /**
   * Positions (ascending) of the tokens of `word` in the padded sequence of `text`; every
   * occurrence counts. `word` may be a word index (like get_word_inds's int) or a string matched
   * case-insensitively against the prompt's space-separated words. Unlike get_word_inds, a word
   * also matches ignoring leading/trailing punctuation ("flower" finds "flower." and then returns
   * only the tokens of "flower"), and a multi-word string matches consecutive words.
   */
  wordTokenIndices(text: string, word: string | number): number[] {
    const words = this.words(text);
    if (typeof word === 'number') {
      const w = words[word];
      return w ? this.positions(w, w.pieces) : [];
    }
    const query = this.words(word);
    if (query.length === 0) return [];
    const found = new Set<number>();
    for (let i = 0; i + query.length <= words.length; i++) {
      const matched = query.map((q, k) => this.matchWord(words[i + k]!, q));
      if (matched.every((m) => m !== undefined)) for (const m of matched) for (const p of m!) found.add(p);
    }
    return [...found].sort((a, b) => a - b);
  }

  /** Exact (case-insensitive) match: all tokens; match after stripping punctuation: core tokens. */
  private matchWord(w: WordPieces, q: WordPieces): number[] | undefined {
    if (w.word.toLowerCase() === q.word.toLowerCase()) return this.positions(w, w.pieces);
    const core = (x: WordPieces) => {
      let a = 0;
      let b = x.pieces.length;
      while (a < b && x.pieces[a]!.punct) a++;
      while (b > a && x.pieces[b - 1]!.punct) b--;
      return x.pieces.slice(a, b);
    };
    const text = (ps: Piece[]) =>
      ps
        .map((p) => p.text)
        .join('')
        .toLowerCase();
    const wc = core(w);
    if (wc.length === 0 || text(wc) !== text(core(q))) return undefined;
    return this.positions(w, wc);
  }

  /** Positions of `pieces` (a contiguous run of `w.pieces`) below the truncation point (EOS). */
  private positions(w: WordPieces, pieces: readonly Piece[]): number[] {
    let pos = w.start;
    for (const p of w.pieces) {
      if (p === pieces[0]) break;
      pos += p.ids.length;
    }
    const out: number[] = [];
    for (const p of pieces)
      for (let i = 0; i < p.ids.length; i++, pos++) if (pos < this.modelMaxLength - 1) out.push(pos);
    return out;
  }

  /** Splits on (folded) spaces, then tokenizes word by word; the regex never spans a space, so
   * the concatenated ids equal encode(text). */
  private words(text: string): WordPieces[] {
    const folded = this.fold(text);
    if (folded === '') return [];
    let start = 1;
    return folded.split(' ').map((word) => {
      const pieces = this.pieces(this.doLowerCase ? word.toLowerCase() : word);
      const w = { word, pieces, start };
      for (const p of pieces) start += p.ids.length;
      return w;
    });
  }

  /** NFC + strip + whitespace folding (CLIP's basic_clean/whitespace_clean, minus ftfy/html). */
  private fold(text: string): string {
    return text.normalize('NFC').replace(PY_STRIP, '').replace(WS_RUN, ' ');
  }

  private normalize(text: string): string {
    const folded = this.fold(text);
    return this.doLowerCase ? folded.toLowerCase() : folded;
  }

  private pieces(normalized: string): Piece[] {
    const out: Piece[] = [];
    for (const m of normalized.matchAll(this.pattern)) {
      const text = m[0];
      const special = this.specials.get(text.toLowerCase());
      const ids = special !== undefined ? [special] : this.bpeIds(this.toByteLevel(text));
      out.push({ text, ids, punct: !HAS_LETTER_OR_NUMBER.test(text) });
    }
    return out;
  }

  private toByteLevel(text: string): string {
    let s = '';
    for (const b of utf8.encode(text)) s += this.byteEncoder[b]!;
    return s;
  }

  private bpeIds(piece: string): readonly number[] {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    const ids = bytePairEncode(piece, this.ranks).map((symbol) => {
      const id = this.encoder.get(symbol) ?? this.unkId;
      if (id === undefined) throw new Error(`BPE symbol ${JSON.stringify(symbol)} is not in the vocab`);
      return id;
    });
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(piece, ids);
    return ids;
  }
}
