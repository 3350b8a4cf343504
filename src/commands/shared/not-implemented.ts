import { OperationError } from "../../errors.js";

export function notImplemented(name: string): never {
  throw new OperationError(`${name} is not implemented yet`);
}
