// THIRD_PARTY_NOTICES for the bundle: every package whose code esbuild put into dist/ (from
// the build's metafile), with its name, version, licence and licence text, as its licence
// asks of a redistribution. Called by scripts/build.js; the file ships in the package.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The package folders (node_modules/x, node_modules/@s/x, nested ones too) the metafile's inputs come from. */
function bundledPackages(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = input.match(/^(?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+/);
    if (m) dirs.add(m[0]);
  }
  return [...dirs];
}

function licenceText(dir) {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)([.-][a-z0-9.-]+)?$/i.test(name));
  if (!file) throw new Error(`${dir} holds no licence file: its notice cannot be shipped`);
  return readFileSync(join(dir, file), "utf8").trim();
}

export function writeNotices(metafile, root, out) {
  const packages = bundledPackages(metafile)
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
      return { name: pkg.name, version: pkg.version, license: pkg.license ?? "unknown", text: licenceText(join(root, dir)) };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const parts = [
    `valar bundles the following ${packages.length} packages into dist/. Their licences and notices follow.\n`,
    ...packages.map((p) => `${"=".repeat(78)}\n${p.name} ${p.version} (${p.license})\n${"=".repeat(78)}\n\n${p.text}\n`),
  ];
  writeFileSync(out, parts.join("\n"));
  return packages;
}
