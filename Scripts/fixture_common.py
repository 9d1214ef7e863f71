"""What the fixture scripts share: padded batches and the GPT-2 hook capture.

make_fixtures.py and fixtures_bf16_weights.py both capture every hook point of a GPT-2 model;
fixtures_architectures.py pads batches the same way. The code lives here, imported by each, so
that no script imports another script (make_fixtures.py runs fixtures_bf16_weights.py, which
used to import make_fixtures.py back).
"""
import torch


def batch_inputs(tok, prompts, pad_id):
    ids = [tok.encode(p).ids for p in prompts]
    width = max(len(x) for x in ids)
    input_ids = torch.tensor([[pad_id] * (width - len(x)) + x for x in ids], dtype=torch.int64)
    mask = torch.tensor([[0] * (width - len(x)) + [1] * len(x) for x in ids], dtype=torch.int64)
    return input_ids, mask


@torch.no_grad()
def capture(model, input_ids, mask):
    """Runs the model with hooks on every module SwiftSight exposes; keys are nnsight envoy paths."""
    out = {}
    hooks = []
    first = lambda o: o[0] if isinstance(o, tuple) else o

    def save_out(key):
        return lambda m, a, o: out.__setitem__(key, first(o).detach().clone())

    def save_in(key):
        return lambda m, a, kw: out.__setitem__(key, (a[0] if a else kw["hidden_states"]).detach().clone())

    t = model.transformer
    hooks.append(t.wte.register_forward_hook(save_out("model.transformer.wte.output")))
    for i, block in enumerate(t.h):
        p = f"model.transformer.h.{i}"
        hooks.append(block.register_forward_pre_hook(save_in(p + ".input"), with_kwargs=True))
        hooks.append(block.register_forward_hook(save_out(p + ".output")))
        hooks.append(block.attn.register_forward_pre_hook(save_in(p + ".attn.input"), with_kwargs=True))
        hooks.append(block.attn.register_forward_hook(save_out(p + ".attn.output")))
        hooks.append(block.mlp.register_forward_pre_hook(save_in(p + ".mlp.input"), with_kwargs=True))
        hooks.append(block.mlp.register_forward_hook(save_out(p + ".mlp.output")))
    hooks.append(t.ln_f.register_forward_hook(save_out("model.transformer.ln_f.output")))
    hooks.append(model.lm_head.register_forward_hook(save_out("model.lm_head.output")))
    # Left padding: positions count real tokens only (cumsum of the mask), as generate() does.
    position_ids = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
    model(input_ids=input_ids, attention_mask=mask, position_ids=position_ids)
    for h in hooks:
        h.remove()
    out["input_ids"] = input_ids.clone()
    out["attention_mask"] = mask.clone()
    return {k: v.contiguous() for k, v in out.items()}
