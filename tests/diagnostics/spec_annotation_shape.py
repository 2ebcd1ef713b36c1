# nkic: --arg a=128x256:float32
import nki
import nki.isa as nisa
import nki.language as nl


import nki.typing as nt


@nki.jit
def typed(a: nt.tensor[128, 512]):
    pass
