import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCaptionsTsv, readSplit } from './eval-captions';
import { assertCommandLineFits, collectImages, MAX_COMMAND_LINE_BYTES, positiveInt, readPathList, UsageError } from './shared';

describe('CLI helpers', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-cli-'));
    fs.mkdirSync(path.join(dir, 'sub', 'deeper'), { recursive: true });
    for (const f of ['b.jpg', 'a.PNG', 'notes.txt', 'sub/c.webp', 'sub/deeper/d.jpeg']) fs.writeFileSync(path.join(dir, f), 'x');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('walks directories for images (sorted), keeps explicit files, reports missing paths', () => {
    const { images, missing } = collectImages([dir, path.join(dir, 'notes.txt'), path.join(dir, 'nope.jpg')]);
    expect(images.map((p) => path.relative(dir, p))).toEqual(['a.PNG', 'b.jpg', 'sub/c.webp', 'sub/deeper/d.jpeg', 'notes.txt']);
    expect(missing).toEqual([path.join(dir, 'nope.jpg')]);
  });

  it('follows symbolic links to images and folders, once per real folder, skipping dangling links', () => {
    const links = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-cli-links-'));
    try {
      fs.symlinkSync(path.join(dir, 'b.jpg'), path.join(links, 'linked.jpg'));
      fs.symlinkSync(path.join(dir, 'sub'), path.join(links, 'sub-link'));
      fs.symlinkSync(links, path.join(links, 'loop'));
      fs.symlinkSync(path.join(dir, 'gone.jpg'), path.join(links, 'dangling.jpg'));
      const { images, missing } = collectImages([links]);
      expect(images.map((p) => path.relative(links, p))).toEqual(['linked.jpg', 'sub-link/c.webp', 'sub-link/deeper/d.jpeg']);
      expect(missing).toEqual([]);
    } finally {
      fs.rmSync(links, { recursive: true, force: true });
    }
  });

  it('parses captions.tsv grouped by image in index order, and split files', () => {
    const tsv = path.join(dir, 'captions.tsv');
    fs.writeFileSync(tsv, 'x.jpg\t1\tSecond one .\nx.jpg\t0\tFirst one .\ny.jpg\t0\tA dog\twith a tab\n\n');
    const refs = readCaptionsTsv(tsv);
    expect(refs.get('x.jpg')).toEqual(['First one .', 'Second one .']);
    expect(refs.get('y.jpg')).toEqual(['A dog\twith a tab']);
    const split = path.join(dir, 'split.txt');
    fs.writeFileSync(split, 'x.jpg\r\n y.jpg \n\n');
    expect(readSplit(split)).toEqual(['x.jpg', 'y.jpg']);
    fs.writeFileSync(tsv, 'broken line\n');
    expect(() => readCaptionsTsv(tsv)).toThrow(UsageError);
  });

  it('validates numeric flags', () => {
    expect(positiveInt(undefined, 'beam', 3)).toBe(3);
    expect(positiveInt('5', 'beam', 3)).toBe(5);
    expect(() => positiveInt('0', 'beam', 3)).toThrow(/--beam must be a positive integer/);
    expect(() => positiveInt('x', 'beam', 3)).toThrow(UsageError);
  });

  it('refuses a command line too long for the ONNX runtime, with the way out', () => {
    const path60 = `/photos/${'x'.repeat(48)}.jpg`;
    expect(() => assertCommandLineFits(['node', 'caption.js', ...Array(100).fill(path60)])).not.toThrow();
    const many = Array(Math.ceil(MAX_COMMAND_LINE_BYTES / path60.length) + 1).fill(path60);
    expect(() => assertCommandLineFits(['node', 'caption.js', ...many])).toThrow(UsageError);
    expect(() => assertCommandLineFits(['node', 'caption.js', ...many])).toThrow(/--list FILE/);
  });

  it('reads a path list, one per line, blank lines skipped', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-list-'));
    const file = path.join(dir, 'paths.txt');
    fs.writeFileSync(file, 'a.jpg\r\n\n  b dir/c.jpg  \n');
    expect(readPathList(file)).toEqual(['a.jpg', 'b dir/c.jpg']);
    expect(() => readPathList(path.join(dir, 'missing.txt'))).toThrow(/--list: cannot read/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
