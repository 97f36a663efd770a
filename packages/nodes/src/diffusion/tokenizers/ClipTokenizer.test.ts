import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReducedClipVocab, bytesToUnicode, ClipTokenizer } from './index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const fixtureDir = path.join(repoRoot, 'fixtures/clip-bpe');
const referenceDir = path.join(repoRoot, 'fixtures/p2p-reference');
const read = (...parts: string[]) => readFileSync(path.join(...parts), 'utf8');

interface TokenCase {
  text: string;
  ids: number[];
  with_bos_eos: number[];
}
const cases = (JSON.parse(read(fixtureDir, 'token-ids.json')) as { cases: TokenCase[] }).cases;

/**
 * Port of Prompt-to-Prompt's `ptp_utils.get_word_inds` (int word_place): walk the tokens, add
 * up the lengths of their decoded texts, and move to the next space-split word once the current
 * one is covered. Used to check tokenizeWords against the reference's counting.
 */
function referenceWordInds(tok: ClipTokenizer, text: string, place: number): number[] {
  const split = text.split(' ');
  const pieces = tok
    .encodeWithSpecial(text)
    .slice(1, -1)
    .map((id) => tok.decode([id]).replace(/^#+|#+$/g, ''));
  const out: number[] = [];
  let curLen = 0;
  let ptr = 0;
  pieces.forEach((piece, i) => {
    curLen += [...piece].length;
    if (ptr === place) out.push(i + 1);
    if (curLen >= [...(split[ptr] ?? '')].length) {
      ptr += 1;
      curLen = 0;
    }
  });
  return out;
}

describe('ClipTokenizer on the full CLIP vocab', () => {
  let tok: ClipTokenizer;
  beforeAll(() => {
    tok = ClipTokenizer.fromFiles({
      vocabJson: read(fixtureDir, 'vocab.json'),
      mergesTxt: read(fixtureDir, 'merges.txt'),
    });
  });

  it('has the SD special ids and sizes without a config', () => {
    expect(tok.vocabSize).toBe(49408);
    expect([tok.bosId, tok.eosId, tok.padId, tok.modelMaxLength]).toEqual([49406, 49407, 49407, 77]);
  });

  it.each(cases.map((c) => [c.text, c] as const))('encodes %j like the reference', (_text, c) => {
    expect(tok.encode(c.text)).toEqual(c.ids);
    expect(tok.encodeWithSpecial(c.text)).toEqual(c.with_bos_eos);
  });

  // Ids from openai/CLIP simple_tokenizer (Python `regex`, NFC in place of ftfy) for the corners
  // where JS and Python differ: `\s` sets, str.strip, final sigma, İ, NFC, special-token case.
  it.each([
    ['ΣΑΣ σας', [139, 225, 138, 109, 139, 480, 139, 225, 138, 109, 139, 480]],
    ['İstanbul', [328, 16384, 11231]],
    ['a\x85b', [320, 321]],
    ['a\x1cb', [320, 472, 321]],
    ['\x1c a \x1c', [320]],
    ['a\ufeffb', [320, 171, 119, 379, 321]],
    ['cafe\u0301', [15304]],
    ['<|ENDOFTEXT|>', [49407]],
    ['x\u200by', [343, 9844, 344]],
    ['漢字 🙂👍🏽', [162, 120, 95, 35751, 501, 32006, 43722]],
  ] as const)('matches the Python reference on %j', (text, ids) => {
    expect(tok.encode(text)).toEqual(ids);
  });

  it('pads to 77 with 49407 and truncates keeping EOS last', () => {
    const padded = tok.encodePadded('a cat riding a bicycle');
    expect(padded).toHaveLength(77);
    expect(padded.slice(0, 7)).toEqual([49406, 320, 2368, 6765, 320, 11652, 49407]);
    expect(padded.slice(7).every((id) => id === 49407)).toBe(true);
    expect(tok.encodePadded('')).toEqual([49406, ...Array<number>(76).fill(49407)]);
    const long = tok.encodePadded(Array(100).fill('cat').join(' '));
    expect(long).toHaveLength(77);
    expect(long[0]).toBe(49406);
    expect(long[76]).toBe(49407);
    expect(long.slice(1, 76).every((id) => id === 2368)).toBe(true);
    expect(tok.encodePadded('a cat', 4)).toEqual([49406, 320, 2368, 49407]);
    expect(tok.encodePadded('a cat', 3)).toEqual([49406, 320, 49407]);
    expect(() => tok.encodePadded('a', 1)).toThrow(RangeError);
  });

  it('decodes back to the normalised text', () => {
    expect(tok.decode(tok.encode('A Cat  riding\ta BICYCLE '))).toBe('a cat riding a bicycle');
    expect(tok.decode(tok.encode('café naïve résumé'))).toBe('café naïve résumé');
    expect(tok.decode(tok.encode('emoji 🙂 test'))).toBe('emoji 🙂 test');
    expect(tok.decode(tok.encodeWithSpecial('a cat'))).toBe('<|startoftext|>a cat <|endoftext|>');
    expect(tok.decode(tok.encodePadded('a cat'), { skipSpecialTokens: true })).toBe('a cat');
    // Pieces come back space-separated; re-encoding that text gives the same ids.
    for (const c of cases) expect(tok.encode(tok.decode(c.ids))).toEqual(c.ids);
    expect(() => tok.decode([49408])).toThrow(RangeError);
  });

  it('treats the special strings in text as their ids', () => {
    expect(tok.encode('a <|endoftext|> cat')).toEqual([320, 49407, 2368]);
    expect(tok.encode('<|startoftext|>')).toEqual([49406]);
  });

  it('finds word token indices like get_word_inds', () => {
    expect(tok.wordTokenIndices('a photo of a house', 'a')).toEqual([1, 4]);
    expect(tok.wordTokenIndices('a photo of a house', 'house')).toEqual([5]);
    expect(tok.wordTokenIndices('a a a a a a a a', 'a')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Multi-token word: "neoclassical" is two tokens, so later words shift by one.
    expect(tok.wordTokenIndices('A neoclassical painting of a squirrel', 'neoclassical')).toEqual([2, 3]);
    expect(tok.wordTokenIndices('A neoclassical painting of a squirrel', 'painting')).toEqual([4]);
    // Case-insensitive, both ways.
    expect(tok.wordTokenIndices('A photo of a butterfly on a flower.', 'a')).toEqual([1, 4, 7]);
    expect(tok.wordTokenIndices('a photo', 'PHOTO')).toEqual([2]);
    // Punctuation: the word "flower." is two tokens; "flower" finds only its own token.
    expect(tok.wordTokenIndices('A photo of a butterfly on a flower.', 'flower.')).toEqual([8, 9]);
    expect(tok.wordTokenIndices('A photo of a butterfly on a flower.', 'flower')).toEqual([8]);
    expect(tok.wordTokenIndices("It's a beautiful day!!", "it's")).toEqual([1, 2]);
    expect(tok.wordTokenIndices("It's a beautiful day!!", 'day')).toEqual([5]);
    expect(tok.wordTokenIndices('e-mail: test', 'e-mail')).toEqual([1, 2, 3]);
    // Phrases, word indices, misses, folded whitespace.
    const landscape = 'landscape with a river in the mountains, oil painting';
    expect(tok.wordTokenIndices(landscape, 'oil painting')).toEqual([9, 10]);
    expect(tok.wordTokenIndices(landscape, 'mountains')).toEqual([7]);
    expect(tok.wordTokenIndices(landscape, 2)).toEqual([3]);
    expect(tok.wordTokenIndices(landscape, 'zebra')).toEqual([]);
    expect(tok.wordTokenIndices(landscape, '')).toEqual([]);
    expect(tok.wordTokenIndices('hello   world', 'world')).toEqual([2]);
    // Positions past the truncation point do not exist in the padded sequence.
    const long = `${Array(80).fill('cat').join(' ')} dog`;
    expect(tok.wordTokenIndices(long, 'dog')).toEqual([]);
    expect(tok.wordTokenIndices(long, 'cat').at(-1)).toBe(75);
  });

  it('tokenizeWords lists every word with its positions', () => {
    expect(tok.tokenizeWords('A neoclassical painting.')).toEqual([
      { word: 'A', tokenIndices: [1] },
      { word: 'neoclassical', tokenIndices: [2, 3] },
      { word: 'painting.', tokenIndices: [4, 5] },
    ]);
    expect(tok.tokenizeWords('   ')).toEqual([]);
  });

  it('agrees with a port of get_word_inds on every single-spaced fixture sentence', () => {
    let compared = 0;
    for (const c of cases) {
      const words = tok.tokenizeWords(c.text);
      // The reference's character counting breaks on byte pieces of a split character (emoji).
      if (c.text !== c.text.trim() || c.text.includes('  ') || c.text.includes('🙂') || words.length === 0) continue;
      words.forEach((w, i) =>
        expect(w.tokenIndices, `${c.text} / ${w.word}`).toEqual(referenceWordInds(tok, c.text, i)),
      );
      compared++;
    }
    expect(compared).toBeGreaterThan(25);
  });

  it('word positions always cover the whole token sequence', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const flat = tok.tokenizeWords(text).flatMap((w) => w.tokenIndices);
        const n = Math.min(tok.encode(text).length, tok.modelMaxLength - 2);
        expect(flat).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });

  it('encodes a 77-token prompt well under a millisecond after warm-up', () => {
    const prompt =
      'a photo of a golden retriever puppy playing in the grass, highly detailed, 4k, ' +
      'oil painting by a neoclassical master, dramatic lighting, sharp focus, trending on artstation, ' +
      'a cat riding a bicycle on the beach at sunset with a red circle and a blue square, ' +
      'watercolor painting of a fox in a snowy forest, the quick brown fox jumps over the lazy dog';
    expect(tok.encode(prompt).length).toBeGreaterThanOrEqual(75);
    for (let i = 0; i < 50; i++) tok.encodePadded(prompt);
    const runs = 500;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) tok.encodePadded(prompt);
    expect((performance.now() - t0) / runs).toBeLessThan(1);
  });
});

// The toy pack and its reference cases are committed under fixtures/: a missing file fails, never skips.
describe('ClipTokenizer on the toy SD pack', () => {
  it('loads tokenizer/ with its config and reproduces the token ids of every reference case', () => {
    const dir = path.join(referenceDir, 'toy-sd-pack/tokenizer');
    const tok = ClipTokenizer.fromFiles({
      vocabJson: read(dir, 'vocab.json'),
      mergesTxt: read(dir, 'merges.txt'),
      configJson: read(dir, 'tokenizer_config.json'),
    });
    expect([tok.bosId, tok.eosId, tok.padId, tok.modelMaxLength]).toEqual([49406, 49407, 49407, 77]);
    const caseDirs = readdirSync(path.join(referenceDir, 'public'));
    expect(caseDirs.length).toBeGreaterThan(0);
    for (const name of caseDirs) {
      const c = JSON.parse(read(referenceDir, 'public', name, 'case.json')) as {
        prompts: string[];
        token_ids: number[][];
      };
      c.prompts.forEach((prompt, i) => expect(tok.encodeWithSpecial(prompt), `${name}[${i}]`).toEqual(c.token_ids[i]));
    }
  });
});

describe('reduced CLIP vocab', () => {
  const words = ['a', 'painting', 'of', 'squirrel', 'lion', 'eating', 'burger', 'café', "it's", 'painter'];
  const reduced = buildReducedClipVocab(words);
  const tok = ClipTokenizer.fromFiles(reduced);
  const vocab = JSON.parse(reduced.vocabJson) as Record<string, number>;
  const byId = new Map(Object.entries(vocab).map(([s, id]) => [id, s]));

  it('has the documented layout', () => {
    const bytes = [...bytesToUnicode().values()];
    expect(reduced.mergesTxt.startsWith('#version: 0.2\n')).toBe(true);
    const merges = reduced.mergesTxt.trim().split('\n').slice(1);
    for (let i = 0; i < 256; i++) {
      expect(byId.get(i)).toBe(bytes[i]);
      expect(byId.get(256 + i)).toBe(`${bytes[i]!}</w>`);
    }
    const merged = [...new Set(merges.map((m) => m.replace(' ', '')))];
    merged.forEach((s, i) => expect(byId.get(512 + i)).toBe(s));
    expect(tok.vocabSize).toBe(512 + merged.length + 2);
    expect(byId.get(tok.vocabSize - 2)).toBe('<|startoftext|>');
    expect(byId.get(tok.vocabSize - 1)).toBe('<|endoftext|>');
    expect([tok.bosId, tok.eosId, tok.padId]).toEqual([tok.vocabSize - 2, tok.vocabSize - 1, tok.vocabSize - 1]);
    expect(Object.keys(vocab)).toHaveLength(tok.vocabSize);
  });

  it('makes every listed word one token and spells other words in byte pieces', () => {
    for (const w of words.filter((x) => x !== "it's")) {
      const ids = tok.encode(w);
      expect(ids, w).toHaveLength(1);
      expect(tok.decode(ids)).toBe(w);
    }
    expect(tok.encode("it's")).toHaveLength(2); // two pre-tokens: "it" + "'s"
    expect(tok.encode('Painting')).toEqual(tok.encode('painting'));
    const zebra = tok.encode('zebra');
    expect(zebra).toHaveLength(5);
    expect(zebra.slice(0, 4).every((id) => id < 256)).toBe(true);
    expect(byId.get(zebra[4]!)).toBe('a</w>');
    expect(tok.decode(tok.encode('zebra 🙂 ok'))).toBe('zebra 🙂 ok');
    const prompt = 'A painting of a squirrel eating a burger';
    expect(tok.encodePadded(prompt)).toHaveLength(77);
    expect(tok.encodeWithSpecial(prompt)).toHaveLength(10);
    expect(tok.wordTokenIndices(prompt, 'squirrel')).toEqual([5]);
  });

  it('takes special tokens and limits from the config', () => {
    const tok2 = ClipTokenizer.fromFiles({
      ...reduced,
      configJson: JSON.stringify({
        model_max_length: 16,
        bos_token: { __type: 'AddedToken', content: '<|startoftext|>' },
        eos_token: '<|endoftext|>',
        pad_token: '!',
      }),
    });
    expect(tok2.padId).toBe(0);
    expect(tok2.encodePadded('a lion')).toEqual([
      tok2.bosId,
      ...tok.encode('a lion'),
      tok2.eosId,
      ...Array<number>(12).fill(0),
    ]);
    expect(() => ClipTokenizer.fromFiles({ ...reduced, configJson: '{"pad_token": "<pad>"}' })).toThrow(/pad token/);
    // HF writes a huge sentinel when there is no limit; CLIP's 77 is used then.
    expect(ClipTokenizer.fromFiles({ ...reduced, configJson: '{"model_max_length": 1e30}' }).modelMaxLength).toBe(77);
  });

  it('is deterministic and keeps earlier words single tokens as words are added', () => {
    expect(buildReducedClipVocab(words)).toEqual(reduced);
    const more = ClipTokenizer.fromFiles(buildReducedClipVocab([...words, 'paint', 'pain', 'ain', 'in']));
    for (const w of [...words.filter((x) => x !== "it's"), 'paint', 'pain', 'ain', 'in'])
      expect(more.encode(w), w).toHaveLength(1);
  });
});
