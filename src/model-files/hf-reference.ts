import { UsageError } from "../model/errors.ts";

/** A file in a Hugging Face repository: `hf:<owner>/<repo>[@<revision>]/<path/to/file>`. */
export interface HfReference {
  owner: string;
  repo: string;
  /** Branch, tag or commit (default "main"). */
  revision: string;
  /** Path of the file inside the repository. */
  file: string;
}

const segment = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether `ref` is an `hf:` reference (valid or not). */
export function isHfReference(ref: string): boolean {
  return ref.startsWith("hf:");
}

/** Parses an `hf:` reference; a UsageError shows the expected form. */
export function parseHfReference(ref: string): HfReference {
  const usage = `bad model reference "${ref}": expected hf:<owner>/<repo>/<file>.gguf or hf:<owner>/<repo>@<revision>/<file>.gguf`;
  if (!isHfReference(ref)) throw new UsageError(usage);
  const parts = ref.slice(3).split("/");
  if (parts.length < 3) throw new UsageError(usage);
  const [owner, repoAndRevision, ...fileParts] = parts as [string, string, ...string[]];
  const at = repoAndRevision.indexOf("@");
  const repo = at === -1 ? repoAndRevision : repoAndRevision.slice(0, at);
  const revision = at === -1 ? "main" : repoAndRevision.slice(at + 1);
  const file = fileParts.join("/");
  if (
    !segment.test(owner) ||
    !segment.test(repo) ||
    !segment.test(revision) ||
    fileParts.some((p) => p === "" || p === "." || p === "..")
  ) {
    throw new UsageError(usage);
  }
  return { owner, repo, revision, file };
}

/** The canonical reference string, e.g. `hf:bartowski/SmolLM2-135M-Instruct-GGUF/x.gguf`. */
export function formatHfReference(ref: HfReference): string {
  const revision = ref.revision === "main" ? "" : `@${ref.revision}`;
  return `hf:${ref.owner}/${ref.repo}${revision}/${ref.file}`;
}

/** Download URL: `<endpoint>/<owner>/<repo>/resolve/<revision>/<file>`. */
export function hfDownloadUrl(ref: HfReference, endpoint: string): string {
  const base = endpoint.replace(/\/+$/, "");
  const file = ref.file.split("/").map(encodeURIComponent).join("/");
  return `${base}/${ref.owner}/${ref.repo}/resolve/${encodeURIComponent(ref.revision)}/${file}`;
}

/** Path of the file inside the models cache: `<owner>/<repo>[@<revision>]/<file>`. */
export function hfCachePath(ref: HfReference): string {
  const revision = ref.revision === "main" ? "" : `@${ref.revision}`;
  return `${ref.owner}/${ref.repo}${revision}/${ref.file}`;
}
