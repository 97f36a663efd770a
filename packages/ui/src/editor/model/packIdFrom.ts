/** A name as a pack id: lowercase letters, digits and single dashes, at most 64 (the server's PACK_ID_PATTERN). */
export function packIdFrom(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}
