/**
 * Prints one plain closing line, `N passed, N failed[, N skipped]`, after every jest run so that
 * CI can read the result without parsing jest's own summary.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
    // Written at exit so it is the last line, after jest's own summary.
    process.once('exit', () => {
      process.stderr.write(`\n${line}\n`);
    });
  }
}
module.exports = SummaryReporter;
