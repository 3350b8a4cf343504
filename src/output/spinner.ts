import ora from "ora";
import type { IOStreams, Spinner } from "./io.js";

/**
 * A spinner on stderr when it is an animated terminal, else a no-op that only prints the
 * final line (CI logs get no escape codes). It is registered with the IOStreams, which
 * stops it on any exit so no spinner or hidden cursor is left behind.
 */
export function startSpinner(io: IOStreams, text: string): Spinner {
  if (!io.canAnimate) {
    return { update() {}, stop: (finalLine) => finalLine && io.note(finalLine) };
  }
  const s = ora({ text, stream: io.stderr as NodeJS.WritableStream, discardStdin: false }).start();
  const spinner: Spinner = {
    update: (t) => {
      s.text = t;
    },
    stop: (finalLine) => {
      io.untrack(spinner);
      s.stop();
      // ora cleared its lines, an echoed "^C" with them.
      io.lineCleared();
      if (finalLine) io.note(finalLine);
    },
  };
  io.track(spinner);
  return spinner;
}
