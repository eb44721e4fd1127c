// Small numeric and Markdown helpers shared by the bench scripts.

/** Median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** 1234.5 → '1,235'; small values keep one decimal. */
export function formatNumber(value, decimals = value < 100 ? 1 : 0) {
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Bytes as KB with two decimals (1 KB = 1024 bytes). */
export const formatKB = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;

/** A ratio such as 0.62×. */
export const formatRatio = (ratio) => `${ratio.toFixed(2)}×`;

/** A GitHub-flavoured Markdown table from a header row and data rows (cells are strings). */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
