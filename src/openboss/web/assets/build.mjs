// Bundles the console's JavaScript and CSS into ../static/dist with esbuild.
//
//   npm ci && npm run build        production build (minified)
//   npm run build:dev              readable output with source maps
//
// Everything the console loads comes from this bundle: no CDN, no network
// access at run time. The output directory is git-ignored and rebuilt at
// install time (see docs/console.md).
import { rm } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "..", "static", "dist");
const dev = process.argv.includes("--dev");

await rm(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: [
    { in: resolve(here, "src", "app.js"), out: "app" },
    { in: resolve(here, "src", "app.css"), out: "app" },
    // bpmn-js (process diagrams): a bundle of its own, loaded only by the pages that need it
    { in: resolve(here, "src", "diagram.js"), out: "diagram" },
    { in: resolve(here, "src", "diagram.css"), out: "diagram" },
  ],
  outdir,
  bundle: true,
  minify: !dev,
  sourcemap: dev,
  format: "iife",
  target: ["es2020", "chrome100", "firefox100", "safari15", "edge100"],
  loader: { ".woff": "file", ".woff2": "file" },
  assetNames: "fonts/[name]-[hash]",
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
});
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  console.log(`${relative(process.cwd(), file).padEnd(60)} ${(meta.bytes / 1024).toFixed(1)} KiB`);
}
