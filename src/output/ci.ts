import { appendFileSync } from "node:fs";
import type { ByteBatch } from "../logs/byte-batch.js";

/** The CI service whose log viewer valar decorates for, from its own variables. */
export type CiKind = "github" | "gitlab";

export function ciKind(env: NodeJS.ProcessEnv): CiKind | undefined {
  if (env.GITHUB_ACTIONS === "true") return "github";
  if (env.GITLAB_CI === "true") return "gitlab";
  return undefined;
}

/** The platform's own parts of a build log, folded away in a CI log viewer. */
export type LogSection = "setup" | "turndown";

const TITLES: Record<LogSection, string> = { setup: "Valar: setting up the build", turndown: "Valar: turning down the build" };

/**
 * Folds runs of the platform's setup and turndown lines into collapsible sections: GitHub's
 * `::group::`/`::endgroup::`, GitLab's `section_start`/`section_end` markers (the one escape
 * code a CI log gets: GitLab's viewer needs `\r\e[0K`).
 */
export class CiSections {
  private open: LogSection | undefined;

  constructor(
    private readonly kind: CiKind,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called before each line with the section it belongs to (none for the build's own output). */
  enter(section: LogSection | undefined, out: ByteBatch): void {
    if (section === this.open) return;
    if (this.open) out.text(this.end(this.open));
    if (section) out.text(this.start(section));
    this.open = section;
  }

  /** The end of the log: a section still open is closed. */
  close(out: ByteBatch): void {
    this.enter(undefined, out);
  }

  private start(section: LogSection): string {
    if (this.kind === "github") return `::group::${TITLES[section]}\n`;
    return `section_start:${this.seconds()}:valar_${section}[collapsed=true]\r\u001b[0K${TITLES[section]}\n`;
  }

  private end(section: LogSection): string {
    if (this.kind === "github") return "::endgroup::\n";
    return `section_end:${this.seconds()}:valar_${section}\r\u001b[0K\n`;
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/** The section of a WRAPPER line's stage, if it is one valar folds. */
export function sectionOfStage(stage: string): LogSection | undefined {
  const s = stage.toUpperCase();
  return s === "SETUP" ? "setup" : s === "TURNDOWN" ? "turndown" : undefined;
}

/**
 * Build output must not issue GitHub workflow commands (`::add-mask::`, `::error::`, …),
 * which the runner reads at the start of any line of the job's output: such a line gets a
 * space in front.
 */
export function defuseWorkflowCommands(text: string): string {
  return text.replace(/^::/gm, " ::");
}

/** A workflow command's message: `%`, CR and LF are what GitHub escapes. */
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** The annotation a failed build adds to a GitHub Actions run, with the last lines of its output. */
export function githubErrorAnnotation(message: string, lastLines: string[] = []): string {
  return `::error title=Valar build failed::${escapeData([message, ...lastLines].join("\n"))}`;
}

/** A collapsed GitLab section around some lines (GitLab's markers need their `\r\e[0K`). */
export function gitlabSection(name: string, title: string, lines: string[], now: number): string {
  const t = Math.floor(now / 1000);
  return `section_start:${t}:${name}[collapsed=true]\r\u001b[0K${title}\n${lines.map((l) => `${l}\n`).join("")}section_end:${t}:${name}\r\u001b[0K\n`;
}

export interface StepSummary {
  id: string;
  status: string;
  duration: string;
  deployment?: string;
  error?: string;
  /** The last lines of a failed build's output, shown as a code block. */
  lastLines?: string[];
}

/** Appends the build's Markdown summary to the job's summary file ($GITHUB_STEP_SUMMARY). */
export function appendStepSummary(file: string, s: StepSummary): void {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim() || "-";
  const mark = s.status === "done" ? "✅" : "❌";
  const lines = [
    `### ${mark} Valar build \`${s.id.slice(0, 8)}\` ${cell(s.status)}`,
    "",
    "| build | status | duration | deployment |",
    "| --- | --- | --- | --- |",
    `| \`${s.id}\` | ${cell(s.status)} | ${cell(s.duration)} | ${cell(s.deployment ?? "")} |`,
  ];
  if (s.error) lines.push("", `> ${cell(s.error)}`);
  if (s.lastLines?.length) {
    // A fence longer than any run of backticks in the lines, so none can close it early.
    const longest = Math.max(0, ...s.lastLines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))));
    const fence = "`".repeat(Math.max(3, longest + 1));
    lines.push("", fence, ...s.lastLines, fence);
  }
  appendFileSync(file, lines.join("\n") + "\n\n");
}
