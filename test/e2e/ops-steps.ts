// Steps the ops e2e suites share: a `g` chord from the keyboard, and an axe scan that must find nothing
// serious or critical, in light and then dark with a screenshot of each.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeScan, screenshot } from './harness';

export async function chord(page: Page, key: string): Promise<void> {
  await page.keyboard.press('g');
  await page.keyboard.press(key);
}

export async function expectAccessible(page: Page, name: string): Promise<void> {
  const scan = await axeScan(page);
  expect(scan.passed, `${name}: axe ran its rules`).toBeGreaterThan(10);
  expect(scan.serious, `${name}: ${JSON.stringify(scan.serious, null, 1)}`).toEqual([]);
}

export async function lightAndDark(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await expectAccessible(page, `${name} (light)`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(150);
  await screenshot(page, `${name}-dark`);
  await expectAccessible(page, `${name} (dark)`);
  await page.emulateMedia({ colorScheme: 'light' });
}
