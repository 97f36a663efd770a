import type { ReactNode } from 'react';

/** A button for what only the studio server has: off, and saying so, in browser-only mode. */
export function ServerButton(props: {
  server: boolean;
  onClick: () => void;
  title: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      onClick={props.onClick}
      disabled={!props.server}
      title={props.server ? props.title : 'needs the studio server'}
      data-testid={props.testId}
    >
      {props.children}
    </button>
  );
}
