#!/usr/bin/env node
'use strict';
// Runs the TypeScript CLI straight from source, so `npx shim-fix` never serves a stale build.
require('tsx/cjs/api').register();
const { main } = require('../lambda/cli/main.ts');

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`shim-fix: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
