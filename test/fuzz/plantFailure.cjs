// Preloaded into a bot process by the fuzz suite: on SIGUSR2 it plants the failure named by
// PLANT_FAILURE ("exception": an uncaught exception, "rejection": an unhandled promise rejection)
// so the test can watch the entry point's safety net handle it.
'use strict';
process.on('SIGUSR2', () => {
  if (process.env.PLANT_FAILURE === 'rejection') {
    void Promise.reject(new Error('planted unhandled rejection'));
    return;
  }
  setImmediate(() => {
    throw new Error('planted uncaught exception');
  });
});
