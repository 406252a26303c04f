/**
 * The knowledge bundle built by `npm run kb:build`, as JSON text. It is generated and git-ignored, so it is
 * required rather than imported: type checking must not depend on a build step, while esbuild still inlines
 * the module into the Lambda bundle (a static `require`), so the cold start reads no file. It is embedded as a
 * string (`knowledge-embedded.ts`) because V8 parses a string plus `JSON.parse` faster than an object literal.
 */
export function bundledKnowledgeJson(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../generated/knowledge-embedded') as { KNOWLEDGE_JSON: string }).KNOWLEDGE_JSON;
}
