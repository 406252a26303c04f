/**
 * The knowledge bundle built by `npm run kb:build`. It is generated and git-ignored, so it is required rather
 * than imported: type checking must not depend on a build step, while esbuild still inlines the file into
 * the Lambda bundle (a static `require` of a JSON path), so the cold start reads no file.
 */
export function bundledKnowledgeJson(): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../generated/knowledge.json') as unknown;
}
