import { ApiUnreachableError } from "../errors.js";
import { oneLine, stripControl } from "../output/text.js";
import { BUILD_PREFIX } from "./types.js";

/** Checks an untrusted response body and returns it typed, or throws (exit 6). */
export type Validator<T> = (value: unknown) => T;

/** For an answer no Valar v2 API would give. */
export const NOT_V2_HINT = "check that the endpoint is a Valar v2 API (valar config get endpoint)";

export function invalidResponse(what: string): ApiUnreachableError {
  return new ApiUnreachableError(`the API sent an unexpected response: ${what}`, { hint: NOT_V2_HINT });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Server text as the CLI keeps it, so that no command can print it raw: without control or
 * bidi characters (output/text.ts), and on one line but for an `error`, which may span lines.
 */
function cleanField(key: string, value: string): string {
  return key === "error" ? stripControl(value) : oneLine(value);
}

/**
 * An object whose listed fields are strings (missing `error`-like fields may be allowed
 * empty); every string field comes back cleaned (cleanField). `ids` are build IDs: letters,
 * digits and dashes, as a prefix argument is — they are printed bare, in hints to copy and
 * into CI logs, so anything else is refused rather than cleaned.
 */
export function objectWithStrings<T>(
  what: string,
  required: readonly string[],
  optional: readonly string[] = [],
  ids: readonly string[] = [],
): Validator<T> {
  return (value) => {
    if (!isRecord(value)) throw invalidResponse(`${what} is not an object`);
    for (const key of required) {
      if (typeof value[key] !== "string") throw invalidResponse(`${what} has no string "${key}"`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = typeof field === "string" ? cleanField(key, field) : field;
    for (const key of optional) {
      if (value[key] === undefined || value[key] === null) out[key] = "";
      else if (typeof value[key] !== "string") throw invalidResponse(`${what} has a non-string "${key}"`);
    }
    for (const key of ids) {
      if (!BUILD_PREFIX.test(value[key] as string)) throw invalidResponse(`${what}'s "${key}" is not letters, digits and dashes`);
    }
    return out as T;
  };
}

export function arrayOf<T>(what: string, item: Validator<T>): Validator<T[]> {
  return (value) => {
    if (!Array.isArray(value)) throw invalidResponse(`${what} is not a list`);
    return value.map(item);
  };
}

/** A list of strings (e.g. the projects of GET /users/info), each cleaned to one line. */
export function stringList(what: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((x) => typeof x !== "string")) throw invalidResponse(`${what} is not a list of strings`);
  return (value as string[]).map(oneLine);
}
