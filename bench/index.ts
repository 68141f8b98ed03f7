/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn; each prints its own figures.
 * Benchmarks measure; they never fail a build on a figure.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const only = process.argv[2];
  const files = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts') && (!only || file.includes(only)))
    .sort();
  for (const file of files) {
    const bench = (await import(join(__dirname, file))) as { run: () => Promise<void> };
    console.log(`\n## ${file.replace('.bench.ts', '')}\n`);
    await bench.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
