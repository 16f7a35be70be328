// Browser-side access to the video fixtures that scripts/videoFixtures.ts generates with ffmpeg before the
// browser tests run (test helpers, page thread). A missing ffmpeg fails the tests that need it, loudly.
import type { Corner } from './pattern.ts';

export const FIXTURE_URL = '/test-results/fixtures/video/';

export interface FixtureFacts {
  readonly bytes: number;
  readonly frames: number;
  readonly bFrames: number;
  readonly moovFirst: boolean | null;
  readonly shownWidth: number;
  readonly shownHeight: number;
  readonly markerCorner: Corner | null;
}

interface Manifest {
  readonly error: string | null;
  readonly files: Record<string, FixtureFacts>;
}

let manifest: Promise<Manifest> | undefined;

async function loadManifest(): Promise<Manifest> {
  const response = await fetch(`${FIXTURE_URL}manifest.json`);
  if (!response.ok) throw new Error(`No fixture manifest (HTTP ${response.status}); did globalSetup run?`);
  return (await response.json()) as Manifest;
}

/** What ffmpeg/ffprobe said about fixture `name` when it was made. */
export async function fixtureFacts(name: string): Promise<FixtureFacts> {
  manifest ??= loadManifest();
  const m = await manifest;
  if (m.error !== null) throw new Error(m.error);
  const facts = m.files[name];
  if (!facts) throw new Error(`Unknown fixture ${name}`);
  return facts;
}

/** Fixture `name` as a File, like one dropped by a user. */
export async function fixtureFile(name: string): Promise<File> {
  await fixtureFacts(name);
  const response = await fetch(`${FIXTURE_URL}${name}`);
  if (!response.ok) throw new Error(`Fixture ${name}: HTTP ${response.status}`);
  return new File([await response.blob()], name);
}
