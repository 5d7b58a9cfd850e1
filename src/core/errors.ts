/** A problem with what the user gave us (flag, config, snapshot). The CLI prints it as one line and exits 2. */
export class LvsInputError extends Error {
  readonly file?: string;
  readonly jsonPath?: string;
  readonly flag?: string;

  constructor(message: string, where: { file?: string; jsonPath?: string; flag?: string } = {}) {
    super(message);
    this.name = 'LvsInputError';
    this.file = where.file;
    this.jsonPath = where.jsonPath;
    this.flag = where.flag;
  }

  /** "file.json: $.regions[0].functions[2].role: Required" style, the one line the user sees. */
  get oneLine(): string {
    const prefix = [this.flag, this.file, this.jsonPath].filter((part) => part !== undefined && part !== '');
    return prefix.length > 0 ? `${prefix.join(': ')}: ${this.message}` : this.message;
  }
}

/** Renders a zod issue path as a JSON path: ['regions', 0, 'functions'] -> $.regions[0].functions */
export function toJsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
