/**
 * Every failure the CLI reports is one of these classes. Each carries the exit code the
 * contract assigns to it; src/cli.ts is the only place that turns them into a process exit.
 */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  BUILD_UNSUCCESSFUL: 3,
  AUTH: 4,
  NOT_FOUND: 5,
  UNREACHABLE: 6,
  NOT_ENDED: 8,
  TIMEOUT: 124,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const;

export interface ErrorDetails {
  hint?: string;
  cause?: unknown;
}

export class ValarError extends Error {
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, exitCode: number, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = details.hint;
  }
}

/** Exit 1: the operation failed (abort of a finished build, a 4xx the others don't cover). */
export class OperationError extends ValarError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.FAILURE, details);
  }
}

/** Exit 2: bad command line, flag value, argument, or missing project/service. */
export class UsageError extends ValarError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.USAGE, details);
  }
}

/** Exit 4: no token, or the API answered 401/403. */
export class AuthError extends ValarError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.AUTH, details);
  }
}

/** Exit 5: 404, no build matches a prefix, an ambiguous prefix, expired logs. */
export class NotFoundError extends ValarError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.NOT_FOUND, details);
  }
}

/** Exit 6: the API could not be reached, kept failing, or answered something undocumented. */
export class ApiUnreachableError extends ValarError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.UNREACHABLE, details);
  }
}

/** Exit 6, but not worth another try: the server's TLS certificate or handshake is refused. */
export class TlsError extends ApiUnreachableError {}

/** Exit 124: a waiting command's --timeout ran out. */
export class WaitTimeoutError extends ValarError {
  constructor(message: string, details?: ErrorDetails) {
    super(message, ExitCode.TIMEOUT, details);
  }
}

export type StopSignal = "SIGINT" | "SIGTERM";

/**
 * Exit 130: the user pressed Ctrl-C; exit 143: SIGTERM (a cancelled CI job). Both get the
 * same clean-up, so the error carries which one it was and every later error made from it
 * (`interrupted.with(...)`) keeps the exit code.
 */
export class InterruptedError extends ValarError {
  readonly signal: StopSignal;

  constructor(message = "interrupted", details?: ErrorDetails & { signal?: StopSignal }) {
    const signal = details?.signal ?? "SIGINT";
    super(message, signal === "SIGTERM" ? ExitCode.TERMINATED : ExitCode.INTERRUPTED, details);
    this.signal = signal;
  }

  /** The same interruption, told differently. */
  with(message: string, details: ErrorDetails = {}): InterruptedError {
    return new InterruptedError(message, { ...details, signal: this.signal });
  }
}

/** `err` with another hint, its class and exit code kept (e.g. to add what to do next). */
export function withHint<E extends ValarError>(err: E, hint: string): E {
  return Object.assign(Object.create(Object.getPrototypeOf(err) as object) as E, err, { hint, message: err.message, stack: err.stack });
}

/**
 * Exit with a code without printing anything more: the command already said what there
 * was to say (e.g. `builds status` printed "failed" and exits 3).
 */
export class SilentExit extends ValarError {
  constructor(exitCode: number) {
    super("", exitCode);
  }
}
