#!/usr/bin/env node
// A stand-in for the native `solc` binary, backed by the npm solc-js (WebAssembly) compiler.
// Enough of the native CLI for py-solc-x and forge: `--version` and `--standard-json`.
// Imports are resolved from disk (project root, node_modules) instead of being inlined in the
// input, because the WebAssembly compiler runs out of memory on a fully inlined OpenZeppelin.
"use strict";
const fs = require("fs");
const path = require("path");

const projectRoot = path.resolve(__dirname, "..");
const solc = require(path.join(projectRoot, "node_modules", "solc"));

function findImports(importPath) {
  const bases = [process.cwd(), projectRoot, path.join(projectRoot, "node_modules")];
  for (const base of bases) {
    const candidate = path.resolve(base, importPath);
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return { contents: fs.readFileSync(candidate, "utf8") };
    }
  }
  return { error: `File not found: ${importPath}` };
}

const args = process.argv.slice(2);
if (args.includes("--version") || args.includes("-v")) {
  process.stdout.write("solc, the solidity compiler commandline interface\n");
  process.stdout.write(`Version: ${solc.version()}\n`);
  process.exit(0);
}
if (!args.includes("--standard-json")) {
  process.stderr.write("solc-shim: only --version and --standard-json are supported\n");
  process.exit(2);
}
// forge passes --allow-paths/--base-path/--include-path; remappings are in the JSON input.
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const input = Buffer.concat(chunks).toString("utf8");
  process.stdout.write(solc.compile(input, { import: findImports }));
});
