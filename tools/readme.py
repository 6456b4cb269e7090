"""Render README.md from nbs/index.ipynb (markdown cells as they are, code cells as ```python blocks,
text outputs as ``` blocks). `--check` fails if README.md is out of date."""
import sys, json
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render() -> str:
    nb = json.loads((root/'nbs'/'index.ipynb').read_text())
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#| default_exp') or '#| hide' in src: continue
        if c['cell_type'] == 'markdown': parts.append(src)
        else:
            lines = [l for l in src.splitlines() if not l.startswith('#|')]
            parts.append('```python\n' + '\n'.join(lines) + '\n```')
            for o in c.get('outputs', []):
                text = ''.join(o.get('text', '') or o.get('data', {}).get('text/plain', ''))
                if text.strip(): parts.append('```\n' + text.rstrip() + '\n```')
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    out, readme = render(), root/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != out:
            sys.exit("README.md is out of sync with nbs/index.ipynb: run python tools/readme.py")
    else: readme.write_text(out); print('wrote', readme)
