import * as z from 'zod';

/** What the bot may offer to run for a runbook. `check-only` offers the read-only check, never a restart. */
export const REMEDIATIONS = ['restart-container-runtime', 'check-only', 'none'] as const;
export type Remediation = (typeof REMEDIATIONS)[number];

/** Body sections every runbook must have, in this order, as `## <heading>`. */
export const REQUIRED_SECTIONS = {
  symptoms: 'Symptoms',
  cause: 'Cause',
  fix: 'Fix',
  verify: 'Verify',
  notTheFix: 'When this is not the fix',
} as const;
export type SectionKey = keyof typeof REQUIRED_SECTIONS;

/**
 * The same five sections in Chinese, in the same order, after the English ones. Their code blocks must be
 * identical to the English ones: a Chinese reader runs exactly the commands an English reader runs.
 */
export const REQUIRED_SECTIONS_ZH: Record<SectionKey, string> = {
  symptoms: '症状',
  cause: '原因',
  fix: '修复',
  verify: '验证',
  notTheFix: '不适用的情况',
};

export const RUNBOOK_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const signatureSchema = z
  .object({
    /** A regular expression (JavaScript syntax, no flags: matching is always case-insensitive) over the normalised paste. */
    pattern: z.string().min(3, 'must be a regular expression of at least 3 characters'),
    /** How strongly one match identifies this runbook: 1 = certain on its own, 0.5 = suggestive, < 0.3 = a hint. */
    weight: z.number().gt(0, 'must be greater than 0').max(1, 'must be at most 1'),
    /** Optional: what the pattern is meant to catch, shown as evidence. */
    description: z.string().min(1).optional(),
  })
  .strict();

/** Front matter as authors write it (snake_case keys, as in the files). */
export const frontMatterSchema = z
  .object({
    id: z.string().regex(RUNBOOK_ID, 'must be lower-case words joined by hyphens, e.g. shim-version-mismatch'),
    title: z.string().min(5, 'must be a short human title'),
    /** The title a Chinese reader sees on the answer card and in the CLI, as a Chinese-speaking SRE would put it. */
    title_zh: z
      .string()
      .min(4, 'must be a short Chinese title')
      .regex(/\p{Script=Han}/u, 'must contain Chinese text'),
    summary: z.string().min(10, 'must be one English sentence'),
    summary_zh: z
      .string()
      .min(4, 'must be a Chinese summary')
      .regex(/\p{Script=Han}/u, 'must contain Chinese text'),
    signatures: z.array(signatureSchema).min(1, 'needs at least one signature'),
    /** Signatures that, when present, mean this runbook is NOT the answer (look-alikes). */
    excludes: z.array(z.string().min(3)).default([]),
    keywords: z.array(z.string().min(1)).min(1, 'needs at least one keyword'),
    applies_to: z.array(z.string().min(1)).min(1, 'needs at least one version or component'),
    remediation: z.enum(REMEDIATIONS, { message: `must be one of ${REMEDIATIONS.join(', ')}` }),
    sources: z.array(z.url({ protocol: /^https$/, message: 'must be an https URL' })).min(1, 'needs at least one public source'),
  })
  .strict();

export type RunbookFrontMatter = z.infer<typeof frontMatterSchema>;

export interface Signature {
  pattern: string;
  weight: number;
  description?: string;
}

/** A validated runbook as the rest of the code sees it. Plain data: it is serialised into the knowledge bundle. */
export interface Runbook {
  id: string;
  title: string;
  titleZh: string;
  summary: string;
  summaryZh: string;
  signatures: Signature[];
  excludes: string[];
  keywords: string[];
  appliesTo: string[];
  remediation: Remediation;
  sources: string[];
  /** Folder under knowledge/, e.g. `shim`. */
  area: string;
  /** Path relative to the repository root, for messages and links. */
  file: string;
  /** Markdown of each required section, without its heading. */
  sections: Record<SectionKey, string>;
  /** The same sections in Chinese, without their headings. Required: a Chinese paste gets the whole answer in Chinese. */
  sectionsZh: Record<SectionKey, string>;
}
