import { mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, closeSync, fstatSync, constants } from "node:fs";
import { join } from "node:path";
import envPaths from "env-paths";

/** Where an upload goes: a digest is remembered per endpoint, project and service. */
export interface ArtifactScope {
  endpoint: string;
  project: string;
  service: string;
}

interface Remembered {
  digest: string;
  artifact: string;
  /** When it was last used (ms): the oldest are dropped past MAX_ENTRIES. */
  at: number;
}

const FILE = "artifacts.json";
const MAX_ENTRIES = 100;
/** A key this cache hands back goes into a request body and a terminal: nothing odd in it. */
const KEY_SHAPE = /^[A-Za-z0-9._:-]{1,200}$/;
const MAX_FILE_BYTES = 1024 * 1024;

/** The user's cache directory (XDG_CACHE_HOME/valar on Linux), or VALAR_CACHE_DIR. */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  return env.VALAR_CACHE_DIR || envPaths("valar", { suffix: "" }).cache;
}

/**
 * digest → artifact key, per scope, in one small JSON file of the cache directory (mode
 * 0600 in a 0700 directory: keys name a user's uploads). A cache: any problem reading it
 * means nothing is remembered, and a failed write is no failure of the submit.
 */
export class ArtifactCache {
  constructor(private readonly dir: string) {}

  lookup(scope: ArtifactScope, digest: string): string | undefined {
    const found = this.read()[scopeKey(scope)];
    return found && found.digest === digest ? found.artifact : undefined;
  }

  remember(scope: ArtifactScope, digest: string, artifact: string, now: number): void {
    if (!KEY_SHAPE.test(artifact)) return;
    const all = this.read();
    all[scopeKey(scope)] = { digest, artifact, at: now };
    const kept = Object.entries(all)
      .sort(([, a], [, b]) => b.at - a.at)
      .slice(0, MAX_ENTRIES);
    const tmp = join(this.dir, `.${FILE}.${process.pid}.tmp`);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, JSON.stringify(Object.fromEntries(kept)) + "\n", { mode: 0o600, flag: "wx" });
      renameSync(tmp, join(this.dir, FILE));
    } catch {
      rmSync(tmp, { force: true });
    }
  }

  private read(): Record<string, Remembered> {
    let text: string;
    try {
      // Non-blocking and checked: a FIFO or a huge file put in its place is no cache.
      const fd = openSync(join(this.dir, FILE), constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      try {
        const st = fstatSync(fd);
        if (!st.isFile() || st.size > MAX_FILE_BYTES) return {};
        text = readFileSync(fd, "utf8");
      } finally {
        closeSync(fd);
      }
    } catch {
      return {};
    }
    const out: Record<string, Remembered> = {};
    try {
      const raw: unknown = JSON.parse(text);
      if (typeof raw !== "object" || raw === null) return out;
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        const v = value as Partial<Remembered> | null;
        if (typeof v?.digest === "string" && typeof v.artifact === "string" && KEY_SHAPE.test(v.artifact) && typeof v.at === "number") {
          out[key] = { digest: v.digest, artifact: v.artifact, at: v.at };
        }
      }
    } catch {
      // A torn or hand-edited file: start afresh.
    }
    return out;
  }
}

function scopeKey(scope: ArtifactScope): string {
  return JSON.stringify([scope.endpoint, scope.project, scope.service]);
}
