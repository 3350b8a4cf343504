import type { Ora } from "ora";
import type { IOStreams, Spinner } from "./io.js";
import { fitLine } from "./fit-width.js";

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
  const columns = () => io.stderr.columns || 80;
  // Every line fits the width it is drawn at (ora's frame and a space come before the first;
  // the last column stays free, as a full line makes some terminals wrap early).
  const fitted = (t: string) =>
    t
      .split("\n")
      .map((line, i) => fitLine(line, columns() - 1 - (i === 0 ? 2 : 0)))
      .join("\n");
  // Redrawn at once at the new width, so no frame drawn for the old width stays up to wrap.
  // (Moving up further to clear what a reflowing terminal re-wrapped would, on one that
  // does not reflow, such as tmux or xterm, erase the user's own lines above the area.)
  const onResize = () => {
    if (!shown) return;
    shown.text = fitted(current);
    shown.render();
  };
  const spinner: Spinner = {
    update: (t) => {
      current = t;
      if (shown) shown.text = fitted(t);
    },
    stop: (finalLine) => {
      stopped = true;
      io.untrack(spinner);
      io.stderr.off("resize", onResize);
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
      if (stopped) return;
      shown = ora({ text: fitted(current), stream: io.stderr, discardStdin: false }).start();
      io.stderr.on("resize", onResize);
    },
    // No spinner is no loss: the command goes on and its lines still come.
    () => undefined,
  );
  return spinner;
}
