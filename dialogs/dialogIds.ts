/** Ids of the bot's dialogs. */
export const DialogIds = {
  main: 'mainDialog',
  mainWaterfall: 'mainDialog.waterfall',
  offerAgentPrompt: 'mainDialog.offerAgentPrompt',
  transfer: 'transferDialog',
  transferWaterfall: 'transferDialog.waterfall',
  preChatPrompt: 'transferDialog.preChatPrompt',
} as const;
