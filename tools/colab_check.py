"""Run the lesson notebooks as Colab does: in a fresh virtual environment holding only what a notebook's install
cell installs (the package from this checkout instead of the git URL, plus torch, which Colab has), without nbdev.
Lessons 7 and 8 get the demo's trained models that the test run left in nbs/runs/demo, if any, as a Colab session
that ran lesson 7 before lesson 8 has them (training them is tested by that test run and by lesson 11 here).
Every cell runs except those flagged for the hub, a GPU, a long run, or never (`#| eval: false`).
Prints one line per notebook and ends with 'N passed, N failed'; exit status 1 if any failed."""
import json, os, re, shutil, subprocess, sys, tempfile, venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

root = Path(__file__).resolve().parent.parent
URL = '@ git+https://github.com/gpt2moe/gpt2moe_instruct'
HEAVY_FIRST = ('13_lab.ipynb', '11_demo.ipynb', '07_chat.ipynb', '08_viz.ipynb', '09_cli.ipynb') # the longest start first
REUSE_DEMO = ('07_chat.ipynb', '08_viz.ipynb') # they train the demo's model only when there is none
SKIP = re.compile(r'^#\|\s*(eval:\s*false|hub|gpu|slow|notest)\s*$', re.M)

RUNNER = r'''
import json, sys, os
import matplotlib; matplotlib.use("Agg")
nb = json.load(open(sys.argv[1]))
ns = {"__name__": "__main__"}
for i, c in enumerate(nb["cells"]):
    if c["cell_type"] != "code": continue
    src = "".join(c["source"])
    if SKIP.search(src): continue
    src = "\n".join(l for l in src.splitlines() if not l.lstrip().startswith(("!", "%")))
    try: exec(compile(src, f"{sys.argv[1]} cell {i}", "exec"), ns)
    except Exception as e: print(f"cell {i}: {type(e).__name__}: {e}", file=sys.stderr); raise
'''

def install_spec(nb_path:Path) -> list:
    "The package spec of the notebook's install cell, pointing at this checkout."
    for c in json.loads(nb_path.read_text())['cells']:
        src = ''.join(c['source'])
        if '!pip install' in src and URL in src:
            specs = re.findall(r'"([^"]+)"', src.split('!pip install', 1)[1])
            return [s.replace(URL, f'@ {root.as_uri()}') for s in specs]
    raise SystemExit(f"{nb_path.name}: no install cell with {URL!r}")

def main():
    lessons = sorted(p for p in (root/'nbs').glob('[0-9]*.ipynb'))
    lessons.sort(key=lambda p: (p.name not in HEAVY_FIRST, HEAVY_FIRST.index(p.name) if p.name in HEAVY_FIRST else 0, p.name))
    env_dir = Path(tempfile.mkdtemp(prefix='colab-venv-'))
    venv.create(env_dir, with_pip=True)
    py = str(env_dir/'bin'/'python')
    def pip(*a):
        r = subprocess.run([py, '-m', 'pip', 'install', '-q', '--disable-pip-version-check', *a], capture_output=True, text=True)
        if r.returncode: sys.exit(f"pip install {' '.join(a)} failed:\n{r.stderr[-3000:]}")
    pip('torch==2.13.0') # Colab ships torch; install it first so pip does not pick a CUDA build
    pip(*sorted({s for nb in lessons for s in install_spec(nb)}))
    if subprocess.run([py, '-c', 'import nbdev'], capture_output=True).returncode == 0: sys.exit("nbdev must be absent")
    runner = env_dir/'run_nb.py'
    runner.write_text(f"import re\nSKIP = re.compile({SKIP.pattern!r}, re.M)\n" + RUNNER)
    env = {k: v for k, v in os.environ.items() if k != 'CI'} # as on Colab: no CI-only checks
    env.update(OMP_NUM_THREADS='1', MPLBACKEND='Agg', HF_HUB_OFFLINE='1', HF_DATASETS_OFFLINE='1')
    trained = root/'nbs'/'runs'/'demo' # the demo's models, when the test run before this one trained them
    def run(nb): # each notebook alone in a folder of its own, as a notebook opened in Colab
        work = Path(tempfile.mkdtemp(prefix='colab-nb-'))
        (work/nb.name).write_bytes(nb.read_bytes())
        if nb.name in REUSE_DEMO and (trained/'upcycle'/'config.json').exists(): # lessons 7 and 8 load it instead of training it
            shutil.copytree(trained, work/'runs'/'demo')
        try: r = subprocess.run([py, str(runner), nb.name], cwd=work, capture_output=True, text=True, env=env, timeout=1200)
        except subprocess.TimeoutExpired: return nb.name, 1, "took more than 1200 s"
        return nb.name, r.returncode, r.stderr
    failed = 0
    with ThreadPoolExecutor(2) as ex:
        for name, rc, err in ex.map(run, lessons):
            failed += rc != 0
            print(f"{'ok  ' if rc == 0 else 'FAIL'} {name}" + ('' if rc == 0 else '\n' + err[-3000:]), flush=True)
    print(f"{len(lessons) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
