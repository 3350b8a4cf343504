import type { OnReadOpts, Socket } from "node:net";

// Node's own reads are 64 KiB; eight times that cuts what undici and the streams above it
// spend per chunk of a long body (measured on the 140 MB log: 256 KiB reads were ~10 % slower
// in all, 1 MiB no faster), at no cost in latency: a read takes what has arrived, it does not
// wait for more.
const READ_SIZE = 512 * 1024;
/**
 * Far more than a stream's flow control lets pile up unread: the socket's buffer and the
 * response body's (a highWaterMark each), plus a read or two being parsed — under 1.5 MiB.
 */
const RING_SIZE = 4 * 1024 * 1024;

/** One socket's reads, one after another, round a block of memory allocated once. */
class Ring {
  readonly memory = Buffer.allocUnsafeSlow(RING_SIZE);
  private at = 0;

  next(): Buffer {
    if (this.at + READ_SIZE > RING_SIZE) this.at = 0;
    return this.memory.subarray(this.at, this.at + READ_SIZE);
  }

  took(bytes: number): void {
    this.at += bytes;
  }
}

const rings = new WeakMap<Socket, Ring>();
// Node asks for the next read's buffer right after handing over the last read, without
// saying for which socket: the socket the hand-over was for.
let askingRing: Ring | undefined;

/**
 * Socket reads into reused memory, for the API client's sockets (long log bodies above
 * all). Node gives every read a fresh 64 KiB buffer: on a 140 MB log that is ~2,300
 * allocations whose pages the kernel maps and zeroes, then V8 collects — a third of the
 * time of reading it. Here each socket reads round a ring of 4 MiB of its own, and the
 * chunks handed on are views of it.
 *
 * The price: a chunk is valid until the ring comes round, ~4 MiB of reading later. Stream
 * consumers never hold that much (flow control pauses the socket long before), but whatever
 * keeps a chunk beyond that must copy it (ApiClient's body-to-text reader does).
 */
export function ringReads(): OnReadOpts {
  return {
    buffer: () => {
      const ring = askingRing;
      askingRing = undefined;
      // The first read of a socket: before any hand-over, so not yet known whose it is.
      return ring ? ring.next() : Buffer.allocUnsafe(READ_SIZE);
    },
    callback(this: Socket, bytes: number, buf: Uint8Array): boolean {
      let ring = rings.get(this);
      if (!ring) rings.set(this, (ring = new Ring()));
      if (buf.buffer === ring.memory.buffer) ring.took(bytes);
      // The socket's stream takes the bytes as if it had read them itself; false pauses it.
      const more = this.push(Buffer.from(buf.buffer, buf.byteOffset, bytes));
      // Set last: should push throw, Node asks for no buffer, and no other socket may get this ring.
      askingRing = ring;
      return more;
    },
  };
}
