// The logging interface the activities are written against: structured fields first, then a message (pino's
// call shape, which the worker's pino logger satisfies), so activities depend on no logging library.

type LogMethod = {
  (fields: object, message?: string): void;
  (message: string): void;
};

export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}
