"""`try` / `except` / `else` / `finally` and `raise` in compile-time code (helpers and the kernel body),
and nested defs that call themselves (issue #11). nki-library's logging helper (core/utils/logging.py)
reads its settings inside `try: ... except KeyError:`; these are our own kernels in that style. Each
kernel scales its input by a factor the compile-time code computes, so the NumPy reference checks the
path the code took (float32 multiply by a power of two or a small integer: exact, tolerance 0)."""
import os
import sys
from enum import Enum

import numpy as np
import pytest

import nki
import nki.isa as nisa
import nki.language as nl

SHAPE = (128, 64)


def scaled(a, factor):
    """out = a * factor through SBUF."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=float(factor))
    nisa.dma_copy(dst=out, src=t)
    return out


def check(kernel, factor, *args):
    a = np.random.rand(*SHAPE).astype(np.float32)
    got = nki.simulate(kernel)(a, *args)
    np.testing.assert_allclose(got, a * np.float32(factor), rtol=0, atol=0)


# ---------------------------------------------------------------- the logging helper's pattern


class LogLevel(Enum):
    DEBUG = 0
    INFO = 1
    WARN = 2
    OFF = 999

    @staticmethod
    def from_string(level):
        return _STRING_TO_LOG_LEVEL[level]


_STRING_TO_LOG_LEVEL = {"DEBUG": LogLevel.DEBUG, "INFO": LogLevel.INFO, "WARN": LogLevel.WARN, "OFF": LogLevel.OFF}
_SETTINGS = {"LOG_LEVEL": "verbose", "LOG_LEVEL_attn": "debug", "LOG_LEVEL_mlp": "loud"}


def _levels_from_settings():
    """Invalid level names are skipped with a warning, as nki-library does for environment variables."""
    specific = {}
    global_level = None
    for key, value in _SETTINGS.items():
        if key == "LOG_LEVEL":
            try:
                global_level = LogLevel.from_string(value.upper())
            except KeyError:
                print(f"Warning: Invalid LOG_LEVEL='{value}'")
        elif key.startswith("LOG_LEVEL_"):
            try:
                specific[key[len("LOG_LEVEL_"):]] = LogLevel.from_string(value.upper())
            except KeyError as e:
                print(f"Warning: Invalid log level {e} for {key}")
    return global_level, specific


_GLOBAL_LEVEL, _LEVELS = _levels_from_settings()


def get_level(name, level=LogLevel.INFO):
    specific = _LEVELS.get(name)
    if specific != None:  # noqa: E711 (nki-library's spelling)
        return specific
    if _GLOBAL_LEVEL != None:  # noqa: E711
        return _GLOBAL_LEVEL
    return level


@nki.jit
def logging_helper_kernel(a):
    # attn: DEBUG (0) from its own setting; mlp: invalid, so the code default WARN (2).
    return scaled(a, 1 + get_level("attn").value + 4 * get_level("mlp", LogLevel.WARN).value)


def test_logging_helper_pattern():
    check(logging_helper_kernel, 9)


# ---------------------------------------------------------------- which handler catches what


def caught_by(fn, arg):
    """The name of the first handler that catches fn(arg)'s exception, in Python's order."""
    try:
        fn(arg)
    except (KeyError, IndexError) as e:
        return "lookup:" + type_name(e)
    except ArithmeticError:
        return "arithmetic"
    except TypeError:
        return "type"
    except Exception as e:
        return "exception:" + type_name(e)
    return "none"


def type_name(e):
    return e.__class__.__name__


def missing_key(d):
    return d["nope"]


def bad_index(t):
    return t[5]


def divide(n):
    return 10 // n


def add_str(n):
    return n + "x"


def bad_int(s):
    return int(s)


def no_attr(t):
    return t.nope


def undefined_name(n):
    return n + not_defined_anywhere  # noqa: F821


def failed_assert(n):
    assert n > 100, f"{n} is small"


def pop_empty(lst):
    return lst.pop()


@nki.jit
def hierarchy_kernel(a):
    assert caught_by(missing_key, {"a": 1}) == "lookup:KeyError"
    assert caught_by(bad_index, (1, 2)) == "lookup:IndexError"
    assert caught_by(pop_empty, []) == "lookup:IndexError"
    assert caught_by(divide, 0) == "arithmetic"
    assert caught_by(add_str, 1) == "type"
    assert caught_by(bad_int, "12x") == "exception:ValueError"
    assert caught_by(no_attr, (1,)) == "exception:AttributeError"
    assert caught_by(undefined_name, 1) == "exception:NameError"
    assert caught_by(failed_assert, 1) == "exception:AssertionError"
    assert caught_by(divide, 5) == "none"
    # A bare except catches everything a compile-time Python error can be.
    try:
        missing_key({})
    except:  # noqa: E722
        hits = 1
    return scaled(a, hits + divide(5))


def test_exception_hierarchy():
    check(hierarchy_kernel, 3)


# ---------------------------------------------------------------- str(e), e.args, as-binding


@nki.jit
def message_kernel(a):
    try:
        {"x": 1}["tile_size"]
    except KeyError as e:
        assert str(e) == "'tile_size'", str(e)  # KeyError shows its key's repr, as in Python
        assert e.args == ("tile_size",)
        assert f"{e}" == "'tile_size'"
    try:
        raise ValueError("bad shape", 3)
    except ValueError as e:
        assert e.args == ("bad shape", 3)
        assert str(e) == "('bad shape', 3)", str(e)
    try:
        raise RuntimeError
    except RuntimeError as e:
        assert str(e) == "" and e.args == ()
    try:
        1 / 0
    except ZeroDivisionError as e:
        assert isinstance(e, ArithmeticError) and isinstance(e, Exception)
        assert not isinstance(e, LookupError)
        n = len(str(e))
    return scaled(a, 2 if n > 0 else 1)


def test_exception_messages():
    check(message_kernel, 2)


# ---------------------------------------------------------------- else and finally


def events_of(arg):
    log = []
    try:
        log.append("try")
        if arg == "raise":
            raise ValueError("x")
        if arg == "return":
            return log
    except ValueError:
        log.append("except")
    else:
        log.append("else")
    finally:
        log.append("finally")
    log.append("after")
    return log


def finally_overrides():
    try:
        return 1
    finally:
        return 2  # noqa: B012 (Python: finally's return wins)


def finally_swallows():
    try:
        raise KeyError("k")
    finally:
        return 3  # noqa: B012 (Python: a return in finally discards the exception)


def loop_with_finally():
    log = []
    for i in range(4):
        try:
            if i == 1:
                continue
            if i == 3:
                break
            log.append(i)
        finally:
            log.append(10 + i)
    return log


def returned_value_survives_finally():
    try:
        return 5
    finally:
        divide(5)  # a call in finally does not lose the pending return value


@nki.jit
def else_finally_kernel(a):
    assert events_of("ok") == ["try", "else", "finally", "after"]
    assert events_of("raise") == ["try", "except", "finally", "after"]
    assert events_of("return") == ["try", "finally"]
    assert finally_overrides() == 2
    assert finally_swallows() == 3
    assert loop_with_finally() == [0, 10, 11, 2, 12, 13], loop_with_finally()
    return scaled(a, returned_value_survives_finally())


def test_else_and_finally():
    check(else_finally_kernel, 5)


# ---------------------------------------------------------------- raising in handlers


class ConfigError(Exception):
    pass


class TileError(ConfigError):
    def __init__(self, name, size):
        Exception.__init__(self, f"{name}: bad tile size {size}")
        self.size = size


def tile_size(name, sizes):
    try:
        size = sizes[name]
    except KeyError as e:
        raise ConfigError(f"no tile size for {e}") from e
    if size > 128:
        raise TileError(name, size)
    return size


def reraised(name, sizes):
    try:
        return tile_size(name, sizes)
    except ConfigError:
        raise  # bare re-raise: the same exception goes on


@nki.jit
def raise_kernel(a):
    sizes = {"q": 4, "k": 256}
    try:
        tile_size("v", sizes)
    except ConfigError as e:
        assert str(e) == "no tile size for 'v'", str(e)
        assert isinstance(e.__cause__, KeyError)
    try:
        reraised("k", sizes)
    except ConfigError as e:  # a TileError is a ConfigError
        assert isinstance(e, TileError) and e.size == 256
        assert str(e) == "k: bad tile size 256"
    try:
        try:
            tile_size("v", sizes)
        except KeyError:
            assert False, "the KeyError became a ConfigError"
    except Exception as e:
        assert e.__class__.__name__ == "ConfigError"
    return scaled(a, tile_size("q", sizes))


def test_raise_in_handlers_and_user_exceptions():
    check(raise_kernel, 4)


# ---------------------------------------------------------------- instructions in the try body


@nki.jit
def side_effects_kernel(a, mode):
    """Instructions traced before the exception stay in the program, as Python's side effects do."""
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    factors = {"double": 2.0}
    try:
        nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=3.0)
        f = factors[mode]
    except KeyError:
        f = 0.5
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=f)
    nisa.dma_copy(dst=out, src=t)
    return out


