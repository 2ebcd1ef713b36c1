"""nl.device_print prints a tensor's values when the simulator reaches it (program order, with the source
line); print() in a kernel prints at compile time; the CLI progress bar appears only on a terminal."""
import os
import pty
import subprocess
import sys
import textwrap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

SCRIPT = textwrap.dedent("""\
    import numpy as np
    import nki, nki.isa as nisa, nki.language as nl

    @nki.jit
    def show(a):
        print("compiling show for", a.shape)
        t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a)
        nl.device_print("loaded", t)
        nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
        nl.device_print("doubled", t)
        out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
        nisa.dma_copy(dst=out, src=t)
        return out

    print("before")
    show(np.arange(6, dtype=np.float32).reshape(2, 3))
    print("after")
    """)


def test_device_print_in_program_order(tmp_path):
    script = tmp_path / "show_kernel.py"
    script.write_text(SCRIPT)
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "before",
        "compiling show for (2, 3)",
        "loaded (show_kernel.py:9): float32[2, 3]",
        " [0 1 2]",
        " [3 4 5]",
        "doubled (show_kernel.py:11): float32[2, 3]",
        " [0 2 4]",
        " [6 8 10]",
        "after",
    ]


def test_progress_bar_only_on_a_terminal(nkic_path):
    cmd = [nkic_path, "run", os.path.join(ROOT, "examples", "tiled_add.py"), "--arg", "a=256x1024:float32",
           "--arg", "b=256x1024:float32"]
    env = dict(os.environ, NKIC_PROGRESS="always")
    piped = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert piped.returncode == 0 and "simulating [" not in piped.stderr
    pid, fd = pty.fork()
    if pid == 0:  # child: stdout and stderr are the terminal
        os.execve(nkic_path, cmd, env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"simulating [" in out and b"100%" in out
