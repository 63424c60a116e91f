"""The suite's workloads by name, with their sizes: what a run's ``models`` setting may say.
No torch here, so a bad name or size is refused before anything starts; ``models`` builds them.

- ``resnet50``: ResNet-50 on 224 × 224 images, 1,000 classes.
- ``bert_base``: a BERT-base-sized encoder on 128-token sequences, 2 classes.
- ``package.module:factory``: a team's own; the factory takes the sizes given and returns an
  ``ml_migration.models.Workload`` (checked when the suite builds it).
"""

import re

# name -> (kind, default sizes)
BUILTIN = {
    "resnet50": ("image_classification", {"image_size": 224, "num_classes": 1000, "width": 64, "blocks": [3, 4, 6, 3]}),
    "bert_base": ("sequence_classification", {
        "vocab_size": 30522, "seq_len": 128, "hidden": 768, "layers": 12, "heads": 12, "intermediate": 3072, "num_classes": 2,
    }),
}

_FACTORY = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def resolve(name, sizes=None):
    """``(kind, sizes)`` of a built-in workload with its sizes checked, or ``(None, sizes)`` for a factory."""
    sizes = dict(sizes or {})
    if name in BUILTIN:
        kind, defaults = BUILTIN[name]
        unknown = sorted(set(sizes) - set(defaults))
        if unknown:
            raise ValueError(f"model {name}: unknown size(s) {', '.join(unknown)}; expected some of {', '.join(sorted(defaults))}")
        merged = {**defaults, **sizes}
        for key, value in merged.items():
            ok = all(map(_positive_int, value)) and len(value) > 0 if isinstance(defaults[key], list) and isinstance(value, list) else _positive_int(value)
            if not ok:
                raise ValueError(f"model {name}: size {key} = {value!r}: expected a positive integer{' list' if isinstance(defaults[key], list) else ''}")
        if kind == "sequence_classification":
            if merged["hidden"] % merged["heads"]:
                raise ValueError(f"model {name}: hidden {merged['hidden']} is not a multiple of heads {merged['heads']}")
            if merged["vocab_size"] <= merged["num_classes"]:
                raise ValueError(f"model {name}: vocab_size {merged['vocab_size']}: expected more tokens than classes ({merged['num_classes']})")
        if merged["num_classes"] < 2:
            raise ValueError(f"model {name}: num_classes {merged['num_classes']}: expected at least 2")
        return kind, merged
    if isinstance(name, str) and _FACTORY.match(name):
        return None, sizes
    raise ValueError(f"model {name!r}: expected one of {', '.join(BUILTIN)} or a factory as package.module:function")
