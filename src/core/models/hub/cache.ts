// KV Lens's cache of Hub reads, under the KV Lens cache folder (~/.cache/kvlens/hub/<endpoint>/<org>--<name>/):
//   refs/<revision>.json   {commit, checkedAt}    which commit a branch/tag pointed at, and when that was asked
//   <commit>/facts.json    HubFacts                what sizing needs from that commit (a commit never changes)
//   errors/<revision>.json {kind, message, at}     a remembered 404/401 so offline answers can say why
// Keys are the repo's commit (what the Hub's X-Repo-Commit and ETags are derived from), so cached facts are never
// stale; only the revision → commit mapping is rechecked (after REF_TTL_MS, or on demand).
import * as path from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../fileAccess';
import { endpointKey } from './env';
import type { HubFacts } from './facts';

export const REF_TTL_MS = 24 * 3600 * 1000;
const MAX_FACTS_BYTES = 64 * 1024 * 1024;

const safe = (s: string): string => encodeURIComponent(s).replace(/%/g, '_').slice(0, 200);

export interface CachedRef {
  commit: string;
  checkedAt: number;
}

export class HubCache {
  constructor(readonly root: string, readonly endpoint: string) {}

  private repoDir(repo: string): string {
    return path.join(this.root, endpointKey(this.endpoint), repo.replace('/', '--'));
  }

  ref(repo: string, revision: string): CachedRef | undefined {
    // A full commit id is its own ref.
    if (/^[0-9a-f]{40}$/.test(revision)) return { commit: revision, checkedAt: Date.now() };
    try {
      const t = readTextIfExists(path.join(this.repoDir(repo), 'refs', `${safe(revision)}.json`), 4096);
      if (!t) return undefined;
      const j = JSON.parse(t) as CachedRef;
      return typeof j.commit === 'string' && /^[0-9a-f]{40}$/.test(j.commit) && typeof j.checkedAt === 'number' ? j : undefined;
    } catch {
      return undefined;
    }
  }

  facts(repo: string, commit: string, key = 'facts'): HubFacts | undefined {
    try {
      const t = readTextIfExists(path.join(this.repoDir(repo), commit, `${safe(key)}.json`), MAX_FACTS_BYTES);
      if (!t) return undefined;
      const j = JSON.parse(t) as HubFacts;
      return j && j.v === 1 && j.commit === commit && j.repo === repo ? j : undefined;
    } catch {
      return undefined;
    }
  }

  error(repo: string, revision: string): { kind: string; message: string; at: number } | undefined {
    try {
      const t = readTextIfExists(path.join(this.repoDir(repo), 'errors', `${safe(revision)}.json`), 16384);
      return t ? (JSON.parse(t) as { kind: string; message: string; at: number }) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores a lookup; returns why it could not (a read-only cache only costs speed). */
  put(facts: HubFacts, key = 'facts'): string | undefined {
    const dir = this.repoDir(facts.repo);
    const e1 = writeFileAtomic(path.join(dir, facts.commit, `${safe(key)}.json`), JSON.stringify(facts));
    const e2 = facts.revision !== facts.commit ? writeFileAtomic(path.join(dir, 'refs', `${safe(facts.revision)}.json`), JSON.stringify({ commit: facts.commit, checkedAt: Date.now() })) : undefined;
    return e1 ?? e2;
  }

  putRef(repo: string, revision: string, commit: string): void {
    writeFileAtomic(path.join(this.repoDir(repo), 'refs', `${safe(revision)}.json`), JSON.stringify({ commit, checkedAt: Date.now() }));
  }

  putError(repo: string, revision: string, kind: string, message: string): void {
    writeFileAtomic(path.join(this.repoDir(repo), 'errors', `${safe(revision)}.json`), JSON.stringify({ kind, message, at: Date.now() }));
  }
}
