// UTGen/UTDebug unit-test harness for JavaScript tasks, run inside the chorus sandbox: the JS
// counterpart of ut-harness.py (same requests and answers, ops "inputs", "literals", "parse",
// "run"). Values are JavaScript values: arguments and outputs are evaluated as JS expressions in
// a fresh vm context, compared structurally (arrays and plain objects by content, numbers within
// 1e-6 absolute + 1e-7 relative, two error strings equal).
const vm = require("node:vm");

function evaluate(text, timeoutMs) {
  return vm.runInContext(`(${text})`, vm.createContext({}), { timeout: timeoutMs });
}

function parseArgs(text) {
  const value = vm.runInContext(`[${text}]`, vm.createContext({}), { timeout: 1000 });
  if (!Array.isArray(value)) throw new Error("the arguments do not form a list");
  return value;
}

/** A canonical text of a value: equal values give equal texts (the vote and duplicate key). */
function canonical(value, depth = 0) {
  if (depth > 50) return "…";
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "number") return Object.is(value, -0) ? "0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "function") return "[function]";
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(", ")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${canonical(value[k], depth + 1)}`).join(", ")}}`;
  }
  return String(value);
}

function isErrorText(value) {
  return typeof value === "string" && /error/i.test(value) && /Error|error/.test(value);
}

function equal(actual, expected, depth = 0) {
  if (depth > 50) return false;
  if (typeof actual === "number" && typeof expected === "number") {
    if (Number.isNaN(actual) && Number.isNaN(expected)) return true;
    if (actual === expected) return true;
    return Math.abs(actual - expected) <= 1e-6 + 1e-7 * Math.abs(expected);
  }
  if (Array.isArray(actual) && Array.isArray(expected))
    return (
      actual.length === expected.length && actual.every((v, i) => equal(v, expected[i], depth + 1))
    );
  if (
    actual !== null &&
    expected !== null &&
    typeof actual === "object" &&
    typeof expected === "object" &&
    !Array.isArray(actual) &&
    !Array.isArray(expected)
  ) {
    const a = Object.keys(actual).sort();
    const b = Object.keys(expected).sort();
    return (
      a.length === b.length &&
      a.every((k, i) => k === b[i] && equal(actual[k], expected[k], depth + 1))
    );
  }
  return actual === expected;
}

function outputsEqual(actual, expected) {
  if (isErrorText(actual) && isErrorText(expected)) return true;
  try {
    return equal(actual, expected);
  } catch {
    return false;
  }
}

function describeError(error) {
  if (error?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT")
    return "Timeout: the call did not return in time";
  const name = error?.name ? error.name : "Error";
  const message = error?.message !== undefined ? error.message : String(error);
  return `Error: ${name}: ${message}`;
}

function show(value) {
  const text = canonical(value);
  return text.length <= 2000 ? text : `${text.slice(0, 2000)}...`;
}

function opInputs(request) {
  return request.texts.map((text) => {
    try {
      return { ok: true, key: canonical(parseArgs(text)), error: "" };
    } catch (error) {
      return { ok: false, key: "", error: describeError(error) };
    }
  });
}

function opLiterals(request) {
  return request.texts.map((text) => {
    try {
      const value = evaluate(text, 1000);
      const key = canonical(value);
      return { ok: true, str: key, repr: key, error: "" };
    } catch (error) {
      return { ok: false, str: "", repr: "", error: describeError(error) };
    }
  });
}

function loadFunction(code, entryPoint, timeoutMs) {
  const context = vm.createContext({ require, console: { log() {}, error() {}, warn() {} } });
  try {
    vm.runInContext(code, context, { timeout: timeoutMs });
    const fn = vm.runInContext(
      `typeof ${entryPoint} === "function" ? ${entryPoint} : undefined`,
      context,
    );
    if (typeof fn !== "function")
      return { context, error: `Error: the code does not define a function named ${entryPoint}` };
    return { context, fn };
  } catch (error) {
    return { context, error: describeError(error) };
  }
}

function opRun(request) {
  const timeoutMs = request.timeoutS * 1000;
  const loaded = loadFunction(request.code, request.entryPoint, timeoutMs);
  const results = request.tests.map((test) => {
    if (!loaded.fn) return { verdict: "error", actual: loaded.error };
    let args;
    try {
      args = parseArgs(test.input);
    } catch (error) {
      return { verdict: "error", actual: `Error: bad input: ${describeError(error)}` };
    }
    let ok = true;
    let value;
    try {
      loaded.context.__chorusArgs = args;
      value = vm.runInContext(`${request.entryPoint}(...__chorusArgs)`, loaded.context, {
        timeout: timeoutMs,
      });
    } catch (error) {
      ok = false;
      value = describeError(error);
    }
    if (test.output === null || test.output === undefined)
      return ok
        ? { verdict: "pass", actual: show(value) }
        : { verdict: value.startsWith("Timeout") ? "timeout" : "error", actual: value };
    const expected = evaluate(test.output, 1000);
    if (!ok)
      return {
        verdict: outputsEqual(value, expected)
          ? "pass"
          : value.startsWith("Timeout")
            ? "timeout"
            : "error",
        actual: value,
      };
    return { verdict: outputsEqual(value, expected) ? "pass" : "fail", actual: show(value) };
  });
  return { defined: Boolean(loaded.fn), error: loaded.error ?? null, results };
}

function opParse(request) {
  return {
    inputs: opInputs({ texts: request.inputs }),
    literals: opLiterals({ texts: request.literals }),
  };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const write = process.stdout.write.bind(process.stdout);
  const ops = { inputs: opInputs, literals: opLiterals, parse: opParse, run: opRun };
  let answer;
  try {
    const op = ops[request.op];
    if (!op) throw new Error(`the JavaScript harness has no op "${request.op}"`);
    answer = { ok: true, value: op(request) };
  } catch (error) {
    answer = { ok: false, error: describeError(error) };
  }
  write(`\n${request.marker}\n${JSON.stringify(answer)}\n`, () => process.exit(0));
});
