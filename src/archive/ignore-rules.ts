import { join, posix } from "node:path";
import ignore from "ignore";
import { readSettingsFile } from "../settings/settings-file.js";

export type IgnoreFileName = ".valarignore" | ".gitignore";

/**
 * The ignore files of a directory, in the order they apply: `.gitignore` first, then
 * `.valarignore`, which adds to it and can bring back with `!pattern` what `.gitignore`
 * leaves out. `.gitignore` always counts: a `.valarignore` written for one folder must
 * not silently pack `node_modules/` or `secret.env` that git was told to keep out.
 */
const IGNORE_FILE_NAMES: readonly IgnoreFileName[] = [".gitignore", ".valarignore"];

export interface IgnoreRuleOptions {
  /** `.valar.yml` `build.ignore`: plain path prefixes relative to the packed directory. */
  prefixes?: readonly string[];
  /** `--ignore` patterns, gitignore syntax, relative to the packed directory. */
  patterns?: readonly string[];
  /** Told about an ignore file that is not read (a FIFO, a device, over 1 MiB). */
  warn?: (message: string) => void;
}

type Ignore = ignore.Ignore;

interface Layer {
  /** The directory the layer's patterns are relative to ("" for the root). */
  base: string;
  matcher: Ignore;
}

/**
 * What to leave out of an archive. Precedence, like git: the root's ignore files, then
 * those of subdirectories (deeper wins; in one directory `.valarignore` after
 * `.gitignore`), then `--ignore` patterns; a `!pattern` of a later layer can re-include
 * what an earlier one left out, but nothing inside a directory that is left out comes back
 * (the walk never enters it). `.git` and the `build.ignore` prefixes are absolute: no
 * pattern brings them back.
 *
 * A walk asks `ignores` for each entry and calls `enterDirectory` before listing a
 * directory it enters; afterwards `usedFiles` and `describeSources` say what applied.
 */
export class IgnoreRules {
  private readonly layers = new Map<string, Layer>();
  private readonly flagLayer: Layer | undefined;
  private readonly prefixes: string[];
  /** Every rule's text as written (ignore files, prefixes, patterns): what `mentions` searches. */
  private readonly texts: string[] = [];
  private readonly used: string[] = [];
  /** layersOf's last answer, with how many layers there were when it was given. */
  private lastLayers: { parent: string; count: number; layers: readonly Layer[] } | undefined;

  private constructor(
    private readonly dir: string,
    private readonly options: IgnoreRuleOptions,
  ) {
    this.prefixes = (options.prefixes ?? []).map(normalizePrefix).filter((p) => p !== "");
    const patterns = options.patterns ?? [];
    this.texts.push(...this.prefixes, ...patterns);
    this.flagLayer = patterns.length > 0 ? { base: "", matcher: newMatcher().add([...patterns]) } : undefined;
  }

  static load(dir: string, options: IgnoreRuleOptions = {}): Promise<IgnoreRules> {
    return new Promise((resolve) => resolve(IgnoreRules.loadSync(dir, options)));
  }

  /** The rules of `dir`'s root; file system errors other than a missing file are thrown. */
  static loadSync(dir: string, options: IgnoreRuleOptions = {}): IgnoreRules {
    const rules = new IgnoreRules(dir, options);
    rules.enterDirectorySync("");
    return rules;
  }

  /** Where to suggest adding a rule: `.valarignore` when the root has one, else `.gitignore`. */
  get fileName(): IgnoreFileName {
    return this.used.includes(".valarignore") ? ".valarignore" : ".gitignore";
  }

