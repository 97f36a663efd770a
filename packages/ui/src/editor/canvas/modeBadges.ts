import type { PtpNodeData } from '../model/editorGraph';

/** The badge (and class) of a node that does not run, by its mode, with what the mode means. */
export const MODE_BADGES: Record<NonNullable<PtpNodeData['mode']>, { word: string; title: string }> = {
  bypass: {
    word: 'bypassed',
    title: 'bypassed (Ctrl+B): does not run; each output passes on its first input of the same type',
  },
  mute: { word: 'muted', title: 'muted (Ctrl+M): does not run, nor does what needs its outputs' },
};
