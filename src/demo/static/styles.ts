/** Style sheet shared by the demo pages (`/demo/demo.css`). */
export const DEMO_CSS = `
:root {
  color-scheme: light;
  --bg: #f4f5f7;
  --panel: #ffffff;
  --text: #1f2328;
  --muted: #5c6470;
  --line: #d8dce2;
  --accent: #0b5cad;
  --accent-text: #ffffff;
  --waiting: #9a5b00;
  --active: #1a7f37;
  --ended: #6e7781;
  --danger: #b42318;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px;
  line-height: 1.45;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--text); }
header.top { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; padding: 0.75rem 1.25rem; background: var(--panel); border-bottom: 1px solid var(--line); }
header.top h1 { font-size: 1.15rem; margin: 0; }
header.top p { margin: 0; color: var(--muted); font-size: 0.9rem; }
a { color: var(--accent); }
code { background: #eef0f3; border-radius: 4px; padding: 0.05rem 0.3rem; font-size: 0.9em; }
.notice { margin: 1rem 1.25rem; padding: 0.75rem 1rem; border: 1px solid var(--danger); border-radius: 6px; background: #fff5f5; color: var(--danger); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
button { font: inherit; cursor: pointer; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text); padding: 0.4rem 0.9rem; }
button.secondary { background: var(--panel); color: var(--accent); }
button.danger { background: var(--panel); color: var(--danger); border-color: var(--danger); }
button:disabled { opacity: 0.5; cursor: not-allowed; }
button:focus-visible, input:focus-visible, textarea:focus-visible, .chat-item:focus-visible { outline: 3px solid #7fb2ea; outline-offset: 1px; }
input, textarea { font: inherit; border: 1px solid var(--line); border-radius: 6px; padding: 0.4rem 0.6rem; background: var(--panel); color: var(--text); }

/* Customer page */
body.customer { display: flex; flex-direction: column; height: 100vh; }
.customer main { flex: 1; min-height: 0; display: flex; justify-content: center; padding: 1rem 1.25rem 1.25rem; }
.chat-frame { width: min(100%, 520px); height: 100%; min-height: 380px; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; box-shadow: 0 2px 10px rgba(0, 0, 0, 0.06); }
#webchat, .webchat-host { height: 100%; }

/* Agent console */
.agent main { display: grid; grid-template-columns: minmax(230px, 300px) 1fr; gap: 1rem; padding: 1rem 1.25rem; height: calc(100vh - 3.5rem); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; display: flex; flex-direction: column; min-height: 0; }
.panel > h2 { font-size: 1rem; margin: 0; padding: 0.7rem 0.9rem; border-bottom: 1px solid var(--line); }
.chat-list { list-style: none; margin: 0; padding: 0; overflow-y: auto; }
.chat-list li { border-bottom: 1px solid var(--line); }
.chat-item { display: block; width: 100%; text-align: left; border: 0; border-radius: 0; background: transparent; color: var(--text); padding: 0.6rem 0.9rem; }
.chat-item[aria-current="true"] { background: #e8f1fb; }
.chat-item .name { font-weight: 600; }
.chat-item .preview { display: block; color: var(--muted); font-size: 0.85rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { display: inline-block; font-size: 0.75rem; font-weight: 600; border-radius: 999px; padding: 0.05rem 0.5rem; margin-left: 0.4rem; color: #fff; }
.badge.waiting { background: var(--waiting); }
.badge.active { background: var(--active); }
.badge.ended { background: var(--ended); }
.empty { color: var(--muted); padding: 0.9rem; margin: 0; }
#detail { display: flex; flex-direction: column; flex: 1; min-height: 0; }
.detail-header { display: flex; align-items: center; justify-content: space-between; gap: 0.75rem; padding: 0.7rem 0.9rem; border-bottom: 1px solid var(--line); }
.detail-header h2 { font-size: 1rem; margin: 0; }
.detail-body { display: grid; grid-template-columns: 1fr minmax(200px, 260px); min-height: 0; flex: 1; }
.messages { list-style: none; margin: 0; padding: 0.9rem; overflow-y: auto; display: flex; flex-direction: column; gap: 0.6rem; }
.message { max-width: 80%; padding: 0.5rem 0.75rem; border-radius: 10px; background: #eef0f3; }
.message.outbound { align-self: flex-end; background: #dcebfa; }
.message.intro { max-width: 100%; background: #fff8e6; border: 1px solid #f0d9a8; }
.message.event { align-self: center; background: transparent; color: var(--muted); font-style: italic; }
.message .who { display: block; font-size: 0.78rem; color: var(--muted); }
.message .text { white-space: pre-wrap; margin: 0; overflow-wrap: anywhere; }
.attributes { border-left: 1px solid var(--line); padding: 0.9rem; overflow-y: auto; }
.attributes h3 { font-size: 0.9rem; margin: 0 0 0.5rem; }
.attributes dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 0.6rem; font-size: 0.85rem; }
.attributes dt { color: var(--muted); }
.attributes dd { margin: 0; overflow-wrap: anywhere; }
.typing { min-height: 1.5rem; padding: 0 0.9rem; color: var(--muted); font-style: italic; }
.composer { display: flex; gap: 0.5rem; padding: 0.7rem 0.9rem; border-top: 1px solid var(--line); align-items: center; flex-wrap: wrap; }
.composer input[type="text"] { flex: 1; min-width: 10rem; }
.composer label { font-size: 0.9rem; color: var(--muted); }
.status-line { padding: 0 0.9rem 0.6rem; color: var(--danger); min-height: 1.2rem; font-size: 0.85rem; }
.counter { font-size: 0.8rem; color: var(--muted); min-width: 7rem; }
.counter.over { color: var(--danger); font-weight: 600; }
.archive { border-top: 1px solid var(--line); }
.archive summary { padding: 0.6rem 0.9rem; cursor: pointer; color: var(--muted); }
.placeholder { color: var(--muted); padding: 2rem 1rem; text-align: center; margin: auto; }
@media (max-width: 760px) {
  .agent main { grid-template-columns: 1fr; height: auto; }
  .detail-body { grid-template-columns: 1fr; }
  .attributes { border-left: 0; border-top: 1px solid var(--line); }
}
`;
