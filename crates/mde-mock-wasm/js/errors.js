// MockError: what the engine refused (an option, a flag, a fault name, an update), with the engine's message.
// The wasm module throws errors as JSON texts {kind, message, option}; `engineCall` turns them into MockErrors.

/** An option, flag, fault or update that the mock refused; `message` is the engine's, as the native binary's. */
export class MockError extends Error {
  constructor(kind, message, option) {
    super(message);
    this.name = 'MockError';
    /** `InvalidOption`, `InvalidFlag`, `InvalidInvestigations`, `InvalidFault`, `InvestigationNotFound`, `InvalidUpdate`, `LiveOff`. */
    this.kind = kind;
    /** The option (`perMinute`) or flag (`per-minute`) the error is about, when there is one. */
    if (option !== undefined && option !== null) this.option = option;
  }
}

/** The MockError of a value thrown by the wasm module; anything else is returned as it is. */
export function fromThrown(thrown) {
  if (typeof thrown !== 'string') return thrown;
  try {
    const { kind, message, option } = JSON.parse(thrown);
    return new MockError(kind, message, option);
  } catch {
    return new Error(thrown);
  }
}

/** Calls `f`, turning an error thrown by the wasm module into a MockError. */
export function engineCall(f) {
  try {
    return f();
  } catch (e) {
    throw fromThrown(e);
  }
}
