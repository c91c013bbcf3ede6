// Values that may hold secrets or documents come as `-` (stdin), `@PATH` (a file) or inline.
// Reading them lives here so every flag behaves the same way.
// node:fs, not node:fs/promises: a CLI reads one small file, and fs/promises would cost every
// command's start-up its loading.
import { readFileSync } from 'node:fs';
import { AlterError } from '../../errors.js';

export interface InputSource {
  stdin: NodeJS.ReadableStream;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function stripOneNewline(s: string): string {
  return s.replace(/\r?\n$/, '');
}

/** Reads `-`, `@PATH` or returns the value itself; `flag` names the input in errors. */
export async function readValueArg(value: string, flag: string, src: InputSource = { stdin: process.stdin }): Promise<string> {
  if (value === '-') return stripOneNewline(await readAll(src.stdin));
  if (value.startsWith('@')) {
    const path = value.slice(1);
    if (!path) throw new AlterError('usage', `${flag}: "@" must be followed by a file path`);
    try {
      return stripOneNewline(readFileSync(path, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new AlterError('file_not_found', `${flag}: file not found: ${path}`);
      throw new AlterError('usage', `${flag}: cannot read ${path}: ${code ?? String(err)}`);
    }
  }
  return value;
}

/** Reads a JSON object given as `-` or `@PATH` (inline JSON is accepted too). */
export async function readJsonObjectArg(value: string, flag: string, src?: InputSource): Promise<Record<string, unknown>> {
  const text = await readValueArg(value, flag, src);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AlterError('usage', `${flag}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AlterError('usage', `${flag}: must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
