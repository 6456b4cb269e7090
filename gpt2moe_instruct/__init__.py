"""Turn pre-trained GPT-2 into a Mixture-of-Experts model and instruction-tune it on Stanford Alpaca

Modules:

- `gpt2moe_instruct.lab`: Experiments from the MoE papers on the demo's setup, each one over several seeds: the demo and the ablations with their spread, and whether an MoE stores more than a dense model of the same active size."""

__version__ = "0.1.0"
