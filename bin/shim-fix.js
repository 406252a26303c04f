#!/usr/bin/env node
'use strict';
// Runs the TypeScript CLI straight from source, so `npx shim-fix` never serves a stale build.
require('tsx/cjs/api').register();
const { main } = require('../lambda/cli/main.ts');

// `shim-fix diagnose --batch | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error && error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`shim-fix: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
