"""UTGen/UTDebug unit-test harness, run inside the chorus sandbox.

Reads one JSON request on stdin and prints one JSON answer after a marker line. Everything with
Python semantics lives here (literal parsing, deep copies, equality of tuples/sets/floats/big
ints); the TypeScript side only orchestrates (spec 3.6, pitfall 10).

Requests:
  {"op": "literals", "texts": [str]}
      -> [{"ok": bool, "str": str, "repr": str, "error": str}]
  {"op": "inputs", "texts": [str]}   (texts inside f(...))
      -> [{"ok": bool, "key": str, "error": str}]
  {"op": "parse", "inputs": [str], "literals": [str]}   (both of the above in one run)
      -> {"inputs": [...], "literals": [...]}
  {"op": "run", "code": str, "entryPoint": str, "tests": [{"input": str, "output": str|null}],
   "timeoutS": float, "setCompare": bool}
      -> {"defined": bool, "error": str|null,
          "results": [{"verdict": "pass"|"fail"|"error"|"timeout", "actual": str}]}
     `input` is the text inside `f(...)`: a tuple literal means positional arguments.
  {"op": "intrinsic", "gold": str, "buggy": str, "entryPoint": str,
   "tests": [{"input": str, "output": str}], "timeoutS": float, "validityTimeoutS": float,
   "setCompare": bool}
      -> [{"valid": bool, "attack": bool, "outputCorrect": bool}]
  {"op": "mutants", "code": str, "limit": int}
      -> [{"code": str, "kind": str, "description": str, "line": int}]
  {"op": "reveal", "gold": str, "buggy": str, "entryPoint": str, "inputs": [str],
   "timeoutS": float, "setCompare": bool}
      -> [{"valid": bool, "revealing": bool, "goldOutput": str, "buggyOutput": str}]
"""

import ast
import copy
import io
import json
import os
import signal
import sys


import math

_numpy = []


def numpy():
    """numpy, imported on first float comparison only (its import costs more than a test run);
    None when it is not installed (math.isclose is used then)."""
    if not _numpy:
        try:
            import numpy as np
        except Exception:
            np = None
        _numpy.append(np)
    return _numpy[0]


class TestTimeout(BaseException):
    """BaseException so that the tested code's `except Exception` cannot swallow it."""


def on_alarm(_signum, _frame):
    raise TestTimeout()


signal.signal(signal.SIGALRM, on_alarm)


def parse_literal(text):
    return ast.literal_eval(text.strip())


def parse_args(text):
    """The text inside f(...), read as a call so Python decides what is one argument:
    `f((1, 2))` passes one tuple and `f(1, 2)` two numbers (the released parser turned any tuple
    into positional arguments; see docs/utgen-utdebug.md)."""
    call = ast.parse("f(" + text.strip() + ")", mode="eval").body
    if call.keywords:
        raise ValueError("keyword arguments are not supported; give positional arguments")
    return [ast.literal_eval(arg) for arg in call.args]


def is_floats(value):
    if isinstance(value, float):
        return True
    if isinstance(value, (list, tuple)) and len(value) > 0:
        return all(isinstance(v, float) for v in value)
    return False


def is_error_text(value):
    return isinstance(value, str) and ("Error" in value or "error" in value)


def outputs_equal(actual, expected, set_compare):
    # The released code meant "two error strings are equal" but its typo raised instead; this is
    # the intended rule (spec pitfall 10).
    if is_error_text(actual) and is_error_text(expected):
        return True
    try:
        if is_floats(expected):
            np = numpy()
            if np is not None:
                return bool(np.allclose(actual, expected, rtol=1e-07, atol=1e-6))
            if isinstance(expected, float):
                return math.isclose(actual, expected, rel_tol=1e-07, abs_tol=1e-6)
            return len(actual) == len(expected) and all(
                math.isclose(a, e, rel_tol=1e-07, abs_tol=1e-6) for a, e in zip(actual, expected)
            )
        if set_compare:
            try:
                return set(actual) == set(expected)
            except TypeError:
                pass
        return bool(actual == expected)
    except BaseException:
        return False


HEADER = []


def define(code):
    """Runs the code after the request's import header; returns its namespace or raises."""
    namespace = {"__name__": "__chorus_ut__"}
    exec(compile(HEADER[0] + "\n" + code, "<candidate>", "exec"), namespace)
    return namespace


