/**
 * A line diff (longest common subsequence) of two texts, as the lines of a ```diff block:
 * unchanged lines start with a space, removed with "-", added with "+". Only `context` lines
 * around each change are kept; a gap is marked "…". Policies are a few hundred lines at most,
 * so the quadratic table is small.
 */
export function lineDiff(before: string | null, after: string | null, context = 2): string[] {
  const a = before === null ? [] : before.split('\n');
  const b = after === null ? [] : after.split('\n');
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  const lines: string[] = [];
  let [i, j] = [0, 0];
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(` ${a[i]}`);
      i++;
      j++;
    } else if (i < a.length && (j === b.length || table[i + 1][j] >= table[i][j + 1])) {
      // Removals before additions, as diff prints them.
      lines.push(`-${a[i]}`);
      i++;
    } else {
      lines.push(`+${b[j]}`);
      j++;
    }
  }
  const keep = lines.map(() => false);
  lines.forEach((line, k) => {
    if (line[0] !== ' ') for (let m = Math.max(0, k - context); m <= Math.min(lines.length - 1, k + context); m++) keep[m] = true;
  });
  const result: string[] = [];
  lines.forEach((line, k) => {
    if (keep[k]) result.push(line);
    else if (result[result.length - 1] !== ' …' && (k === 0 || keep[k - 1])) result.push(' …');
  });
  return result;
}
