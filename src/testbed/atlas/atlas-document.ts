import type { AtlasDocumentType } from "./atlas-config.ts";
import type { Relation } from "./atlas-lexicon.ts";

/** A fact a document states: `person` is an index into `world.people`. */
export interface Statement {
  person: number;
  relation: Relation;
  value: string;
}

/** One corpus document: a single line of lowercase words and the known-people facts it states. */
export interface AtlasDocument {
  type: AtlasDocumentType;
  text: string;
  /** Every statement about a known person, right or wrong (exposures count the right ones). */
  statements: Statement[];
}