@pytest.mark.parametrize("mode,factor", [("double", 6.0), ("other", 1.5)])
def test_instructions_before_the_exception_stay(mode, factor):
    check(side_effects_kernel, factor, mode)


# ---------------------------------------------------------------- what is not catchable


@nki.jit
def validation_kernel(a):
    x = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    y = nl.ndarray((128, 32), dtype=nl.float32, buffer=nl.sbuf)
    try:
        nisa.tensor_tensor(dst=x, data1=x, data2=y, op=nl.add)
    except Exception:
        pass
    return scaled(a, 1)


def test_validation_errors_are_not_catchable():
    a = np.zeros(SHAPE, np.float32)
    with pytest.raises(nisa.NkiValidationError, match="data2"):
        nki.simulate(validation_kernel)(a)


@nki.jit
def unmatched_kernel(a):
    try:
        missing_key({"a": 1})
    except (IndexError, ValueError):
        pass
    return scaled(a, 1)


def test_an_unmatched_exception_is_the_compile_error():
    a = np.zeros(SHAPE, np.float32)
    with pytest.raises(nki.NkiCompileError, match="key 'nope' is not in the dictionary") as e:
        nki.simulate(unmatched_kernel)(a)
    assert e.value.lineno == missing_key.__code__.co_firstlineno + 1  # where it was raised


