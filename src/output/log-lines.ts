import wasm from "./log-lines.wat";
import type { ByteBatch } from "./byte-batch.js";
import { lineEnd, type OnLineBytes } from "../builds/lines.js";

/** Where render() reads and writes in the module's memory (log-lines.wat keeps 0–255). */
const IN = 256;
const WINDOW = 256 * 1024;
/** SIMD reads and writes pass an end by up to 16 bytes. */
const SLACK = 64;
const OUT = IN + WINDOW + SLACK;
const NEWLINE = 0x0a;

/** render()'s modes (log-lines.wat): --raw without cleaning, or formatted (and in colour). */
export const RAW = 0;
export const FORMATTED = 1;
export const COLOUR = 2;

interface LogLinesExports {
  memory: WebAssembly.Memory;
  render(p: number, end: number, o: number, mode: number): number;
  outEnd: WebAssembly.Global;
  lines: WebAssembly.Global;
}

let shared: { x: LogLinesExports; memory: Uint8Array } | undefined;

/** The module, compiled and instantiated on first use (its memory is 640 KiB). */
function instance(): { x: LogLinesExports; memory: Uint8Array } {
  if (shared) return shared;
  const x = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports as unknown as LogLinesExports;
  return (shared = { x, memory: new Uint8Array(x.memory.buffer) });
}

/**
 * A log into a pipe or a file, sixteen bytes at a time: src/output/log-lines.wat renders
 * runs of the commonest lines (entries in the documented order with plain values, and plain
 * text), --raw or formatted — what the JavaScript byte path spends most of a big log's time
 * on, line by line. A line it does not take goes to the JavaScript renderer, exactly as it
 * would without this. Lines are copied into the module's memory a window at a time; its
 * output is copied out.
 */
export class WasmLogLines {
  /** Which bytes the memory holds: src[winStart, winEnd) at IN. */
  private winSrc: Uint8Array | undefined;
  private winStart = 0;
  private winEnd = 0;
  /** Lines rendered here so far (the others went to the JavaScript renderer). */
  taken = 0;

  /** `mode`: RAW, or FORMATTED with COLOUR or not (formatted output is always cleaned). */
  constructor(private readonly mode: number) {}

  /**
   * Renders every complete line of bytes[start, end) — here, or through `onLine` (given the
   * line without its line ending, as LineSplitter gives it) — and returns where the
   * unterminated rest begins (end when there is none). `bytes` must not change during the call.
   */
  take(bytes: Uint8Array, start: number, end: number, out: ByteBatch, onLine: OnLineBytes): number {
    const { x, memory } = instance();
    this.winSrc = undefined;
    let at = start;
    while (at < end) {
      if (this.winSrc !== bytes || at >= this.winEnd) this.window(memory, bytes, at, end);
      const stop = x.render(IN + at - this.winStart, IN + this.winEnd - this.winStart, OUT, this.mode);
      const produced = (x.outEnd.value as number) - OUT;
      if (produced > 0) out.bytes(memory, OUT, OUT + produced);
      this.taken += x.lines.value as number;
      at = this.winStart + stop - IN;
      if (at >= end) break;
      const nl = indexOfNewline(bytes, at, end);
      if (nl < 0) break; // the unterminated rest
      if (nl >= this.winEnd && this.winStart !== at) {
        this.window(memory, bytes, at, end); // the line runs past the window: move the window to it
        continue;
      }
      // A line the module does not take (or one longer than a window): the general renderer's.
      onLine(bytes as Buffer, at, lineEnd(bytes, at, nl));
      at = nl + 1;
    }
    this.winSrc = undefined;
    return at;
  }

  private window(memory: Uint8Array, bytes: Uint8Array, at: number, end: number): void {
    const winEnd = Math.min(end, at + WINDOW);
    memory.set(bytes.subarray(at, winEnd), IN);
    this.winSrc = bytes;
    this.winStart = at;
    this.winEnd = winEnd;
  }
}

function indexOfNewline(bytes: Uint8Array, from: number, end: number): number {
  const nl = bytes.indexOf(NEWLINE, from);
  return nl >= 0 && nl < end ? nl : -1;
}