  /** Reads the ignore files of a directory the walk is about to list (relative path, "" = root). */
  enterDirectorySync(relDir: string): void {
    // One matcher for both files, `.valarignore` added last: a `!dir/` in it re-includes a
    // directory `.gitignore` leaves out, with its contents (separate matchers would each
    // judge the contents by their own view of the directory).
    let matcher: Ignore | undefined;
    for (const name of IGNORE_FILE_NAMES) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const file = readSettingsFile(join(this.dir, rel));
      if (file.kind === "skipped") this.options.warn?.(`ignoring ${rel}: ${file.reason}; its rules are not applied`);
      if (file.kind !== "read") continue;
      matcher = (matcher ?? newMatcher()).add(file.text);
      this.texts.push(file.text);
      this.used.push(rel);
    }
    if (matcher) this.layers.set(relDir, { base: relDir, matcher });
  }

  /** The ignore files read so far, relative to the packed directory, in the order read. */
  usedFiles(): readonly string[] {
    return this.used;
  }

  /**
   * Where the rules came from, for a person: `.valarignore, .gitignore (3), build.ignore,
   * --ignore` (a count when several files of that name apply); `none` when nothing but
   * `.git` is left out.
   */
  describeSources(): string {
    const parts: string[] = [];
    for (const name of [".valarignore", ".gitignore"] as const) {
      const n = this.used.filter((rel) => rel === name || rel.endsWith(`/${name}`)).length;
      if (n > 0) parts.push(n === 1 ? name : `${name} (${n})`);
    }
    if (this.prefixes.length > 0) parts.push("build.ignore");
    if (this.flagLayer) parts.push("--ignore");
    return parts.length > 0 ? parts.join(", ") : "none";
  }

  /** Whether any rule so far names `name` at all (to leave it out, or to keep it on purpose). */
  mentions(name: string): boolean {
    return this.texts.some((text) => text.includes(name));
  }

  /** Whether a path (relative, POSIX separators) is left out. Symlinks count as files. */
  ignores(relPath: string, isDirectory: boolean): boolean {
    if (isInGit(relPath)) return true;
    if (this.prefixes.some((prefix) => relPath.startsWith(prefix))) return true;
    let ignored = false;
    for (const layer of this.layersOf(relPath.slice(0, Math.max(0, relPath.lastIndexOf("/"))))) {
      const local = layer.base === "" ? relPath : relPath.slice(layer.base.length + 1);
      const result = layer.matcher.test(isDirectory ? local + "/" : local);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }

  /**
   * The layers that apply inside `parent`, outermost first. A walk asks about a folder's
   * entries one after another, so the last answer is kept (measured: splitting and joining
   * every path per depth cost ~60 ms on 50,000 files).
   */
  private layersOf(parent: string): readonly Layer[] {
    if (this.lastLayers?.parent === parent && this.lastLayers.count === this.layers.size) return this.lastLayers.layers;
    const layers: Layer[] = [];
    const root = this.layers.get("");
    if (root) layers.push(root);
    // Ancestors from the root down: "a", "a/b", … up to `parent` itself.
    for (let end = 0; parent !== "" && end !== parent.length;) {
      const slash = parent.indexOf("/", end + 1);
      end = slash < 0 ? parent.length : slash;
      const layer = this.layers.get(parent.slice(0, end));
      if (layer) layers.push(layer);
    }
    if (this.flagLayer) layers.push(this.flagLayer);
    this.lastLayers = { parent, count: this.layers.size, layers };
    return layers;
  }
}

/** Whether `.git` is one of the path's parts, without splitting it. */
function isInGit(relPath: string): boolean {
  return relPath === ".git" || relPath.startsWith(".git/") || relPath.endsWith("/.git") || relPath.includes("/.git/");
}

/** Case-sensitive, as git is on the systems builds run on. */
function newMatcher(): Ignore {
  return ignore({ ignorecase: false });
}

/**
 * Valar's original CLI compared `build.ignore` entries as plain string prefixes of the
 * relative path (so `node_modules` also leaves out `node_modules_old`); kept for
 * compatibility. A leading `./` or `/` is dropped so both spellings mean the same.
 */
function normalizePrefix(prefix: string): string {
  return posix
    .normalize(prefix.replace(/\\/g, "/"))
    .replace(/^(\.\/|\/)+/, "")
    .replace(/^\.$/, "");
}
