import fs from 'node:fs';
import path from 'node:path';
import { modelsDir } from '../testing/fixtures';
import { Bpe, chunks, type BpeModel } from './bpe';

describe('BPE', () => {
  it('splits words into letter runs, single digits and single symbols, marking word starts', () => {
    expect(chunks('  Hi,  42 km/h! ')).toEqual(['▁Hi', ',', '▁4', '2', '▁km', '/', 'h', '!']);
    expect(chunks('')).toEqual([]);
  });

  it('applies merges in rank order and maps unseen characters to <unk>', () => {
    const model: BpeModel = {
      vocab: ['<pad>', '<s>', '</s>', '<unk>', '▁', 'a', 'b', 'c', '▁a', 'bc', '▁abc'],
      merges: [
        ['b', 'c'],
        ['▁', 'a'],
        ['▁a', 'bc'],
      ],
    };
    const bpe = new Bpe(model, 4);
    expect(bpe.encode('abc')).toEqual([10]);
    expect(bpe.encode('abz ca')).toEqual([8, 6, 3, 4, 7, 5]);
    expect(bpe.decode(bpe.encode('abc abc'))).toBe('abc abc');
  });

  // The committed model's bpe.json; ids written by training/translation/bpe.py on the same texts.
  it('matches the Python training tokenizer exactly', () => {
    const bpe = new Bpe(
      JSON.parse(fs.readFileSync(path.join(modelsDir, 'translate-multi30k', 'bpe.json'), 'utf8')) as BpeModel,
      7,
    );
    const { cases } = JSON.parse(fs.readFileSync(path.join(__dirname, '__fixtures__', 'bpe-parity.json'), 'utf8')) as {
      cases: { text: string; ids: number[]; decoded: string }[];
    };
    expect(cases.length).toBeGreaterThan(50);
    for (const c of cases) {
      expect({ text: c.text, ids: bpe.encode(c.text) }).toEqual({ text: c.text, ids: c.ids });
      expect(bpe.decode(c.ids)).toBe(c.decoded);
    }
  });
});
