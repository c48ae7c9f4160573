// Which Node versions fanout-bench runs on; plain JavaScript of the oldest kind, so the check
// itself runs on any Node before the TypeScript loader (which needs a recent one) is touched.
// Keep in step with "engines" in package.json (a test compares them).

export const SUPPORTED_NODE = '^20.19.0 || >=22.12.0';

/**
 * Why this Node version is not supported ("18.20.4" → a sentence), or undefined if it is.
 * @param {string} version process.versions.node
 * @returns {string | undefined}
 */
export function unsupportedNode(version) {
  const [major, minor] = String(version).replace(/^v/, '').split('.').map(Number);
  const ok = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
  if (ok) return undefined;
  return `Node ${version} is not supported: fanout-bench needs Node 22.12 or later, or 20.19+ on the 20 line (${SUPPORTED_NODE})`;
}
