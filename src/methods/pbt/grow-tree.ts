import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import type { GenerateRequest, LanguageModel } from "../../model/language-model.ts";
import type { AnswerExtractor } from "./answer-extractor.ts";
import type { ConfidenceProbe } from "./confidence.ts";
import type { DialogueFormat } from "./dialogue-format.ts";
import {
  type AnswerSlots,
  type DialogueTree,
  isAgreement,
  type PbtQuestion,
  pathTo,
  type TreeNode,
} from "./dialogue-tree.ts";
import { type AgentIndex, type Persona, personaLists } from "./personas.ts";

/** How trees grow (spec 3.2 and §4 defaults). */
export interface GrowOptions {
  format: DialogueFormat;
  extractor: AnswerExtractor;
  /** Turns per branch (default 4: levels 0–3). */
  maxTurns?: number;
  /** B's first answer does not see A's (default true). */
  bothDoFirst?: boolean;
  /** Persona lists per agent (default P0 = resistant/acceptant, P1 = the three persuaders). */
  personas?: readonly [readonly Persona[], readonly Persona[]];
  /** The first turn's persona; default the first of a randomly chosen list, as the official code. */
  startPersona?: Persona;
  /** Default 0.7 (0 = greedy, the evaluation dialogues' `--deterministic`). */
  temperature?: number;
  topP?: number;
  /** Default: the format's (80 for chat). */
  maxTokens?: number;
  /** At least this many new tokens (default 8) when the speaker's model honours `minTokens`. */
  minTokens?: number;
  seed?: number;
  confidence?: ConfidenceProbe;
  signal?: AbortSignal;
}

/** Why turns were not written (the transcript persuader without an answer of its own). */
export interface GrowNotes {
  skipped: Record<string, number>;
}

/**
 * Grows one question's tree: A answers, B answers (blind), A persuades in three styles, B
 * resists or accepts; every branch stops once the two agents agree. Each node stores its text
 * and both agents' extracted answers (slot = agent).
 */
export async function growTree(
  question: PbtQuestion,
  agents: readonly [LanguageModel, LanguageModel],
  options: GrowOptions,
  notes: GrowNotes = { skipped: {} },
): Promise<DialogueTree> {
  const { format, extractor } = options;
  const lists = options.personas ?? personaLists;
  const maxTurns = options.maxTurns ?? 4;
  const seed = deriveSeed(options.seed ?? 0, question.id);
  const start = options.startPersona ?? lists[new SeededRandom(seed).int(2)]![0]!;
  const tree: DialogueTree = {
    id: question.id,
    question: question.question,
    gold: question.gold,
    nodes: [
      {
        index: 0,
        parent: -1,
        children: [],
        level: -1,
        agent: -1,
        persona: "standard",
        text: question.question,
        answers: [null, null],
      },
    ],
  };

  const request = (base: GenerateRequest, speaker: AgentIndex, index: number): GenerateRequest => {
    const min = options.minTokens ?? 8;
    return {
      ...base,
      temperature: options.temperature ?? 0.7,
      topP: options.topP ?? 1,
      maxTokens: options.maxTokens ?? format.maxTokens,
      ...(format.stop.length > 0 ? { stop: [...format.stop] } : {}),
      ...(min > 0 && agents[speaker].capabilities.minTokens ? { minTokens: min } : {}),
      seed: deriveSeed(seed, `node-${index}`),
      ...(options.signal ? { signal: options.signal } : {}),
    };
  };

  const expand = async (persona: Persona, parent: TreeNode, level: number): Promise<void> => {
    if (level >= maxTurns || isAgreement(parent)) return;
    const speaker = (level % 2) as AgentIndex;
    const blind = (options.bothDoFirst ?? true) && speaker === 1 && level === 1;
    const history = blind
      ? []
      : pathTo(tree, parent.index).map((n) => ({ agent: n.agent as AgentIndex, text: n.text }));
    const plan = format.plan({
      question: question.question,
      persona,
      speaker,
      history,
      ownAnswer: parent.answers[speaker],
    });
    if (plan.kind === "skip") {
      notes.skipped[plan.reason] = (notes.skipped[plan.reason] ?? 0) + 1;
      return;
    }
    const index = tree.nodes.length;
    let text: string;
    if (plan.kind === "text") text = plan.text;
    else {
      const r = await agents[speaker].generate(request(plan.request, speaker, index));
      text = format.clean(r.generations[0]?.text ?? "");
    }
    const answers = [...parent.answers] as AnswerSlots;
    answers[speaker] = await extractor.extract(question.question, text);
    const node: TreeNode = {
      index,
      parent: parent.index,
      children: [],
      level,
      agent: speaker,
      persona,
      text,
      answers,
    };
    tree.nodes.push(node);
    parent.children.push(index);
    if (options.confidence)
      node.confidence = await options.confidence.probe(question.question, answers[speaker] ?? "");
    for (const p of lists[speaker]) await expand(p, node, level + 1);
  };

  await expand(start, tree.nodes[0]!, 0);
  return tree;
}
