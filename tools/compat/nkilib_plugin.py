"""pytest plugin that runs nki-library's own tests on nkic.

nki-library's tests build their inputs, shapes and torch/NumPy references themselves and hand a
`KernelArgs` to a `test_manager` fixture (their `Orchestrator`, which drives the Neuron compiler and
real devices). This plugin replaces that fixture with `NkicOrchestrator`: it compiles and simulates
the kernel with nkic (`nki.simulate(kernel)[lnc](**inputs)`), compares the outputs with the test's
own golden values and tolerances (with the repository's own comparator), and records one result.

It is loaded by run_nkilib.py as `pytest -p nkilib_plugin --noconftest ...` from the nki-library
checkout, so their conftest (S3, SSH hosts, metrics) is not loaded. Results go to the JSON file named
by NKIC_COMPAT_RESULT. Nothing of nki-library is copied here: its modules are imported at run time.
"""

import importlib.util
import json
import os
import re
import sys
import time
import traceback
import types

import numpy as np
import pytest

RESULT_FILE = os.environ.get("NKIC_COMPAT_RESULT")
TARGET = os.environ.get("NKIC_COMPAT_TARGET", "trn2")
LNC1_FALLBACK = os.environ.get("NKIC_COMPAT_LNC1", "1") == "1"
VERBOSE = os.environ.get("NKIC_COMPAT_VERBOSE") == "1"  # print the full traceback of every failure

# APIs of NKI releases after 0.3.0: a kernel that fails on one of them is UNSUPPORTED, not a bug.
POST_030_APIS = {
    "activate2": "0.4.0", "abs_max": "0.4.0", "abs_min": "0.4.0", "bypass": "0.4.0",
    "float8_e8m0fnu": "0.5.0", "flatten_dims": "0.5.0", "permute": "0.5.0",
    "fori_loop": "0.6.0", "while_loop": "0.6.0", "topk": "0.6.0", "all_gather_v": "0.6.0",
    "reduce_res_negate": "0.6.0", "depends_on": "0.6.0",
    "NkiScalar": "0.7.0", "scalar_load": "0.7.0", "tiles": "0.7.0", "if_else": "0.7.0",
}

_results = {"collected": [], "collect_errors": [], "cases": {}}
_current = []  # results of the test being run (one per execute() call)


