/**
 * Base64 for typed-array payloads (VTU inline binary). Browser-safe: no
 * Buffer, no atob/btoa string round trips.
 * @internal
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENC = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DEC = (() => {
  const t = new Int16Array(256).fill(-1);
  for (let i = 0; i < 64; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/**
 * Encode bytes as standard base64 (with `=` padding).
 * @example
 * ```ts
 * encodeBase64(new Uint8Array([1, 2, 3])); // 'AQID'
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint8Array(4 * Math.ceil(n / 3));
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ENC[(v >> 18) & 63];
    out[o++] = ENC[(v >> 12) & 63];
    out[o++] = ENC[(v >> 6) & 63];
    out[o++] = ENC[v & 63];
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0);
    out[o++] = ENC[(v >> 18) & 63];
    out[o++] = ENC[(v >> 12) & 63];
    out[o++] = i + 1 < n ? ENC[(v >> 6) & 63] : 61;
    out[o++] = 61; // '='
  }
  return new TextDecoder().decode(out);
}

/**
 * Decode standard base64, ignoring whitespace. `=` padding ends a block and
 * decoding continues after it, so concatenated padded blocks (VTK writes the
 * binary header and the data as two blocks) decode to the joined bytes.
 * @throws Error naming the offending character position.
 * @example
 * ```ts
 * decodeBase64('AQID'); // Uint8Array [1, 2, 3]
 * ```
 */
export function decodeBase64(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 61) {
      // '=' padding: drop the partial bits of this block, start a new one.
      acc = 0;
      bits = 0;
      continue;
    }
    if (c === 32 || c === 10 || c === 13 || c === 9) continue;
    const v = c < 256 ? DEC[c] : -1;
    if (v < 0) throw new Error(`invalid base64 character '${text[i]}' at offset ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}
