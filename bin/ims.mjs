#!/usr/bin/env node
// Runs the compiled dist/ when it is there and newer than every source file (an installed
// package, or a checkout after `npm run build`): it starts faster and uses less memory.
// Otherwise, in a source checkout, runs the TypeScript directly through tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = join(root, 'dist/http/cli.js');
const source = join(root, 'http/cli.ts');

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|sql)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['core', 'http', 'storage']) walk(join(root, dir));
  return Math.max(newest, statSync(join(root, 'index.ts')).mtimeMs);
}

const useCompiled = existsSync(compiled) && (!existsSync(source) || statSync(compiled).mtimeMs >= newestSource());
let cli;
if (useCompiled) {
  cli = await import('../dist/http/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../http/cli.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
