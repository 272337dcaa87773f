import { BatchPendingError, UsageError } from "../model/errors.ts";
import { holdingCalls } from "../runtime/held-calls.ts";
import { itemContext } from "../runtime/item-context.ts";
import type { ProgressLine } from "../runtime/progress-line.ts";
import type { ResultRecord, Run } from "../runtime/run.ts";
import { type RunItemsReport, runItems } from "../runtime/run-items.ts";
import type { RunStats } from "../runtime/run-stats.ts";
import { inShard, type Shard } from "../runtime/shard.ts";
import { checkAnswer } from "./answers/check-answer.ts";
import type { AnswerType } from "./answers/extract-answer.ts";
import type { EvalItem } from "./eval-item.ts";
import type {
  CallCacheLike,
  EvalContext,
  EvalMethod,
  ItemUsage,
  MethodOutput,
} from "./eval-method.ts";
import type { EvalRecord } from "./eval-record.ts";
import { type EvalReport, summarize } from "./eval-report.ts";
import { evalItemLine } from "./item-line.ts";
import type { ModelSource } from "./model-source.ts";
import { addUsage, chargeCurrent, emptyUsage, metered, meterModel } from "./usage-meter.ts";

/** Inputs of one eval run: several methods on the same items. */
export interface RunEvalOptions {
  /** The first is the main method; the rest are compared with it. */
  methods: readonly EvalMethod[];
  items: readonly EvalItem[];
  dataset: { name: string; split: string; answerType: AnswerType };
  models: ModelSource;
  seed?: number;
  options?: Record<string, unknown>;
  concurrency?: number;
  /** Run only this shard of the items (`--shard i/N`); `chorus runs merge` joins the shards. */
  shard?: Shard;
  /** The runtime's run folder: results.jsonl receives every record; finished ones are skipped. */
  run?: Run;
  stats?: RunStats;
  progress?: ProgressLine;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Passed on to methods as `context.callCache`. */
  callCache?: CallCacheLike;
  /** Offline batch rounds: log no calls of work deferred to the next round (see runItems). */
  holdCalls?: boolean;
}

/** What `runEval` returns: every record, the summary, and each method's run report. */
export interface RunEvalResult {
  records: EvalRecord[];
  report: EvalReport;
  runReports: RunItemsReport<EvalRecord>[];
}

/**
 * Runs each method over the items (methods one after the other, items concurrently for
 * `runItem` methods), meters tokens and calls per item, scores predictions against gold answers,
 * records one result per (method, item) in the run folder, and summarizes.
 * @throws UsageError when a method cannot handle the dataset's answer type.
 */
