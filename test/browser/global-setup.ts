/** One build and one server for every browser test file (see ./site.ts). */
import type { TestProject } from 'vitest/node';
import { launchSite } from './site';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const site = await launchSite();
  project.provide('readerSite', { baseUrl: site.baseUrl, project: site.project, persist: site.persist, logFile: site.logFile });
  return site.stop;
}
