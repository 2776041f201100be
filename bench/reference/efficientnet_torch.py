"""PyTorch CPU peer for bench/efficientnet.ts: torchvision EfficientNet-B0 (random init, no
stochastic depth), float32, torch.set_num_threads(2). For each SIZE:BATCH case, images/s of an
eval-mode forward (no grad) and of one training step (train-mode BN forward, sum(features * r)
backward, SGD update). Prints one JSON object.

Usage: /usr/bin/python3 bench/reference/efficientnet_torch.py 128:2 224:1 [--reps 3]
"""
import argparse
import json
import time

import torch
import torchvision


def best_seconds(fn, reps):
    fn()  # warm-up (allocations, first-touch)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = torchvision.models.efficientnet_b0(weights=None, stochastic_depth_prob=0.0)
    features = lambda x: torch.flatten(model.avgpool(model.features(x)), 1)  # noqa: E731
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cases": []}
    for case in a.cases:
        size, batch = (int(v) for v in case.split(":"))
        x = torch.randn(batch, 3, size, size)
        r = torch.randn(batch, 1280)

        def forward():
            model.eval()
            with torch.no_grad():
                features(x)

        def train_step():
            model.train()
            opt.zero_grad(set_to_none=True)
            (features(x) * r).sum().backward()
            opt.step()

        fwd = best_seconds(forward, a.reps)
        step = best_seconds(train_step, a.reps)
        out["cases"].append({"size": size, "batch": batch, "forward": batch / fwd, "train": batch / step})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
