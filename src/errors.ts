// The one error base. Every error Vigil raises on purpose carries a `code` (what kind of failure, stable for
// callers to branch on) and, when it is about a place in a file, that place. The CLI and the HTTP error handler
// map errors by code, never by matching message text.

/** Where in a file an error is: the config key, the rule file, the input line. */
export interface ErrorLocation {
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** Dotted path of the key, e.g. `channels.slack.webhookUrl`. */
  key?: string;
}

export class VigilError<C extends string | number | undefined = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly location?: ErrorLocation,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An error that stops start-up (a rule pack that cannot load, a section that cannot run); the CLI prints it as one line. */
export class StartupError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('startup', message, location);
  }
}

/** `file:line:column` (as much of it as is known), for messages. */
export function formatLocation(loc: ErrorLocation): string {
  return [loc.file, loc.line, loc.column].filter((p) => p !== undefined && p !== '').join(':');
}

/** Codes the CLI reports as one line `vigil: <message>` (a mistake of the user's, not a crash). */
export const USER_FACING_CODES: ReadonlySet<unknown> = new Set(['config', 'startup', 'playbook', 'subject']);

/** Codes the HTTP error handler answers with a 4xx status, and which. */
export const HTTP_STATUS_OF_CODE: Readonly<Record<string, number>> = {
  not_found: 404,
  conflict: 409,
  invalid: 400,
  input: 400,
  user: 400,
};

/** The HTTP status for an error by its code, when it has one that maps. */
export function httpStatusOf(err: unknown): number | undefined {
  return err instanceof VigilError && typeof err.code === 'string' ? HTTP_STATUS_OF_CODE[err.code] : undefined;
}