# ---------------------------------------------------------------- recursive nested defs


@nki.jit
def recursion_kernel(a):
    def factorial(n):
        return 1 if n <= 1 else n * factorial(n - 1)

    def is_even(n):
        return True if n == 0 else is_odd(n - 1)

    def is_odd(n):
        return False if n == 0 else is_even(n - 1)

    def halve(t, times):  # emits one instruction per level
        if times == 0:
            return t
        nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=0.5)
        return halve(t, times - 1)

    assert factorial(5) == 120
    assert is_even(10) and is_odd(7) and not is_odd(4)
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=float(factorial(4)))
    nisa.dma_copy(dst=out, src=halve(t, 3))
    return out


def test_recursive_and_mutually_recursive_nested_defs():
    check(recursion_kernel, 3)  # 4! / 2**3


def outer_helper(n):
    def count_down(k):
        return 0 if k == 0 else 1 + count_down(k - 1)

    return count_down(n)


@nki.jit
def late_binding_kernel(a):
    base = 1

    def total():
        return base + outer_helper(3)  # `base` is read when called, as in Python

    base = 4
    return scaled(a, total())


def test_nested_def_sees_later_assignments():
    check(late_binding_kernel, 7)


@nki.jit
def runaway_kernel(a):
    def forever(n):
        return forever(n + 1)

    return scaled(a, forever(0))


def test_runaway_recursion_is_a_clear_error():
    a = np.zeros(SHAPE, np.float32)
    with pytest.raises(nki.NkiCompileError, match="maximum call depth exceeded"):
        nki.simulate(runaway_kernel)(a)


# ---------------------------------------------------------------- the logging helper's fallbacks
def log_level(name):
    """nki-library's logging helper: per-logger variables by prefix, an invalid level reported on stderr."""
    levels = {"DEBUG": 10, "INFO": 20, "WARNING": 30}
    level = 20
    for key, value in os.environ.items():
        if key.startswith("NKIC_TEST_LOG_LEVEL_") and key.removeprefix("NKIC_TEST_LOG_LEVEL_") == name:
            try:
                level = levels[value]
            except KeyError:
                print(f"invalid log level {value!r} for {name}", file=sys.stderr)
    return level


@nki.jit
def logged_kernel(a):
    return scaled(a, log_level("attn") // 10)


def test_logging_helper_fallbacks(monkeypatch, capfd):
    monkeypatch.setenv("NKIC_TEST_LOG_LEVEL_attn", "WARNING")
    check(logged_kernel, 3)
    monkeypatch.setenv("NKIC_TEST_LOG_LEVEL_attn", "LOUD")
    check(logged_kernel, 2)  # the default level, and a message on stderr at compile time
    assert "invalid log level 'LOUD' for attn" in capfd.readouterr().err
    assert "x.py".removesuffix(".py") == "x" and "abc".removeprefix("z") == "abc"
