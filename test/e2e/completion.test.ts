import { startConnectProxy } from "../helpers/connect-proxy.js";
import { execa } from "execa";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, isolatedEnv, runValar, tempDir, valarShimDir } from "../helpers/cli.js";
import { json, startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { build, envFor, startBuildsServer } from "../helpers/builds-fixtures.js";
import { startSandbox, submitFiles, waitForBuild, waitForDeploysSettled, type TestSandbox } from "../helpers/sandbox.js";

const FILES = { bash: "completions/valar.bash", zsh: "completions/_valar", fish: "completions/valar.fish" } as const;
type Shell = keyof typeof FILES;

const SHIM = valarShimDir();

async function hasShell(shell: string): Promise<boolean> {
  const r = await execa(shell, ["-c", "exit 0"], { reject: false });
  return r.exitCode === 0;
}
const available: Record<Shell, boolean> = {
  bash: await hasShell("bash"),
  zsh: await hasShell("zsh"),
  fish: await hasShell("fish"),
};
for (const shell of ["zsh", "fish"] as const) {
  if (!available[shell]) console.warn(`completion tests for ${shell} SKIPPED: ${shell} is not installed`);
}

function shellEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return { ...env, PATH: `${SHIM}:${env.PATH ?? process.env.PATH}` };
}

/**
 * Candidates each shell offers for a command line (the last word is the one being
 * completed; "" = after a space). bash: the real _valar with COMP_WORDS; zsh: _valar with
 * the completion builtins stubbed to print what they are given (no zle here); fish: its
 * own `complete -C`. Descriptions are cut off: names only.
 */
async function complete(shell: Shell, words: string[], env = isolatedEnv()): Promise<string[]> {
  const script = join(ROOT, FILES[shell]);
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(" ");
  let program: string;
  if (shell === "bash") {
    program = `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _valar; printf '%s\\n' "\${COMPREPLY[@]}"`;
  } else if (shell === "zsh") {
    program = [
      "compdef() { :; }",
      // compadd -F ARRAY leaves out what ARRAY holds, as zsh does.
      'compadd() { local -a skip; while [[ $1 != -- ]]; do [[ $1 == -F ]] && { skip=("${(@P)2}"); shift; }; shift; done; shift; local w; for w in "$@"; do (( ${skip[(Ie)$w]} )) || print -r -- "$w"; done; }',
      // -V (an unsorted group) and its siblings take no argument; -t does.
      '_describe() { while [[ $1 == -* ]]; do if [[ $1 == -[12JVx] ]]; then shift; else shift 2; fi; done; print -rl -- "${(@P)2}"; }',
      'compset() { if [[ $1 == -P ]]; then local rest=${PREFIX##${~2}}; IPREFIX+=${PREFIX%"$rest"}; PREFIX=$rest; fi; return 0; }',
      '_files() { print -r -- "<files $*>"; }',
      `source '${script}'`,
      `words=(${quoted}); CURRENT=$#words; PREFIX=\${words[CURRENT]}`,
      "_valar",
    ].join("\n");
  } else {
    program = `source '${script}'; complete -C ${`'${words.join(" ").replace(/'/g, "\\'")}'`}`;
  }
  const r = await execa(shell, shell === "zsh" ? ["-f", "-c", program] : ["-c", program], {
    reject: false,
    extendEnv: false,
    env: shellEnv(env),
    cwd: ROOT,
  });
  expect(r.stderr).toBe("");
  const names = r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(shell === "fish" ? "\t" : shell === "zsh" ? ":" : "\0")[0]!);
  // zsh and the stubs leave prefix filtering to zle: apply it here as zle would.
  const word = words[words.length - 1]!;
  const tail = word.includes("=") ? word.slice(word.indexOf("=") + 1) : word.includes(",") ? word.slice(word.lastIndexOf(",") + 1) : word;
  return shell === "zsh" ? names.filter((n) => n.startsWith(tail) || n.startsWith("<")) : names;
}

