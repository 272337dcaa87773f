import { diffLines } from "../../shared/token-diff.ts";
import { el, fmt } from "../dom.ts";
import { diffView } from "./diff-view.ts";

interface Round {
  round: number;
  accepted: boolean;
  validation: { candidate: number; previous: number } | null;
  regenerated: boolean;
  candidate?: string;
  /** Round 0 only: the given buggy code. */
  code?: string;
  tests: Array<{ input: string; output: string; votes: number }>;
  verdicts: string[];
  stopped: boolean;
}

interface UtDebugDetails {
  utSource?: string;
  passByRound: boolean[];
  stoppedAtRound?: number | null;
  rounds: Round[];
}

function isUtDebug(details: unknown): details is UtDebugDetails {
  const d = details as Partial<UtDebugDetails> | null;
  return (
    Array.isArray(d?.passByRound) &&
    Array.isArray(d?.rounds) &&
    d.rounds.every((r) => Array.isArray(r?.tests) && Array.isArray(r?.verdicts))
  );
}

/** Rounds × generated tests: each cell the code's verdict on that test after the round. */
function testGrid(rounds: readonly Round[]): HTMLElement {
  const width = Math.max(0, ...rounds.map((r) => r.tests.length));
  return el(
    "table",
    { class: "plain ut-grid", role: "grid", "aria-label": "rounds × tests" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...["round", "code", "validation"].map((h) => el("th", { scope: "col" }, h)),
        ...Array.from({ length: width }, (_, t) => el("th", { scope: "col" }, `UT ${t + 1}`)),
      ),
    ),
    el(
      "tbody",
      {},
      ...rounds.map((r) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, r.round),
          el(
            "td",
            { class: r.accepted ? "" : "bad" },
            r.round === 0 ? "given" : r.accepted ? "accepted" : "rejected",
            r.stopped ? " · stopped" : "",
            r.regenerated ? "" : " · same UTs",
          ),
          el(
            "td",
            { class: "num" },
            r.validation
              ? `${fmt(r.validation.candidate, 2)} vs ${fmt(r.validation.previous, 2)}`
              : "",
          ),
          ...r.tests.map((t, i) => {
            const verdict = r.verdicts[i] ?? "–";
            return el(
              "td",
              {
                role: "gridcell",
                class: `verdict ${verdict}`,
                title: `input: ${t.input}\nexpected: ${t.output}\nvotes: ${t.votes}`,
              },
              verdict,
            );
          }),
        ),
      ),
    ),
  );
}

/** Each accepted candidate against the code it replaced, as a line diff. */
function acceptedDiffs(rounds: readonly Round[]): HTMLElement[] {
  let code = rounds[0]?.code;
  const out: HTMLElement[] = [];
  for (const r of rounds) {
    if (r.round === 0 || !r.accepted || r.candidate === undefined) continue;
    out.push(el("h3", {}, `Round ${r.round}: accepted candidate`));
    out.push(
      code === undefined
        ? el("pre", {}, r.candidate)
        : diffView(diffLines(code, r.candidate), `round ${r.round} diff`, true),
    );
    code = r.candidate;
  }
  return out;
}

/**
 * UTDebug (and its random-UT / example-UT baselines): hidden-test pass@1 per round, the grid of
 * rounds × generated unit tests with verdicts (inputs and expected outputs as tooltips),
 * validation rates and accept/stop marks, and each accepted candidate as a line diff.
 */
export function utdebugPanel(details: unknown): HTMLElement | null {
  if (!isUtDebug(details)) return null;
  return el(
    "section",
    { class: "panel", "aria-label": "UTDebug" },
    el(
      "h2",
      {},
      `UTDebug: rounds × unit tests${details.utSource ? ` (${details.utSource} UTs)` : ""}`,
    ),
    el(
      "p",
      { class: "facts" },
      "hidden tests by round: ",
      ...details.passByRound.flatMap((pass, r) => [
        r > 0 ? " → " : "",
        el("span", { class: pass ? "good" : "bad" }, `${r}: ${pass ? "pass" : "fail"}`),
      ]),
      details.stoppedAtRound != null ? ` · stopped at round ${details.stoppedAtRound}` : "",
    ),
    testGrid(details.rounds),
    ...acceptedDiffs(details.rounds),
  );
}
