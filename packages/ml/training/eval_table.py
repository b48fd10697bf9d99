"""Renders runs/eval/*.json (written by evaluate.sh) as the model card's markdown table."""
import json
import sys
from pathlib import Path

rows = []
for f in sorted(Path(sys.argv[1]).glob("*.json")):
    try:
        r = json.loads(f.read_text())
    except json.JSONDecodeError:
        continue
    rows.append(r)
print("| model | decoding | BLEU-1 | BLEU-2 | BLEU-3 | BLEU-4 | ROUGE-L | CIDEr-D | ms/image |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for r in sorted(rows, key=lambda r: (r["model"], r["beam"])):
    decoding = "greedy" if r["beam"] == 1 else f"beam {r['beam']}"
    print(f"| {r['model']} | {decoding} | {r['BLEU-1']:.3f} | {r['BLEU-2']:.3f} | {r['BLEU-3']:.3f} | "
          f"{r['BLEU-4']:.3f} | {r['ROUGE-L']:.3f} | {r['CIDEr-D']:.3f} | {r['msPerImage']:.0f} |")
