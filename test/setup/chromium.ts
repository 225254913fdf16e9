import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { CACHE_DIR, packageDir } from './cache.js';
import { aptInstall } from './os-packages.js';

/**
 * The headless browser the dashboard tests drive. First a browser the user named (`CHROME_PATH`,
 * `CLAWKEEP_CHROMIUM`), then one installed on the system, then the Chromium that the
 * `@sparticuz/chromium` devDependency ships, unpacked once into `.cache/chromium/<version>/` with the
 * shared libraries it brings (NSS, from its Amazon Linux bundle), its fonts and SwiftShader.
 */
export interface Browser {
  executablePath: string;
  /** Extra environment the browser needs (library and font paths); empty for a system browser. */
  env: Record<string, string>;
  /** Where it came from, for the setup's summary line. */
  source: string;
}

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** A browser the user named or the system has; null when there is none. Throws on a named path that is missing. */
export function namedOrSystemBrowser(): Browser | null {
  for (const name of ['CHROME_PATH', 'CLAWKEEP_CHROMIUM'] as const) {
    const path = process.env[name];
    if (!path) continue;
    if (!existsSync(path)) {
      throw new Error(
        `${name}=${path}: no such file. Point ${name} at a Chromium or Chrome binary, or unset it.`,
      );
    }
    return { executablePath: path, env: {}, source: `${name}=${path}` };
  }
  const found = SYSTEM_BROWSERS.find((p) => existsSync(p));
  return found ? { executablePath: found, env: {}, source: `system ${found}` } : null;
}

function sparticuzDir(): { binDir: string; version: string } {
  const dir = packageDir('@sparticuz/chromium');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return { binDir: join(dir, 'bin'), version };
}

/** Where the packaged Chromium is unpacked (it exists once `ensureBrowser` has run). */
export function packagedBrowserDir(): string {
  return join(CACHE_DIR, 'chromium', sparticuzDir().version);
}

function packagedBrowser(dir: string): Browser {
  return {
    executablePath: join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: [join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_PATH: dir,
      FONTCONFIG_FILE: join(dir, 'fonts.conf'),
    },
    source: `@sparticuz/chromium ${sparticuzDir().version} (${dir})`,
  };
}

/** The browser to test with, unpacking the packaged one on first use. Idempotent; milliseconds once unpacked. */
export async function ensureBrowser(log: (line: string) => void = () => {}): Promise<Browser> {
  const named = namedOrSystemBrowser();
  if (named) return named;
  const dir = packagedBrowserDir();
  if (!existsSync(join(dir, '.unpacked'))) {
    log(`unpacking @sparticuz/chromium into ${dir}`);
    await unpack(dir);
  }
  const browser = packagedBrowser(dir);
  await ensureSharedLibraries(browser, log);
  return browser;
}

async function unpack(dir: string): Promise<void> {
  const { binDir } = sparticuzDir();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await pipeline(
    createReadStream(join(binDir, 'chromium.br')),
    createBrotliDecompress(),
    createWriteStream(join(tmp, 'chromium'), { mode: 0o755 }),
  );
  // swiftshader's libraries sit beside the binary; al2023's lib/ holds NSS; fonts/ the bundled fonts.
  for (const archive of ['swiftshader.tar.br', 'al2023.tar.br', 'fonts.tar.br']) {
    await untarBrotli(join(binDir, archive), tmp);
  }
  // The bundle's own fonts.conf names Lambda's paths; ours names the unpacked fonts.
  await writeFile(
    join(tmp, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
  );
  await writeFile(join(tmp, '.unpacked'), '');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(tmp, dir);
}

async function untarBrotli(archive: string, into: string): Promise<void> {
  const tar = join(into, '.archive.tar');
  await pipeline(createReadStream(archive), createBrotliDecompress(), createWriteStream(tar));
  const r = spawnSync('tar', ['-xf', tar, '-C', into], { encoding: 'utf8' });
  rmSync(tar);
  if (r.status !== 0) throw new Error(`tar -xf ${archive} failed: ${(r.stderr || String(r.error)).trim()}`);
}

/**
 * Debian packages that supply the libraries Chromium links against, for a system that lacks one
 * the bundle does not bring.
 */
const LIBRARY_PACKAGES: Record<string, string> = {
  'libnss3.so': 'libnss3',
  'libnssutil3.so': 'libnss3',
  'libsmime3.so': 'libnss3',
  'libnspr4.so': 'libnspr4',
  'libplc4.so': 'libnspr4',
  'libplds4.so': 'libnspr4',
  'libexpat.so.1': 'libexpat1',
  'libgcc_s.so.1': 'libgcc-s1',
  'libdl.so.2': 'libc6',
  'libpthread.so.0': 'libc6',
  'libm.so.6': 'libc6',
  'libc.so.6': 'libc6',
};

/** Libraries the browser cannot find, by `ldd` with its environment. */
export function missingLibraries(browser: Browser): string[] {
  const r = spawnSync('ldd', [browser.executablePath], {
    encoding: 'utf8',
    env: { ...process.env, ...browser.env },
  });
  if (r.error) return []; // No ldd (not glibc Linux): the launch itself will say what is wrong.
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('=> not found'))
    .map((l) => l.trim().split(/\s+/)[0]!);
}

async function ensureSharedLibraries(browser: Browser, log: (line: string) => void): Promise<void> {
  const missing = missingLibraries(browser);
  if (missing.length === 0) return;
  const packages = [
    ...new Set(missing.map((lib) => LIBRARY_PACKAGES[lib] ?? `(the package that has ${lib})`)),
  ];
  const installed = aptInstall(packages, `Chromium needs ${missing.join(', ')}`, log);
  const still = installed ? missingLibraries(browser) : missing;
  if (still.length > 0) {
    throw new Error(
      `${browser.executablePath} cannot start: this system lacks ${still.join(', ')}. ` +
        `Install ${packages.join(' ')} (Debian/Ubuntu: apt-get install -y ${packages.join(' ')}), ` +
        'or point CHROME_PATH at an installed Chromium or Chrome.',
    );
  }
}
