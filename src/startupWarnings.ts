import type { Config } from './config';

/**
 * Settings that expose the bot more than an operator likely intends, or that the configured
 * provider ignores, each as one sentence for a `warn` log line at start-up. Empty when there is nothing to say. Demo mode is a local run and
 * gets no warning.
 */
export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.demo) return warnings;
  if (config.genesys.deploymentId !== '' && config.microsoft.appId === '') {
    warnings.push(
      'MicrosoftAppId is empty while Genesys is configured: /api/messages accepts unauthenticated traffic from anyone who can reach it, and anyone can open Genesys chats through it. Set MicrosoftAppId and MicrosoftAppPassword for any deployment reachable from outside.',
    );
  }
  const { provider, openMessaging } = config.genesys;
  if (provider !== 'openmessaging' && openMessaging.integrationId !== '') {
    warnings.push(
      `GenesysOpenMessagingIntegrationId is set but GenesysProvider is ${provider}: the Open Messaging integration is not used. Set GenesysProvider=openmessaging to hand chats over through it.`,
    );
  }
  return warnings;
}
