#!/usr/bin/env node
// In a source checkout, run the TypeScript directly through tsx; in an installed package,
// run the compiled dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../http/cli.ts', import.meta.url));
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../http/cli.ts');
} else {
  cli = await import('../dist/http/cli.js');
}
process.exitCode = await cli.main(process.argv.slice(2));
