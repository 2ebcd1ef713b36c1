import nki
import nki.language as nl
import neuronxcc.nki.isa as nisa_old


@nki.jit
def k(a, *args, b=1, **kw):
    global g
    nonlocal h
    import math
    from neuronxcc.nki import language
    x = [i for i in range(4) if i]
    y = {i for i in x}
    z = {k: v for k, v in zip(x, x)}
    w = sum(i for i in x)
    f = lambda q, *r, s=2, **t: q
    s = {1, 2}
    if (n := len(x)) > 2:
        pass
    m = a @ a
    m @= a
    del x
    if a is b or a is not None or None is a:
        pass
    for i in x:
        break
    else:
        pass
    while False:
        pass
    else: pass
    try:
        pass
    except Exception as e:
        raise ValueError("x") from e
    finally:
        pass
    match a:
        case [1, *rest] if rest:
            pass
        case {"k": v, **kw}:
            pass
        case Point(x=0) | None:
            pass
        case _:
            pass
    yield x
    yield from x


async def g(a):
    await a
    async for i in a:
        pass
    async with a as b:
        pass


def kw_only(a, *, b, c=3):
    return a
