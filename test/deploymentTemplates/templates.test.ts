import {
  type ArmTemplate,
  type Json,
  innerScopeTemplates,
  isExpression,
  isObject,
  jsonFiles,
  parameter,
  readJson,
  referencedNames,
  stringsIn,
  toParameterFile,
  toTemplate,
  withoutInnerScopeTemplates,
} from './armTemplate';

const NEW_RG = 'template-with-new-rg.json';
const PREEXISTING_RG = 'template-with-preexisting-rg.json';

/** Parameter names that hold credentials and so must be `securestring`. */
const SECRET_NAME = /password|secret|key|token|credential|connectionstring|sas/i;

/** ARM functions that return keys or other secrets. */
const SECRET_FUNCTION = /\blist[A-Za-z]*\s*\(/;

const files = jsonFiles();
const templateFiles = files.filter((f) => f.startsWith('template-'));
const parameterFiles = files.filter((f) => f.startsWith('parameters-for-'));

/** Each template file, plus every template nested in it with inner scope. */
function templatesToCheck(): [string, ArmTemplate][] {
  return templateFiles.flatMap((file): [string, ArmTemplate][] => {
    const template = toTemplate(readJson(file), file);
    const nested = innerScopeTemplates(template, file).map((t, i): [string, ArmTemplate] => [
      `${file} (nested ${i})`,
      t,
    ]);
    return [[file, template], ...nested];
  });
}

describe('deploymentTemplates folder', () => {
  it('holds both templates and a parameter file for each', () => {
    expect(templateFiles).toEqual([NEW_RG, PREEXISTING_RG]);
    expect(parameterFiles).toEqual(templateFiles.map((f) => `parameters-for-${f}`));
  });

  it.each(files)('%s is valid JSON', (file) => {
    expect(() => readJson(file)).not.toThrow();
  });
});

describe.each(templatesToCheck())('%s', (_name, template) => {
  const ownBody = withoutInnerScopeTemplates(template);

  it('is a deployment template with resources', () => {
    expect(template.schema).toMatch(
      /^https:\/\/schema\.management\.azure\.com\/schemas\/.*[dD]eploymentTemplate\.json#$/,
    );
    expect(template.resources.length).toBeGreaterThan(0);
  });

  it('declares every parameter it references', () => {
    const declared = new Set(Object.keys(template.parameters));
    const missing = [...referencedNames(ownBody, 'parameters')].filter((p) => !declared.has(p));
    expect(missing).toEqual([]);
  });

  it('uses every parameter it declares', () => {
    const referenced = referencedNames({ ...ownBody, parameters: null }, 'parameters');
    for (const decl of Object.values(template.parameters)) {
      for (const p of referencedNames(decl.defaultValue ?? null, 'parameters')) referenced.add(p);
    }
    const unused = Object.keys(template.parameters).filter((p) => !referenced.has(p));
    expect(unused).toEqual([]);
  });

  it('declares every variable it references and uses every variable it declares', () => {
    const declared = Object.keys(template.variables);
    const referenced = referencedNames(ownBody, 'variables');
    expect([...referenced].filter((v) => !declared.includes(v))).toEqual([]);
    expect(declared.filter((v) => !referenced.has(v))).toEqual([]);
  });

  it('takes every secret-looking parameter as securestring', () => {
    const plain = Object.entries(template.parameters)
      .filter(([name, decl]) => SECRET_NAME.test(name) && decl.type.toLowerCase() !== 'securestring')
      .map(([name]) => name);
    expect(plain).toEqual([]);
  });

  it('gives no secure parameter a non-empty default', () => {
    const withDefault = Object.entries(template.parameters)
      .filter(
        ([, decl]) =>
          decl.type.toLowerCase().startsWith('secure') && decl.defaultValue !== undefined && decl.defaultValue !== '',
      )
      .map(([name]) => name);
    expect(withDefault).toEqual([]);
  });

  it('never reads keys or other secrets with list* functions', () => {
    expect(stringsIn(ownBody).filter((s) => isExpression(s) && SECRET_FUNCTION.test(s))).toEqual([]);
  });

  it('puts no secret in its outputs', () => {
    const secureParams = Object.entries(template.parameters)
      .filter(([, decl]) => decl.type.toLowerCase().startsWith('secure'))
      .map(([name]) => name);
    const problems = Object.entries(template.outputs).flatMap(([name, output]) => {
      const expressions = stringsIn(output.value).filter(isExpression);
      return [
        output.type.toLowerCase().startsWith('secure') ? `${name}: secure output type` : '',
        SECRET_NAME.test(name) ? `${name}: secret-looking name` : '',
        expressions.some((s) => SECRET_FUNCTION.test(s)) ? `${name}: calls a list* function` : '',
        ...[...referencedNames(output.value, 'parameters')]
          .filter((p) => secureParams.includes(p))
          .map((p) => `${name}: uses secure parameter ${p}`),
      ].filter((problem) => problem !== '');
    });
    expect(problems).toEqual([]);
  });

  it('uses no preview API versions', () => {
    const preview = template.resources
      .filter((r) => r.apiVersion.includes('preview'))
      .map((r) => `${r.type}@${r.apiVersion}`);
    expect(preview).toEqual([]);
  });
});

describe('template-with-new-rg.json', () => {
  const outer = toTemplate(readJson(NEW_RG), NEW_RG);
  const existing = toTemplate(readJson(PREEXISTING_RG), PREEXISTING_RG);
  const deployment = outer.resources.find((r) => r.type === 'Microsoft.Resources/deployments');

  it('deploys at subscription scope and creates the resource group', () => {
    expect(outer.schema).toContain('subscriptionDeploymentTemplate.json');
    const group = outer.resources.find((r) => r.type === 'Microsoft.Resources/resourceGroups');
    expect(group?.name).toBe("[parameters('groupName')]");
    expect(deployment?.raw.resourceGroup).toBe("[parameters('groupName')]");
    expect(deployment?.raw.dependsOn).toEqual([
      "[resourceId('Microsoft.Resources/resourceGroups', parameters('groupName'))]",
    ]);
  });

  it('evaluates the nested template in inner scope so secure parameters stay secure', () => {
    expect(deployment?.properties.expressionEvaluationOptions).toEqual({ scope: 'inner' });
  });

  it('embeds template-with-preexisting-rg.json unchanged', () => {
    expect(deployment?.properties.template).toEqual(existing.raw);
  });

  it('declares the same parameters as the existing-group template, plus groupName', () => {
    expect(Object.keys(outer.parameters).sort()).toEqual([...Object.keys(existing.parameters), 'groupName'].sort());
    for (const [name, decl] of Object.entries(existing.parameters)) {
      const outerDecl = parameter(outer, name);
      // location cannot default to resourceGroup() at subscription scope.
      const comparable = (d: Json): Json =>
        name === 'location' && isObject(d) ? { ...d, defaultValue: null, metadata: null } : d;
      expect({ name, decl: comparable(outerDecl.raw) }).toEqual({ name, decl: comparable(decl.raw) });
    }
  });

  it('passes every parameter through under the same name', () => {
    const passed = deployment?.properties.parameters;
    const expected: Record<string, Json> = {};
    for (const name of Object.keys(existing.parameters)) expected[name] = { value: `[parameters('${name}')]` };
    expect(passed).toEqual(expected);
  });

  it('passes every output of the nested deployment through', () => {
    expect(Object.keys(outer.outputs).sort()).toEqual(Object.keys(existing.outputs).sort());
    for (const [name, output] of Object.entries(outer.outputs)) {
      expect({ name, type: output.type }).toEqual({ name, type: existing.outputs[name]!.type });
      expect(output.value).toMatch(
        new RegExp(`^\\[reference\\(.*variables\\('deploymentName'\\).*\\)\\.outputs\\.${name}\\.value\\]$`),
      );
    }
  });
});

describe.each(parameterFiles)('%s', (file) => {
  const templateFile = file.replace(/^parameters-for-/, '');
  const template = toTemplate(readJson(templateFile), templateFile);
  const parameterFile = toParameterFile(readJson(file), file);

  it('is a deployment parameter file', () => {
    expect(parameterFile.schema).toMatch(
      /^https:\/\/schema\.management\.azure\.com\/schemas\/.*deploymentParameters\.json#$/,
    );
  });

  it('names only parameters the template declares', () => {
    const undeclared = Object.keys(parameterFile.parameters).filter((p) => !(p in template.parameters));
    expect(undeclared).toEqual([]);
  });

  it('names every required parameter', () => {
    const required = Object.entries(template.parameters)
      .filter(([, decl]) => decl.defaultValue === undefined)
      .map(([name]) => name);
    expect(required.filter((p) => !(p in parameterFile.parameters))).toEqual([]);
  });

  it('names GenesysDeploymentId when it deploys Web Messaging or Guest Chat', () => {
    const provider =
      parameterFile.parameters.GenesysProvider?.value ?? template.parameters.GenesysProvider?.defaultValue;
    expect(['webmessaging', 'guestchat', 'openmessaging']).toContain(provider);
    const deploymentId = parameterFile.parameters.GenesysDeploymentId?.value;
    if (provider === 'openmessaging') expect(deploymentId ?? '').toBe('');
    else expect(deploymentId).toEqual(expect.any(String));
  });

  it('gives values of the declared types and allowed values', () => {
    const jsonType: Record<string, string> = {
      string: 'string',
      securestring: 'string',
      int: 'number',
      bool: 'boolean',
      object: 'object',
      secureobject: 'object',
      array: 'object',
    };
    for (const [name, entry] of Object.entries(parameterFile.parameters)) {
      if (entry.value === undefined) continue;
      if (!Object.hasOwn(template.parameters, name)) continue;
      const decl = template.parameters[name]!;
      expect({ name, type: typeof entry.value }).toEqual({ name, type: jsonType[decl.type.toLowerCase()] });
      if (decl.allowedValues !== undefined) expect(decl.allowedValues).toContainEqual(entry.value);
    }
  });

  it('holds no secret values (secure parameters are passed on the command line or from Key Vault)', () => {
    const secretsInFile = Object.entries(parameterFile.parameters)
      .filter(
        ([name, entry]) =>
          Object.hasOwn(template.parameters, name) &&
          template.parameters[name]!.type.toLowerCase().startsWith('secure') &&
          entry.value !== undefined,
      )
      .map(([name]) => name);
    expect(secretsInFile).toEqual([]);
  });
});
