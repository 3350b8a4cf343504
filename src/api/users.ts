import type { ApiClient } from "./client.js";
import type { UserInfo, VersionInfo } from "./types.js";
import { oneLine } from "../output/text.js";
import { invalidResponse, isRecord, objectWithStrings, stringList } from "./validate.js";

const validateVersion = objectWithStrings<VersionInfo>("the version answer", ["version"]);

function validateUserInfo(value: unknown): UserInfo {
  if (!isRecord(value)) throw invalidResponse("the user info is not an object");
  if (typeof value.name !== "string") throw invalidResponse('the user info has no string "name"');
  const projects = value.projects === undefined || value.projects === null ? [] : stringList("the user's projects", value.projects);
  return { name: oneLine(value.name), projects };
}

/** GET /users/info: who the token belongs to. */
export function getUserInfo(client: ApiClient): Promise<UserInfo> {
  return client.requestJson({ method: "GET", path: ["users", "info"], validate: validateUserInfo });
}

/** GET / (no token): `{"version": "v2"}` when the endpoint is a Valar v2 API. */
export function getApiVersion(client: ApiClient): Promise<VersionInfo> {
  return client.requestJson({ method: "GET", path: [], auth: false, validate: validateVersion });
}
