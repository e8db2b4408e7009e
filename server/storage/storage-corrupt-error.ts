/** Thrown when a log or snapshot file is damaged in a way that is not a torn final write. */
export class StorageCorruptError extends Error {
  override readonly name = 'StorageCorruptError';
  /** The damaged file's path. */
  readonly file: string;
  /** The byte offset in `file` where the damage was found. */
  readonly offset: number;
  /** What is wrong, as a short lowercase phrase. */
  readonly reason: string;

  constructor(details: { file: string; offset: number; reason: string }) {
    super(`corrupt data, refusing to start (nothing was changed): ${details.file}: offset ${details.offset}: ${details.reason}`);
    this.file = details.file;
    this.offset = details.offset;
    this.reason = details.reason;
  }
}
