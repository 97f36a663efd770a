import { NodeRegistry, type AnyNodeDefinition } from '@ptp/graph-core';
import { blendNode } from './blend/blendNode.js';
import { attentionViewerNode } from './edit/attentionViewerNode.js';
import { captureSourceNode } from './edit/captureSourceNode.js';
import { editSamplerNode } from './edit/editSamplerNode.js';
import { previewImageNode, saveImageNode } from './image/saveImageNode.js';
import { loadImageNode } from './image/loadImageNode.js';
import { cycleNode } from './invert/cycleNode.js';
import { editChainNode } from './invert/editChainNode.js';
import { editMetricsNode } from './metrics/editMetricsNode.js';
import { shapeJudgeNode } from './metrics/shapeJudgeNode.js';
import { invertNode } from './invert/invertNode.js';
import { vaeEncodeNode } from './model/vaeEncodeNode.js';
import { testPatternNoiseNode } from './model/testPatternNoiseNode.js';
import { decodeNode } from './model/decodeNode.js';
import { loadModelNode } from './model/loadModelNode.js';
import { textToImageNode } from './model/textToImageNode.js';
import { promptNode } from './prompt/promptNode.js';
import { injectionScheduleNode } from './schedule/injectionScheduleNode.js';
import { rerouteNode } from './util/rerouteNode.js';
import { showValueNode } from './util/showValueNode.js';
import { tuneNode } from './tune/tuneNode.js';
import { P2P_SOCKET_TYPES } from './sockets.js';

/** Every node type PtP Studio ships, in catalogue order. Add new nodes here, explicitly. */
export const allNodes: readonly AnyNodeDefinition[] = [
  loadModelNode,
  promptNode,
  textToImageNode,
  captureSourceNode,
  injectionScheduleNode,
  blendNode,
  editSamplerNode,
  tuneNode,
  loadImageNode,
  vaeEncodeNode,
  invertNode,
  cycleNode,
  editChainNode,
  shapeJudgeNode,
  editMetricsNode,
  decodeNode,
  saveImageNode,
  previewImageNode,
  attentionViewerNode,
  testPatternNoiseNode,
  showValueNode,
  rerouteNode,
];

/** The registry of every node (and `extra` ones) with the studio's socket types. */
export function createNodeRegistry(extra: readonly AnyNodeDefinition[] = []): NodeRegistry {
  return new NodeRegistry([...allNodes, ...extra], P2P_SOCKET_TYPES);
}
