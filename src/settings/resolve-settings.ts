import { AuthError, UsageError } from "../errors.js";
import { sameEndpoint } from "../api/endpoint.js";
import { PROJECT_NAME, SERVICE_NAME } from "../api/types.js";
import { truncate } from "../output/text.js";
import type { GlobalOptions } from "../app/context.js";
import { DEFAULT_ENDPOINT, type Setting, type Settings, type ValarYml } from "./settings-types.js";
import type { GoConfigLayer, GoConfigValue } from "./go-config.js";
import { nearestValidName } from "./suggest-name.js";

export interface StoredSettings {
  endpoint?: string;
  project?: string;
  service?: string;
  token?: string;
  /** The endpoint `auth login` checked the token against (absent in files of older versions). */
  tokenEndpoint?: string;
}

export interface ResolveInput {
  flags: Pick<GlobalOptions, "endpoint" | "project" | "service">;
  env: NodeJS.ProcessEnv;
  valarYml?: ValarYml;
  stored: StoredSettings;
  /**
   * Valar's Go CLI config, below the stored layer; read only when a setting falls through
   * to it (a malformed file then is an error, but never when nothing needs it).
   */
  goConfig?: () => GoConfigLayer | undefined;
}

function first(...candidates: Array<[string | undefined, Setting["source"]]>): Setting | undefined {
  for (const [value, source] of candidates) {
    // Stray whitespace (a token pasted with its newline) never belongs to a value.
    const trimmed = value?.trim();
    if (trimmed) return { value: trimmed, source };
  }
  return undefined;
}

function fromGo(v: GoConfigValue | undefined): Setting | undefined {
  return v && { value: v.value, source: "go-config", origin: v.origin };
}

/** The contract's precedence table: flag > environment > .valar.yml > stored > Go CLI config > default. */
export function resolveSettings({ flags, env, valarYml, stored, goConfig }: ResolveInput): Settings {
  let go: GoConfigLayer | undefined;
  let goRead = false;
  const goLayer = (): GoConfigLayer => {
    if (!goRead) go = goConfig?.();
    goRead = true;
    return go ?? {};
  };
  const endpoint = first([flags.endpoint, "flag"], [env.VALAR_ENDPOINT, "env"], [stored.endpoint, "stored"]) ??
    fromGo(goLayer().endpoint) ?? { value: DEFAULT_ENDPOINT, source: "default" as const };
  // A stored token goes only to the endpoint it was checked against: `--endpoint` pointing
  // elsewhere must not carry it there. The Go config's token likewise belongs to its own URL.
  const tokenFits = !stored.tokenEndpoint || sameEndpoint(stored.tokenEndpoint, endpoint.value);
  let token = first([env.VALAR_TOKEN, "env"], [tokenFits ? stored.token : undefined, "stored"]) as Settings["token"];
  if (!token) {
    const layer = goLayer();
    if (layer.token && layer.endpoint && sameEndpoint(layer.endpoint.value, endpoint.value)) token = fromGo(layer.token) as Settings["token"];
  }
  const storedTokenEndpoint = !token && stored.token && !tokenFits ? stored.tokenEndpoint : undefined;
  const project =
    first([flags.project, "flag"], [env.VALAR_PROJECT, "env"], [valarYml?.project, "valar.yml"], [stored.project, "stored"]) ??
    fromGo(goLayer().project);
  const service = first([flags.service, "flag"], [env.VALAR_SERVICE, "env"], [valarYml?.service, "valar.yml"], [stored.service, "stored"]);
  return {
    endpoint,
    token,
    project,
    service,
    valarYml,
    ...(storedTokenEndpoint ? { storedTokenEndpoint } : {}),
    ...(go?.problem ? { goConfigProblem: go.problem } : {}),
  };
}

const SOURCE_NAMES: Record<Setting["source"], string> = {
  flag: "the command line",
  env: "the environment",
  "valar.yml": ".valar.yml",
  stored: "the stored config",
  "go-config": "Valar's Go CLI config",
  default: "the default",
};

const ENV_NAMES: Record<string, string> = {
  endpoint: "VALAR_ENDPOINT",
  project: "VALAR_PROJECT",
  service: "VALAR_SERVICE",
  token: "VALAR_TOKEN",
};

