"""Writes the copy probe: Multi30k val captions given a name (PROBE_NAMES, never used in training)
and/or a number in digits, with the tokens a translation must carry over unchanged.

  python3 make_copy_probe.py --datasets /work/shared/datasets --out ../../src/translation/copy-probe.json && npx prettier --write ../../src/translation/copy-probe.json
`npm run -s eval:translation -- --probe --to de` reports the share of probe sentences whose
translation keeps every such token. `--split test_2016_flickr --out FILE` builds the same probe from
the test captions, for the one report on the test split (`eval:translation -- --probe-file FILE`).
"""
import argparse
import json
import random
import re
from pathlib import Path

from augment import PROBE_NAMES, SUBJECTS, WORD_RE, NUMBER_WORDS


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=150)
    ap.add_argument("--split", default="val")
    args = ap.parse_args()
    rng = random.Random(2026)
    val = (Path(args.datasets) / "multi30k" / f"{args.split}.en").read_text(encoding="utf-8").splitlines()
    probe = []
    for text in val:
        keep = []
        for start, _, _ in SUBJECTS:
            if text.startswith(start):
                name = rng.choice(PROBE_NAMES)
                text = name + " " + text[len(start):]
                keep.append(name)
                break
        numbers = [w for w in WORD_RE.findall(text) if w.lower() in NUMBER_WORDS["en"]]
        if len(numbers) == 1:
            digits = str(rng.choice([NUMBER_WORDS["en"][numbers[0].lower()], rng.randint(11, 999)]))
            text = re.sub(rf"(?<!\w){numbers[0]}(?!\w)", digits, text)
            keep.append(digits)
        if keep:
            probe.append({"text": text, "keep": keep})
    rng.shuffle(probe)
    lines = ",\n".join(json.dumps(p, ensure_ascii=False) for p in probe[: args.size])
    Path(args.out).write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    print(f"{min(len(probe), args.size)} of {len(probe)} eligible {args.split} captions -> {args.out}")


if __name__ == "__main__":
    main()