export async function runEval(options: RunEvalOptions): Promise<RunEvalResult> {
  const seed = options.seed ?? 0;
  const log = options.log ?? (() => {});
  for (const method of options.methods) {
    if (!method.answerTypes.includes(options.dataset.answerType))
      throw new UsageError(
        `method "${method.name}" handles ${method.answerTypes.join("/")} answers, but dataset "${options.dataset.name}" has ${options.dataset.answerType} answers`,
      );
    method.checkOptions?.(options.options ?? {});
  }
  // what each item asked, beside its results (this shard's items: a merge joins the shards')
  options.run?.recordItems(
    options.items.filter((_, position) => inShard(position, options.shard)).map(evalItemLine),
  );
  const shared = new Map<string, Promise<{ value: unknown; usage: ItemUsage }>>();
  const perItemUsage = new Map<string, ItemUsage>();
  /** The method whose `runBatch` is running: its result ids are `<method>/<item id>`. */
  let batchMethod = "";
  const models: ModelSource = {
    names: options.models.names,
    nameFor: (role) => options.models.nameFor(role),
    use: (name, fn) => options.models.use(name, (model) => fn(meterModel(model))),
  };
  const context: EvalContext = {
    models,
    seed,
    options: options.options ?? {},
    dataset: options.dataset,
    log,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.callCache ? { callCache: options.callCache } : {}),
    async reuse<T>(key: string, compute: () => Promise<T>): Promise<T> {
      const existing = shared.get(key);
      if (existing) {
        const { value, usage } = await existing;
        chargeCurrent(usage, true);
        return value as T;
      }
      const pending = metered(compute);
      shared.set(key, pending);
      try {
        return (await pending).value;
      } catch (error) {
        shared.delete(key);
        throw error;
      }
    },
    async forItem<T>(itemId: string, fn: () => Promise<T>): Promise<T> {
      // a batch method's calls carry the run item id in events.jsonl too, as runItem methods'
      // do (those are already in their item's context)
      const inItem = itemContext.getStore() ?? { itemId: `${batchMethod}/${itemId}` };
      const { value, usage } = await itemContext.run(inItem, () => metered(fn));
      const total = perItemUsage.get(itemId) ?? emptyUsage();
      addUsage(total, usage);
      perItemUsage.set(itemId, total);
      return value;
    },
  };

  const records: EvalRecord[] = [];
  const runReports: RunItemsReport<EvalRecord>[] = [];
  for (const method of options.methods) {
    const id = (item: EvalItem) => `${method.name}/${item.id}`;
    const runOptions = {
      id,
      concurrency: options.concurrency ?? 1,
      ...(options.run ? { run: options.run } : {}),
      ...(options.stats ? { stats: options.stats } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.shard ? { shard: options.shard } : {}),
      ...(options.holdCalls ? { holdCalls: true } : {}),
    };
    log(`${method.name}: ${options.items.length} item(s)`);
    let report: RunItemsReport<EvalRecord>;
    if (method.runItem) {
      const runItem = method.runItem.bind(method);
      report = await runItems(
        options.items,
        async (item) => {
          const started = performance.now();
          const { value, usage } = await metered(() => runItem(item, context));
          return toRecord(method.name, item, value, usage, performance.now() - started);
        },
        runOptions,
      );
    } else if (method.runBatch) {
      batchMethod = method.name;
      const pending = options.items.filter(
        (item, position) =>
          inShard(position, options.shard) && !options.run?.finished.has(id(item)),
      );
      perItemUsage.clear();
      const started = performance.now();
      let outputs: MethodOutput[] = [];
      try {
        const runBatchOf = method.runBatch.bind(method);
        const runBatch = () => runBatchOf(pending, context);
        if (pending.length > 0)
          outputs = await (options.holdCalls ? holdingCalls(runBatch) : runBatch());
      } catch (error) {
        if (!(error instanceof BatchPendingError)) throw error;
        // the batch method's calls went into an offline batch: every pending item waits for it
        const finished = options.items.flatMap((item, index) => {
          const earlier = options.run?.finished.get(id(item));
          return earlier ? [{ ...earlier, index } as ResultRecord<EvalRecord>] : [];
        });
        runReports.push({
          results: finished,
          completed: 0,
          skipped: finished.length,
          failed: [],
          deferred: pending.length,
        });
        records.push(...finished.map((r) => r.result));
        continue;
      }
      const wallPerItem = (performance.now() - started) / Math.max(1, pending.length);
      const byId = new Map(pending.map((item, i) => [item.id, outputs[i]]));
      report = await runItems(
        options.items,
        async (item) => {
          const output = byId.get(item.id);
          if (!output)
            throw new UsageError(`method "${method.name}" returned no output for ${item.id}`);
          // a copy: a later method's forItem on the same item adds to the map's total
          const usage = output.usage ?? { ...(perItemUsage.get(item.id) ?? emptyUsage()) };
          return toRecord(method.name, item, output, usage, wallPerItem);
        },
        runOptions,
      );
    } else throw new UsageError(`method "${method.name}" has neither runItem nor runBatch`);
    runReports.push(report);
    records.push(...report.results.map((r) => r.result));
    if (report.stopped) break;
  }
  const report = summarize(records, {
    dataset: options.dataset.name,
    split: options.dataset.split,
    seed,
    methods: options.methods.map((m) => m.name),
  });
  return { records, report, runReports };
}

function toRecord(
  method: string,
  item: EvalItem,
  output: MethodOutput,
  usage: ItemUsage,
  wallMs: number,
): EvalRecord {
  const correct =
    output.score !== undefined
      ? output.score >= 1
      : checkAnswer(output.prediction, item.answer, item.answerType);
  return {
    method,
    itemId: item.id,
    prediction: output.prediction ?? null,
    gold: item.answer,
    correct,
    score: output.score ?? (correct ? 1 : 0),
    usage,
    wallMs: Math.round(wallMs),
    ...(output.details ? { details: output.details } : {}),
  };
}