describe("valar completion", () => {
  for (const shell of ["bash", "zsh", "fish"] as const) {
    it(`${FILES[shell]} is what \`valar completion ${shell}\` prints (regenerate: npm run completions)`, async () => {
      const r = await runValar(["completion", shell], { stripFinalNewline: false });
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(readFileSync(join(ROOT, FILES[shell]), "utf8"));
    });
  }

  it("rejects an unknown shell with a usage error", async () => {
    const r = await runValar(["completion", "powershell"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/powershell/);
    expect(r.stdout).toBe("");
  });

  it("keeps __complete out of help and out of the completions", async () => {
    const help = await runValar(["--help"]);
    expect(help.stdout).not.toContain("__complete");
    const r = await runValar(["completion", "bash"]);
    expect(r.stdout).not.toMatch(/"\/__complete"/);
  });
});

describe.each(["bash", "zsh", "fish"] as const)("%s completion of commands, flags and values", (shell) => {
  const run = (words: string[]) => complete(shell, words);
  it.skipIf(!available[shell])("completes top-level and nested subcommands (aliases lead on)", async () => {
    expect(await run(["valar", ""])).toEqual(expect.arrayContaining(["builds", "auth", "config", "sandbox", "completion", "help"]));
    expect(await run(["valar", ""])).not.toContain("__complete");
    expect(await run(["valar", "bu"])).toEqual(["builds"]);
    expect(await run(["valar", "builds", ""])).toEqual(expect.arrayContaining(["ls", "submit", "inspect", "logs", "abort", "watch", "status"]));
    expect(await run(["valar", "config", ""])).toEqual(expect.arrayContaining(["get", "set", "unset", "list"]));
    expect(await run(["valar", ""])).toContain("deploys");
    expect((await run(["valar", "deploys", ""])).sort()).toEqual(["create", "help", "ls", "rollback"]);
    // The Go CLI's names for the group lead to the same commands.
    expect(await run(["valar", "deployment", "roll"])).toEqual(["rollback"]);
    expect(await run(["valar", "deploy", "rollback", "--del"])).toEqual(["--delta"]);
    expect(await run(["valar", "deploys", "create", "--en"])).toEqual(expect.arrayContaining(["--env"]));
    // `list` is an alias of `ls`: its flags are ls's.
    expect(await run(["valar", "builds", "list", "--li"])).toEqual(["--limit"]);
  });

  it.skipIf(!available[shell])("completes a command's own flags and the global ones", async () => {
    const flags = await run(["valar", "builds", "submit", "-"]);
    expect(flags).toEqual(expect.arrayContaining(["--constructor", "--follow", "--wait", "--timeout", "--project", "--service", "--help"]));
    expect(flags).not.toContain("--limit");
    expect(await run(["valar", "builds", "logs", "--fo"])).toEqual(["--follow"]);
  });

  it.skipIf(!available[shell])("completes constructors (names, aliases and shell), statuses, shells and config keys", async () => {
    const constructors = await run(["valar", "builds", "submit", "-c", ""]);
    expect(constructors.sort()).toEqual(
      ["golang", "go", "golang-1.17", "python", "node", "node-static", "static", "docker", "dockerfile", "kaniko", "shell"].sort(),
    );
    expect(await run(["valar", "builds", "submit", "--constructor", "dock"])).toEqual(["docker", "dockerfile"]);
    expect((await run(["valar", "builds", "ls", "--status", ""])).sort()).toEqual(["done", "expired", "failed", "pending", "running"]);
    expect((await run(["valar", "completion", ""])).sort()).toEqual(["bash", "fish", "zsh"]);
    expect(await run(["valar", "config", "set", ""])).toEqual(["endpoint", "project", "service"]);
    expect(await run(["valar", "config", "unset", "pro"])).toEqual(["project"]);
    expect(await run(["valar", "help", "ex"])).toEqual(["exit-codes"]);
  });

  it.skipIf(!available[shell])("completes each entry of a comma-separated status list", async () => {
    const got = await run(["valar", "builds", "ls", "--status", "failed,ex"]);
    // bash and fish complete the whole word; zsh moves the prefix aside (compset) and offers the entry.
    expect(got).toEqual([shell === "zsh" ? "expired" : "failed,expired"]);
  });

  it.skipIf(!available[shell])("does not offer a status already in the list (no failed,failed)", async () => {
    const got = await run(["valar", "builds", "ls", "--status", "failed,"]);
    const entries = got.map((g) => g.split(",").pop());
    expect(entries.sort()).toEqual(["done", "expired", "pending", "running"]);
    const two = await run(["valar", "builds", "ls", "--status", "done,failed,"]);
    expect(two.map((g) => g.split(",").pop()).sort()).toEqual(["expired", "pending", "running"]);
  });

  it.skipIf(!available[shell] || shell === "bash")("completes the value of --flag=value", async () => {
    const got = await run(["valar", "builds", "ls", "--status=fa"]);
    expect(got).toEqual([shell === "zsh" ? "failed" : "--status=failed"]);
  });

  it.skipIf(!available[shell])("skips flag values when finding the command (a value is not a subcommand)", async () => {
    // "-p builds": builds is the project here, so completion is still at the top level.
    expect(await run(["valar", "-p", "builds", "bu"])).toEqual(["builds"]);
    expect(await run(["valar", "-p", "x", "builds", "submit", "-c", "pyt"])).toEqual(["python"]);
  });
});

/**
 * Types each line and TAB into an interactive zsh that finds _valar on $fpath, reading the
 * terminal until every expected text shows (or 15 s pass); returns what each line showed.
 */
async function zshTab(lines: Array<[typed: string, ...until: string[]]>, env: Record<string, string | undefined>): Promise<string[]> {
  const fpathDir = tempDir("valar-zfunc-");
  writeFileSync(join(fpathDir, "_valar"), readFileSync(join(ROOT, FILES.zsh)));
  const quote = (w: string) => `'${w}'`;
  const program = String.raw`
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z "fpath=('${fpathDir}' \$fpath); autoload -Uz compinit; compinit -D -u; PS1='> '"
typeit() {
  local out="" chunk typed=$1 w; integer i seen
  shift
  zpty -w -n z $'\C-u'"$typed"$'\t'
  for (( i = 0; i < 150; i++ )); do
    while zpty -r -t z chunk; do out+=$chunk; done
    seen=1
    for w in "$@"; do [[ $out == *$w* ]] || seen=0; done
    (( seen )) && break
    sleep 0.1
  done
  print -r -- "$out"
}
${lines.map((l) => `typeit ${l.map(quote).join(" ")}`).join("\nprint -- '====='\n")}
zpty -d z
`;
  const r = await execa("zsh", ["-f", "-c", program], { reject: false, extendEnv: false, env: shellEnv(env) });
  return r.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]|\r/g, "").split("=====");
}

