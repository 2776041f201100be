"""PyTorch reference for the EfficientNet golden test (test/models/efficientnet-parity.test.ts).

Builds a randomly initialised torchvision EfficientNet-B0 (BN eps 1e-3, no stochastic depth so
the run is deterministic), runs one small batch in float64, and writes one safetensors file with:
  weight.<name>   the state dict (torchvision names; efficientnet_pytorch names with --padding same)
  input, r        the batch [N, 3, S, S] and the projection of the loss
  features        pooled features [N, 1280]; stage.<s> the output of stage s (0..6)
  loss            sum(features * r), shape [1]
  grad.<name>     d loss / d every parameter
  after.<name>    BN running statistics after the forward (train mode)
With --padding same every conv pads TensorFlow-SAME dynamically (the extra pixel bottom/right),
as timm's tf_ models and efficientnet_pytorch do, and the weights are written under
efficientnet_pytorch's names (mapped here, independently of the TypeScript name maps).

Usage: /usr/bin/python3 tools/reference/efficientnet_parity.py OUT.safetensors
         [--size 64] [--batch 2] [--mode train|eval] [--padding symmetric|same] [--seed 0]
"""
import argparse
import functools
import math
import os
import sys

import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_min import save  # noqa: E402


class SameConv2d(torch.nn.Conv2d):
    """Conv2d with TensorFlow SAME padding computed from the input size at run time."""

    def forward(self, x):
        pads = []
        for size, k, s, d in zip(x.shape[-2:], self.kernel_size, self.stride, self.dilation):
            out = math.ceil(size / s)
            total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
            pads.append((total // 2, total - total // 2))
        (pt, pb), (pl, pr) = pads
        return F.conv2d(F.pad(x, [pl, pr, pt, pb]), self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def to_same_padding(module):
    for name, child in module.named_children():
        if isinstance(child, torch.nn.Conv2d):
            same = SameConv2d(child.in_channels, child.out_channels, child.kernel_size, child.stride, 0,
                              child.dilation, child.groups, child.bias is not None)
            same.load_state_dict(child.state_dict())
            setattr(module, name, same)
        else:
            to_same_padding(child)


def efficientnet_pytorch_names(model):
    """torchvision name -> efficientnet_pytorch name for every state-dict entry."""
    out = {}
    bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]

    def put(tv, ep, kinds):
        for k in kinds:
            out[f"{tv}.{k}"] = f"{ep}.{k}"

    put("features.0.0", "_conv_stem", ["weight"])
    put("features.0.1", "_bn0", bn)
    flat = 0
    for s in range(1, 8):
        for b, block in enumerate(model.features[s]):
            tv = f"features.{s}.{b}.block"
            ep = f"_blocks.{flat}"
            parts = ["_expand_conv", "_bn0", "_depthwise_conv", "_bn1"] if len(block.block) == 4 else ["_depthwise_conv", "_bn1"]
            convs = [(f"{tv}.{i}.0", f"{tv}.{i}.1") for i in range(len(block.block) - 2)]
            for (conv, norm), (epc, epn) in zip(convs, zip(parts[0::2], parts[1::2])):
                put(conv, f"{ep}.{epc}", ["weight"])
                put(norm, f"{ep}.{epn}", bn)
            se = len(block.block) - 2
            put(f"{tv}.{se}.fc1", f"{ep}._se_reduce", ["weight", "bias"])
            put(f"{tv}.{se}.fc2", f"{ep}._se_expand", ["weight", "bias"])
            put(f"{tv}.{se + 1}.0", f"{ep}._project_conv", ["weight"])
            put(f"{tv}.{se + 1}.1", f"{ep}._bn2", bn)
            flat += 1
    put("features.8.0", "_conv_head", ["weight"])
    put("features.8.1", "_bn1", bn)
    put("classifier.1", "_fc", ["weight", "bias"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--mode", choices=["train", "eval"], default="train")
    ap.add_argument("--padding", choices=["symmetric", "same"], default="symmetric")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    torch.manual_seed(a.seed)
    norm = functools.partial(torch.nn.BatchNorm2d, eps=1e-3, momentum=0.1)
    model = torchvision.models.efficientnet_b0(weights=None, stochastic_depth_prob=0.0, norm_layer=norm)
    if a.padding == "same":
        to_same_padding(model)
    # Non-trivial BN affine parameters, running statistics and SE biases, so eval mode and every
    # gradient path are exercised (torchvision's init leaves them at 1 / 0).
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.2)
                m.running_var.uniform_(0.5, 2.0)
            elif isinstance(m, torch.nn.Conv2d) and m.bias is not None:
                m.bias.normal_(0, 0.1)
    model = model.double()
    model.train(a.mode == "train")

    weights = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(a.batch, 3, a.size, a.size, dtype=torch.float64)
    stages = []
    h = x
    for i, layer in enumerate(model.features):
        h = layer(h)
        if 1 <= i <= 7:
            stages.append(h)
    features = torch.flatten(model.avgpool(h), 1)
    r = torch.randn(features.shape, dtype=torch.float64)
    loss = (features * r).sum()
    loss.backward()

    rename = efficientnet_pytorch_names(model) if a.padding == "same" else {k: k for k in weights}
    out = {"input": x, "r": r, "features": features.detach(), "loss": loss.detach().reshape(1)}
    for i, s in enumerate(stages):
        out[f"stage.{i}"] = s.detach()
    for k, v in weights.items():
        out[f"weight.{rename[k]}"] = v
    for k, p in model.named_parameters():
        if p.grad is not None:  # the classifier is not on the feature path
            out[f"grad.{rename[k]}"] = p.grad
    if a.mode == "train":
        for k, v in model.state_dict().items():
            if k.endswith("running_mean") or k.endswith("running_var"):
                out[f"after.{rename[k]}"] = v
    save(out, a.out, {"mode": a.mode, "padding": a.padding, "size": a.size, "batch": a.batch, "torch": torch.__version__})


if __name__ == "__main__":
    main()
