/** The sections of `visage eval`, in report order. */
export const EVAL_SECTIONS = ['lfw', 'detection', 'age_gender', 'emotion', 'speed'] as const;
export type EvalSection = (typeof EVAL_SECTIONS)[number];
