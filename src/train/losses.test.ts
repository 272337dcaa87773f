import assert from "node:assert/strict";
import { test } from "node:test";
import {
  dpoLoss,
  gradientAscentLoss,
  gradientDifferenceLoss,
  npoLoss,
  sftLoss,
  tokenCrossEntropy,
} from "./losses.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("SFT: mean NLL over all supervised tokens, gradient −1/N per token", () => {
  // NLLs 1, 2 (row 0) and 3 (row 1): mean 2.
  const r = sftLoss([{ target: [-1, -2] }, { target: [-3] }]);
  close(r.loss, 2);
  assert.equal(r.tokens, 3);
  close(r.grads[0]!.target[0]!, -1 / 3);
  close(r.grads[1]!.target[0]!, -1 / 3);
});

test("gradient ascent is the negated SFT loss", () => {
  const r = gradientAscentLoss([{ target: [-1, -2] }, { target: [-3] }]);
  close(r.loss, -2);
  close(r.grads[0]!.target[1]!, 1 / 3);
});

test("label-smoothed signed token loss matches UPCORE's formula", () => {
  // ε = 0.1; row 0 (c=−1): NLL 2, −mean log p 5; row 1 (c=+1): NLL 1, −mean 4. N = 2.
  // L = [−(0.9·2 + 0.1·5) + (0.9·1 + 0.1·4)] / 2 = (−2.3 + 1.3)/2 = −0.5
  const r = tokenCrossEntropy(
    [
      { target: [-2], meanAll: [-5] },
      { target: [-1], meanAll: [-4] },
    ],
    { coefficients: [-1, 1], labelSmoothing: 0.1 },
  );
  close(r.loss, -0.5);
  close(r.grads[0]!.target[0]!, 0.45);
  close(r.grads[0]!.mean[0]!, 0.05);
  close(r.grads[1]!.target[0]!, -0.45);
});

test("gradient difference: −CE(forget) + CE(retain), each its own mean", () => {
  const r = gradientDifferenceLoss([{ target: [-1, -3] }], [{ target: [-0.5] }]);
  close(r.loss, -2 + 0.5);
  close(r.forget[0]!.target[0]!, 0.5);
  close(r.retain[0]!.target[0]!, -1);
});

test("DPO: −log σ(β·margin) with hand-computed values", () => {
  // margin = (−10 − −12) − (−15 − −14) = 2 + 1 = 3; β = 0.5 → −log σ(1.5) = 0.201413
  const r = dpoLoss([{ chosen: -10, rejected: -15, refChosen: -12, refRejected: -14 }], 0.5);
  close(r.loss, Math.log1p(Math.exp(-1.5)));
  close(r.loss, 0.2014132779827524, 1e-12);
  close(r.margin, 3);
  // dL/dπ_c = −β σ(−β m) = −0.5 · 0.182426 = −0.0912130
  close(r.dChosen[0]!, -0.5 / (1 + Math.exp(1.5)));
  close(r.dRejected[0]!, 0.5 / (1 + Math.exp(1.5)));
  // At zero margin the loss is ln 2.
  close(
    dpoLoss([{ chosen: -1, rejected: -1, refChosen: -1, refRejected: -1 }], 0.1).loss,
    Math.LN2,
  );
});

test("NPO: the UPCORE spec's check values", () => {
  // Equal NLLs → (2/β) ln 2 = 13.8629 at β = 0.1; NLL_θ − NLL_ref = 10 → 6.26523.
  close(npoLoss([-5], [-5], 0.1).loss, 13.862943611198906, 1e-9);
  close(npoLoss([-15], [-5], 0.1).loss, 6.26523, 1e-5);
  // dL/dlogπ = (2/n) σ(β(logπ − ref)): at equality 2·0.5/1 = 1.
  close(npoLoss([-5], [-5], 0.1).dLogp[0]!, 1);
  const two = npoLoss([-5, -15], [-5, -5], 0.1);
  close(two.loss, (13.862943611198906 + 6.26523) / 2, 1e-5);
  close(two.dLogp[1]!, 2 / 2 / (1 + Math.exp(1)));
});
