"""Generation speed with attention experts, side by side in one run: dense GPT-2, GPT2MoE with MLP experts only
(upcycled, 8 experts, top-2) and GPT2MoE with attention experts too (the heads in 4 routed groups, 2 per token: the
last row of `gpt2moe ablate`). Greedy KV-cached generation at batch 1, timed round-robin; prints the medians and the
ratios. Speed does not depend on what the weights learned, so the models are converted, not trained.

    python tools/bench_attention_experts.py                # the demo's tiny GPT-2 (4 layers x 64, 4 heads)
    python tools/bench_attention_experts.py --full-size    # GPT-2 124M's shape, random weights (12 heads)
"""
import argparse, statistics
import torch
from transformers import GPT2Config, GPT2LMHeadModel
from gpt2moe_instruct.bench import machine_info
from gpt2moe_instruct.demo import DEMO_SETTINGS
from gpt2moe_instruct.metrics import generation_speed
from gpt2moe_instruct.model import gpt2_to_moe, make_tiny_gpt2

def models(full_size:bool) -> dict:
    s = DEMO_SETTINGS
    torch.manual_seed(0)
    dense = GPT2LMHeadModel(GPT2Config()) if full_size else make_tiny_gpt2(
        n_layer=s['n_layer'], n_embd=s['n_embd'], n_head=s['n_head'], n_positions=s['n_positions'], dropout=0.0)
    kw = dict(init_strategy='upcycle', n_experts=s['n_experts'], moe_top_k=s['moe_top_k'], verbose=False)
    return {'dense GPT-2': dense, 'MLP experts': gpt2_to_moe(dense, **kw),
            'MLP + attention experts (2 of 4 head groups)': gpt2_to_moe(dense, attn_experts=4, attn_top_k=2, **kw)}

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--full-size', action='store_true', help="GPT-2 124M's shape instead of the demo's tiny GPT-2")
    p.add_argument('--new-tokens', type=int, default=32, help="tokens generated per measurement")
    p.add_argument('--repeats', type=int, default=7, help="timed rounds, round-robin over the models")
    p.add_argument('--threads', type=int, default=None, help="torch's CPU threads (default: torch's choice)")
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    ms = {k: m.eval() for k, m in models(a.full_size).items()}
    prompt = torch.randint(0, 50257, (16,), generator=torch.Generator().manual_seed(0))
    for m in ms.values(): generation_speed(m, prompt=prompt, new_tokens=a.new_tokens, warmup=1, repeats=1) # warm-up
    speed = {k: [] for k in ms}
    for _ in range(a.repeats):
        for k, m in ms.items(): speed[k].append(generation_speed(m, prompt=prompt, new_tokens=a.new_tokens, warmup=0, repeats=1)['tokens_per_s'])
    med = {k: statistics.median(v) for k, v in speed.items()}
    print(f"{'GPT-2 124M shape, random weights' if a.full_size else 'the demo tiny GPT-2'}; batch 1, {a.new_tokens} new tokens "
          f"after a 16-token prompt, median of {a.repeats} (round-robin); {machine_info()}")
    for k, v in med.items(): print(f"  {k}: {v:.0f} tokens/s (runs: {min(speed[k]):.0f}-{max(speed[k]):.0f})")
    mlp, attn = med['MLP experts'], med['MLP + attention experts (2 of 4 head groups)']
    print(f"MLP + attention experts / MLP experts only: {attn / mlp:.2f}x; MLP experts / dense: {mlp / med['dense GPT-2']:.2f}x")

if __name__ == '__main__': main()
