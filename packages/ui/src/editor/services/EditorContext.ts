import type { Question } from '../panels/AskDialog';
import { createContext, useContext } from 'react';
import type { StudioClient } from '@ptp/graph-core/client';
import type { EditorStore } from '../model/EditorStore';
import type { RunController } from './RunController';

export type NoticeKind = 'info' | 'error' | 'success';
export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
  /** A stable tag tests and styles can find (e.g. `connection-refused`). */
  tag?: string;
}

/** What every editor component reaches: the graph store, the run controller, the server (if any). */
export interface EditorServices {
  store: EditorStore;
  runs: RunController;
  server: StudioClient | undefined;
  notify(kind: NoticeKind, text: string, tag?: string): void;
  /** Asks for a line of text (a name) in the page; undefined when the user cancels. */
  ask(question: Question): Promise<string | undefined>;
  /** Stores an image for Load image nodes (on the server, or in the page's runner) and returns its id. */
  uploadImage(file: File): Promise<string>;
  /** An object URL showing an uploaded picture (Load image's preview); undefined when it cannot be read. */
  uploadPreview(id: string): Promise<string | undefined>;
}

export const EditorContext = createContext<EditorServices | null>(null);

export function useServices(): EditorServices {
  const s = useContext(EditorContext);
  if (!s) throw new Error('editor components must be inside <EditorContext.Provider>');
  return s;
}