def call(function, args, timeout_s):
    """(ok, value) where value is the result, or "Error: ..." / "Timeout" text."""
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        return True, function(*copy.deepcopy(args))
    except TestTimeout:
        return False, "Timeout: the call did not return in time"
    except BaseException as error:
        return False, f"Error: {type(error).__name__}: {error}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def show(value):
    try:
        text = repr(value)
    except BaseException as error:
        text = f"<unprintable {type(error).__name__}>"
    return text if len(text) <= 2000 else text[:2000] + "..."


def op_inputs(request):
    """Parses call arguments; `key` is the repr of the argument list (for duplicate checks)."""
    out = []
    for text in request["texts"]:
        try:
            out.append({"ok": True, "key": repr(parse_args(text)), "error": ""})
        except BaseException as error:
            out.append({"ok": False, "key": "", "error": f"{type(error).__name__}: {error}"})
    return out


def op_parse(request):
    """Both parses in one run: call arguments and output literals."""
    return {
        "inputs": op_inputs({"texts": request["inputs"]}),
        "literals": op_literals({"texts": request["literals"]}),
    }


def op_literals(request):
    out = []
    for text in request["texts"]:
        try:
            value = parse_literal(text)
            out.append({"ok": True, "str": str(value), "repr": repr(value), "error": ""})
        except BaseException as error:
            out.append({"ok": False, "str": "", "repr": "", "error": f"{type(error).__name__}: {error}"})
    return out


def load_function(code, entry_point, timeout_s):
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        function = define(code).get(entry_point)
        if not callable(function):
            return None, f"Error: the code does not define a function named {entry_point}"
        return function, None
    except TestTimeout:
        return None, "Timeout: defining the code did not finish in time"
    except BaseException as error:
        return None, f"Error: {type(error).__name__}: {error}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def op_run(request):
    function, error = load_function(request["code"], request["entryPoint"], request["timeoutS"])
    results = []
    for test in request["tests"]:
        if function is None:
            results.append({"verdict": "error", "actual": error})
            continue
        try:
            args = parse_args(test["input"])
        except BaseException as parse_error:
            results.append({"verdict": "error", "actual": f"Error: bad input: {parse_error}"})
            continue
        ok, value = call(function, args, request["timeoutS"])
        if test.get("output") is None:
            verdict = "pass" if ok else ("timeout" if value.startswith("Timeout") else "error")
            results.append({"verdict": verdict, "actual": show(value) if ok else value})
            continue
        expected = parse_literal(test["output"])
        if not ok:
            verdict = "pass" if outputs_equal(value, expected, False) else (
                "timeout" if value.startswith("Timeout") else "error")
            results.append({"verdict": verdict, "actual": value})
            continue
        same = outputs_equal(value, expected, request.get("setCompare", False))
        results.append({"verdict": "pass" if same else "fail", "actual": show(value)})
    return {"defined": function is not None, "error": error, "results": results}


def op_intrinsic(request):
    timeout_s = request["timeoutS"]
    gold, gold_error = load_function(request["gold"], request["entryPoint"], timeout_s)
    if gold is None:
        raise RuntimeError(f"the gold code does not run: {gold_error}")
    buggy, _ = load_function(request["buggy"], request["entryPoint"], timeout_s)
    out = []
    for test in request["tests"]:
        try:
            args = parse_args(test["input"])
            expected = parse_literal(test["output"])
        except BaseException:
            out.append({"valid": False, "attack": False, "outputCorrect": False})
            continue
        gold_ok, gold_value = call(gold, args, request["validityTimeoutS"])
        if not gold_ok:
            out.append({"valid": False, "attack": False, "outputCorrect": False})
            continue
        set_compare = request.get("setCompare", False)
        if buggy is None:
            attack = True
        else:
            buggy_ok, buggy_value = call(buggy, args, timeout_s)
            attack = not buggy_ok or not outputs_equal(buggy_value, gold_value, set_compare)
        correct = outputs_equal(expected, gold_value, set_compare)
        out.append({"valid": True, "attack": attack, "outputCorrect": correct})
    return out


# Deterministic single-site mutations for UTGen training data: (node type, replacement, label).
BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult,
               ast.Div: ast.Mult, ast.Mod: ast.FloorDiv}
CMP_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
             ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
CMP_FLIPS = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}
BOOL_SWAPS = {ast.And: ast.Or, ast.Or: ast.And}
SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Div: "/",
          ast.Mod: "%", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
          ast.NotEq: "!=", ast.And: "and", ast.Or: "or"}


