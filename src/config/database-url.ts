/**
 * DATABASE_URL: where the shared stores live when several nodes serve one deployment
 * (docs/scale-out.md). Checked at start so a typo fails the start with the variable named, not
 * the first request; the password is never echoed (the message shows the URL without it).
 */

/** The URL with any password replaced, for messages and logs. */
export function redactDatabaseUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Problems with DATABASE_URL, each naming it; none for '' (unset: the embedded SQLite). */
export function databaseUrlProblems(raw: string): string[] {
  if (raw === '') return [];
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return ['DATABASE_URL: not a URL; expected postgres://user:password@host:5432/database'];
  }
  const shown = redactDatabaseUrl(raw);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    return [`DATABASE_URL=${shown}: the scheme must be postgres:// or postgresql:// (unset it for the embedded SQLite)`];
  }
  const problems: string[] = [];
  // No host check: postgres:///db (the local socket) and ?host=/path are valid libpq forms.
  if (u.pathname.replace(/^\//, '') === '') problems.push(`DATABASE_URL=${shown}: no database name (postgres://…/<database>)`);
  return problems;
}
