/** `valar help waiting`: how the waiting commands end, in the words of the README. */
export function waitingTopic(): string {
  return [
    "How waiting commands end (builds submit -f/-w, builds logs -f, builds watch)",
    "",
    "  Summary     one line on stderr: outcome, short ID, duration, deployment",
    "              ✓ build a1b2c3d4 done in 1m 23s · deployment v13 live",
    "              (off a terminal or with TERM=dumb: ok / FAILED and -, no marks)",
    "  Duration    end - createdAt; the end is when the final status was seen, or the",
    "              log's last timestamp for a build that had already ended (none: no",
    "              duration). Under 10 s with one decimal; rounded.",
    "  Failure     the build's error and the last 20 lines of its output, on stderr",
    "              (--failed-lines N, 0 = off; after -f only the error).",
    "              valar builds logs --failed PREFIX prints them alone.",
    "  Deployment  submit -f/-w and watch wait until the deployment leaves pending:",
    "              live -> 0, failed -> 3; --timeout covers both; --no-wait-deploy stops",
    "              at the build's end. deploys create|rollback -w wait the same way.",
    "  --json      NDJSON events: submitted, status, deployment, and always a last",
    '              {"event":"result",...,"exitCode"} (also on an error or a timeout).',
    "  CI          GitHub: ::error annotation with the last lines, step summary,",
    "              GITHUB_OUTPUT (build-id, status, deployment). GitLab: a collapsed",
    "              section with the last lines.",
    "  Lost API    reconnecting...; a loopback endpoint refusing connections is given",
    "              up on after 5 s; the outcome is then unknown (exit 6).",
    "  Hints       repeat -p, -s and --endpoint given as flags: they run as printed.",
    "",
  ].join("\n");
}
