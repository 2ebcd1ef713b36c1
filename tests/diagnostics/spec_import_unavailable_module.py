# nkic: --arg a=4x4:float32
import nki
import nki.isa as nisa
import nki.language as nl


import torch


@nki.jit
def uses_torch(a):
    scale = torch.tensor(2.0)
