import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** Serious and critical axe violations of WCAG 2.1 A/AA on the current screen, one readable line each. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** How far the page scrolls sideways, and the widest elements that cause it (for the failure message). */
export async function sidewaysOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const overflow = root.scrollWidth - root.clientWidth;
    const culprits: string[] = [];
    if (overflow > 1) {
      for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
        const rect = el.getBoundingClientRect();
        if (rect.right > root.clientWidth + 1 && rect.width > 0) {
          const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
          culprits.push(`${name} (right ${Math.round(rect.right)})`);
        }
      }
    }
    return { overflow, culprits: culprits.slice(0, 8) };
  });
}

/** The screen passes axe (no serious or critical violation) and does not scroll sideways. */
export async function expectAccessibleAndFitting(page: Page, what: string) {
  expect.soft(await seriousAxeViolations(page), `axe on ${what}`).toEqual([]);
  const { overflow, culprits } = await sidewaysOverflow(page);
  expect.soft(overflow, `${what} scrolls sideways; too wide: ${culprits.join(', ')}`).toBeLessThanOrEqual(1);
}