/**
 * Where a setting came from, in words for an error message ("VALAR_PROJECT", "--project",
 * "~/.valar/config, context prod"…).
 */
export function describeSource(source: Setting["source"], key?: string, valarYmlPath?: string, origin?: string): string {
  if (source === "go-config" && origin) return origin;
  if (key && source === "env" && ENV_NAMES[key]) return ENV_NAMES[key];
  if (key && source === "flag") return `--${key}`;
  if (source === "valar.yml" && valarYmlPath) return valarYmlPath;
  return SOURCE_NAMES[source];
}

const NAME_RULES = {
  project: { pattern: PROJECT_NAME, hint: "project names are letters, digits and single dashes, starting with a letter" },
  service: { pattern: SERVICE_NAME, hint: "service names are letters and digits, starting with a letter" },
};

/**
 * Exit 2 unless `value` is a valid project or service name. The message quotes `shown`
 * (the text as the user gave it) and names `from`, where it came from, when known.
 */
export function checkTargetName(kind: "project" | "service", value: string, { shown = value, from }: { shown?: string; from?: string } = {}): void {
  const { pattern, hint } = NAME_RULES[kind];
  if (pattern.test(value)) return;
  const nearest = nearestValidName(kind, value);
  // Cut: a name from a .valar.yml may be megabytes long.
  throw new UsageError(`invalid ${kind} name "${truncate(shown, 60)}"${from ? ` (from ${from})` : ""}`, {
    hint: nearest ? `${hint}: try "${truncate(nearest, 60)}"` : hint,
  });
}

/** Project and service, validated: exit 2 with a hint before any request is made. */
export function requireTarget(settings: Settings): { project: string; service: string } {
  const { project, service } = settings;
  if (!project) {
    throw new UsageError("no project given", {
      hint: settings.goConfigProblem
        ? `${settings.goConfigProblem}; pass -p PROJECT or run \`valar config set project NAME\``
        : "pass -p PROJECT, set VALAR_PROJECT, add `project:` to .valar.yml, or run `valar config set project NAME`",
    });
  }
  checkTargetName("project", project.value, { from: describeSource(project.source, "project", settings.valarYml?.path, project.origin) });
  if (!service) {
    throw new UsageError("no service given", {
      hint: "pass -s SERVICE, set VALAR_SERVICE, add `service:` to .valar.yml, or run `valar config set service NAME`",
    });
  }
  checkTargetName("service", service.value, { from: describeSource(service.source, "service", settings.valarYml?.path) });
  return { project: project.value, service: service.value };
}

export function requireToken(settings: Settings): string {
  if (!settings.token) throw notLoggedIn(settings);
  return settings.token.value;
}

/** Exit 4, with a hint that explains a stored token withheld because it belongs elsewhere. */
export function notLoggedIn(settings: Settings): AuthError {
  const endpoint = settings.endpoint.value;
  if (settings.storedTokenEndpoint) {
    return new AuthError(`not logged in to ${endpoint} (the stored token is for ${settings.storedTokenEndpoint})`, {
      hint: `run \`valar auth login --endpoint ${endpoint}\` or set VALAR_TOKEN`,
    });
  }
  if (settings.goConfigProblem) {
    return new AuthError(`not logged in to ${endpoint}`, { hint: `${settings.goConfigProblem}; run \`valar auth login\` or set VALAR_TOKEN` });
  }
  return new AuthError(`not logged in to ${endpoint}`, { hint: "run `valar auth login` or set VALAR_TOKEN" });
}

/**
 * What to do about a token the API rejected, by where it came from: logging in again
 * cannot help while VALAR_TOKEN wins over the stored token, and Valar's Go CLI config is
 * a file of its own that valar never writes.
 */
export function rejectedTokenHint(settings: Settings): string | undefined {
  const token = settings.token;
  if (!token) return undefined;
  if (token.source === "env") return "the token comes from VALAR_TOKEN: check or unset VALAR_TOKEN";
  if (token.source === "go-config") {
    return `the token comes from Valar's Go CLI config (${token.origin ?? "~/.valar/config"}): check it there, or run \`valar auth login\``;
  }
  return "the stored token was rejected: log in again with `valar auth login`";
}
