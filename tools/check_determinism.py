"""Run `gpt2moe demo --quick` and `gpt2moe ablate --quick` twice each with 1 thread and 1 worker and twice with
2 threads and 2 workers, each run in a process of its own, and fail unless all four runs of each command wrote the
same results (wall-clock times aside).

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
    subprocess.run(['gpt2moe', command, '--quick', '--seed', str(seed), '--workers', str(threads), '--out-dir', str(out)], env=env, check=True,
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
            first = None
            for t in args.threads:
                for i in range(2):
                    r = run(command, t, args.seed, Path(tmp)/f'{command}-{t}-{i}')
                    first = first or (t, r)
                    diff = differences(first[1], r)
                    failed += bool(diff)
                    print(f"{command} --quick --seed {args.seed}, {t} thread(s) and worker(s), run {i + 1}: "
                          + (f"the same results as the first run ({first[0]} thread(s))" if not diff else f"{len(diff)} values differ from the first run, e.g. {diff[:5]}"))
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
