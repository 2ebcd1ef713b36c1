"""The include graph follows the layers of docs/architecture (DESIGN): each stage includes only the
stages below it. One include root alone would not stop `#include "sim/..."` from trace/, so this test
reads every #include of our own sources and fails on a forbidden edge."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Stage -> the stages its files may include (itself included).
ALLOWED = {
    "src/support": {"support"},
    "src/frontend": {"support", "frontend"},
    "src/ir": {"support", "ir"},
    "src/numerics": {"support", "ir", "numerics"},
    "src/target": {"support", "ir", "target"},
    "src/trace": {"support", "frontend", "ir", "numerics", "target", "trace"},
    "src/passes": {"support", "ir", "numerics", "target", "passes"},
    "src/sim": {"support", "ir", "numerics", "target", "sim"},
    "src/perf": {"support", "ir", "numerics", "target", "sim", "perf"},
    "src/api": {"support", "frontend", "ir", "numerics", "target", "trace", "passes", "sim", "perf", "api"},
    "tools/nkic": {"support", "api"},
    "python/bindings": {"support", "api"},
}
STAGES = {"support", "frontend", "ir", "numerics", "target", "trace", "passes", "sim", "perf", "api"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def edges():
    for folder, allowed in ALLOWED.items():
        for f in sorted((ROOT / folder).glob("*")):
            if f.suffix not in (".h", ".cpp"):
                continue
            for target in INCLUDE.findall(f.read_text(encoding="utf-8")):
                stage = target.split("/")[0] if "/" in target else None
                yield f.relative_to(ROOT).as_posix(), target, stage, allowed


def test_every_stage_folder_is_listed():
    folders = {p.name for p in (ROOT / "src").iterdir() if p.is_dir()}
    assert folders == STAGES, "a new stage needs its row in ALLOWED (and in CMakeLists.txt)"


def test_includes_follow_the_layers():
    bad = [f"{f} includes \"{t}\"" for f, t, stage, allowed in edges() if stage in STAGES and stage not in allowed]
    assert not bad, "forbidden include edges:\n" + "\n".join(bad)


def test_the_checker_sees_includes():
    # Guards against a regex that silently matches nothing.
    assert sum(1 for _ in edges()) > 100


def test_each_stage_is_its_own_library():
    cmake = (ROOT / "CMakeLists.txt").read_text()
    for stage in STAGES:
        assert re.search(rf"nkic_stage\({stage}\b", cmake), stage
