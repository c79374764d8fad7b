import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A parsed JSON value. */
export type Json = null | boolean | number | string | Json[] | JsonObject;

/** A parsed JSON object; a lookup of an absent key gives `undefined`. */
export interface JsonObject {
  [key: string]: Json | undefined;
}

/** One declared template parameter. */
export interface ParameterDeclaration {
  readonly type: string;
  /** Absent when the parameter is required. */
  readonly defaultValue?: Json;
  readonly allowedValues?: readonly Json[];
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly raw: JsonObject;
}

/** One resource of a template. */
export interface Resource {
  readonly type: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly condition?: Json;
  readonly properties: JsonObject;
  readonly raw: JsonObject;
}

/** One template output. */
export interface Output {
  readonly type: string;
  readonly value: Json;
}

/** The parts of an ARM deployment template the tests look at. */
export interface ArmTemplate {
  readonly schema: string;
  readonly parameters: Readonly<Record<string, ParameterDeclaration>>;
  readonly variables: Readonly<JsonObject>;
  readonly resources: readonly Resource[];
  readonly outputs: Readonly<Record<string, Output>>;
  readonly raw: JsonObject;
}

/** One parameter file: parameter name to its `value` or `reference` entry. */
export interface ParameterFile {
  readonly schema: string;
  readonly parameters: Readonly<Record<string, JsonObject>>;
}

/** The folder holding the templates, parameter files and README. */
export const TEMPLATE_DIR = join(__dirname, '..', '..', 'deploymentTemplates');

/** A JSON value as text: strings as they are, anything else as JSON. */
export function text(value: Json | undefined): string {
  if (value === undefined) return 'undefined';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The declaration of one parameter; fails when the template does not declare it. */
export function parameter(template: ArmTemplate, name: string): ParameterDeclaration {
  const declaration = template.parameters[name];
  if (!Object.hasOwn(template.parameters, name) || declaration === undefined)
    throw new Error(`parameter ${name} is not declared`);
  return declaration;
}

/** True for a JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads and parses one file of {@link TEMPLATE_DIR}; throws with the file name when it is not JSON. */
export function readJson(fileName: string): Json {
  const text = readFileSync(join(TEMPLATE_DIR, fileName), 'utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    return toJson(parsed, fileName);
  } catch (cause) {
    throw new Error(`${fileName} is not valid JSON`, { cause });
  }
}

/** The `.json` files of {@link TEMPLATE_DIR}, sorted. */
export function jsonFiles(): string[] {
  return readdirSync(TEMPLATE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** Narrows the `unknown` that `JSON.parse` returns, checking every node. */
function toJson(value: unknown, where: string): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string')
    return value;
  if (Array.isArray(value)) return value.map((item: unknown, i) => toJson(item, `${where}[${i}]`));
  if (isObject(value)) {
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(value)) result[key] = toJson(item, `${where}.${key}`);
    return result;
  }
  throw new Error(`${where}: not a JSON value`);
}

function field(obj: JsonObject, key: string, where: string): Json {
  const value = obj[key];
  if (value === undefined) throw new Error(`${where}: missing "${key}"`);
  return value;
}

function stringField(obj: JsonObject, key: string, where: string): string {
  const value = field(obj, key, where);
  if (typeof value !== 'string') throw new Error(`${where}.${key}: expected a string`);
  return value;
}

function objectField(obj: JsonObject, key: string, where: string, fallback?: JsonObject): JsonObject {
  const value = obj[key];
  if (value === undefined && fallback !== undefined) return fallback;
  if (!isObject(value)) throw new Error(`${where}.${key}: expected an object`);
  return value;
}

function optionalNumber(obj: JsonObject, key: string, where: string): number | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new Error(`${where}.${key}: expected a number`);
  return value;
}

/** Parses a deployment template, failing with a path when its shape is wrong. */
export function toTemplate(json: Json, where: string): ArmTemplate {
  if (!isObject(json)) throw new Error(`${where}: a template must be an object`);
  const parameters: Record<string, ParameterDeclaration> = {};
  for (const [name, decl] of Object.entries(objectField(json, 'parameters', where, {}))) {
    const at = `${where}.parameters.${name}`;
    if (!isObject(decl)) throw new Error(`${at}: expected an object`);
    const allowed = decl.allowedValues;
    if (allowed !== undefined && !Array.isArray(allowed)) throw new Error(`${at}.allowedValues: expected an array`);
    const declaration: ParameterDeclaration = {
      type: stringField(decl, 'type', at),
      raw: decl,
      ...(decl.defaultValue === undefined ? {} : { defaultValue: decl.defaultValue }),
      ...(allowed === undefined ? {} : { allowedValues: allowed }),
      ...(decl.minValue === undefined ? {} : { minValue: optionalNumber(decl, 'minValue', at) }),
      ...(decl.maxValue === undefined ? {} : { maxValue: optionalNumber(decl, 'maxValue', at) }),
    };
    parameters[name] = declaration;
  }
  const resourcesJson = field(json, 'resources', where);
  if (!Array.isArray(resourcesJson)) throw new Error(`${where}.resources: expected an array`);
  const resources = resourcesJson.map((r, i): Resource => {
    const at = `${where}.resources[${i}]`;
    if (!isObject(r)) throw new Error(`${at}: expected an object`);
    return {
      type: stringField(r, 'type', at),
      apiVersion: stringField(r, 'apiVersion', at),
      name: stringField(r, 'name', at),
      properties: objectField(r, 'properties', at, {}),
      raw: r,
      ...(r.condition === undefined ? {} : { condition: r.condition }),
    };
  });
  const outputs: Record<string, Output> = {};
  for (const [name, out] of Object.entries(objectField(json, 'outputs', where, {}))) {
    const at = `${where}.outputs.${name}`;
    if (!isObject(out)) throw new Error(`${at}: expected an object`);
    outputs[name] = { type: stringField(out, 'type', at), value: field(out, 'value', at) };
  }
  return {
    schema: stringField(json, '$schema', where),
    parameters,
    variables: objectField(json, 'variables', where, {}),
    resources,
    outputs,
    raw: json,
  };
}

