"""Run `gpt2moe demo --quick` and `gpt2moe ablate --quick` twice each, in separate processes, with 1 and with 2 threads,
and fail unless the two runs of each wrote the same results (wall-clock times aside).

    python tools/check_determinism.py                      # demo and ablate, 1 and 2 threads, seed 0 (8 quick runs)
    python tools/check_determinism.py --commands demo --threads 2 --seed 1
"""
import argparse, json, os, subprocess, sys, tempfile
from pathlib import Path
from gpt2moe_instruct.demo import without_timings

RESULTS = {'demo': 'results.json', 'ablate': 'ablate.json'}

def differences(a, b, path='') -> list:
    "Paths (like `.models.upcycle.em_after`) where the nested values `a` and `b` differ."
    if isinstance(a, dict) and isinstance(b, dict):
        return [p for k in sorted(set(a) | set(b)) for p in differences(a.get(k), b.get(k), f'{path}.{k}')]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b)) for p in differences(x, y, f'{path}[{i}]')]
    return [] if a == b else [path or '.']

def run(command:str, threads:int, seed:int, out:Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    subprocess.run(['gpt2moe', command, '--quick', '--seed', str(seed), '--out-dir', str(out)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return without_timings(json.loads((out/RESULTS[command]).read_text()))

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--commands', nargs='+', default=list(RESULTS), choices=list(RESULTS))
    p.add_argument('--threads', nargs='+', type=int, default=[1, 2])
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args(argv)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for command in args.commands:
            for t in args.threads:
                a, b = (run(command, t, args.seed, Path(tmp)/f'{command}-{t}-{i}') for i in range(2))
                diff = differences(a, b)
                failed += bool(diff)
                print(f"{command} --quick --seed {args.seed}, {t} thread(s): "
                      + ("identical results" if not diff else f"{len(diff)} values differ, e.g. {diff[:5]}"))
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
