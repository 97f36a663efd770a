/**
 * CLIP/GPT-2 `bytes_to_unicode`: maps every byte 0..255 to a printable character so BPE can work
 * on strings without whitespace or control characters. Printable Latin-1 bytes map to
 * themselves; the other 68 bytes map to U+0100.. in byte order.
 *
 * The Map's iteration order is the order openai/CLIP builds its vocab in (printable bytes first,
 * then the remapped ones), so `[...bytesToUnicode().values()]` are vocab ids 0..255.
 */
let table: ReadonlyMap<number, string> | undefined;

export function bytesToUnicode(): ReadonlyMap<number, string> {
  if (table) return table;
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b); // '!'..'~'
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b); // '¡'..'¬'
  for (let b = 0xae; b <= 0xff; b++) bs.push(b); // '®'..'ÿ'
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  table = new Map(bs.map((b, i) => [b, String.fromCharCode(cs[i]!)]));
  return table;
}
