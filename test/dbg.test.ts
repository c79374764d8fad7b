import { createApp } from '../src/app';
import { createLogger } from '../src/logger';
import { ConnectorRecorder, postActivity, userMessage } from '../test/support/connectorRecorder';
import { testConfig } from '../test/support/testConfig';
it('dbg', async () => {
  const c = new ConnectorRecorder(); const su = await c.start();
  const app = await createApp(testConfig({LogLevel:'debug'}), createLogger({level:'debug'}), { provider: null });
  const port = await app.start(0, '127.0.0.1');
  const res = await postActivity(`http://127.0.0.1:${port}`, userMessage(su, 'emu-1', 'how long does delivery take?'));
  console.log(res.status, await res.text(), JSON.stringify(c.activities));
  await new Promise(r=>setTimeout(r,1000));
  console.log(JSON.stringify(c.activities));
  await app.stop(); await c.stop();
});
