import type { ArchiveLimits } from "./run/unpack.js";
import type { Runner } from "./run/runner.js";
import type { BuildRecord, Store } from "./store/build-store.js";
import type { Deploys } from "./store/deploy-records.js";
import type { LogBook } from "./store/log-book.js";

// Its own module, of types only, so that the server (which builds it) and the route
// handlers (which use it) both depend on it instead of on each other.

/** What the route handlers work with. */
export interface SandboxCore {
  store: Store;
  logs: LogBook;
  runner: Runner;
  deploys: Deploys;
  token: string;
  archiveLimits: ArchiveLimits;
  /** Turns a finished build whose logs are older than the TTL into `expired`; returns it. */
  freshen(build: BuildRecord): BuildRecord;
  note(line: string): void;
}
