"""The models the benchmark suite runs (PyTorch; their names and sizes are ``workloads``): standard architectures from random initialisation on
synthetic data, so nothing is downloaded and both platforms run exactly the same work.

- ``resnet50``: ResNet-50 (bottleneck blocks 3-4-6-3, 25.6 M parameters at 1,000 classes) on
  224 × 224 images.
- ``bert_base``: a BERT-base-sized encoder (12 layers, hidden 768, 12 heads, feed-forward
  3,072, vocabulary 30,522, about 110 M parameters) classifying 128-token sequences.

Every size is a parameter (``sizes``), so the tests run the same code at a few thousand
parameters on CPU. A team points the suite at its own model with ``"package.module:factory"``:
a function of the sizes returning a ``Workload``.

Synthetic data comes in two kinds. ``batch`` is noise with random labels: enough for
throughput and latency, where only the arithmetic matters. ``learnable_batch`` has a signal
the model can learn (an image pattern per class; a class marker token), so time-to-target
measures how long training takes to reach a loss, from the same seed on both platforms.
"""

import importlib

import torch
from torch import nn

from . import workloads



class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels, channels, stride):
        super().__init__()
        out_channels = channels * self.expansion
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, channels, 1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
        )
        self.shortcut = (
            nn.Identity()
            if stride == 1 and in_channels == out_channels
            else nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.BatchNorm2d(out_channels))
        )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.body(x) + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, num_classes, width, blocks):
        super().__init__()
        layers = [
            nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),
        ]
        in_channels = width
        for stage, count in enumerate(blocks):
            channels = width * 2**stage
            for i in range(count):
                layers.append(Bottleneck(in_channels, channels, stride=2 if stage > 0 and i == 0 else 1))
                in_channels = channels * Bottleneck.expansion
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(self.features(x), 1), 1))


class Encoder(nn.Module):
    """Token and position embeddings, a post-norm GELU transformer encoder, a classifier on the first token."""

    def __init__(self, vocab_size, seq_len, hidden, layers, heads, intermediate, num_classes):
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, hidden)
        self.positions = nn.Embedding(seq_len, hidden)
        self.norm = nn.LayerNorm(hidden)
        layer = nn.TransformerEncoderLayer(hidden, heads, intermediate, dropout=0.1, activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, ids):
        positions = torch.arange(ids.shape[1], device=ids.device)
        hidden = self.norm(self.tokens(ids) + self.positions(positions))
        return self.head(self.encoder(hidden)[:, 0])


def _generator(seed, device):
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator


class Workload:
    """A model factory with its synthetic inputs; ``sizes`` are recorded with every result."""

    def __init__(self, name, sizes):
        self.name = name
        self.sizes = dict(sizes)

    def build(self):
        raise NotImplementedError

    def batch(self, size, device, seed):
        """Random inputs and labels of ``size`` rows, on ``device``."""
        raise NotImplementedError

    def learnable_batch(self, size, device, seed):
        """Inputs whose labels can be learned from them."""
        raise NotImplementedError

    def loss(self, output, target):
        return nn.functional.cross_entropy(output, target)


class ImageClassification(Workload):
    def build(self):
        s = self.sizes
        return ResNet(s["num_classes"], s["width"], s["blocks"])

    def _shape(self, size):
        return (size, 3, self.sizes["image_size"], self.sizes["image_size"])

    def batch(self, size, device, seed):
        g = _generator(seed, device)
        x = torch.randn(self._shape(size), generator=g, device=device)
        return x, torch.randint(0, self.sizes["num_classes"], (size,), generator=g, device=device)

    def learnable_batch(self, size, device, seed):
        # One fixed 8 × 8 tile per class (seed 0 on every platform), repeated over the image,
        # under noise of the same scale: a signal every class has, at little memory for 1,000 classes.
        side = self.sizes["image_size"]
        tiles = torch.randn((self.sizes["num_classes"], 3, 8, 8), generator=_generator(0, device), device=device)
        g = _generator(seed, device)
        y = torch.randint(0, self.sizes["num_classes"], (size,), generator=g, device=device)
        repeats = -(-side // 8)
        images = tiles[y].repeat(1, 1, repeats, repeats)[:, :, :side, :side]
        return images + torch.randn(self._shape(size), generator=g, device=device), y


class SequenceClassification(Workload):
    def build(self):
        s = self.sizes
        return Encoder(s["vocab_size"], s["seq_len"], s["hidden"], s["layers"], s["heads"], s["intermediate"], s["num_classes"])

    def batch(self, size, device, seed):
        g = _generator(seed, device)
        ids = torch.randint(0, self.sizes["vocab_size"], (size, self.sizes["seq_len"]), generator=g, device=device)
        return ids, torch.randint(0, self.sizes["num_classes"], (size,), generator=g, device=device)

    def learnable_batch(self, size, device, seed):
        ids, y = self.batch(size, device, seed)
        # The first token is the class's marker (token ids 0..num_classes-1 are reserved for it).
        ids[:, 0] = y
        return ids, y


KINDS = {"image_classification": ImageClassification, "sequence_classification": SequenceClassification}


def workload(name, sizes=None):
    """A built-in workload with its sizes checked (``workloads.sizes``), or a team's own as ``module:factory``."""
    kind, merged = workloads.resolve(name, sizes)
    if kind is not None:
        return KINDS[kind](name, merged)
    module, _, factory = name.partition(":")
    try:
        made = getattr(importlib.import_module(module), factory)(**merged)
    except (ImportError, AttributeError, TypeError) as err:
        raise ValueError(f"model {name}: cannot make the workload with sizes {merged} ({err})") from None
    if not isinstance(made, Workload):
        raise ValueError(f"model {name}: the factory returned {type(made).__name__}; expected an ml_migration.models.Workload")
    return made


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())
