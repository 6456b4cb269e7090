"""Fail if a notebook's stored outputs hold a path of the machine that ran it (/tmp/..., /root/..., /home/..., /work/...).
`--fix` drops those outputs (re-run the notebook to get clean ones)."""
import json, re, sys
from pathlib import Path

PATH = re.compile(r'(?<![\w.])/(tmp|root|home|work|Users)/[^\s\'"]*')

def text(o) -> str:
    return ''.join(o.get('text', '')) + ''.join(''.join(v) for k, v in o.get('data', {}).items() if k.startswith('text/'))

def main(fix:bool=False) -> int:
    bad = 0
    for p in sorted((Path(__file__).resolve().parent.parent/'nbs').glob('*.ipynb')):
        nb, changed = json.loads(p.read_text()), False
        for i, c in enumerate(nb['cells']):
            outs = c.get('outputs', [])
            keep = [o for o in outs if not PATH.search(text(o))]
            for o in outs:
                if o not in keep: bad += 1; print(f"{p.name} cell {i}: output shows the path {PATH.search(text(o)).group(0)}")
            if fix and len(keep) != len(outs): c['outputs'], changed = keep, True
        if changed: p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return 1 if bad and not fix else 0

if __name__ == '__main__': sys.exit(main('--fix' in sys.argv))
