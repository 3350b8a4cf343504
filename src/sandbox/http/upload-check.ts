import { Parser, type ReadEntry } from "tar";
import { ArchiveTally, type ArchiveLimits, type ArchiveTooLargeError } from "../run/unpack.js";

/**
 * Reads an upload's archive as it arrives, counting entries and unpacked bytes, so an
 * upload that would unpack to more than the sandbox allows is refused (413, not kept) as
 * soon as the count passes the limit, not after the whole upload. Everything else about
 * its content (links, entry types, a damaged archive) fails the build that uses it, with
 * the reason in its log: a stream tar cannot read is simply no longer counted.
 */
export class UploadCheck {
  private readonly tally: ArchiveTally;
  private readonly parser: Parser;
  /** Set once a limit is passed. */
  tooLarge?: ArchiveTooLargeError;
  private broken = false;

  constructor(limits: ArchiveLimits) {
    this.tally = new ArchiveTally(limits);
    this.parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        entry.resume();
        this.tooLarge ??= this.tally.add(entry);
      },
    });
    this.parser.on("error", () => (this.broken = true));
    this.parser.on("warn", () => {});
  }

  /** Counts a chunk of the upload; returns the refusal once a limit is passed. */
  write(chunk: Buffer): ArchiveTooLargeError | undefined {
    if (!this.broken && !this.tooLarge) this.parser.write(chunk);
    return this.tooLarge;
  }

  /** The whole upload was counted; returns the refusal if a limit was passed. */
  end(): ArchiveTooLargeError | undefined {
    if (!this.broken && !this.tooLarge) this.parser.end();
    return this.tooLarge;
  }
}
