"""Where each operation of a traced kernel is (nki/_tracing.py): the kernel-side Python frames with their
columns, the arguments' spans from the file's AST, and the statements that ran between two operations, so
that tracing names tensors as the C++ specializer does. Also the tracing state the two modules share."""

import ast
import linecache
import os
import sys

# ---------------------------------------------------------------------------------------------
# Where an operation is: the kernel-side Python frames, with columns from co_positions
# ---------------------------------------------------------------------------------------------
_positions = {}


def _span(code, lasti):
    pos = _positions.get(id(code))
    if pos is None or pos[0] is not code:
        pos = _positions[id(code)] = (code, list(code.co_positions()))
    pos = pos[1]
    i = lasti // 2
    if 0 <= i < len(pos):
        line, end_line, col, end_col = pos[i]
        if line:
            return (line, col or 0, end_line or line, end_col if end_col is not None else (col or 0))
    return (code.co_firstlineno, 0, code.co_firstlineno, 0)


class _State:
    session = None
    kernel_code = None
    pkg_dirs = ()
    statements = []  # the previous operation's (frame, statement, instruction) per kernel-side frame


_state = _State()


def active():
    """True while a kernel is being traced."""
    return _state.session is not None


# Keyed by id(code) with the code object kept and compared by identity: code objects compare equal across
# files (co_filename is not part of their equality).
_kernel_side = {}  # id(code) -> (code, whether it is the kernel's: not nki's, nkic's, neuronxcc's or frozen)
_sites = {}        # (id(code), instruction) -> ((file, line, col, end_line, end_col), statement, file, function, code)


def _site(code, lasti):
    key = (id(code), lasti)
    site = _sites.get(key)
    if site is None or site[4] is not code:
        span = _span(code, lasti)
        path = code.co_filename
        site = _sites[key] = ((path, *span), _statement_at(path, code.co_firstlineno, span), path,
                              code.co_firstlineno, code)
    return site


def _frames(depth=1):
    """(file, line, col, end_line, end_col) of each kernel-side frame, outermost (the kernel) first. Also
    follows which statements run, to name tensors as the C++ specializer does (_track_names)."""
    f = sys._getframe(depth)
    chain = []
    kernel_code, side = _state.kernel_code, _kernel_side
    while f is not None:
        code = f.f_code
        known = side.get(id(code))
        if known is not None and known[0] is code:
            mine = known[1]
        else:
            name = code.co_filename
            mine = not name.startswith(_state.pkg_dirs) and not name.startswith("<frozen")
            side[id(code)] = (code, mine)
        if mine:
            chain.append((id(f), f.f_lasti, _site(code, f.f_lasti)))
        if code is kernel_code:
            break
        f = f.f_back
    chain.reverse()
    _track_names(chain)
    return [site[0] for _, _, site in chain]


# ---------------------------------------------------------------------------------------------
# Tensor names: the C++ specializer names the first tensor an assignment `x = ...` creates `x` (the name
# is set when the assignment starts, taken by the first tensor created, and cleared when any assignment
# ends). The statements each kernel-side frame is in, operation after operation, say when they start and end.
# ---------------------------------------------------------------------------------------------
_trees = {}  # path -> (modification time, parsed source or None)


def _mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _tree(path):
    """The parsed source of a kernel-side file (None when it cannot be read or parsed)."""
    if path not in _trees:
        try:
            tree = ast.parse("".join(linecache.getlines(path)))
        except (SyntaxError, ValueError):
            tree = None
        _trees[path] = (_mtime(path), tree)
    return _trees[path][1]


def _refresh_sources():
    """Before a trace: forget what was read of a file edited since (a notebook re-running an edited kernel)."""
    changed = [p for p, (stamp, _) in _trees.items() if _mtime(p) != stamp]
    if not changed:
        return
    linecache.checkcache()
    for p in changed:
        for cache in (_trees, _calls, _statements):
            cache.pop(p, None)
    for cache in (_statement_at_memo, _between_memo, _before_memo, _sites):
        cache.clear()


class _Stmt:
    """A statement of a kernel-side file: its extent, the function it runs in (the first line of its `def`
    or first decorator, as code.co_firstlineno), and whether it is an assignment (and to which name)."""

    __slots__ = ("start", "end", "func", "assign", "target", "loop")

    def __init__(self, node, func):
        self.start, self.end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
        self.func = func
        self.assign = isinstance(node, (ast.Assign, ast.AnnAssign))
        self.target = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.target = node.targets[0].id
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            self.target = node.target.id
        self.loop = isinstance(node, (ast.For, ast.While, ast.AsyncFor))


_statements = {}  # path -> {func: [_Stmt in source order]}