# ---------------------------------------------------------------------------------------------
# Stand-ins for modules that nki-library's *test harness* imports but that are not installed here or
# not published. They serve their hardware fleet (AWS metrics, S3, SSH hosts, terminal plots) and are
# never called on the path this plugin uses. Kernel dependencies are never stubbed.
# ---------------------------------------------------------------------------------------------
class _Anything(type):
    """A class whose attributes, calls and subclasses are all more stand-ins."""

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything(name, (), {})

    def __call__(cls, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:  # used as a decorator
            return args[0]
        return _Anything("instance", (), {})


def _module_getattr(attr):
    if attr.startswith("__"):
        raise AttributeError(attr)
    return _Anything(attr, (), {})


def _stub_module(name, **attrs):
    module = types.ModuleType(name)
    module.__path__ = []  # a package, so that submodules can be stubbed too
    module.__getattr__ = _module_getattr
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


class _StubFinder:
    """Imports of these packages and any of their submodules give stand-in modules."""

    def __init__(self, packages):
        self.packages = set(packages)

    def find_spec(self, name, path=None, target=None):
        if any(name == p or name.startswith(p + ".") for p in self.packages):
            return importlib.util.spec_from_loader(name, self, is_package=True)
        return None

    def create_module(self, spec):
        return _stub_module(spec.name)

    def exec_module(self, module):
        pass


def _installed(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


X4_DTYPES = ("float8_e4m3fn_x4", "float8_e5m2_x4", "float4_e2m1fn_x4")


def _static_cast(array, dtype):
    """neuron_dtypes.static_cast: converts an array (rounding to nearest even) to an NKI/NumPy dtype."""
    if str(dtype) in X4_DTYPES or str(getattr(array, "dtype", "")) in X4_DTYPES:
        # neuron_dtypes has NumPy dtypes for packed MX arrays; nkic has none (np.dtype(nl.float8_e4m3fn_x4)
        # is plain uint32), so a test cannot hand an MX-typed array to a kernel here.
        raise NotImplementedError(f"packed MX array ({dtype}): no host NumPy dtype for x4 types in nkic")
    return np.asarray(array).astype(np.dtype(dtype))


def _is_float_type(dtype):
    dtype = np.dtype(dtype)
    return np.issubdtype(dtype, np.floating) or dtype.kind == "V" or "float" in dtype.name


def _install_harness_stubs():
    missing = [name for name in ("boto3", "botocore", "fabric2", "paramiko", "aws_embedded_metrics", "plotext",
                                 "allpairspy", "pytest_html", "debugpy", "attr") if not _installed(name)]
    # Not in the public snapshot: the lock scripts of their device fleet and a private perf analysis.
    missing += ["test.utils.scripts", "test.utils.perf_analysis_private"]
    sys.meta_path.append(_StubFinder(missing))
    if not _installed("neuron_dtypes"):  # the Neuron compiler's dtype helpers, used by tests for inputs
        import ml_dtypes
        import nki.language as nl
        module = _stub_module("neuron_dtypes", static_cast=_static_cast, is_float_type=_is_float_type,
                              sizeinbytes=lambda dtype: np.dtype(dtype).itemsize, finfo=ml_dtypes.finfo,
                              bfloat16=ml_dtypes.bfloat16, float8_e4m3fn_x4=nl.float8_e4m3fn_x4,
                              float8_e5m2_x4=nl.float8_e5m2_x4, float4_e2m1fn_x4=nl.float4_e2m1fn_x4)
        del module.__getattr__  # only what is defined here: a missing helper must fail loudly
    # qkv_cte's test imports static_cast from the compiler's internals; only that module is provided,
    # so a kernel that imports the legacy `neuronxcc.nki` namespace still fails as it would.
    if not _installed("neuronxcc"):
        _stub_module("neuronxcc")
    for name in ("neuronxcc.starfish", "neuronxcc.starfish.support"):
        _stub_module(name)
    _stub_module("neuronxcc.starfish.support.dtype", static_cast=_static_cast)


_install_harness_stubs()


# ---------------------------------------------------------------------------------------------
# Running one kernel
# ---------------------------------------------------------------------------------------------
def _diagnostic(exc):
    """The first line of a diagnostic, with the kernel location when nkic gives one."""
    text = str(exc) or type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    message = next((line for line in lines if line.startswith("error:")), lines[0] if lines else "")
    if not message.startswith("error:") and not isinstance(exc, _nki().NkiError):
        message = f"{type(exc).__name__}: {message}"
    filename = getattr(exc, "filename", None)
    if filename and getattr(exc, "lineno", None):
        filename = filename.split("/nkilib/", 1)[-1]
        return f"{filename}:{exc.lineno}: {message}"
    return message


def _post_030_feature(message):
    """'post-0.3.0: api (release)' when the diagnostic is about an API of a later release."""
    for api, release in POST_030_APIS.items():
        if re.search(rf"(\b(nl|nisa|language|isa)\.|attribute '|method '){api}\b", message):
            return f"post-0.3.0: {api} ({release})"
    return None


def _nki():
    import nki
    return nki


def _error_result(exc, phase):
    """Classifies an exception raised while compiling ('compile') or simulating ('run')."""
    nki = _nki()
    if VERBOSE:
        traceback.print_exception(exc)
    if isinstance(exc, MemoryError):
        return {"status": "RUNTIME-ERROR", "detail": f"MemoryError: out of memory ({phase})"}
    message = _diagnostic(exc)
    feature = _post_030_feature(message)
    if feature:
        return {"status": "UNSUPPORTED", "detail": feature}
    if isinstance(exc, nki.NkiSimulationError) or (phase == "run" and not isinstance(exc, nki.NkiCompileError)):
        return {"status": "RUNTIME-ERROR", "detail": message}
    return {"status": "COMPILE-ERROR", "detail": message}


def _launch(kernel_func, lnc, inputs):
    """Compiles and simulates; returns (outputs, result-or-None, timings)."""
    nki = _nki()
    kernel = nki.simulate(kernel_func)[lnc]  # kernel[2] raises NkiError while nkic has one core
    times = {}
    start = time.perf_counter()
    try:
        kernel.compile(**inputs)
    except Exception as exc:  # noqa: BLE001 -- every failure is a result to report
        return None, _error_result(exc, "compile"), times
    times["compile_s"] = round(time.perf_counter() - start, 3)
    start = time.perf_counter()
    try:
        outputs = kernel(**inputs)
    except Exception as exc:  # noqa: BLE001
        return None, _error_result(exc, "run"), times
    times["simulate_s"] = round(time.perf_counter() - start, 3)
    if outputs is None:
        outputs = []
    elif not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return list(outputs), None, times


def _compare(outputs, validation_args):
    """Compares with the test's golden values, using the repository's own comparator and tolerances."""
    from test.integration.nkilib.utils.comparators import maxAllClose
    from test.utils.common_dataclasses import (CustomValidatorWithOutputTensorData, LazyGoldenGenerator,
                                               normalize_golden_output)

    placeholders = normalize_golden_output(validation_args.golden_output)  # names and dtypes, in order
    if len(outputs) != len(placeholders):
        return {"status": "WRONG", "detail": f"kernel returned {len(outputs)} outputs, the test expects "
                                             f"{len(placeholders)} ({', '.join(placeholders)})"}
    golden = validation_args.golden_output
    golden = golden.golden if isinstance(golden, LazyGoldenGenerator) else placeholders
    if golden is None:
        return {"status": "PASS", "detail": "(the test checks no values)"}
    rtol, atol = validation_args.relative_accuracy, validation_args.absolute_accuracy
    failures, worst = [], 0.0
    for (name, placeholder), output in zip(placeholders.items(), outputs):
        expected = golden[name]
        actual = np.asarray(output, dtype=placeholder.dtype)
        if isinstance(expected, CustomValidatorWithOutputTensorData):
            if not expected.validator(None).validate(np.ascontiguousarray(actual).view(np.uint8).ravel()):
                failures.append(f"{name} (the test's {expected.validator.__name__})")
            continue
        try:
            a, b = actual.astype(np.float32), np.asarray(expected).astype(np.float32)
        except (TypeError, ValueError):  # packed x4 dtypes: compare bytes
            if not np.array_equal(actual.view(np.uint8), np.asarray(expected).view(np.uint8)):
                failures.append(f"{name} (bytes differ)")
            continue
        if a.shape != b.shape:
            failures.append(f"{name} shape {a.shape} != {b.shape}")
            continue
        with np.errstate(invalid="ignore"):
            err = float(np.nanmax(np.abs(a - b))) if a.size else 0.0
        nans = int(np.count_nonzero(np.isnan(a) & ~np.isnan(b)))
        worst = max(worst, err)
        if not maxAllClose(a, b, rtol, atol, verbose=0) or nans:
            scale = float(np.max(np.abs(b))) if b.size else 0.0
            failures.append(f"{name} max abs err {err:.3g} (|ref| max {scale:.3g}, rtol {rtol:g}, atol {atol:g}"
                            + (f", {nans} NaN" if nans else "") + ")")
    if failures:
        return {"status": "WRONG", "detail": "; ".join(failures), "max_abs_err": worst}
    return {"status": "PASS", "detail": "", "max_abs_err": worst}


def run_kernel(kernel_args):
    """One kernel launch of a test: the result dict recorded for the report."""
    compiler = kernel_args.compiler_input
    lnc = getattr(compiler, "logical_nc_config", 1) or 1
    os.environ["NEURON_PLATFORM_TARGET_OVERRIDE"] = compiler.platform_target.get_compile_target()
    inputs = kernel_args.kernel_input or {}
    if not isinstance(inputs, dict):  # collectives: per-rank inputs; nkic runs rank 0 alone
        inputs = inputs.for_rank(0)
    # Copies, as their harness ships inputs to the device: a kernel that writes into an input (in-place
    # outputs) must not change the arrays the test's lazy reference reads afterwards.
    inputs = {k.removesuffix(".must_alias_input"): v.copy() if isinstance(v, np.ndarray) else v
              for k, v in inputs.items()}
    func = kernel_args.kernel_func
    result = {"kernel": f"{getattr(func, '__module__', '?')}.{getattr(func, '__name__', '?')}",
              "lnc": lnc, "target": str(compiler.platform_target)}
    ranks = getattr(kernel_args.inference_args, "collective_ranks", 1)
    if ranks > 1:
        result["ranks"] = ranks

    from test.utils.ranged_test_harness import is_in_negative_test_context
    negative = is_in_negative_test_context()  # the test expects the kernel to reject these arguments

    def outcome(outputs, error):
        if negative:
            if error and error["status"] in ("COMPILE-ERROR", "RUNTIME-ERROR"):
                return {"status": "PASS", "detail": f"(rejected, as the test expects) {error['detail']}"}
            if not error:
                return {"status": "WRONG", "detail": "accepted arguments the test expects the kernel to reject"}
        if error:
            return error
        if kernel_args.validation_args is None:
            return {"status": "PASS", "detail": "(the test checks no values)"}
        try:
            return _compare(outputs, kernel_args.validation_args)
        except MemoryError:
            return {"status": "HARNESS-ERROR", "detail": "MemoryError: the test's reference ran out of memory"}

    try:
        outputs, error, times = _launch(func, lnc, inputs)
    except _nki().NkiError as exc:  # raised by kernel[2] itself
        if lnc == 2 and "kernel[2]" in str(exc):
            result.update(status="UNSUPPORTED", detail="lnc2")
            if LNC1_FALLBACK:  # same inputs on one core: everything but the sharding still gets checked
                outputs, error, times = _launch(func, 1, inputs)
                result["lnc1"] = {**outcome(outputs, error), **times}
            return result
        raise
    result.update(times)
    result.update(outcome(outputs, error))
    return result


class NkicOrchestrator:
    """Stands in for nki-library's `test_manager` fixture (test.utils.test_orchestrator.Orchestrator)."""

    def execute(self, kernel_args):
        result = run_kernel(kernel_args)
        _current.append(result)
        if result["status"] != "UNSUPPORTED" and (result["status"] != "PASS" or "(rejected" in result["detail"]):
            # Fail as their orchestrator would, so that the test's own control flow goes on as on hardware.
            raise AssertionError(f"{result['status']} {result.get('detail', '')}")


# ---------------------------------------------------------------------------------------------
# pytest hooks and fixtures
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def test_manager():
    return NkicOrchestrator()


@pytest.fixture
def platform_target(request):
    """The selected target, or the first one the test allows (MX tests exclude trn1 and trn2)."""
    from test.utils.common_dataclasses import Platforms
    return Platforms(target_for(request.node))


@pytest.fixture
def collector():
    from test.utils.metrics_collector import NoopMetricsCollector
    return NoopMetricsCollector()


def pytest_generate_tests(metafunc):
    """Expands nki-library's two parametrization schemes with their own generators (as their conftest does):
    @range_test_config (a `range_test_options` argument) and @pytest.mark.coverage_parametrize."""
    if not metafunc.definition.get_closest_marker("fast"):  # the runner runs the fast tests only
        return
    from test.utils import ranged_test_harness as ranged
    if ranged.RANGE_TEST_FIXTURE_NAME in metafunc.fixturenames:
        function = metafunc.function
        limit = getattr(function, ranged.RANGE_TEST_LIMIT_NUM_TESTS_ATTR_KEY, None)
        harness = ranged.RangeTestHarness(getattr(function, ranged.RANGE_TEST_CONFIG_ATTR_KEY),
                                          **({ranged.RANGE_TEST_LIMIT_NUM_TESTS_ATTR_KEY: limit} if limit else {}))
        ids, configs = harness.get_unique_test_cases()
        metafunc.parametrize(ranged.RANGE_TEST_FIXTURE_NAME, configs, ids=ids)
        return
    marker = metafunc.definition.get_closest_marker("coverage_parametrize")
    if not marker:
        return
    from test.utils.coverage_parametrized_tests import extract_parametrize_args, generate_parametrized_test_case
    params = dict(marker.kwargs)
    cases = generate_parametrized_test_case(
        params=params,
        coverage=params.pop("coverage", None) or "singles",
        filter_func=params.pop("filter", None),
        enable_automatic_boundary_tests=params.pop("enable_automatic_boundary_tests", True),
        enable_invalid_combination_tests=params.pop("enable_invalid_combination_tests", True),
        n_tests_per_boundary_value=params.pop("n_tests_per_boundary_value", 3),
        max_invalid_tests=params.pop("max_invalid_tests", 30),
    )
    names, values, ids = extract_parametrize_args(params, cases)
    metafunc.parametrize(names, values, ids=ids)


def target_for(item):
    marker = item.get_closest_marker("platforms")
    excluded = {str(p) for p in (marker.kwargs.get("exclude") or [])} if marker else set()
    return next(t for t in (TARGET, "trn2", "trn3", "trn1") if t not in excluded)


def pytest_configure(config):
    for mark in ("fast", "coverage_parametrize", "platforms", "slow_simulation"):
        config.addinivalue_line("markers", f"{mark}: nki-library test mark")
    try:
        import torch
        torch.set_num_threads(1)  # the machine is shared; references are small
    except ImportError:
        pass


def pytest_collectreport(report):
    if report.failed:
        _results["collect_errors"].append({"nodeid": report.nodeid, "error": _first_error_line(report)})


def pytest_collection_finish(session):
    _results["collected"] = [item.nodeid for item in session.items]


def pytest_runtest_setup(item):
    _current.clear()
    np.random.seed(0)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _results["cases"][item.nodeid] = _case_result(report)


def _first_error_line(report):
    crash = getattr(report.longrepr, "reprcrash", None)  # the last exception of a chain
    if crash is not None and crash.message:
        return crash.message.splitlines()[0]
    text = str(report.longrepr) if report.longrepr else ""
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    if errors:
        return errors[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no message)"


def _case_result(report):
    """The case's result: its worst kernel launch (the test's own pass/fail is not used)."""
    launches = list(_current)
    if report.skipped:
        return {"status": "SKIPPED", "detail": _first_error_line(report)}
    if not launches:
        if report.passed:  # a negative case that the test rejects by itself, before any kernel runs
            return {"status": "SKIPPED", "detail": "(no kernel ran: the test rejected the case itself)"}
        return {"status": "HARNESS-ERROR", "detail": _first_error_line(report)}  # a gap in this plugin
    order = ["HARNESS-ERROR", "COMPILE-ERROR", "RUNTIME-ERROR", "WRONG", "UNSUPPORTED", "PASS"]
    result = dict(min(launches, key=lambda r: order.index(r["status"])))
    if len(launches) > 1:
        result["launches"] = launches
    return result


def pytest_sessionfinish(session, exitstatus):
    if RESULT_FILE:
        with open(RESULT_FILE, "w") as f:
            json.dump(_results, f, indent=1, default=str)
