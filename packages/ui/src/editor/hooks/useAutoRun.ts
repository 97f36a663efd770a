import { useEffect, useMemo, useRef, useState } from 'react';
import { AutoRun, runKey } from '../model/AutoRun';
import { isRunActive } from '../model/runStatus';
import { useServices } from '../services/EditorContext';

/**
 * Run on change (the toolbar's Auto): off on each page load, so opening the studio never starts a
 * run by itself. `run` is called as Run would be, for the target chosen then.
 */
export function useAutoRun(run: () => void): [boolean, (on: boolean) => void] {
  const { store, runs } = useServices();
  const [on, setOn] = useState(false);
  const latestRun = useRef(run);
  latestRun.current = run;
  const auto = useMemo(
    () =>
      new AutoRun({
        // Nothing to run, or problems that would stop the run: wait for the next edit, quietly.
        key: () =>
          store.getState().graph.nodes.length && !store.runBlockers().length ? runKey(store.document()) : undefined,
        running: () => isRunActive(runs.getState().view),
        run: () => latestRun.current(),
      }),
    [store, runs],
  );
  useEffect(() => () => auto.dispose(), [auto]);
  useEffect(() => auto.setEnabled(on), [auto, on]);
  useEffect(() => store.onEdit(() => auto.changed()), [store, auto]);
  useEffect(() => {
    let serial = runs.getState().runSerial;
    let active = isRunActive(runs.getState().view);
    return runs.subscribe(() => {
      const s = runs.getState();
      if (s.runSerial !== serial) auto.started();
      serial = s.runSerial;
      const now = isRunActive(s.view);
      if (active && !now) auto.ended();
      active = now;
    });
  }, [runs, auto]);
  return [on, setOn];
}
