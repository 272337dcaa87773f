import { ConfigError } from "../../model/errors.ts";

/** Where a round's unit tests come from (spec 3.8). */
export type UtSource = "adversarial" | "random" | "example";

/** Sampling settings for one kind of call. */
export interface Sampling {
  temperature: number;
  topP: number;
  maxTokens: number;
}

/** Every UTDebug switch; defaults follow spec section 4. */
export interface UtDebugConfig {
  /** Unit tests per round. */
  nUts: number;
  /** Debug rounds after round 0 (each is one debugger edit). */
  rounds: number;
  /** Self-consistency samples of the output. */
  votes: number;
  /** A UT is kept when its largest output group has >= round(voteFrac * votes) members. */
  voteFrac: number;
  /** Reject an edit that passes fewer of last round's UTs (strictly). */
  backtrack: boolean;
  utSource: UtSource;
  /** Group SC outputs by Python `str` (spec) or `repr` (keeps "6" and 6 apart). */
  voteKey: "str" | "repr";
  /** Continue the partial answer as a prefilled assistant turn, or restate it in a user turn. */
  scMode: "prefill" | "user";
  /**
   * Official order: new UTs are generated for the candidate before validation. false: validate
   * first and generate UTs for the code that was kept (spec pitfall 4's cleaner variant).
   */
  regenerateBeforeValidation: boolean;
  /**
   * Upper bound (`*_oracle` in the released scripts): expected outputs come from running the
   * task's gold code instead of the SC vote. Uses the gold solution, so never a real result.
   */
  oracleOutputs: boolean;
  /** At most attemptsFactor * nUts UT samples per round. */
  attemptsFactor: number;
  /** Stop sampling UTs after this many attempts in a row that add none. */
  patience: number;
  utSampling: Sampling;
  scSampling: Sampling;
  debugSampling: Sampling;
  seed: number;
}

export const defaultUtDebugConfig: UtDebugConfig = {
  nUts: 3,
  rounds: 3,
  votes: 8,
  voteFrac: 0.5,
  backtrack: true,
  utSource: "adversarial",
  voteKey: "str",
  scMode: "prefill",
  regenerateBeforeValidation: true,
  oracleOutputs: false,
  attemptsFactor: 4,
  patience: 3,
  utSampling: { temperature: 0.7, topP: 0.9, maxTokens: 8192 },
  scSampling: { temperature: 0.8, topP: 0.9, maxTokens: 2048 },
  debugSampling: { temperature: 0.7, topP: 0.9, maxTokens: 8192 },
  seed: 0,
};

/**
 * Defaults overridden by `overrides`, checked.
 * @throws ConfigError naming the bad field.
 */
export function resolveUtDebugConfig(overrides: Partial<UtDebugConfig> = {}): UtDebugConfig {
  const config = { ...defaultUtDebugConfig, ...overrides };
  for (const field of ["nUts", "votes", "attemptsFactor", "patience"] as const)
    if (!Number.isInteger(config[field]) || config[field] < 1)
      throw new ConfigError(
        `utdebug ${field} must be a positive integer, got ${config[field]}`,
        field,
      );
  if (!Number.isInteger(config.rounds) || config.rounds < 0)
    throw new ConfigError(`utdebug rounds must be an integer >= 0, got ${config.rounds}`, "rounds");
  if (!(config.voteFrac > 0 && config.voteFrac <= 1))
    throw new ConfigError(`utdebug voteFrac must be in (0, 1], got ${config.voteFrac}`, "voteFrac");
  if (!["adversarial", "random", "example"].includes(config.utSource))
    throw new ConfigError(
      `utdebug utSource must be adversarial, random or example, got "${config.utSource}"`,
      "utSource",
    );
  if (config.voteKey !== "str" && config.voteKey !== "repr")
    throw new ConfigError(
      `utdebug voteKey must be str or repr, got "${config.voteKey}"`,
      "voteKey",
    );
  if (config.scMode !== "prefill" && config.scMode !== "user")
    throw new ConfigError(
      `utdebug scMode must be prefill or user, got "${config.scMode}"`,
      "scMode",
    );
  return config;
}
