import { useState } from 'react';
import { TuneResultsDialog } from './TuneResultsDialog';
import './tuneResults.css';

/** The toolbar's "Sweeps" button: opens the sweep/tune results view (its own state, so the toolbar only places it). */
export function TuneResultsButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        title="a sweep's or tune's results as a table and plot; load the best schedule into the graph"
        data-testid="open-tune-results"
      >
        Sweeps
      </button>
      {open && <TuneResultsDialog onClose={() => setOpen(false)} />}
    </>
  );
}