describe("zsh: the real completion system (compinit, zle in a pseudo-terminal)", () => {
  it.skipIf(!available.zsh)(
    "finds _valar on $fpath through #compdef and completes with TAB",
    async () => {
      const [first, second] = await zshTab(
        [
          ["valar builds ls --status fa", "failed"],
          ["valar builds ", "watch"],
        ],
        isolatedEnv(),
      );
      expect(first).toContain("--status failed");
      expect(second).toMatch(/logs +-- print a build's log/);
      expect(second).toMatch(/submit +-- package a directory/);
    },
    40_000,
  );

  it.skipIf(!available.zsh)(
    "lists build IDs newest first, as the API orders them, not alphabetically",
    async () => {
      const newest = build("f0e1d2c3-0000-4000-8000-000000000000", "running", 1);
      const older = build("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "done", 30);
      const server = await startBuildsServer([newest, older]);
      try {
        const [out] = await zshTab([["valar builds logs ", newest.id, older.id]], envFor(server));
        const shown = out!.slice(out!.indexOf("valar builds logs"));
        expect(shown).toContain(older.id);
        expect(shown.indexOf(newest.id)).toBeGreaterThan(-1);
        expect(shown.indexOf(newest.id)).toBeLessThan(shown.indexOf(older.id));
      } finally {
        await server.close();
      }
    },
    40_000,
  );
});

describe("bash: --flag=value split by COMP_WORDBREAKS", () => {
  it.skipIf(!available.bash)("completes the value after =", async () => {
    expect(await complete("bash", ["valar", "builds", "ls", "--status", "=", "fa"])).toEqual(["failed"]);
    expect(await complete("bash", ["valar", "builds", "submit", "--constructor", "=", "pyt"])).toEqual(["python"]);
  });
});

describe("build ID completion against the sandbox", () => {
  let sb: TestSandbox;
  let ids: string[];
  beforeAll(async () => {
    sb = await startSandbox();
    ids = [];
    for (let i = 0; i < 2; i++) {
      const b = await submitFiles(sb, { "build.sh": "#!/bin/sh\necho hi\n" }, { skipDeploy: true });
      await waitForBuild(sb, b.id);
      ids.push(b.id);
    }
  }, 60_000);
  afterAll(async () => {
    await sb?.stop();
  });

  it("__complete build-ids prints ID<TAB>status, age lines, newest first", async () => {
    const r = await runValar(["__complete", "build-ids"], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trim().split("\n");
    expect(lines.map((l) => l.split("\t")[0]).sort()).toEqual([...ids].sort());
    for (const line of lines) expect(line).toMatch(/^[A-Za-z0-9-]+\t(done|failed|expired|pending|running), /);
  });

  it("__complete build-ids PREFIX narrows to the matching builds", async () => {
    const id = ids[0]!;
    const r = await runValar(["__complete", "build-ids", id.slice(0, id.length - 1)], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n").map((l) => l.split("\t")[0])).toContain(id);
    const none = await runValar(["__complete", "build-ids", "zzzzzz"], { env: sb.env() });
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toBe("");
    expect(none.stderr).toBe("");
  });

  it.each(["bash", "zsh", "fish"] as const)("%s offers build IDs for <prefix> arguments", async (shell) => {
    if (!available[shell]) return;
    // The scripts share one table: every <prefix> command once in bash, one in the others.
    const commands = shell === "bash" ? ["ls", "inspect", "logs", "abort", "watch", "status"] : ["logs"];
    for (const cmd of commands) {
      expect((await complete(shell, ["valar", "builds", cmd, ""], sb.env())).sort()).toEqual([...ids].sort());
    }
    const id = ids[1]!;
    expect(await complete(shell, ["valar", "builds", "inspect", id.slice(0, id.length - 1)], sb.env())).toEqual([id]);
  });

  it.each(["bash", "zsh", "fish"] as const)("%s passes -p/-s from the command line to the API", async (shell) => {
    if (!available[shell]) return;
    const env = sb.env({ VALAR_PROJECT: undefined, VALAR_SERVICE: undefined });
    expect(await complete(shell, ["valar", "builds", "logs", ""], env)).toEqual([]);
    expect((await complete(shell, ["valar", "-p", "demo", "builds", "logs", "-s", "web", ""], env)).sort()).toEqual([...ids].sort());
    // Another service has no builds: the flags really reach the request.
    expect(await complete(shell, ["valar", "-p", "demo", "-s", "other", "builds", "logs", ""], env)).toEqual([]);
  });
});

describe("deployment version completion against the sandbox", () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startSandbox();
    for (let i = 0; i < 2; i++) await waitForBuild(sb, (await submitFiles(sb, { "build.sh": "#!/bin/sh\necho hi\n" })).id);
    // A done build's deployment goes live shortly after it.
    await waitForDeploysSettled(sb, "/projects/demo/services/web");
  }, 60_000);
  afterAll(async () => {
    await sb?.stop();
  });

  it("__complete deploy-versions prints VERSION<TAB>status, build, age lines, newest first", async () => {
    const r = await runValar(["__complete", "deploy-versions"], { env: sb.env() });
    expect([r.exitCode, r.stderr]).toEqual([0, ""]);
    const lines = r.stdout.split("\n");
    expect(lines.map((l) => l.split("\t")[0])).toEqual(["2", "1"]);
    expect(lines[0]).toMatch(/^2\tdone, build [0-9a-f]{8}, /);
    // A word typed with the v of `v12` keeps it; anything else that is not a version gets nothing.
    expect((await runValar(["__complete", "deploy-versions", "v"], { env: sb.env() })).stdout.split("\n").map((l) => l.split("\t")[0])).toEqual([
      "v2",
      "v1",
    ]);
    expect((await runValar(["__complete", "deploy-versions", "1"], { env: sb.env() })).stdout).toMatch(/^1\t/);
    const bad = await runValar(["__complete", "deploy-versions", "x/y"], { env: sb.env() });
    expect([bad.exitCode, bad.stdout, bad.stderr]).toEqual([0, "", ""]);
  });

  it.each(["bash", "zsh", "fish"] as const)("%s offers versions for rollback (through the aliases too)", async (shell) => {
    if (!available[shell]) return;
    // Newest first; fish sorts candidates itself.
    expect(await complete(shell, ["valar", "deploys", "rollback", ""], sb.env())).toEqual(shell === "fish" ? ["1", "2"] : ["2", "1"]);
    expect(await complete(shell, ["valar", "deployment", "rollback", "2"], sb.env())).toEqual(["2"]);
    // create takes a build, not a version.
    expect((await complete(shell, ["valar", "deploy", "create", ""], sb.env())).length).toBe(2);
    expect(await complete(shell, ["valar", "deploys", "rollback", ""], sb.env({ VALAR_TOKEN: undefined }))).toEqual([]);
  });
});

describe("__complete build-ids prints nothing and exits 0 on any failure", () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startFaultServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const env = (extra: Record<string, string | undefined> = {}) =>
    isolatedEnv({ VALAR_ENDPOINT: server.endpoint, VALAR_TOKEN: "t0k3n", VALAR_PROJECT: "demo", VALAR_SERVICE: "web", ...extra });

  async function expectSilent(args: string[], e: Record<string, string | undefined>) {
    const r = await runValar(["__complete", "build-ids", ...args], { env: e });
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  }

  it("without a token", () => expectSilent([], env({ VALAR_TOKEN: undefined })));
  it("without a project or service", () => expectSilent([], env({ VALAR_PROJECT: undefined, VALAR_SERVICE: undefined })));
  it("when the API is unreachable", async () => {
    const closed = await startFaultServer();
    await closed.close();
    await expectSilent([], env({ VALAR_ENDPOINT: closed.endpoint }));
  });
  it("when the API answers 500 / 401 / garbage", async () => {
    server.on("GET /projects/demo/services/web/builds", (_req, res) => json(res, 500, { error: "boom" }));
    await expectSilent([], env());
    server.on("GET /projects/demo/services/web/builds", (_req, res) => json(res, 401, { error: "bad token" }));
    await expectSilent([], env());
    server.on("GET /projects/demo/services/web/builds", (_req, res) => json(res, 200, { not: "a list" }));
    await expectSilent([], env());
  });
  it("when the API does not answer at all (gives up after its short deadline)", async () => {
    server.on("GET /projects/demo/services/web/builds", () => new Promise(() => {}));
    await expectSilent([], env());
  }, 15_000);
  it("for a word that is not an ID prefix, without asking the API", async () => {
    const before = server.requests.length;
    await expectSilent(["a/b"], env());
    await expectSilent(["build-ids"].slice(1), env({ VALAR_ENDPOINT: "ftp://nowhere" }));
    expect(server.requests.length).toBe(before);
  });
  it("for an unknown kind or a stray flag", async () => {
    const r = await runValar(["__complete", "nonsense", "--weird"], { env: env() });
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, "", ""]);
  });
  it("uses the shared client's checks: plain http to a non-loopback host is refused, nothing sent", async () => {
    const proxy = await startConnectProxy();
    try {
      await expectSilent([], env({ VALAR_ENDPOINT: "http://10.255.255.1/v2", HTTP_PROXY: proxy.url }));
      expect(proxy.seen).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
  it("goes through HTTP_PROXY like every other request", async () => {
    server.on("GET /projects/demo/services/web/builds", (_req, res) => json(res, 200, []));
    const proxy = await startConnectProxy();
    try {
      await expectSilent([], env({ HTTP_PROXY: proxy.url }));
      expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${server.port}`]);
    } finally {
      await proxy.close();
    }
  });
  it("sends the token and asks the builds of the project", async () => {
    server.on("GET /projects/demo/services/web/builds", (_req, res) =>
      json(res, 200, [{ id: "abc-1", status: "done", error: "", createdAt: new Date().toISOString() }]),
    );
    const r = await runValar(["__complete", "build-ids"], { env: env() });
    expect(r.stdout).toMatch(/^abc-1\tdone, /);
    const req = server.requests.at(-1)!;
    expect(req.path).toBe("/projects/demo/services/web/builds");
    expect(req.headers.authorization).toBe("Bearer t0k3n");
  });

  it("never hands server text with control sequences to the shell", async () => {
    const now = new Date().toISOString();
    server.on("GET /projects/demo/services/web/builds", (_req, res) =>
      json(res, 200, [{ id: "abc-2", status: "done\u001b]0;PWNED\u0007\u001b[2J", error: "", createdAt: now }]),
    );
    const r = await runValar(["__complete", "build-ids"], { env: env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^abc-2\tdone\]0;PWNED\[2J, /);
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    // An ID that is not letters, digits and dashes makes the whole answer a bad one: nothing.
    server.on("GET /projects/demo/services/web/builds", (_req, res) =>
      json(res, 200, [
        { id: "abc-2", status: "done", error: "", createdAt: now },
        { id: "abc-3\u001b[31m", status: "done", error: "", createdAt: now },
      ]),
    );
    const bad = await runValar(["__complete", "build-ids"], { env: env() });
    expect(bad.exitCode).toBe(0);
    expect(bad.stdout).toBe("");
  });
});
