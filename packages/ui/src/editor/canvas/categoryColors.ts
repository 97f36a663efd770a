/** Header accent per catalogue category, so node families read at a glance. */
const COLORS: Record<string, string> = {
  model: '#b39ddb',
  prompt: '#ffd54f',
  sampling: '#4db6ac',
  edit: '#ff8a65',
  image: '#64b5f6',
  output: '#aed581',
  util: '#90a4ae',
};

export function categoryColor(category: string | undefined): string {
  return (category && COLORS[category]) || '#616161';
}
