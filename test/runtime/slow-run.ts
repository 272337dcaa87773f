// A run over 30 items that takes a while, for the kill-and-resume test: argv = <run dir> <new|resume>.
import { Run } from "../../src/runtime/run.ts";
import { runItems } from "../../src/runtime/run-items.ts";
import { wrapModel } from "../../src/runtime/wrap-model.ts";
import { ScriptedModel } from "../../src/testing/scripted-model.ts";

const [dir, mode] = process.argv.slice(2);
if (!dir || (mode !== "new" && mode !== "resume")) {
  process.stderr.write("usage: slow-run.ts <run dir> <new|resume>\n");
  process.exit(2);
}
const run = mode === "new" ? Run.create({ dir, config: { items: 30 } }) : Run.resume(dir);
const model = wrapModel(
  new ScriptedModel({ script: (request) => `answer ${request.prompt?.length ?? 0}` }),
  { onCall: (event) => run.appendEvent(event) },
);
const items = Array.from({ length: 30 }, (_, i) => ({ id: `item-${i}`, prompt: "x".repeat(i) }));
const report = await runItems(
  items,
  async (item) => {
    await new Promise((resolve) => setTimeout(resolve, 25 + ((item.prompt.length * 7) % 20)));
    const result = await model.generate({ prompt: item.prompt, temperature: 0 });
    return { text: result.generations[0]?.text, usage: result.usage };
  },
  { run, concurrency: 3 },
);
run.close();
process.stdout.write(
  `${JSON.stringify({ completed: report.completed, skipped: report.skipped })}\n`,
);
