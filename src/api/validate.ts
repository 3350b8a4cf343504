import { ApiUnreachableError } from "../errors.js";

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

/** An object whose listed fields are strings (missing `error`-like fields may be allowed empty). */
export function objectWithStrings<T>(what: string, required: readonly string[], optional: readonly string[] = []): Validator<T> {
  return (value) => {
    if (!isRecord(value)) throw invalidResponse(`${what} is not an object`);
    const out: Record<string, unknown> = { ...value };
    for (const key of required) {
      if (typeof value[key] !== "string") throw invalidResponse(`${what} has no string "${key}"`);
    }
    for (const key of optional) {
      if (value[key] === undefined || value[key] === null) out[key] = "";
      else if (typeof value[key] !== "string") throw invalidResponse(`${what} has a non-string "${key}"`);
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

/** A list of strings (e.g. the projects of GET /users/info). */
export function stringList(what: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((x) => typeof x !== "string")) throw invalidResponse(`${what} is not a list of strings`);
  return value as string[];
}
