/**
 * How deeply a JSON answer may nest arrays and objects. The API's deepest answer is a list
 * of objects holding strings (depth 2); this leaves room for what a newer server adds.
 * Without a bound, 32 MiB of `[` costs JSON.parse over a gigabyte.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Follows the nesting of JSON text as its bytes arrive, without parsing it. */
export class JsonDepthGuard {
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** False once the text so far has opened more than MAX_JSON_DEPTH arrays or objects at once. */
  feed(bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
      } else if (b === QUOTE) {
        this.inString = true;
      } else if (b === 0x5b || b === 0x7b) {
        if (++this.depth > MAX_JSON_DEPTH) return false;
      } else if (b === 0x5d || b === 0x7d) {
        this.depth--;
      }
    }
    return true;
  }
}
