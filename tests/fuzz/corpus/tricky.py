# Hard cases for the nkic front end; tests/python/test_frontend_corpus.py compares our AST
# (with spans) against CPython's for this file.
# -*- coding: utf-8 -*-
import a.b.c as d, e
from ... import x
from .... import y as z
from .m import (p,
                q as r,)
from __future__ import annotations

# Precedence.
v = -x ** 2
v = 2 ** -1
v = not a == b
v = a if b else c if d else e
v = lambda: a if b else c
v = a | b ^ c & d << e >> f + g - h * i / j // k % l @ m
v = ~a ** -b ** c
v = a < b <= c > d >= e == f != g is h is not i in j not in k
v = a or b and not c or d
v = await_ = 1
v = (a) + (b)
v = ((a) * b)
v = (a)(b)[c].d
v = -(a)
v = (yield)
v = x[a:b:c, d:, :e, ::, ...]
v = x[()]
v = x[(1, 2)]
v = x[1:2,]
v = x[*a]
v = x[*a, b]
v = x[a:=1]
v = (*a, b)
v = *a, b
v = [*a, *b]
v = {**a, 'b': 1, **c}
v = {*a, b}
v = {}
v = ()
v = (1,)
v = 1,
v = [i for i in range(10) if i if not i for j in i]
v = {i: j for i, j in x}
v = {i for i in x}
v = (i for i in x)
f(i for i in x)
f(*a, *b, c=1, **d, e=2)
f(a)(b)(c)
f(a=1)[0]
f(a, b,)
f(x := 1, y)
v = [y := f(x), y ** 2]
if (n := len(a)) > 10: pass
while chunk := f.read(10): pass
v = a.b.c.d
v = 1 .real
v = 1.0.real
v = 0x_ff + 0o7_7 + 0b_1 + 1_000_000 + 1e1_0 + 1.5e-3 + 1J + 0j + 00 + 0.0 + .5e+3
v = 12345678901234567890123456789 + 0xFFFFFFFFFFFFFFFFFFFF + 0o7777777777777777777777777 + 9223372036854775807 + 9223372036854775808
v = 1e400
v = 1if 1else 2
v = [0x1for x in y]
v = ...
v = Ellipsis
v = True, False, None

# Strings.
s = 'a' "b" '''c''' """d"""
s = 'a' \
    'b'
s = ('a'
     'b'
     f'{c}')
s = u'x' 'y'
s = U'x'
s = r'\n' R'\t'
sb = rb'\x' Rb'\y' bR'\z' BR'\w'
s = b'\x00\xff\n\t\\\'' b"\777"
s = '\x41\u00e9\U0001F600\101\7\07\n\r\t\a\b\f\v\\\'\"\
continued'
s = '\d\w'
s = '\ud800'
s = """multi
line
string"""
s = '''a\
b'''
s = 'é' 'ü' '日本'
s = b''
s = ''
s = f''
s = f'{a}'
s = f'{a!r}{b!s}{c!a}'
s = f'{a:>10}{b:{c}.{d}}{e!r:^{f}}'
s = f'{a=}{b = }{c=!s}{d=:>5}{e=!r:{f}}'
s = f'{{}}{{a}}}}{{'
s = f'{a}' 'b' f'{c}' 'd'
s = 'a' f'{b}'
s = f'{"a" "b"}'
s = f'{x["a"]}'
s = f"{x['a']}"
s = f'''{a
}'''
s = f'''
{
a}'''
s = f'{a, b}'
s = f'{x for x in y}'
s = f'{(yield)}'
s = f'{a if b else c}'
s = f'{a!=b}'
s = f'{a<=b}{a>b}'
s = f'{(lambda x: 1)}'
s = f'{ {"a": 1}["a"] }'
s = f'{f"{x}"}'
s = f'{f"{x:{y}}"}'
s = fr'\n{a}\t' rf'{b}' FR'{c}' Rf'\{d}'
s = f'\n{a}\t\x41'
s = f'{a:\n}'
s = f'{a}{b}' f'' f'{c}'
s = f'''{a}
{b} {
c}'''
s = f'{3.14:.2f}{1e3:g}'
s = f'{a[1:2]}'
s = f'{a!r:}'
s = f'{a:}'
s = f'{"":{b}}'
s = f'''{"""a"""}'''
s = u'{a}' f'{b}'

# Assignments.
a = b = c = 1
a, b = c
a, *b = c
[a, b] = c
(a, b) = c
(a), b = c
a[1], a.b, *a[2:] = c
a += 1
a.b -= 1
a[1] *= 2
a @= b; a /= b; a //= b; a %= b; a **= b; a >>= b; a <<= b; a &= b; a |= b; a ^= b
x: int
x: int = 1
(x): int = 1
x.y: int
x[0]: int = 2
x: list[int] = []
a = yield
a = yield from b
a = yield a, b
del a, b[1], c.d
del (a, b), [c]
del a,
global g1, g2
nonlocal n1

# Compound statements.
@dec
@dec.attr(1)
@dec[0]
@(lambda f: f)
def f(a, b=1, /, c=2, *args, d, e=3, **kwargs) -> int:
    "doc"
    return a

def g(a, /): pass
def g(*, a): pass
def g(*args: *Ts): pass
def g(a: int = 1, *, b: str = "x") -> None: ...
async def h():
    await x
    async for a in b:
        pass
    else:
        pass
    async with a as b, c:
        pass
    return [x async for x in y]
    await (yield)

class C(B, metaclass=M, *bases, **kw):
    x = 1
    def m(self): return self.x

class D: pass
class E(): pass

if a:
    pass
elif b:
    pass
elif c:
    pass
else:
    pass

for x in y:
    break
else:
    continue

for x, in y: pass
for (x, y), z in w: pass
for x in *a, b: pass
while x:
    pass
else:
    pass

try:
    pass
except:
    pass

try:
    pass
except E:
    pass
except (A, B) as e:
    pass
else:
    pass
finally:
    pass

try:
    pass
finally:
    pass

try:
    pass
except* E:
    pass
except* (A, B) as e:
    pass

with a: pass
with a as b: pass
with a as (b, c): pass
with a as b, c as d: pass
with (a as b, c as d): pass
with (a as b, c as d,): pass
with (a, b): pass
with (a, b) as c: pass
with (a): pass
with (a) as b: pass
with (yield): pass
with (a := b): pass
with (
    open(a) as b,
    open(c) as d,
):
    pass

raise
raise E
raise E from e
assert a
assert a, "msg"
return
return a, *b
pass; pass;
x = 1; y = 2

match command.split():
    case [action]:
        pass
    case [action, obj]:
        pass
    case Point(x=0, y=0) if x > 0:
        pass
    case {"a": 1, **rest}:
        pass
    case _:
        pass

match a, b:
    case 1, 2: pass

match = 1
match.x = 2
match(x)
match[x]
case = 3
_ = 4
type = 5
print(match, case, type)

if True:
	x = 1  # tab-indented
	if x:
		y = 2

v = [
    1,
    2,  # comment
]
v = {
    'a': 1,

    'b': 2
}

def long_function(
    a,
    b,
):
    return (
        a
        + b
    )

x = (  # comment
    1
)
x = [1,
     2][0]
x = f(
)
x = a if b else(c)
x = not(a)
x = a and(b)
x = [a for a in(b)]
ä = 1
_π = 3.14
日本 = "語"
lambda: 0
lambda x, /, y=1, *z, w, **kw: x
lambda *, a=1: a
lambda *a, **k: 0
