#!/usr/bin/env python3
"""CPython's side of the normalized AST dump (the format of nkic's dump_ast, src/frontend/ast_dump.cpp).

Usage: ast_dump.py FILE...   prints the dump of each file (with a `==> FILE <==` header line when
more than one file is given). Importable: `dump_source(bytes_or_str) -> str`.

Format: one node per line, `Type [line:col-end_line:end_col] [field=scalar ...]`; child fields
follow as `field:` lines (indented two spaces deeper) with their nodes indented two more. Omitted:
None fields, empty lists, type_comment. Strings: '...' with bytes outside printable ASCII (and '
and \\) as \\xHH (UTF-8, surrogatepass); floats as float(0x<IEEE bits>). Match statements are
normalized to `subject` and `body` = the concatenated case bodies.
"""
import ast
import struct
import sys

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)

_SCALAR_AST = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)
_NO_SPAN = (ast.Module, ast.arguments, ast.comprehension, ast.withitem)


def _quote(b):
    out = ["'"]
    for c in b:
        if 0x20 <= c < 0x7F and c not in (0x5C, 0x27):
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    out.append("'")
    return "".join(out)


def _str(s):
    return _quote(s.encode("utf-8", "surrogatepass"))


def _bits(x):
    return "0x%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def _constant(v):
    if v is None:
        return "None"
    if v is True:
        return "True"
    if v is False:
        return "False"
    if v is Ellipsis:
        return "Ellipsis"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "float(%s)" % _bits(v)
    if isinstance(v, complex):
        return "complex(%s)" % _bits(v.imag)
    if isinstance(v, str):
        return _str(v)
    if isinstance(v, bytes):
        return "b" + _quote(v)
    raise TypeError(type(v))


def _fields(node):
    if isinstance(node, ast.Match):
        body = []
        for case in node.cases:
            body.extend(case.body)
        return [("subject", node.subject), ("body", body)]
    return [(f, getattr(node, f, None)) for f in node._fields if f != "type_comment"]


def _dump(node, ind, out):
    parts = [" " * ind + type(node).__name__]
    if not isinstance(node, _NO_SPAN):
        parts.append("%d:%d-%d:%d" % (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))
    children = []
    for name, v in _fields(node):
        if isinstance(node, ast.Constant) and name == "value":
            parts.append("value=" + _constant(v))
        elif isinstance(v, _SCALAR_AST):
            parts.append("%s=%s" % (name, type(v).__name__))
        elif isinstance(v, ast.AST):
            children.append((name, [v]))
        elif isinstance(v, list):
            if not v:
                continue
            if isinstance(v[0], ast.cmpop):
                parts.append("%s=[%s]" % (name, ",".join(type(x).__name__ for x in v)))
            elif isinstance(v[0], str):
                parts.append("%s=[%s]" % (name, ",".join(_str(x) for x in v)))
            else:
                children.append((name, v))
        elif v is None:
            continue
        elif isinstance(v, bool):
            parts.append("%s=%d" % (name, v))
        elif isinstance(v, int):
            parts.append("%s=%d" % (name, v))
        elif isinstance(v, str):
            parts.append("%s=%s" % (name, _str(v)))
        else:
            raise TypeError((name, v))
    out.append(" ".join(parts))
    for name, vs in children:
        out.append(" " * (ind + 2) + name + ":")
        for v in vs:
            if v is None:
                out.append(" " * (ind + 4) + "None")
            else:
                _dump(v, ind + 4, out)


def dump_tree(tree):
    out = []
    _dump(tree, 0, out)
    return "\n".join(out) + "\n"


def dump_source(src):
    return dump_tree(ast.parse(src))


def main(argv):
    multi = len(argv) > 1
    rc = 0
    for path in argv:
        if multi:
            sys.stdout.write("==> %s <==\n" % path)
        with open(path, "rb") as f:
            data = f.read()
        try:
            sys.stdout.write(dump_source(data))
        except (SyntaxError, ValueError) as e:
            sys.stdout.write("error: line %s: %s\n" % (getattr(e, "lineno", "?"), e))
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
