#!/usr/bin/env node
// `npm run screenshots`: copies the screenshots of the last browser-suite run (e2e/.output/,
// ignored) into the committed e2e/screenshots/ that the README shows. Tests never write there
// themselves, so running them leaves `git status` clean.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const from = path.join(here, '.output', 'screenshots');
const to = path.join(here, 'screenshots');
const shots = fs.existsSync(from)
  ? fs
      .readdirSync(from)
      .filter((f) => f.endsWith('.png'))
      .sort()
  : [];
if (shots.length === 0) {
  console.error(
    `No screenshots in ${path.relative(process.cwd(), from) || from}: run the browser suite first (npm run test:e2e).`,
  );
  process.exit(1);
}
fs.mkdirSync(to, { recursive: true });
for (const f of shots) fs.copyFileSync(path.join(from, f), path.join(to, f));
console.log(`Copied ${shots.length} screenshots into ${path.relative(process.cwd(), to)}: ${shots.join(', ')}`);
