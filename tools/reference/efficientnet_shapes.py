"""Print torchvision EfficientNet B0–B4 state-dict names and shapes as JSON (for the name-map test).

Usage: /usr/bin/python3 tools/reference/efficientnet_shapes.py [b0 b1 ...]
"""
import json
import sys

import torchvision

out = {}
for v in sys.argv[1:] or ["b0", "b1", "b2", "b3", "b4"]:
    model = getattr(torchvision.models, f"efficientnet_{v}")(weights=None)
    out[v] = {k: list(t.shape) for k, t in model.state_dict().items()}
json.dump(out, sys.stdout)
