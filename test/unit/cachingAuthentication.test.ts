import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { ClaimsIdentity } from 'botframework-connector';
import { CachingBotFrameworkAuthentication } from '../../src/cachingAuthentication';

function identity(appId: string, extra: { type: string; value: string }[] = []): ClaimsIdentity {
  return new ClaimsIdentity([{ type: 'aud', value: appId }, ...extra], true);
}

describe('CachingBotFrameworkAuthentication', () => {
  const auth = (): CachingBotFrameworkAuthentication =>
    new CachingBotFrameworkAuthentication(
      {},
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      new ConfigurationServiceClientCredentialFactory({}),
    );

  it('reuses one connector client per app id, serviceUrl and audience across turns', async () => {
    const a = auth();
    const first = await a.createConnectorFactory(identity('')).create('https://smba.example/', undefined);
    // A later turn: a new factory from a new identity object with the same credential claims (a token's other claims differ).
    const again = await a
      .createConnectorFactory(identity('', [{ type: 'exp', value: '123' }]))
      .create('https://smba.example/', undefined);
    expect(again).toBe(first);
    const otherUrl = await a.createConnectorFactory(identity('')).create('https://other.example/', undefined);
    expect(otherUrl).not.toBe(first);
    const otherApp = await a.createConnectorFactory(identity('app-2')).create('https://smba.example/', undefined);
    expect(otherApp).not.toBe(first);
  });

  it('reuses one user-token client per app id', async () => {
    const a = auth();
    const first = await a.createUserTokenClient(identity(''));
    expect(await a.createUserTokenClient(identity(''))).toBe(first);
  });
});
