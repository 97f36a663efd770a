import type { FailedRuns } from '../model/failedRuns';

/**
 * Above a tune's figures: how many of its runs failed (the figures are means over the others) and
 * each error once, with its code, node and message, its runs and its pairs.
 */
export function FailedRunsNotice({ failures }: { failures: FailedRuns }) {
  return (
    <div className="tune-results-failures" data-testid="tune-results-failures">
      <p className="warning" data-testid="tune-results-failures-summary">
        {failures.summary}
      </p>
      <table data-testid="tune-results-errors">
        <thead>
          <tr>
            <th>runs</th>
            <th>pairs</th>
            <th>code</th>
            <th>node</th>
            <th>message</th>
          </tr>
        </thead>
        <tbody>
          {failures.errors.map((e, i) => (
            <tr key={i}>
              <td>{e.runs}</td>
              <td>{e.pairs.join(', ')}</td>
              <td>
                <code>{e.code ?? 'n/a'}</code>
              </td>
              <td>{e.node === null ? 'n/a' : `${e.node}${e.where ? ` (${e.where})` : ''}`}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
