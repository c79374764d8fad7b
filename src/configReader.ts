import type { SettingName } from './settings';

/** Environment variables by name. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Reads settings from `env`, collecting problems instead of stopping at the first one. */
export class SettingsReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  /** The trimmed value; a missing or blank setting means "use the default" (an empty `Name=` line in `.env`). */
  string(name: SettingName, fallback = ''): string {
    const value = this.env[name]?.trim() ?? '';
    return value === '' ? fallback : value;
  }

  integer(name: SettingName, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  optionalInteger(name: SettingName, min: number, max: number): number | undefined {
    return this.string(name) === '' ? undefined : this.integer(name, min, min, max);
  }

  oneOf<T extends string>(name: SettingName, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === '') return fallback;
    const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
    if (match === undefined) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return match;
  }

  boolean(name: SettingName, fallback: boolean): boolean {
    const raw = this.string(name).toLowerCase();
    if (raw === '') return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  url(name: SettingName, protocols: readonly string[]): string {
    const raw = this.string(name);
    if (raw === '') return '';
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must be a ${protocols.join(' or ')} URL (got "${raw}")`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL (got "${raw}")`);
    }
    return raw.replace(/\/+$/, '');
  }

  questions(name: SettingName): { key: string; prompt: string }[] {
    const raw = this.string(name);
    if (raw === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.problems.push(`${name} must be JSON (got "${raw}")`);
      return [];
    }
    const valid =
      Array.isArray(parsed) &&
      parsed.every(
        (q: unknown) =>
          typeof q === 'object' &&
          q !== null &&
          typeof (q as { key?: unknown }).key === 'string' &&
          /^[A-Za-z][A-Za-z0-9_]*$/.test((q as { key: string }).key) &&
          typeof (q as { prompt?: unknown }).prompt === 'string' &&
          (q as { prompt: string }).prompt.trim() !== '',
      );
    if (!valid) {
      this.problems.push(`${name} must be a JSON array of {"key": "<letters, digits, _>", "prompt": "<question>"}`);
      return [];
    }
    return (parsed as { key: string; prompt: string }[]).map((q) => ({ key: q.key, prompt: q.prompt }));
  }

  require(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }
}
