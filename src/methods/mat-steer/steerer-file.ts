import { readFile, writeFile } from "node:fs/promises";
import { DataError } from "../../model/index.ts";
import type { Steerer } from "./steerer.ts";
import { type SteeringModule, type SteeringSite, steeringModules } from "./steering-site.ts";

/**
 * A trained steerer with the site it was trained at, as written to `steer.json`. Version 1 files
 * steer the residual stream (their `site` may omit `module` and `collectedAt`); a site with another
 * module or collection site is written as version 2, so that readers that only know version 1
 * refuse it instead of applying it at the residual stream.
 */
export interface SteererFile {
  format: "chorus-mat-steer";
  version: 1 | 2;
  /** Model file it was trained on (informational) and its hidden size (checked at load). */
  model?: string;
  nEmbd: number;
  /** Read back with `module` and `collectedAt` filled in (`"residual"` when absent). */
  site: SteeringSite;
  steerer: Steerer;
  /** Training options and final losses, for the record. */
  training?: Record<string, unknown>;
}

/** Writes a steerer as JSON (numbers at full double precision). */
export async function saveSteerer(path: string, file: Omit<SteererFile, "format" | "version">) {
  const { steerer, site, ...rest } = file;
  const module = site.module ?? "residual";
  const collectedAt = site.collectedAt ?? "residual";
  const body = {
    format: "chorus-mat-steer",
    version: module === "residual" && collectedAt === "residual" ? 1 : 2,
    ...rest,
    site: { layer: site.layer, positions: site.positions, module, collectedAt },
    steerer: {
      attributes: steerer.attributes,
      theta: steerer.theta.map((v) => Array.from(v)),
      gateW: steerer.gateW.map((v) => Array.from(v)),
      gateB: steerer.gateB,
      multiplier: steerer.multiplier,
      normPreserve: steerer.normPreserve,
    },
  };
  await writeFile(path, `${JSON.stringify(body)}\n`);
}

/** Reads and validates a steerer file; every problem is a DataError naming the file and field. */
export async function loadSteerer(path: string): Promise<SteererFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new DataError(
      `cannot read the steerer: ${(error as Error).message}; write one with \`chorus steer train\``,
      { file: path },
    );
  }
  const fail = (what: string): never => {
    throw new DataError(`not a chorus MAT-Steer file: ${what}`, { file: path });
  };
  const o = raw as Record<string, unknown>;
  if (o?.format !== "chorus-mat-steer" || (o.version !== 1 && o.version !== 2))
    fail('expected format "chorus-mat-steer", version 1 or 2');
  const nEmbd = o.nEmbd;
  if (typeof nEmbd !== "number" || !Number.isInteger(nEmbd) || nEmbd < 1)
    fail("nEmbd must be a positive integer");
  const site = o.site as Record<string, unknown> | undefined;
  if (typeof site?.layer !== "number" || (site.positions !== "all" && site.positions !== "last"))
    fail('site must be {layer: number, positions: "all" | "last"}');
  const module = (field: "module" | "collectedAt"): SteeringModule => {
    const value = site?.[field] ?? "residual";
    if (!steeringModules.includes(value as SteeringModule))
      fail(`site.${field} must be "residual" or "o-proj-input"`);
    return value as SteeringModule;
  };
  const applied = module("module");
  const collectedAt = module("collectedAt");
  const s = o.steerer as Record<string, unknown> | undefined;
  const attributes = s?.attributes;
  if (
    !Array.isArray(attributes) ||
    attributes.length === 0 ||
    !attributes.every((a) => typeof a === "string")
  )
    fail("steerer.attributes must be a non-empty list of names");
  const vectors = (field: string): Float64Array[] => {
    const value = s?.[field];
    if (!Array.isArray(value) || value.length !== (attributes as string[]).length)
      return fail(`steerer.${field} must hold one vector per attribute`);
    return value.map((v: unknown) => {
      if (
        !Array.isArray(v) ||
        v.length !== nEmbd ||
        !v.every((x) => typeof x === "number" && Number.isFinite(x))
      )
        return fail(`steerer.${field} vectors must be ${nEmbd} finite numbers`);
      return Float64Array.from(v as number[]);
    });
  };
  const theta = vectors("theta");
  const gateW = vectors("gateW");
  const gateB = s?.gateB;
  if (
    !Array.isArray(gateB) ||
    gateB.length !== (attributes as string[]).length ||
    !gateB.every((x) => Number.isFinite(x))
  )
    fail("steerer.gateB must hold one finite number per attribute");
  if (typeof s?.multiplier !== "number" || typeof s.normPreserve !== "boolean")
    fail("steerer.multiplier (number) and steerer.normPreserve (boolean) are required");
  return {
    format: "chorus-mat-steer",
    version: o.version as 1 | 2,
    ...(typeof o.model === "string" ? { model: o.model } : {}),
    nEmbd: nEmbd as number,
    site: {
      layer: site!.layer as number,
      positions: site!.positions as "all" | "last",
      module: applied,
      collectedAt,
    },
    steerer: {
      attributes: attributes as string[],
      theta,
      gateW,
      gateB: gateB as number[],
      multiplier: s!.multiplier as number,
      normPreserve: s!.normPreserve as boolean,
    },
    ...(o.training && typeof o.training === "object"
      ? { training: o.training as Record<string, unknown> }
      : {}),
  };
}
