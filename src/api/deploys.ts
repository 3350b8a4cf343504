import type { ApiClient } from "./client.js";
import type { CreateDeployRequest, Deploy } from "./types.js";
import { arrayOf, invalidResponse, objectWithStrings, type Validator } from "./validate.js";

const deployStrings = objectWithStrings<Deploy>("a deployment", ["status", "createdAt", "build"], ["error"], ["build"]);

/** A deployment object; `version` must be an integer (a string "v3" is not what the API documents). */
const validateDeploy: Validator<Deploy> = (value) => {
  const deploy = deployStrings(value);
  if (!Number.isSafeInteger(deploy.version)) throw invalidResponse(`a deployment has no integer "version"`);
  return deploy;
};
const validateDeployList = arrayOf("the deployment list", validateDeploy);

/** The deployment endpoints of one project/service. */
export class DeploysApi {
  constructor(
    readonly client: ApiClient,
    readonly project: string,
    readonly service: string,
  ) {}

  private path(...rest: string[]): string[] {
    return ["projects", this.project, "services", this.service, "deploys", ...rest];
  }

  /** All deployments, as the API orders them (newest first). */
  list(): Promise<Deploy[]> {
    return this.client.requestJson({ method: "GET", path: this.path(), validate: validateDeployList });
  }

  /** Deploys a build as a new version. Sent twice it would make two versions: never retried once sent. */
  create(body: CreateDeployRequest): Promise<Deploy> {
    return this.client.requestJson({ method: "POST", path: this.path(), body, validate: validateDeploy });
  }

  /** Rolls back to `version`, as a new version (not retried once sent, like create). */
  rollback(version: number): Promise<Deploy> {
    return this.client.requestJson({ method: "POST", path: this.path("rollback"), body: { version }, validate: validateDeploy });
  }
}
