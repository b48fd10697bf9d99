import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './helpers';

/**
 * Test photos. Real photos make the captions (and screenshots) meaningful: the suite uses a few
 * from the Flickr8k dev split when the datasets folder is present (PIXTALE_DATASETS_DIR, default
 * ../shared/datasets), and otherwise draws a synthetic JPEG with sharp.
 */
const PICKS = [
  '1000268201_693b08cb0e.jpg',
  '1001773457_577c3a7d70.jpg',
  '1002674143_1b742ab4b8.jpg',
  '1003163366_44323f5815.jpg',
];

function datasetImages(): string[] {
  const dir = path.join(
    process.env.PIXTALE_DATASETS_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'datasets'),
    'flickr8k',
    'images',
  );
  if (!fs.existsSync(dir)) return [];
  const picked = PICKS.map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
  return picked.length
    ? picked
    : fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.jpg'))
        .slice(0, 4)
        .map((f) => path.join(dir, f));
}

async function synthetic(seed: number): Promise<Buffer> {
  const sharp = require('sharp') as typeof import('sharp').default;
  const hue = (seed * 67) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,70%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},60%,35%)"/></linearGradient></defs>
    <rect width="640" height="480" fill="url(#g)"/>
    <circle cx="${200 + seed * 40}" cy="220" r="90" fill="hsl(${(hue + 180) % 360},80%,50%)"/>
    <rect x="380" y="260" width="180" height="140" fill="#222" opacity="0.7"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

export async function testImage(i = 0): Promise<{ buffer: Buffer; name: string }> {
  const files = datasetImages();
  if (files.length) {
    const f = files[i % files.length]!;
    return { buffer: fs.readFileSync(f), name: path.basename(f) };
  }
  return { buffer: await synthetic(i), name: `synthetic-${i}.jpg` };
}
