/** SendCommand's Comment is at most 100 characters (SSM API reference, SendCommand). */
export const COMMENT_MAX = 100;

/**
 * The Comment SSM stores with the command, so the Run Command history says who asked and which audit record to read.
 *
 * @example
 * buildComment('U012ABCDEF', 'r-7k2m9q4x1z'); // 'shim-fix U012ABCDEF r-7k2m9q4x1z'
 */
export function buildComment(userId: string, requestId: string): string {
  const comment = `shim-fix ${userId} ${requestId}`;
  return [...comment].length <= COMMENT_MAX ? comment : [...comment].slice(0, COMMENT_MAX).join('');
}