def mutation_sites(tree):
    """Every (node, field, index, new value, kind, description) single change, in source order."""
    sites = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAPS:
            new = BINOP_SWAPS[type(node.op)]
            sites.append((line, node, "op", None, new(), "operator swap",
                          f"`{SYMBOL[new]}` is used where `{SYMBOL[type(node.op)]}` is needed"))
        elif isinstance(node, ast.BoolOp) and type(node.op) in BOOL_SWAPS:
            new = BOOL_SWAPS[type(node.op)]
            sites.append((line, node, "op", None, new(), "operator swap",
                          f"`{SYMBOL[new]}` is used where `{SYMBOL[type(node.op)]}` is needed"))
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in CMP_SWAPS:
                    new = CMP_SWAPS[type(op)]
                    kind = "off-by-one boundary" if new in (ast.Lt, ast.LtE, ast.Gt, ast.GtE) else "comparison flip"
                    sites.append((line, node, "ops", i, new(), kind,
                                  f"`{SYMBOL[new]}` is used where `{SYMBOL[type(op)]}` is needed"))
                if type(op) in CMP_FLIPS:
                    new = CMP_FLIPS[type(op)]
                    sites.append((line, node, "ops", i, new(), "comparison flip",
                                  f"`{SYMBOL[new]}` is used where `{SYMBOL[type(op)]}` is needed"))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            for delta in (1, -1):
                sites.append((line, node, "value", None, node.value + delta, "off-by-one constant",
                              f"the constant {node.value + delta} is used where {node.value} is needed"))
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            sites.append((line, node, "value", None, not node.value, "constant change",
                          f"{not node.value} is used where {node.value} is needed"))
    sites.sort(key=lambda s: s[0])
    return sites


def op_mutants(request):
    """Single-site mutants of `code` that still compile and differ from it, at most `limit`.
    Descriptions are written from the mutant's side (what the faulty code does wrong)."""
    original = ast.unparse(ast.parse(request["code"]))
    out = []
    seen = set()
    count = len(mutation_sites(ast.parse(request["code"])))
    for index in range(count):
        tree = ast.parse(request["code"])
        line, node, field, position, value, kind, description = mutation_sites(tree)[index]
        if position is None:
            setattr(node, field, value)
        else:
            getattr(node, field)[position] = value
        try:
            code = ast.unparse(tree)
            compile(code, "<mutant>", "exec")
        except Exception:
            continue
        if code == original or code in seen:
            continue
        seen.add(code)
        out.append({"code": code + "\n", "kind": kind, "description": description, "line": line})
        if len(out) >= request["limit"]:
            break
    return out


def op_reveal(request):
    """For each input: does the gold code run (valid), and does the mutant differ from it?"""
    timeout_s = request["timeoutS"]
    gold, gold_error = load_function(request["gold"], request["entryPoint"], timeout_s)
    if gold is None:
        raise RuntimeError(f"the gold code does not run: {gold_error}")
    mutant, _ = load_function(request["buggy"], request["entryPoint"], timeout_s)
    out = []
    for text in request["inputs"]:
        try:
            args = parse_args(text)
        except BaseException:
            out.append({"valid": False, "revealing": False, "goldOutput": "", "buggyOutput": ""})
            continue
        gold_ok, gold_value = call(gold, args, timeout_s)
        if not gold_ok:
            out.append({"valid": False, "revealing": False, "goldOutput": "", "buggyOutput": ""})
            continue
        if mutant is None:
            ok, value = False, "Error: the mutant does not define the function"
        else:
            ok, value = call(mutant, args, timeout_s)
        revealing = not ok or not outputs_equal(value, gold_value, request.get("setCompare", False))
        out.append({"valid": True, "revealing": revealing, "goldOutput": show(gold_value),
                    "buggyOutput": show(value) if ok else value})
    return out


def main():
    request = json.loads(sys.stdin.read())
    marker = request["marker"]
    HEADER.append(request.get("header", ""))
    real_stdout = os.dup(1)
    # the tested code may print or read: keep both away from the answer channel
    sys.stdout = io.StringIO()
    sys.stdin = io.StringIO()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    ops = {"inputs": op_inputs, "literals": op_literals, "parse": op_parse,
           "mutants": op_mutants, "reveal": op_reveal, "run": op_run, "intrinsic": op_intrinsic}
    try:
        answer = {"ok": True, "value": ops[request["op"]](request)}
    except BaseException as error:
        answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    sys.stdout = io.StringIO()
    os.write(real_stdout, ("\n" + marker + "\n" + json.dumps(answer) + "\n").encode())
    os._exit(0)


main()
