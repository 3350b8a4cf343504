import { readFile } from "node:fs/promises";
import { join, posix } from "node:path";
import ignore from "ignore";

export type IgnoreFileName = ".valarignore" | ".gitignore";

export interface IgnoreRuleOptions {
  /** `.valar.yml` `build.ignore`: plain path prefixes relative to the packed directory. */
  prefixes?: readonly string[];
  /** `--ignore` patterns, gitignore syntax, relative to the packed directory. */
  patterns?: readonly string[];
}

type Ignore = ignore.Ignore;
type IgnoreFactory = () => Ignore;

interface Layer {
  /** The directory the layer's patterns are relative to ("" for the root). */
  base: string;
  matcher: Ignore;
}

/**
 * What to leave out of an archive. Precedence, like git: the root ignore file, then the
 * ignore files of subdirectories (deeper wins), then `--ignore` patterns; a `!pattern`
 * of a later layer can re-include what an earlier one left out, but nothing inside a
 * directory that is left out comes back (the walk never enters it). `.git` and the
 * `build.ignore` prefixes are absolute: no pattern brings them back.
 */
export class IgnoreRules {
  private readonly layers = new Map<string, Layer>();
  private readonly flagLayer: Layer | undefined;
  private readonly prefixes: string[];
  /** Every rule's text as written (ignore files, prefixes, patterns): what `mentions` searches. */
  private readonly texts: string[] = [];

  private constructor(
    private readonly dir: string,
    /** Which ignore file counts: `.valarignore` when the root has one, else `.gitignore`. */
    readonly fileName: IgnoreFileName,
    private readonly create: IgnoreFactory,
    options: IgnoreRuleOptions,
  ) {
    this.prefixes = (options.prefixes ?? []).map(normalizePrefix).filter((p) => p !== "");
    const patterns = options.patterns ?? [];
    this.texts.push(...this.prefixes, ...patterns);
    this.flagLayer = patterns.length > 0 ? { base: "", matcher: create().add([...patterns]) } : undefined;
  }

  static async load(dir: string, options: IgnoreRuleOptions = {}): Promise<IgnoreRules> {
    // Case-sensitive, as git is on the systems builds run on.
    const hasValarIgnore = (await readIgnoreFile(join(dir, ".valarignore"))) !== undefined;
    const rules = new IgnoreRules(dir, hasValarIgnore ? ".valarignore" : ".gitignore", () => ignore({ ignorecase: false }), options);
    await rules.enterDirectory("");
    return rules;
  }

  /** Reads the ignore file of a directory the walk is about to list (relative path, "" = root). */
  async enterDirectory(relDir: string): Promise<void> {
    const text = await readIgnoreFile(join(this.dir, relDir, this.fileName));
    if (text !== undefined) {
      this.layers.set(relDir, { base: relDir, matcher: this.create().add(text) });
      this.texts.push(text);
    }
  }

  /** Whether any rule so far names `name` at all (to leave it out, or to keep it on purpose). */
  mentions(name: string): boolean {
    return this.texts.some((text) => text.includes(name));
  }

  /** Whether a path (relative, POSIX separators) is left out. Symlinks count as files. */
  ignores(relPath: string, isDirectory: boolean): boolean {
    if (relPath.split("/").includes(".git")) return true;
    if (this.prefixes.some((prefix) => relPath.startsWith(prefix))) return true;
    let ignored = false;
    for (const layer of this.applicableLayers(relPath)) {
      const local = layer.base === "" ? relPath : relPath.slice(layer.base.length + 1);
      const result = layer.matcher.test(isDirectory ? local + "/" : local);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }

  private *applicableLayers(relPath: string): Iterable<Layer> {
    const parts = relPath.split("/");
    // Ancestors from the root down: "" then "a", "a/b", … (never the path itself).
    for (let depth = 0; depth < parts.length; depth++) {
      const layer = this.layers.get(parts.slice(0, depth).join("/"));
      if (layer) yield layer;
    }
    if (this.flagLayer) yield this.flagLayer;
  }
}

/**
 * Valar's original CLI compared `build.ignore` entries as plain string prefixes of the
 * relative path (so `node_modules` also leaves out `node_modules_old`); kept for
 * compatibility. A leading `./` or `/` is dropped so both spellings mean the same.
 */
function normalizePrefix(prefix: string): string {
  return posix.normalize(prefix.replace(/\\/g, "/")).replace(/^(\.\/|\/)+/, "").replace(/^\.$/, "");
}

async function readIgnoreFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A directory or unreadable entry by that name is not an ignore file.
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
    throw err;
  }
}
