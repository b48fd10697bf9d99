// Does a large upload get the caption its photo gets? For the first N Flickr8k dev images (224 px),
// captions the photo and a 4000 px JPEG of it, with the shipped preprocessing (squash straight to
// the encoder's size) and with the encoder's sourceLongSide set to 224 (reduce to the training
// images' long side first, then squash).
// Usage: node resize-agreement.cjs DATASETS_DIR [N]   (after npm run build -w @pixtale/ml)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const sharp = require('sharp');
const { createCaptioner } = require('../dist/captioner');
const { defaultModelsDir } = require('../dist/env');

async function agreement(modelsDir, names, images) {
  const captioner = await createCaptioner({ modelsDir, hashtags: false });
  let same = 0;
  try {
    for (const name of names) {
      const photo = path.join(images, name);
      const big = await sharp(photo).resize({ width: 4000 }).jpeg({ quality: 92 }).toBuffer();
      if ((await captioner.caption(photo)).caption === (await captioner.caption(big)).caption) same++;
    }
  } finally {
    await captioner.dispose();
  }
  return same / names.length;
}

async function main() {
  const [datasetsDir, n = '100'] = process.argv.slice(2);
  const flickr = path.join(datasetsDir, 'flickr8k');
  const names = fs
    .readFileSync(path.join(flickr, 'splits', 'dev.txt'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, Number(n));
  const shipped = defaultModelsDir();
  // The same models with the encoder's sourceLongSide set to the training images' 224 px.
  const reducing = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-models-'));
  fs.cpSync(shipped, reducing, { recursive: true });
  const { encoder } = JSON.parse(fs.readFileSync(path.join(shipped, 'captioner-att-lstm', 'config.json'), 'utf8'));
  const cfgPath = path.join(reducing, encoder, 'preprocessor_config.json');
  fs.writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(cfgPath, 'utf8')), sourceLongSide: 224 }));
  try {
    const images = path.join(flickr, 'images');
    const result = {
      images: names.length,
      sameCaptionShipped: await agreement(shipped, names, images),
      sameCaptionReducingTo224: await agreement(reducing, names, images),
    };
    console.log(JSON.stringify(result));
  } finally {
    fs.rmSync(reducing, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
