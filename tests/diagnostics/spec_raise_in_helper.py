# nkic: kernel=run --arg a=4x4:float32
import nki
import nki.isa as nisa
import nki.language as nl


def pick_op(name):
    if name == "add":
        return nl.add
    raise ValueError(f"unknown op {name!r}")


@nki.jit
def run(a):
    op = pick_op("mul")