def _statement_index(path):
    idx = _statements.get(path)
    if idx is None:
        idx = {}
        tree = _tree(path)

        def walk(node, func):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    idx.setdefault(func, []).append(_Stmt(child, func))
                    walk(child, first)
                elif isinstance(child, ast.stmt):
                    idx.setdefault(func, []).append(_Stmt(child, func))
                    walk(child, func)
                elif not isinstance(child, (ast.Lambda, ast.ClassDef)):
                    walk(child, func)

        if tree is not None:
            walk(tree, 1)
        for v in idx.values():
            v.sort(key=lambda st: st.start)
        _statements[path] = idx
    return idx


_statement_at_memo = {}


def _statement_at(path, func, span):
    """The innermost statement of function `func` of `path` containing position span[:2], or None."""
    key = (path, func, span[0], span[1])
    if key in _statement_at_memo:
        return _statement_at_memo[key]
    pos, best = (span[0], span[1]), None
    for st in _statement_index(path).get(func, ()):
        if st.start <= pos < st.end and (best is None or st.start >= best.start and st.end <= best.end):
            best = st
    _statement_at_memo[key] = best
    return best


_between_memo = {}


def _assigns_between(path, func, a, b):
    key = (a, b)
    hit = _between_memo.get(key)
    if hit is None:
        hit = _between_memo[key] = _scan_between(path, func, a, b)
    return hit


def _scan_between(path, func, a, b):
    """Whether an assignment of `func` other than a and b ran between statement a and statement b (b after a
    in the same frame): lexically between them, or, when b is earlier (a loop's next iteration), after a or
    before b within the innermost loop holding both. An approximation of the control flow in between."""
    stmts = _statement_index(path).get(func, ())
    if b.start > a.start:
        return any(st.assign and a.end <= st.start < b.start for st in stmts)
    loops = [st for st in stmts if st.loop and st.start <= b.start and a.end <= st.end]
    if not loops:
        return False
    loop = max(loops, key=lambda st: st.start)
    return any(st.assign and st is not a and st is not b and loop.start < st.start < loop.end
               and (st.start >= a.end or st.start < b.start) for st in stmts)


_before_memo = {}


def _assigns_before(path, func, b):
    """Whether the function `func` ran an assignment before reaching statement b (entered since the last
    operation): one lexically before b."""
    hit = _before_memo.get(b)
    if hit is None:
        hit = _before_memo[b] = any(st.assign and st.start < b.start for st in _statement_index(path).get(func, ()))
    return hit


def _track_names(keys):
    """Follows the C++ specializer's name hint: an assignment to a name sets it when it starts, the first
    tensor created takes it, and any assignment clears it when it ends. Compares this operation's frames and
    statements with the previous operation's to find which statements ended and started in between."""
    prev = _state.statements
    cur = [(frame_id, site[1], lasti, site[2], site[3]) for frame_id, lasti, site in keys]
    i = 0
    while i < len(prev) and i < len(cur) and prev[i][0] == cur[i][0] and prev[i][1] is cur[i][1] \
            and cur[i][2] > prev[i][2]:
        i += 1
    action = None
    if any(p[1] is not None and p[1].assign for p in prev[i:]):  # those statements ended
        action = ""
    for j in range(i, len(cur)):
        frame_id, st, _, path, func = cur[j]
        if st is None:
            continue
        if j == i and i < len(prev) and prev[i][0] == frame_id and prev[i][1] is not None:
            if _assigns_between(path, func, prev[i][1], st):
                action = ""
        elif _assigns_before(path, func, st):
            action = ""
        if st.target is not None:  # an assignment to a name started
            action = st.target
    _state.statements = cur
    if action is not None and _state.session is not None:
        _state.session.name_hint(action)


# The argument spans of each call in a file: {(line, col, end_line, end_col): ([arg span], {keyword: span})}.
_calls = {}


def _node_span(n):
    return (n.lineno, n.col_offset, n.end_lineno, n.end_col_offset)


def _call_index(path):
    idx = _calls.get(path)
    if idx is not None:
        return idx
    idx = {}
    tree = _tree(path)
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Call):
            idx[_node_span(node)] = ([_node_span(a) for a in node.args],
                                     {k.arg: _node_span(k.value) for k in node.keywords if k.arg})
    _calls[path] = idx
    return idx


def _call_info(frames, nargs, kwargs):
    if not frames:
        return None, None
    path, *span = frames[-1]
    info = _call_index(path).get(tuple(span))
    if info is None:
        return None, None
    pos, kw = info
    return (pos if len(pos) == nargs else None), [kw.get(k) for k in kwargs]
