import { diffLines } from "../../shared/token-diff.ts";
import { el, fmt } from "../dom.ts";
import { diffView } from "./diff-view.ts";

interface Round {
  round: number;
  accepted: boolean;
  validation: { candidate: number; previous: number } | null;
  regenerated: boolean;
  /** Each UT sample's outcome (kept, no-input, rejected-by-vote, duplicate); none for example UTs. */
  attempts?: string[];
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

/**
 * Rounds that ended with no unit test, and how their UT samples went ("2 no-input, 1
 * duplicate"): a small model often writes no parsable test, and an empty row says nothing.
 */
function roundsWithoutTests(rounds: readonly Round[]): HTMLElement | null {
  const empty = rounds.filter((r) => r.tests.length === 0);
  if (empty.length === 0) return null;
  const samples = (attempts: readonly string[] | undefined) => {
    if (!attempts?.length) return "no UT sampled";
    const counts = new Map<string, number>();
    for (const a of attempts) counts.set(a, (counts.get(a) ?? 0) + 1);
    return `UT samples: ${[...counts].map(([a, n]) => `${n} ${a}`).join(", ")}`;
  };
  return el(
    "ul",
    { class: "hint", "aria-label": "rounds without unit tests" },
    ...empty.map((r) => el("li", {}, `round ${r.round}: no unit test (${samples(r.attempts)})`)),
  );
}

/**
 * Rounds × generated tests: each cell the code's verdict on that test after the round. The
 * round, its code's fate and its validation are row headers (`th`), so the grid's data cells
 * (a `td` in a grid is a gridcell) are exactly the verdicts.
 */
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
            "th",
            { scope: "row", class: r.accepted ? "" : "bad" },
            r.round === 0 ? "given" : r.accepted ? "accepted" : "rejected",
            r.stopped ? " · stopped" : "",
            r.regenerated ? "" : " · same UTs",
          ),
          el(
            "th",
            { scope: "row", class: "num" },
            r.validation
              ? `${fmt(r.validation.candidate, 2)} vs ${fmt(r.validation.previous, 2)}`
              : "",
          ),
          ...r.tests.map((t, i) => {
            const verdict = r.verdicts[i] ?? "–";
            return el(
              "td",
              {
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
    roundsWithoutTests(details.rounds),
    ...acceptedDiffs(details.rounds),
  );
}
