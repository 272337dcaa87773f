import type { LanguageModel } from "../model/language-model.ts";

/**
 * A view of `model` whose calls also stop when `signal` aborts: a served method's internal
 * calls end with the client's connection, without the method passing a signal itself.
 */
export function signalledModel(model: LanguageModel, signal: AbortSignal): LanguageModel {
  const both = (own: AbortSignal | undefined) => (own ? AbortSignal.any([own, signal]) : signal);
  const wrapped: LanguageModel = {
    id: model.id,
    provider: model.provider,
    capabilities: model.capabilities,
    generate: (request) => {
      signal.throwIfAborted();
      return model.generate({ ...request, signal: both(request.signal) });
    },
  };
  const score = model.score?.bind(model);
  if (score)
    wrapped.score = (request) => {
      signal.throwIfAborted();
      return score({ ...request, signal: both(request.signal) });
    };
  if (model.tokenize) wrapped.tokenize = model.tokenize.bind(model);
  if (model.decoder) {
    const decoder = model.decoder.bind(model);
    wrapped.decoder = () => {
      signal.throwIfAborted();
      return decoder();
    };
  }
  if (model.internals) Object.assign(wrapped, { internals: model.internals });
  return wrapped;
}
