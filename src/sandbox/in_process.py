"""Runs a Python program in the forked interpreter it was given, as `python3 -s -B main.py` would.

The fork server's target does not start a new interpreter: the zygote was started with the same
executable, flags and environment, so what remains is to make this interpreter look fresh (argv,
path, environment, a new __main__, only the modules a fresh start imports), and to end the way
Py_FinalizeEx does (non-daemon threads joined, atexit handlers, buffers flushed, the program's
objects finalized) with Python's exit status rules, but through os._exit: a full interpreter
teardown would touch, and so copy, every page inherited from the zygote, and cost more than a
whole fresh interpreter start.
"""

import _signal
import atexit
import builtins
import gc
import os
import sys


def run_program(program, baseline_modules, zygote_script):
    cwd, env, argv = program["cwd"], program["env"], program["argv"]
    os.environ.clear()
    os.environ.update(env)
    for name in list(sys.modules):
        if name not in baseline_modules:
            del sys.modules[name]
    path = os.path.join(cwd, "main.py")
    loader = sys.modules["_frozen_importlib_external"].SourceFileLoader("__main__", path)
    main = type(sys)("__main__")
    main.__dict__.update(
        __annotations__={},
        __builtins__=builtins,
        __cached__=None,
        __file__=path,
        __loader__=loader,
        __package__=None,
        __spec__=None,
    )
    sys.modules["__main__"] = main
    sys.argv = argv[-1:]
    sys.orig_argv = list(argv)
    sys.path[0] = cwd
    # the entries a start leaves: the script's directory, and the script itself (not a zip)
    sys.path_importer_cache.pop(os.path.dirname(zygote_script), None)
    sys.path_importer_cache[path] = sys.path_importer_cache.pop(zygote_script, None)
    with open(path, "rb") as f:
        source = f.read()
    status, interrupted = run_main(source, path, main), False
    if status is None:
        status, interrupted = 1, True
    os._exit(finalize(main, status, interrupted))


def run_main(source, path, main):
    """Runs the program; returns its exit status (None: ended by KeyboardInterrupt)."""
    try:
        code = compile(source, path, "exec", dont_inherit=True)
        exec(code, main.__dict__)
    except SystemExit as error:
        return exit_status(error)
    except BaseException as error:
        # the traceback starts at the program's own frame, as when Python runs the file
        tb = error.__traceback__.tb_next if error.__traceback__ else None
        error = error.with_traceback(tb)
        sys.last_type, sys.last_value, sys.last_traceback = type(error), error, tb
        sys.excepthook(type(error), error, tb)
        return None if isinstance(error, KeyboardInterrupt) else 1
    return 0


def exit_status(error):
    """What the interpreter does with an uncaught SystemExit: its code, or its message and 1."""
    code = error.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(f"{code}\n")
    except Exception:
        pass
    return 1


def finalize(main, status, interrupted):
    """Py_FinalizeEx's steps a program can observe, in its order."""
    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()
    atexit._run_exitfuncs()
    if not flush_std_files() and status == 0:
        status = 120
    gc.collect()
    # objects only the program's globals hold are finalized (a buffered file is flushed), as
    # when the interpreter clears __main__; names with one leading underscore go first
    names = [n for n in main.__dict__ if n != "__builtins__"]
    for name in sorted(names, key=lambda n: not (n.startswith("_") and not n.startswith("__"))):
        main.__dict__[name] = None
    gc.collect()
    flush_std_files()
    if interrupted:
        # Python ends an uncaught KeyboardInterrupt by SIGINT, so a shell sees the signal
        _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
        os.kill(os.getpid(), _signal.SIGINT)
    return status


def flush_std_files():
    ok = True
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except Exception:
            ok = False
    return ok
