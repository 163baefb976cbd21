/**
 * The page `/console` answers when the console has not been built: what happened and the one
 * command that fixes it, instead of a crash or a bare 404.
 */

/** The HTML of the page. */
export function missingBuildPage(dir: string): string {
  const escaped = dir.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lyceum console: not built</title>
</head>
<body>
<main>
<h1>The Lyceum console has not been built</h1>
<p>Its files are not in <code>${escaped}</code>. <code>npm install</code> builds them; to build
them now, run this in the Lyceum folder, then reload this page (no restart needed):</p>
<pre><code>npm run build:console</code></pre>
<p>The REST API works meanwhile: see <a href="../docs">the API docs</a>.</p>
</main>
</body>
</html>
`;
}
