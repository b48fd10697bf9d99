import fs from 'node:fs';
import path from 'node:path';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif']);

/**
 * Expands the command line's PATHs: files are kept as given (so a bad file is reported, not
 * skipped), directories are walked recursively for image files, sorted by path. Symbolic links
 * are followed (a folder of links into a dataset is a common way to name a split); each real
 * directory is walked once, so a link cycle cannot loop.
 */
export function collectImages(paths: readonly string[]): { images: string[]; missing: string[] } {
  const images: string[] = [];
  const missing: string[] = [];
  const walked = new Set<string>();
  const walk = (dir: string): void => {
    const real = fs.realpathSync(dir);
    if (walked.has(real)) return;
    walked.add(real);
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = statOrUndefined(full);
        isDirectory = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false; // a dangling link is skipped like any non-image entry
      }
      if (isDirectory) walk(full);
      else if (isFile && IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) images.push(full);
    }
  };
  for (const p of paths) {
    const stat = statOrUndefined(p);
    if (!stat) missing.push(p);
    else if (stat.isDirectory()) walk(p);
    else images.push(p);
  }
  return { images, missing };
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
export class ProgressBar {
  private readonly enabled: boolean;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY) && total > 1;
  }

  update(done: number, failed: number): void {
    if (!this.enabled) return;
    const width = 30;
    const filled = Math.round((done / this.total) * width);
    const secs = (Date.now() - this.started) / 1000;
    const rate = done > 0 ? done / secs : 0;
    const eta = rate > 0 ? Math.round((this.total - done) / rate) : 0;
    this.stream.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${this.total}` +
        `${failed ? ` (${failed} failed)` : ''} ${rate.toFixed(1)} img/s, eta ${eta}s `,
    );
  }

  finish(): void {
    if (this.enabled) this.stream.write('\n');
  }
}

export function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

export class UsageError extends Error {}

/**
 * onnxruntime-node crashes (segmentation fault, Linux) while creating a session when the process's
 * command line is larger than about 30 kB (measured here: 27.5 kB works, 30.5 kB crashes), e.g. a
 * few hundred image paths. Refuse such a command line with a way out before any model loads.
 * Reproduce (from packages/ml; exit 139 with 10,000 numbers, 0 with 1,000):
 *   node -e "require('onnxruntime-node').InferenceSession.create('../../models/captioner-att-lstm/init.onnx')" $(seq 10000)
 */
export const MAX_COMMAND_LINE_BYTES = 24_000;

export function assertCommandLineFits(argv: readonly string[] = process.argv): void {
  const bytes = argv.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
  if (bytes > MAX_COMMAND_LINE_BYTES) {
    throw new UsageError(
      `the command line is ${Math.ceil(bytes / 1000)} kB, more than the ${MAX_COMMAND_LINE_BYTES / 1000} kB the ONNX runtime ` +
        'survives: pass a folder, or the paths in a file with --list FILE (one per line; "-" reads standard input)',
    );
  }
}

/** Paths listed one per line in `file` ("-": standard input); blank lines are skipped. */
export function readPathList(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`--list: cannot read "${file}" (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Ignore EPIPE when the output is piped into `head` and the like. */
export function tolerateClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
