import { createTranslator, splitSentences } from './translator';

describe('translator', () => {
  it('splits long text into sentences', () => {
    expect(splitSentences('A dog runs.  Two men sit! Is it 3.5 m? yes')).toEqual(['A dog runs.', 'Two men sit!', 'Is it 3.5 m? yes']);
  });

  it('names the missing model folder and how to fix it', async () => {
    await expect(createTranslator({ modelsDir: '/nonexistent-models' })).rejects.toThrow(
      /Translation model not found at "\/nonexistent-models\/translate-multi30k" \(set PIXTALE_MODELS_DIR/,
    );
    await expect(createTranslator({ model: '../etc' })).rejects.toThrow(/Translation model not found/);
  });
});
