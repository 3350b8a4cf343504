import type { Ora } from "ora";
import type { IOStreams, Spinner } from "./io.js";

let oraModule: Promise<typeof import("ora")> | undefined;

/**
 * A spinner on stderr when it is an animated terminal, else a no-op that only prints the
 * final line (CI logs get no escape codes). It is registered with the IOStreams, which
 * stops it on any exit so no spinner or hidden cursor is left behind.
 *
 * ora is loaded here, when a terminal is to show a spinner, not with the command: its
 * text-width code builds Unicode tables as it loads (~30 ms), which a command in a script
 * or a CI job never needs. It loads just after this returns, not holding up the call; a
 * spinner stopped before that only prints its final line.
 */
export function startSpinner(io: IOStreams, text: string): Spinner {
  if (!io.canAnimate) {
    return { update() {}, stop: (finalLine) => finalLine && io.note(finalLine) };
  }
  let current = text;
  let shown: Ora | undefined;
  let stopped = false;
  const spinner: Spinner = {
    update: (t) => {
      current = t;
      if (shown) shown.text = t;
    },
    stop: (finalLine) => {
      stopped = true;
      io.untrack(spinner);
      if (shown) {
        shown.stop();
        // ora cleared its lines, an echoed "^C" with them.
        io.lineCleared();
      }
      if (finalLine) io.note(finalLine);
    },
  };
  io.track(spinner);
  (oraModule ??= import("ora")).then(
    ({ default: ora }) => {
      if (!stopped) shown = ora({ text: current, stream: io.stderr as NodeJS.WritableStream, discardStdin: false }).start();
    },
    // No spinner is no loss: the command goes on and its lines still come.
    () => undefined,
  );
  return spinner;
}
