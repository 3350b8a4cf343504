import type { EnvironmentEntry } from "../../api/types.js";

/** A deployment as the API shows it: `version` is an integer (Valar's Go client reads int64). */
export interface SandboxDeploy {
  version: number;
  createdAt: string;
  error: string;
  status: string;
  build: string;
}

/** What is kept: the environment too, which is never sent back (secret values are write-only). */
export interface DeployRecord extends SandboxDeploy {
  environment: EnvironmentEntry[];
  /** When a pending deployment of a done build goes live (ms since the epoch); never sent. */
  liveAt?: number;
}
