/**
 * A test or bench worker bundled for workerd, as wrangler would resolve it: the workerd, worker
 * and browser builds of dependencies (nanoid's Web Crypto build) and no Node built-in modules
 * (importing one fails the bundle, which is the point: production code must run without them).
 */
import { build, type Plugin } from 'esbuild';

/** `plugins` stand in for what only a real build provides (Astro's virtual modules); `external` is what workerd itself provides (`cloudflare:workers`). */
export async function bundleForWorkerd(entry: string, options: { mainFields?: string[]; plugins?: Plugin[]; external?: string[] } = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: options.mainFields ?? ['module', 'main'],
    logLevel: 'silent',
    plugins: options.plugins ?? [],
    external: options.external ?? [],
  });
  return result.outputFiles[0]!.text;
}