/** Parses a deployment parameter file. */
export function toParameterFile(json: Json, where: string): ParameterFile {
  if (!isObject(json)) throw new Error(`${where}: a parameter file must be an object`);
  const parameters: Record<string, JsonObject> = {};
  for (const [name, entry] of Object.entries(objectField(json, 'parameters', where))) {
    if (!isObject(entry)) throw new Error(`${where}.parameters.${name}: expected an object`);
    parameters[name] = entry;
  }
  return { schema: stringField(json, '$schema', where), parameters };
}

/** Every string anywhere in `json` (values, not keys). */
export function stringsIn(json: Json | undefined): string[] {
  if (typeof json === 'string') return [json];
  if (Array.isArray(json)) return json.flatMap(stringsIn);
  if (isObject(json)) return Object.values(json).flatMap(stringsIn);
  return [];
}

/** True for an ARM template expression (`[...]`, but not the `[[` escape). */
export function isExpression(value: string): boolean {
  return value.startsWith('[') && !value.startsWith('[[') && value.endsWith(']');
}

/** Names passed to `parameters('...')` or `variables('...')` in the expressions of `json`. */
export function referencedNames(json: Json | undefined, fn: 'parameters' | 'variables'): Set<string> {
  const names = new Set<string>();
  const pattern = new RegExp(`\\b${fn}\\(\\s*'([^']+)'\\s*\\)`, 'g');
  for (const s of stringsIn(json).filter(isExpression)) {
    for (const match of s.matchAll(pattern)) if (match[1] !== undefined) names.add(match[1]);
  }
  return names;
}

/**
 * The template without the bodies of nested deployments that use inner scope: their expressions
 * belong to the nested template, not to this one.
 */
export function withoutInnerScopeTemplates(template: ArmTemplate): JsonObject {
  const resources = template.resources.map((r): Json => {
    const scope = r.properties.expressionEvaluationOptions;
    if (r.type !== 'Microsoft.Resources/deployments' || !isObject(scope) || scope.scope !== 'inner') return r.raw;
    const properties: JsonObject = { ...r.properties };
    delete properties.template;
    return { ...r.raw, properties };
  });
  return { ...template.raw, resources };
}

/** The templates embedded in inner-scope nested deployments of `template`. */
export function innerScopeTemplates(template: ArmTemplate, where: string): ArmTemplate[] {
  return template.resources
    .filter((r) => r.type === 'Microsoft.Resources/deployments')
    .map((r, i) =>
      toTemplate(field(r.properties, 'template', `${where}.deployments[${i}]`), `${where}.deployments[${i}].template`),
    );
}

/** The resources of one type. */
export function resourcesOfType(template: ArmTemplate, type: string): Resource[] {
  return template.resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

/** The only resource of one type; fails when there is none or more than one. */
export function singleResource(template: ArmTemplate, type: string): Resource {
  const found = resourcesOfType(template, type);
  const [only] = found;
  if (found.length !== 1 || only === undefined) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return only;
}

/** Reads a nested property by path; `undefined` when any step is missing. */
export function at(json: Json | undefined, ...path: string[]): Json | undefined {
  let current: Json | undefined = json;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The Web App's application settings as name to value, failing on duplicates or non-literal shapes. */
export function appSettings(site: Resource): Map<string, Json> {
  const list = at(site.properties, 'siteConfig', 'appSettings');
  if (!Array.isArray(list)) throw new Error(`${site.name}: siteConfig.appSettings must be an array`);
  const settings = new Map<string, Json>();
  for (const entry of list) {
    if (!isObject(entry) || typeof entry.name !== 'string' || entry.value === undefined) {
      throw new Error(`${site.name}: every app setting needs a string name and a value`);
    }
    if (settings.has(entry.name)) throw new Error(`${site.name}: app setting ${entry.name} is set twice`);
    settings.set(entry.name, entry.value);
  }
  return settings;
}
