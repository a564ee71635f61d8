/**
 * Angular's TestBed on Node, which has no DOM: the browser testing platform with an empty
 * document (its teardown then has no root elements to remove). Enough for services, providers
 * and signals; nothing here renders a template. Import `@angular/compiler` first in the test file:
 * Angular's packages are partially compiled and need the JIT compiler loaded before them.
 */
import { DOCUMENT } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { afterEach } from 'vitest';

/** Sets up TestBed for a test file (call it once, at its top level) and resets its module after each test. */
export function useAngularTestBed(): void {
  TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting([{ provide: DOCUMENT, useValue: {} }]));
  afterEach(() => TestBed.resetTestingModule());
}
