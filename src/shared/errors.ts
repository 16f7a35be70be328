// Coded errors that cross the worker boundary intact. Imported by both threads.
// Every failure a user can meet has a stable `code`; the UI and the CLI show `message` and `hint`.

export const ERROR_CODES = [
  'WEBGPU_UNAVAILABLE',
  'ADAPTER_NOT_FOUND',
  'DEVICE_REQUEST_FAILED',
  'DEVICE_LOST',
  'GPU_VALIDATION',
  'GPU_OUT_OF_MEMORY',
  'GPU_INTERNAL',
  'NOT_INITIALISED',
  'JOB_CANCELLED',
  'JOB_NOT_FOUND',
  'INVALID_ARGUMENT',
  'SELFTEST_MISMATCH',
  'STORAGE_UNAVAILABLE',
  'QUOTA_EXCEEDED',
  'UNSUPPORTED_CONTAINER',
  'NEEDS_FFMPEG',
  'CORRUPT_VIDEO',
  'DECODE_FAILED',
  'UNSUPPORTED_RESOLUTION',
  'ENCODE_FAILED',
  'VIDEO_NOT_FOUND',
  'DATASET_NOT_FOUND',
  'STORAGE_FULL',
  'WEIGHTS_MALFORMED',
  'WEIGHTS_UNSUPPORTED',
  'WEIGHTS_UNSAFE',
  'WORKER_CRASHED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface SerializedError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
  readonly details?: string;
}

export class TubeletError extends Error {
  override readonly name = 'TubeletError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; details?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null || value instanceof Error) return false;
  const v = value as Partial<Record<keyof SerializedError, unknown>>;
  return isErrorCode(v.code) && typeof v.message === 'string';
}

/** Turns anything thrown into a serialisable coded error; unknown errors become INTERNAL. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof TubeletError) return error.toJSON();
  if (isSerializedError(error)) return error;
  if (error instanceof Error) {
    return {
      code: 'INTERNAL',
      message: error.message || error.name,
      ...(error.stack ? { details: error.stack } : {}),
    };
  }
  return { code: 'INTERNAL', message: String(error) };
}

/** Rebuilds a TubeletError from its serialised form (also accepts malformed input defensively). */
export function deserializeError(value: unknown): TubeletError {
  if (typeof value === 'object' && value !== null) {
    const v = value as Partial<Record<keyof SerializedError, unknown>>;
    const code = isErrorCode(v.code) ? v.code : 'INTERNAL';
    const message = typeof v.message === 'string' ? v.message : 'Unknown error';
    return new TubeletError(code, message, {
      ...(typeof v.hint === 'string' ? { hint: v.hint } : {}),
      ...(typeof v.details === 'string' ? { details: v.details } : {}),
    });
  }
  return new TubeletError('INTERNAL', String(value));
}

/** One line for logs and the CLI: `[CODE] message — hint`. */
export function formatError(error: SerializedError): string {
  return `[${error.code}] ${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
}
