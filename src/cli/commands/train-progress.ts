/** The training progress line the train commands print to stderr (loss, lr, tokens/s, ETA). */
import type { StepInfo } from "../../train/train-loop.ts";

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.round(s % 60)).padStart(2, "0")}`;
}

/** One progress line per step on a terminal (overwritten), at most one a second otherwise. */
export function progressPrinter(): (info: StepInfo) => void {
  let last = 0;
  const tty = process.stderr.isTTY === true;
  return (info) => {
    const now = Date.now();
    const done = info.step === info.totalSteps;
    if (!tty && !done && now - last < 1000) return;
    last = now;
    const extra = Object.entries(info.metrics)
      .map(([k, v]) => ` · ${k} ${v.toFixed(3)}`)
      .join("");
    const line =
      `step ${info.step}/${info.totalSteps} · loss ${info.loss.toFixed(4)}${extra} · ` +
      `lr ${info.lr.toExponential(2)} · ${info.tokensPerSecond.toFixed(0)} tok/s · ETA ${formatSeconds(info.etaSeconds)}`;
    process.stderr.write(tty ? `\r\x1b[2K${line}${done ? "\n" : ""}` : `${line}\n`);
  };
}
