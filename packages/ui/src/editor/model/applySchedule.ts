/**
 * Where a result row's settings go in the open graph: each `node.param` column to the node of that
 * id when it exists with that kind of param, else to every node of the kind that owns the param
 * (schedule knobs to Injection schedule nodes, `k` to Local blend nodes). Pure: the editor applies
 * the assignments with store.setParam.
 */
export const SCHEDULE_PARAMS = ['cross', 'self', 'selfResolutionDivisor', 'vBeta', 'vWindow'] as const;
export const BLEND_PARAMS = ['k'] as const;

const OWNER: Record<string, string> = {
  ...Object.fromEntries(SCHEDULE_PARAMS.map((p) => [p, 'ptp.injectionSchedule'])),
  ...Object.fromEntries(BLEND_PARAMS.map((p) => [p, 'ptp.blend'])),
};

export interface GraphNodeRef {
  readonly id: string;
  readonly type: string;
}

export interface ParamAssignment {
  readonly nodeId: string;
  readonly param: string;
  readonly value: number;
}

export interface ApplyPlan {
  readonly assignments: readonly ParamAssignment[];
  /** Columns that found no node to go to (e.g. the graph has no Local blend). */
  readonly unplaced: readonly string[];
}

export function planApplySchedule(params: Readonly<Record<string, number>>, nodes: readonly GraphNodeRef[]): ApplyPlan {
  const assignments: ParamAssignment[] = [];
  const unplaced: string[] = [];
  for (const [column, value] of Object.entries(params)) {
    if (!Number.isFinite(value)) continue;
    const dot = column.lastIndexOf('.');
    const nodeId = dot > 0 ? column.slice(0, dot) : undefined;
    const param = column.slice(dot + 1);
    const owner = OWNER[param];
    if (!owner) {
      unplaced.push(column);
      continue;
    }
    const named = nodes.find((n) => n.id === nodeId && n.type === owner);
    const targets = named ? [named] : nodes.filter((n) => n.type === owner);
    if (!targets.length) unplaced.push(column);
    for (const n of targets) assignments.push({ nodeId: n.id, param, value });
  }
  return { assignments, unplaced };
}
