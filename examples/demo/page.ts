// The demo's HTML page: the current session, and for each member whether it is healthy and
// whether it holds this session's key.

export interface MemberRow {
  label: string;
  healthy: boolean;
  /** true/false from EXISTS; undefined when the member did not answer in time (or is down). */
  holds: boolean | undefined;
}

export interface PageData {
  sid: string;
  /** Whether some member holds the session's key. */
  stored: boolean;
  session: unknown;
  key: string;
  members: MemberRow[];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

const yesNo = (value: boolean | undefined, yes: string, no: string, unknown = 'no answer') =>
  value === undefined ? `<span class="unknown">${unknown}</span>` : value ? `<span class="yes">${yes}</span>` : `<span class="no">${no}</span>`;

export function renderPage(data: PageData): string {
  const rows = data.members
    .map(
      m =>
        `<tr data-member="${escapeHtml(m.label)}" data-healthy="${m.healthy}" data-holds="${m.holds ?? 'unknown'}">` +
        `<td><code>${escapeHtml(m.label)}</code></td><td>${yesNo(m.healthy, 'healthy', 'down')}</td>` +
        `<td>${m.healthy ? yesNo(m.holds, 'yes', 'no') : yesNo(undefined, '', '', 'not asked')}</td></tr>`,
    )
    .join('\n');
  const note = data.stored ? '' : '<p>No member holds this session yet: visit <a href="/setter">/setter</a> to store one.</p>\n';
  const session = `${note}<pre>${escapeHtml(JSON.stringify(data.session, null, 2))}</pre>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>expredis demo</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 50rem; }
  table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
  pre { background: #f4f4f4; padding: .8rem; } .yes { color: #080; } .no { color: #b00; } .unknown { color: #888; }
</style>
</head>
<body>
<h1>expredis demo</h1>
<p><a href="/setter">/setter</a> · <a href="/getter">/getter</a> · <a href="/logout">/logout</a> · <a href="/stats">/stats</a> · <a href="/">refresh</a></p>
<h2>Session</h2>
<p>id <code>${escapeHtml(data.sid)}</code>, key <code>${escapeHtml(data.key)}</code></p>
${session}
<h2>Members</h2>
<table>
<tr><th>member</th><th>health</th><th>holds this session's key</th></tr>
${rows}
</table>
<p>Every write goes to all members; a read takes the first valid answer. Stop one member and the session survives.</p>
</body>
</html>
`;
}
