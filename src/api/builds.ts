import type { ApiClient, StreamResponse } from "./client.js";
import type { ArtifactResponse, Build, BuildInspect, SubmitBuildRequest, SubmitBuildResponse } from "./types.js";
import { arrayOf, isRecord, invalidResponse, objectWithStrings } from "./validate.js";

const validateBuild = objectWithStrings<Build>("a build", ["id", "status", "createdAt"], ["error"], ["id"]);
const validateBuildList = arrayOf("the build list", validateBuild);
const validateInspect = objectWithStrings<BuildInspect>(
  "the build details",
  ["id", "status", "createdAt"],
  ["error", "constructor", "flags", "owner"],
  ["id"],
);
const validateSubmit = objectWithStrings<SubmitBuildResponse>("the submit answer", ["id", "status"], ["createdAt", "deployment"], ["id"]);
const validateArtifact = objectWithStrings<ArtifactResponse>("the artifact answer", ["artifact"]);
const validateEmptyObject = (value: unknown): void => {
  if (!isRecord(value)) throw invalidResponse("the abort answer is not an object");
};

/** The build endpoints of one project/service. */
export class BuildsApi {
  constructor(
    readonly client: ApiClient,
    readonly project: string,
    readonly service: string,
  ) {}

  private path(...rest: string[]): string[] {
    return ["projects", this.project, "services", this.service, ...rest];
  }

  /** All builds, newest first; with a prefix, only IDs that start with it. */
  list(prefix?: string): Promise<Build[]> {
    const path = prefix ? this.path("builds", prefix) : this.path("builds");
    return this.client.requestJson({ method: "GET", path, validate: validateBuildList });
  }

  inspect(id: string): Promise<BuildInspect> {
    return this.client.requestJson({ method: "GET", path: this.path("builds", id, "inspect"), validate: validateInspect });
  }

  submit(body: SubmitBuildRequest): Promise<SubmitBuildResponse> {
    return this.client.requestJson({ method: "POST", path: this.path("builds"), body, validate: validateSubmit });
  }

  async abort(id: string): Promise<void> {
    // Aborting twice does no harm (the second one at worst reports the build is no longer
    // running), so unlike submit this POST is retried like a GET.
    await this.client.requestJson({
      method: "POST",
      path: this.path("builds", id, "abort"),
      validate: validateEmptyObject,
      idempotent: true,
    });
  }

  uploadArtifact(file: string, size: number, onProgress?: (sent: number, total: number) => void): Promise<ArtifactResponse> {
    return this.client.upload({ path: this.path("artifacts"), file, size, validate: validateArtifact, onProgress });
  }

  /** The log as a byte stream (status 204 = expired, body empty). */
  openLogs(id: string, follow: boolean, signal?: AbortSignal): Promise<StreamResponse> {
    return this.client.openStream(this.path("builds", id, "logs"), follow ? { follow: "true" } : undefined, signal);
  }
}
