/** What the start-up banner shows. */
export interface BannerInput {
  demo: boolean;
  /** The local addresses of {@link RunningApplication.urls}. */
  urls: Record<string, string>;
}

const LABELS: [key: string, label: string][] = [
  ['customerPage', 'Customer chat'],
  ['agentConsole', 'Agent console'],
  ['messagingEndpoint', 'Bot endpoint'],
  ['health', 'Health check'],
];

/**
 * The human-readable lines printed once the bot listens, when standard output is a terminal: the
 * pages to open first (customer chat and agent console in demo mode), then the bot's endpoints.
 * Ends with a newline.
 */
export function startupBanner({ demo, urls }: BannerInput): string {
  const rows = LABELS.filter(([key]) => urls[key] !== undefined).map(
    ([key, label]) => `    ${`${label}:`.padEnd(16)}${urls[key]}`,
  );
  const title = demo
    ? '  The bot is running in demo mode, with a simulated Genesys Cloud. Open:'
    : '  The bot is running.';
  return ['', title, '', ...rows, '', '  Press Ctrl+C to stop.', ''].join('\n') + '\n';
}
