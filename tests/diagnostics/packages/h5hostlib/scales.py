# A helper module found through `nkic --path`: its `import torch` is fine until a kernel uses torch.
import torch


def unit_scale():
    return 1.0


def torch_scale():
    return torch.tensor(2.0)
